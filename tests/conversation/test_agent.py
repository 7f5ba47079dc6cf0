"""examples/agent end to end: agent.py (the unmodified Dapr SDK's converse_alpha2 with tool
calling, against the real small model) calls the example's tools over MCP at /mcp."""
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time

import pytest
import requests

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
AGENT = os.path.join(ROOT, "examples", "agent")
MODEL_URL = os.environ.get("SWIFTLET_TEST_MODEL_URL", "http://127.0.0.1:18080/v1")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_the_agent_loop_calls_a_tool_and_answers():
    try:
        requests.get(MODEL_URL + "/models", timeout=5).raise_for_status()
    except requests.RequestException as error:
        pytest.fail(f"no model server at {MODEL_URL} ({error}): start one with scripts/model-server.sh start")
    directory = tempfile.mkdtemp(prefix="swiftlet-agent-loop-")
    shutil.copytree(AGENT, directory, dirs_exist_ok=True, ignore=shutil.ignore_patterns(".swiftlet"))
    llm = os.path.join(directory, "components", "llm.yaml")
    with open(llm) as f:
        text = f.read().replace("http://127.0.0.1:18080/v1", MODEL_URL)
    with open(llm, "w") as f:
        f.write(text)
    binary = os.environ.get("SWIFTLET_BINARY", os.path.join(ROOT, ".build", "debug", "swiftlet"))
    listen, http, grpc = free_port(), free_port(), free_port()
    log = open(os.path.join(directory, "up.log"), "w")
    server = subprocess.Popen(
        [binary, "up", "-f", os.path.join(directory, "swiftlet.yaml"), "--listen", f"127.0.0.1:{listen}",
         "--dapr-http-port", str(http), "--dapr-grpc-port", str(grpc)], stdout=subprocess.DEVNULL, stderr=log)
    try:
        deadline = time.time() + 60
        while time.time() < deadline and server.poll() is None:
            try:
                if requests.get(f"http://127.0.0.1:{http}/v1.0/healthz/outbound", timeout=1).status_code < 400:
                    break
            except requests.RequestException:
                time.sleep(0.05)
        env = dict(os.environ, DAPR_HTTP_PORT=str(http), DAPR_GRPC_PORT=str(grpc),
                   SWIFTLET_MCP_URL=f"http://127.0.0.1:{listen}/mcp")
        run = subprocess.run([sys.executable, os.path.join(directory, "agent.py")], env=env, capture_output=True,
                             text=True, timeout=180)
        assert run.returncode == 0, run.stdout + run.stderr
        lines = run.stdout.splitlines()
        assert any(line.startswith("tool run_python(") for line in lines), run.stdout
        assert any(line.startswith("answer: ") for line in lines), run.stdout
        assert "tool=run_python" in open(os.path.join(directory, "up.log")).read()
    finally:
        server.terminate()
        server.wait(timeout=30)
        shutil.rmtree(directory, ignore_errors=True)
