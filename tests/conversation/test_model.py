"""Dapr's Conversation API in front of a real small model (SmolLM2-135M-Instruct behind
llama-cpp-python's OpenAI-compatible server, scripts/model-server.sh): the unmodified Dapr
SDK gets a completion over gRPC, a forced tool choice comes back as a tool call, and the
streaming extension delivers the completion in pieces as the model makes them."""
import json
import os
import socket
import subprocess
import tempfile
import time

import pytest
import requests

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
MODEL_URL = os.environ.get("SWIFTLET_TEST_MODEL_URL", "http://127.0.0.1:18080/v1")

COMPONENT = """
apiVersion: dapr.io/v1alpha1
kind: Component
metadata: {{ name: llm }}
spec:
  type: conversation.openai
  version: v1
  metadata:
    - {{ name: endpoint, value: "{url}" }}
    - {{ name: model, value: smollm2-135m }}
    - {{ name: timeout, value: 60s }}
"""


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def dapr():
    try:
        requests.get(MODEL_URL + "/models", timeout=5).raise_for_status()
    except requests.RequestException as error:
        pytest.fail(f"no model server at {MODEL_URL} ({error}): start one with scripts/model-server.sh start")
    binary = os.environ.get("SWIFTLET_BINARY", os.path.join(ROOT, ".build", "debug", "swiftlet"))
    directory = tempfile.mkdtemp(prefix="swiftlet-model-")
    os.makedirs(os.path.join(directory, "components"))
    with open(os.path.join(directory, "components", "llm.yaml"), "w") as f:
        f.write(COMPONENT.format(url=MODEL_URL))
    with open(os.path.join(directory, "swiftlet.yaml"), "w") as f:
        f.write(f"name: chat\ncomponents:\n  hello: {{ source: {ROOT}/examples/hello/hello-c.wasm, executor: wagi }}\n")
    http, grpc = free_port(), free_port()
    env = dict(os.environ)
    env.pop("OPENAI_MODEL", None)
    process = subprocess.Popen(
        [binary, "up", "-f", os.path.join(directory, "swiftlet.yaml"), "--listen", f"127.0.0.1:{free_port()}",
         "--dapr-http-port", str(http), "--dapr-grpc-port", str(grpc)],
        env=env, stdout=subprocess.DEVNULL, stderr=open(os.path.join(directory, "swiftlet.log"), "w"))
    deadline = time.time() + 60
    while time.time() < deadline and process.poll() is None:
        try:
            if requests.get(f"http://127.0.0.1:{http}/v1.0/healthz/outbound", timeout=1).status_code < 400:
                break
        except requests.RequestException:
            time.sleep(0.05)
    else:
        pytest.fail("swiftlet did not start:\n" + open(os.path.join(directory, "swiftlet.log")).read())
    yield http, grpc
    process.terminate()
    process.wait(timeout=30)


def test_the_dapr_sdk_gets_a_completion_from_the_model(dapr):
    from dapr.clients import DaprClient
    from dapr.clients.grpc import conversation

    http, grpc = dapr
    os.environ["DAPR_HTTP_PORT"] = str(http)
    with DaprClient(address=f"127.0.0.1:{grpc}") as client:
        response = client.converse_alpha2(
            name="llm", temperature=0.0,
            inputs=[conversation.ConversationInputAlpha2(messages=[
                conversation.create_user_message("What is the capital of France? Answer in one sentence.")])])
        output = response.outputs[0]
        assert "Paris" in output.choices[0].message.content
        assert output.choices[0].finish_reason in ("stop", "length")
        assert output.usage.prompt_tokens > 0 and output.usage.completion_tokens > 0
        assert output.model

        weather = conversation.ConversationTools(function=conversation.ConversationToolsFunction(
            name="get_weather", description="Current weather for a city",
            parameters={"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}))
        called = client.converse_alpha2(
            name="llm", temperature=0.0, tools=[weather], tool_choice="get_weather",
            inputs=[conversation.ConversationInputAlpha2(messages=[
                conversation.create_user_message("What is the weather in Paris?")])])
        [call] = called.outputs[0].choices[0].message.tool_calls
        assert call.function.name == "get_weather"
        assert isinstance(json.loads(call.function.arguments).get("city"), str)


def test_a_streamed_completion_arrives_in_pieces(dapr):
    http, _ = dapr
    body = {"temperature": 0, "maxTokens": 24,
            "inputs": [{"messages": [{"ofUser": {"content": [{"text": "Count from one to ten in words."}]}}]}]}
    arrivals = []
    with requests.post(f"http://127.0.0.1:{http}/v1.0-alpha2/conversation/llm/converse/stream", json=body,
                       stream=True, timeout=60) as response:
        assert response.status_code == 200
        for line in response.iter_lines(decode_unicode=True):
            if line.startswith("data: "):
                arrivals.append((time.monotonic(), line[len("data: "):]))
    assert arrivals[-1][1] == "[DONE]"
    pieces = [json.loads(data)["outputs"][0]["choices"][0] for _, data in arrivals[:-1]]
    texts = [p["message"].get("content", "") for p in pieces if p["message"].get("content")]
    assert len(texts) > 1, texts
    # Greedy decoding: the pieces join to exactly the completion the same request gets whole.
    whole = requests.post(f"http://127.0.0.1:{http}/v1.0-alpha2/conversation/llm/converse", json=body, timeout=60).json()
    assert "".join(texts) == whole["outputs"][0]["choices"][0]["message"]["content"]
    assert pieces[-1]["finishReason"] in ("stop", "length")
    # Pieces were written as the model produced them, not all at once at the end.
    assert arrivals[-2][0] - arrivals[0][0] > 0.01
