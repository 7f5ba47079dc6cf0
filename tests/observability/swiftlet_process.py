"""Runs the built `swiftlet up` for the observability tests and finds its ports in its log."""
import os
import re
import shutil
import subprocess
import tempfile
import time

import pytest

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))


def swiftlet_binary():
    path = os.environ.get("SWIFTLET_BINARY", os.path.join(ROOT, ".build", "debug", "swiftlet"))
    if not os.access(path, os.X_OK):
        pytest.fail(f"{path} is not built: run `swift build` first (scripts/test.sh does)")
    return path


class Swiftlet:
    """`swiftlet up APP` on free ports, with the admin API and the Dapr APIs; `urls` maps
    "app", "admin" and "dapr" to their base URLs and "grpc" to host:port once it listens."""

    MARKERS = {"app": "listening on", "admin": "admin API on", "dapr": "Dapr HTTP API on", "grpc": "Dapr gRPC API on"}

    def __init__(self, app, env=None):
        self.state = tempfile.mkdtemp()
        self.log = tempfile.TemporaryFile()
        self.process = subprocess.Popen(
            [swiftlet_binary(), "up", app, "--listen", "127.0.0.1:0", "--admin-listen", "127.0.0.1:0",
             "--dapr-http-port", "0", "--dapr-grpc-port", "0", "--state-dir", self.state],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=self.log, env=dict(os.environ, **(env or {})))
        self.urls = {}
        deadline = time.time() + 30
        while len(self.urls) < len(self.MARKERS) and time.time() < deadline and self.process.poll() is None:
            text = self.output()
            for key, marker in self.MARKERS.items():
                found = re.search(re.escape(marker) + r" ((?:http://)?[0-9.]+:[0-9]+)", text)
                if found:
                    self.urls[key] = found.group(1)
            time.sleep(0.05)
        if len(self.urls) < len(self.MARKERS):
            self.stop()
            pytest.fail("swiftlet up did not start:\n" + self.output())

    def output(self):
        self.log.seek(0)
        return self.log.read().decode(errors="replace")

    def stop(self):
        if self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=30)
        shutil.rmtree(self.state, ignore_errors=True)
