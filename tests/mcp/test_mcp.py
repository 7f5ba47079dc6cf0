"""MCP tools through the official MCP Python SDK: the example agent's tools (examples/agent)
served by the real `swiftlet` binary over stdio (`swiftlet mcp`) and streamable HTTP (`/mcp`
on `swiftlet up`): listing, calling, limits, grants, the audit log and the bearer token. The
Python sandbox needs scripts/install-python-sandbox.sh."""
import asyncio
import http.server
import os
import shutil
import socket
import subprocess
import tempfile
import threading
import time

import httpx2
import pytest
import requests
from mcp import ClientSession, StdioServerParameters
from mcp.client.stdio import stdio_client
from mcp.client.streamable_http import streamable_http_client

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
AGENT = os.path.join(ROOT, "examples", "agent")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def swiftlet_binary():
    path = os.environ.get("SWIFTLET_BINARY", os.path.join(ROOT, ".build", "debug", "swiftlet"))
    if not os.access(path, os.X_OK):
        pytest.fail(f"{path} is not built: run `swift build` first (scripts/test.sh does)")
    return path


@pytest.fixture(scope="session")
def agent_dir():
    """A copy of the example, so its state database starts empty."""
    directory = tempfile.mkdtemp(prefix="swiftlet-agent-")
    for name in ("swiftlet.yaml", "notes.wasm", "fetch.wasm"):
        shutil.copy(os.path.join(AGENT, name), directory)
    yield directory
    shutil.rmtree(directory, ignore_errors=True)


@pytest.fixture(scope="session")
def web_page():
    """A page on loopback, which fetch_url's grant (http://127.0.0.1:*) allows."""
    class Page(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            body = b"hello from the allowed host\n"
            self.send_response(200)
            self.send_header("content-length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Page)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/page"
    server.shutdown()


@pytest.fixture(scope="session")
def http_server(agent_dir):
    """`swiftlet up` on the example with a bearer token on /mcp."""
    port = free_port()
    log = open(os.path.join(agent_dir, "up.log"), "w")
    env = dict(os.environ, SWIFTLET_MCP_TOKEN="agent-token")
    process = subprocess.Popen(
        [swiftlet_binary(), "up", "-f", os.path.join(agent_dir, "swiftlet.yaml"), "--listen", f"127.0.0.1:{port}",
         "--no-dapr", "--state-dir", os.path.join(agent_dir, "http-state")],
        env=env, stdout=subprocess.DEVNULL, stderr=log)
    base = f"http://127.0.0.1:{port}"
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            if requests.get(base + "/.well-known/swiftlet/health", timeout=1).status_code == 200:
                break
        except requests.RequestException:
            pass
        if process.poll() is not None:
            break
        time.sleep(0.05)
    else:
        process.kill()
        pytest.fail("swiftlet up did not start:\n" + open(os.path.join(agent_dir, "up.log")).read())
    yield base, os.path.join(agent_dir, "up.log")
    process.terminate()
    process.wait(timeout=30)


async def with_stdio(agent_dir, body):
    log = open(os.path.join(agent_dir, "stdio.log"), "a")
    params = StdioServerParameters(
        command=swiftlet_binary(), args=["mcp", "-f", os.path.join(agent_dir, "swiftlet.yaml")], env=dict(os.environ))
    async with stdio_client(params, errlog=log) as (read, write):
        async with ClientSession(read, write) as session:
            await session.initialize()
            return await body(session)


async def with_http(url, body, token="agent-token"):
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    async with httpx2.AsyncClient(headers=headers, timeout=60) as client:
        async with streamable_http_client(url, http_client=client) as (read, write):
            async with ClientSession(read, write) as session:
                await session.initialize()
                return await body(session)


def text(result):
    return "".join(item.text for item in result.content)


def test_stdio_lists_the_tools_with_their_schemas(agent_dir):
    async def body(session):
        return (await session.list_tools()).tools
    tools = {tool.name: tool for tool in asyncio.run(with_stdio(agent_dir, body))}
    assert set(tools) == {"run_python", "notes", "fetch_url"}
    assert tools["notes"].input_schema["properties"]["action"]["enum"] == ["add", "list"]
    assert tools["run_python"].input_schema["required"] == ["code"]
    assert "sandbox" in tools["run_python"].description


def test_stdio_calls_each_tool(agent_dir, web_page):
    async def body(session):
        return [
            await session.call_tool("run_python", {"code": "print(sum(range(10)))"}),
            await session.call_tool("notes", {"action": "add", "text": "buy milk"}),
            await session.call_tool("notes", {"action": "add", "text": "call \"Bob\""}),
            await session.call_tool("notes", {"action": "list"}),
            await session.call_tool("fetch_url", {"url": web_page}),
            await session.call_tool("fetch_url", {"url": "http://10.255.255.1/secret"}),
            await session.call_tool("notes", {"action": "forget"}),
        ]
    python, add1, add2, notes, fetched, denied, bad = asyncio.run(with_stdio(agent_dir, body))
    assert text(python) == "45\n" and not python.is_error
    assert text(add1) == "kept note 1\n" and text(add2) == "kept note 2\n"
    assert text(notes) == 'buy milk\ncall "Bob"\n'
    assert text(fetched) == "HTTP 200\nhello from the allowed host\n" and not fetched.is_error
    assert denied.is_error and "allowed_outbound_hosts" in text(denied)
    assert bad.is_error and text(bad).startswith("status 400")
    audit = open(os.path.join(agent_dir, "stdio.log")).read()
    assert "tool=fetch_url" in audit and "outcome=error" in audit


def test_a_call_stopped_by_a_limit_says_which(agent_dir):
    async def body(session):
        return [
            await session.call_tool("run_python", {"code": "while True: pass"}),
            await session.call_tool("run_python", {"code": "open('/etc/passwd').read()"}),
            await session.call_tool("run_python", {"code": "print('still serving')"}),
        ]
    loop, escape, after = asyncio.run(with_stdio(agent_dir, body))
    assert loop.is_error and "[stopped by timeout" in text(loop)
    assert escape.is_error and "FileNotFoundError" in text(escape) and "[exit status 1]" in text(escape)
    assert text(after) == "still serving\n"


def test_http_serves_the_same_tools_behind_a_bearer_token(http_server):
    base, log = http_server

    async def body(session):
        names = [tool.name for tool in (await session.list_tools()).tools]
        return names, await session.call_tool("run_python", {"code": "print(6 * 7)"})
    names, result = asyncio.run(with_http(base + "/mcp", body))
    assert names == ["run_python", "notes", "fetch_url"]
    assert text(result) == "42\n"
    assert "tool=run_python" in open(log).read()

    listing = {"jsonrpc": "2.0", "id": 1, "method": "tools/list"}
    headers = {"Accept": "application/json, text/event-stream"}
    refused = requests.post(base + "/mcp", json=listing, headers=dict(headers, Authorization="Bearer wrong"))
    assert refused.status_code == 401 and refused.headers["www-authenticate"] == "Bearer"
    assert requests.post(base + "/mcp", json=listing, headers=headers).status_code == 401
    allowed = requests.post(base + "/mcp", json=listing, headers=dict(headers, Authorization="Bearer agent-token"))
    assert allowed.status_code == 200 and "run_python" in allowed.text
