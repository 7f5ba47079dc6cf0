"""Starts the real services for the SDK tests: Swiftlet (`swiftlet up` with a Wasm app and
Redis-backed Dapr components) and a Flask app beside it. Redis comes from
scripts/services.sh (127.0.0.1:16379)."""
import os
import socket
import subprocess
import sys
import tempfile
import time

import pytest
import requests

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
GUESTS = os.path.join(ROOT, "guests", "build")
REDIS = os.environ.get("SWIFTLET_TEST_REDIS", "127.0.0.1:16379")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def swiftlet_binary():
    path = os.environ.get("SWIFTLET_BINARY", os.path.join(ROOT, ".build", "debug", "swiftlet"))
    if not os.access(path, os.X_OK):
        pytest.fail(f"{path} is not built: run `swift build` first (scripts/test.sh does)")
    return path


def redis_or_fail():
    host, port = REDIS.split(":")
    try:
        socket.create_connection((host, int(port)), timeout=2).close()
    except OSError:
        pytest.fail(f"Redis is not running on {REDIS}: start it with scripts/services.sh start (apt-get install redis-server)")


APP_MANIFEST = """
name: wasmapp
components:
  echo:
    source: {guests}/handler-echo.wasm
    executor: handler
  blocks:
    source: {guests}/blocks.wasm
    executor: handler
    uses: [statestore]
triggers:
  http:
    - {{ route: /echo/:id/..., component: echo }}
    - {{ route: /blocks/:what, component: blocks }}
"""

COMPONENTS = """
apiVersion: dapr.io/v1alpha1
kind: Component
metadata: {{ name: statestore }}
spec:
  type: state.redis
  version: v1
  metadata:
    - {{ name: redisHost, value: "{redis}" }}
---
apiVersion: dapr.io/v1alpha1
kind: Component
metadata: {{ name: pubsub }}
spec:
  type: pubsub.redis
  version: v1
  metadata:
    - {{ name: redisHost, value: "{redis}" }}
    - {{ name: processingTimeout, value: "2s" }}
---
apiVersion: dapr.io/v1alpha1
kind: Component
metadata: {{ name: localsecrets }}
spec:
  type: secretstores.local.file
  version: v1
  metadata:
    - {{ name: secretsFile, value: secrets.json }}
---
apiVersion: dapr.io/v1alpha1
kind: Component
metadata: {{ name: config }}
spec:
  type: configuration.redis
  version: v1
  metadata:
    - {{ name: redisHost, value: "{redis}" }}
---
apiVersion: dapr.io/v1alpha1
kind: Component
metadata: {{ name: webhook }}
spec:
  type: bindings.http
  version: v1
  metadata:
    - {{ name: url, value: "http://127.0.0.1:{flask}/binding-target" }}
---
apiVersion: dapr.io/v1alpha1
kind: Component
metadata: {{ name: echo }}
spec:
  type: conversation.echo
  version: v1
"""


class Stack:
    def __init__(self, token=None):
        redis_or_fail()
        self.dir = tempfile.mkdtemp(prefix="swiftlet-sdk-")
        self.http, self.grpc, self.listen, self.flask = free_port(), free_port(), free_port(), free_port()
        self.token = token
        with open(os.path.join(self.dir, "swiftlet.yaml"), "w") as f:
            f.write(APP_MANIFEST.format(guests=GUESTS))
        os.makedirs(os.path.join(self.dir, "components"))
        with open(os.path.join(self.dir, "components", "components.yaml"), "w") as f:
            f.write(COMPONENTS.format(redis=REDIS, flask=self.flask))
        with open(os.path.join(self.dir, "secrets.json"), "w") as f:
            f.write('{"db-password": "s3cret", "api": {"key": "k-123"}}')
        env = dict(os.environ, DAPR_HTTP_PORT=str(self.http), DAPR_GRPC_PORT=str(self.grpc))
        if token:
            env["DAPR_API_TOKEN"] = token
            env["APP_API_TOKEN"] = "app-" + token
            env["TOPIC_PREFIX"] = "guarded-"
        else:
            env.pop("DAPR_API_TOKEN", None)
        self.flask_process = subprocess.Popen(
            [sys.executable, os.path.join(os.path.dirname(__file__), "flask_app.py"), str(self.flask)], env=env,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.swiftlet = subprocess.Popen(
            [swiftlet_binary(), "up", "-f", os.path.join(self.dir, "swiftlet.yaml"), "--listen", f"127.0.0.1:{self.listen}",
             "--dapr-http-port", str(self.http), "--dapr-grpc-port", str(self.grpc),
             "--app-id", "flaskapp", "--app-port", str(self.flask)],
            env=env, stdout=subprocess.DEVNULL, stderr=open(os.path.join(self.dir, "swiftlet.log"), "w"))
        self.wait_for(f"http://127.0.0.1:{self.http}/v1.0/healthz/outbound")
        self.wait_for(f"http://127.0.0.1:{self.flask}/received")

    def wait_for(self, url, seconds=30):
        deadline = time.time() + seconds
        while time.time() < deadline:
            try:
                if requests.get(url, timeout=1).status_code < 400:
                    return
            except requests.RequestException:
                pass
            if self.swiftlet.poll() is not None:
                break
            time.sleep(0.05)
        pytest.fail(f"{url} did not come up; swiftlet log:\n" + open(os.path.join(self.dir, "swiftlet.log")).read())

    def stop(self):
        self.swiftlet.terminate()
        self.flask_process.terminate()
        self.swiftlet.wait(timeout=30)
        self.flask_process.wait(timeout=10)


@pytest.fixture(scope="session")
def stack():
    s = Stack()
    # The SDK reads its endpoints from the environment.
    os.environ["DAPR_HTTP_PORT"] = str(s.http)
    os.environ["DAPR_GRPC_PORT"] = str(s.grpc)
    os.environ.pop("DAPR_API_TOKEN", None)
    yield s
    s.stop()


@pytest.fixture(scope="session")
def client(stack):
    from dapr.clients import DaprClient

    with DaprClient(address=f"127.0.0.1:{stack.grpc}") as c:
        yield c
