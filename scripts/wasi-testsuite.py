#!/usr/bin/env python3
"""Run the official WASI test suite's prebuilt wasm32-wasip1 tests against `swiftlet run`.

By hand, not in CI (the suite is not committed): get the tests from the `prod/testsuite-base`
branch of WebAssembly/wasi-testsuite, then

    scripts/wasi-testsuite.py --suite DIR --engine wasmkit
    scripts/wasi-testsuite.py --suite DIR --engine wasmtime

Usage: wasi-testsuite.py [--engine wasmkit|wasmtime] [--suite DIR] [--swiftlet PATH] [NAME_SUBSTRING ...]

Spec (TEST.json next to TEST.wasm; every key optional):
  args      list of guest arguments (after argv[0])
  env       {name: value}
  root      directory (relative to the test dir) preopened at guest path "/"   (current format)
  dirs      list of directories (relative to the test dir), each preopened at guest path <dir>
            (older format)
  exit_code expected exit code (default 0)
  stdout    expected stdout (compared exactly; a prefix match is reported separately)
  stderr    expected stderr (same)

Each test runs in a fresh temporary copy of its directory (minus other tests' .wasm files),
with cwd = that copy, stdin empty, and a 30 s timeout.
"""

import argparse
import difflib
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parent.parent
DEFAULT_SUITE = Path("wasi-testsuite")
DEFAULT_SWIFTLET = REPOSITORY / ".build/debug/swiftlet"
TIMEOUT = 30.0


def find_tests(suite: Path):
    return sorted(suite.rglob("*.wasm"), key=lambda p: (str(p.parent), p.name))


def load_spec(wasm: Path) -> dict:
    spec_path = wasm.with_suffix(".json")
    spec = {}
    if spec_path.exists():
        spec = json.loads(spec_path.read_text(encoding="utf-8"))
    return {
        "args": list(spec.get("args", [])),
        "env": dict(spec.get("env", {})),
        "root": spec.get("root"),
        "dirs": list(spec.get("dirs", [])),
        "exit_code": int(spec.get("exit_code", 0)),
        "stdout": spec.get("stdout"),
        "stderr": spec.get("stderr"),
    }


def fresh_copy(wasm: Path, dest: Path) -> Path:
    """Copy the test's directory tree into dest, leaving out the (large) .wasm/.json files of
    other tests; the test's own module is hard-linked (or copied) in."""
    src = wasm.parent

    def ignore(directory, names):
        if Path(directory) == src:
            return [n for n in names if n.endswith(".wasm") or n.endswith(".json")]
        return []

    shutil.copytree(src, dest, symlinks=True, ignore=ignore)
    target = dest / wasm.name
    try:
        os.link(wasm, target)
    except OSError:
        shutil.copy2(wasm, target)
    return target


def describe_mismatch(name: str, got: str, expected: str) -> str:
    if got.startswith(expected):
        kind = f"{name} has the expected text as a prefix plus {len(got) - len(expected)} more chars"
    else:
        kind = f"{name} differs"
    diff = list(difflib.unified_diff(expected.splitlines(), got.splitlines(), "expected", "got", lineterm="", n=1))
    return kind + ("\n      " + "\n      ".join(diff[:12]) if diff else f": expected {expected!r}, got {got!r}")


def run_test(swiftlet: Path, engine: str, wasm: Path) -> tuple[bool, str]:
    spec = load_spec(wasm)
    with tempfile.TemporaryDirectory(prefix="wasi-test-") as tmp:
        workdir = Path(tmp) / wasm.parent.name
        module = fresh_copy(wasm, workdir)
        argv = [str(swiftlet), "run", "--engine", engine]
        for key, value in spec["env"].items():
            argv += ["--env", f"{key}={value}"]
        if spec["root"]:
            argv += ["--dir", f"{workdir / spec['root']}::/"]
        for d in spec["dirs"]:
            argv += ["--dir", f"{workdir / d}::{d}"]
        argv += [module.name] + spec["args"]
        try:
            proc = subprocess.run(argv, cwd=workdir, input=b"", capture_output=True, timeout=TIMEOUT)
        except subprocess.TimeoutExpired as e:
            err = (e.stderr or b"").decode("utf-8", "replace")
            return False, f"timeout after {TIMEOUT:.0f}s" + first_lines(err)
        out = proc.stdout.decode("utf-8", "replace")
        err = proc.stderr.decode("utf-8", "replace")
        reasons = []
        if proc.returncode != spec["exit_code"]:
            reasons.append(f"exit code got {proc.returncode}, expected {spec['exit_code']}")
        if spec["stdout"] is not None and out != spec["stdout"]:
            reasons.append(describe_mismatch("stdout", out, spec["stdout"]))
        if spec["stderr"] is not None and err != spec["stderr"]:
            reasons.append(describe_mismatch("stderr", err, spec["stderr"]))
        if reasons:
            return False, "; ".join(reasons) + first_lines(err, "stderr") + first_lines(out, "stdout")
        return True, ""


def first_lines(text: str, label: str = "stderr", count: int = 6) -> str:
    lines = [l for l in text.splitlines() if l.strip()][:count]
    if not lines:
        return ""
    return f"\n    {label}: " + "\n    " .join(["" + lines[0]] + ["        " + l for l in lines[1:]])


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--engine", action="append", choices=["wasmkit", "wasmtime"])
    parser.add_argument("--suite", type=Path, default=DEFAULT_SUITE)
    parser.add_argument("--swiftlet", type=Path, default=DEFAULT_SWIFTLET)
    parser.add_argument("filters", nargs="*", help="only tests whose path contains one of these")
    opts = parser.parse_args()
    engines = opts.engine or ["wasmkit", "wasmtime"]
    if not opts.swiftlet.exists():
        print(f"missing {opts.swiftlet}", file=sys.stderr)
        return 2
    tests = find_tests(opts.suite)
    if opts.filters:
        tests = [t for t in tests if any(f in str(t) for f in opts.filters)]
    summary = {}
    for engine in engines:
        passed, failed = 0, []
        print(f"== engine {engine} ==", flush=True)
        for wasm in tests:
            name = f"{wasm.parent.parent.parent.name}/{wasm.stem}"
            ok, reason = run_test(opts.swiftlet, engine, wasm)
            if ok:
                passed += 1
                print(f"PASS {name}", flush=True)
            else:
                failed.append(name)
                print(f"FAIL {name}: {reason}", flush=True)
        summary[engine] = (passed, failed)
    print()
    for engine, (passed, failed) in summary.items():
        print(f"SUMMARY {engine}: {passed} passed, {len(failed)} failed, {passed + len(failed)} total")
        for name in failed:
            print(f"  failed: {name}")
    return 0 if all(not f for _, f in summary.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
