"""Dapr's Conversation API through the unmodified Dapr Python SDK (gRPC) and plain HTTP,
against `conversation.echo`, whose answers are exact: the text of the messages, one tool
call per offered tool (arguments: the schema's property names), words counted as tokens."""
import json

import pytest
import requests
from dapr.clients.grpc import conversation


def weather_tool():
    return conversation.ConversationTools(function=conversation.ConversationToolsFunction(
        name="get_weather", description="Current weather for a city.",
        parameters={"type": "object", "properties": {"location": {"type": "string"}, "unit": {"type": "string"}},
                    "required": ["location"]}))


def test_converse_alpha2_returns_a_tool_call_and_takes_its_answer(client):
    user = conversation.create_user_message("What is the weather in Paris?")
    first = client.converse_alpha2(
        name="echo", inputs=[conversation.ConversationInputAlpha2(messages=[user])], tools=[weather_tool()],
        tool_choice="auto", context_id="trip-1", temperature=0.2)
    assert first.context_id == "trip-1"
    choice = first.outputs[0].choices[0]
    assert choice.finish_reason == "tool_calls"
    assert choice.message.content == "What is the weather in Paris?"
    [call] = choice.message.tool_calls
    assert (call.id, call.function.name, call.function.arguments) == ("0", "get_weather", "location,unit")
    usage = first.outputs[0].usage
    assert (usage.prompt_tokens, usage.completion_tokens, usage.total_tokens) == (6, 6, 12)

    history = [user] + first.to_assistant_messages() + [
        conversation.create_tool_message(call.id, call.function.name, "22 degrees in Paris")]
    second = client.converse_alpha2(name="echo", inputs=[conversation.ConversationInputAlpha2(messages=history)])
    answer = second.outputs[0].choices[0]
    assert answer.message.content.endswith("Tool Response for tool ID '0' with name 'get_weather': 22 degrees in Paris")
    # echo repeats the assistant's earlier call, as Dapr's does.
    assert [c.function.name for c in answer.message.tool_calls] == ["get_weather"]


def test_converse_alpha1_joins_inputs_and_scrubs_pii(client):
    response = client.converse_alpha1(
        name="echo", inputs=[conversation.ConversationInput(content="write to ann@example.com", role="user", scrub_pii=True),
                             conversation.ConversationInput(content="well hello there")])
    assert response.outputs[0].result == "write to <EMAIL_ADDRESS>\nwell hello there"


def test_unknown_component_and_bad_tool_choice_are_invalid_arguments(client):
    user = conversation.create_user_message("hi")
    with pytest.raises(Exception) as missing:
        client.converse_alpha2(name="nope", inputs=[conversation.ConversationInputAlpha2(messages=[user])])
    assert "failed finding conversation component nope" in str(missing.value)
    with pytest.raises(Exception) as bad:
        client.converse_alpha2(name="echo", inputs=[conversation.ConversationInputAlpha2(messages=[user])],
                               tools=[weather_tool()], tool_choice="get_time")
    assert "tool choice selected was not found" in str(bad.value)


def test_http_alpha2_matches_dapr_json(stack):
    body = {"contextId": "c1", "inputs": [{"messages": [{"ofUser": {"content": [{"text": "well hello there"}]}}]}],
            "tools": [{"function": {"name": "f", "parameters": {"type": "object", "properties": {"a": {}}}}}]}
    response = requests.post(f"http://127.0.0.1:{stack.http}/v1.0-alpha2/conversation/echo/converse", json=body)
    assert response.status_code == 200
    assert response.json() == {"contextId": "c1", "outputs": [{
        "choices": [{"finishReason": "tool_calls", "message": {
            "content": "well hello there", "toolCalls": [{"id": "0", "function": {"name": "f", "arguments": "a"}}]}}],
        "usage": {"completionTokens": "3", "promptTokens": "3", "totalTokens": "6"}}]}
    missing = requests.post(f"http://127.0.0.1:{stack.http}/v1.0-alpha2/conversation/echo/converse", json={})
    assert missing.status_code == 400 and missing.json()["errorCode"] == "ERR_CONVERSATION_MISSING_INPUTS"


def test_http_stream_arrives_in_pieces(stack):
    body = {"inputs": [{"messages": [{"ofUser": {"content": [{"text": "one two three four"}]}}]}]}
    with requests.post(f"http://127.0.0.1:{stack.http}/v1.0-alpha2/conversation/echo/converse/stream", json=body,
                       stream=True) as response:
        assert response.headers["content-type"] == "text/event-stream"
        events = [line[len("data: "):] for line in response.iter_lines(decode_unicode=True) if line.startswith("data: ")]
    assert events[-1] == "[DONE]"
    pieces = [json.loads(e)["outputs"][0]["choices"][0] for e in events[:-1]]
    texts = [p["message"].get("content", "") for p in pieces]
    assert len([t for t in texts if t]) == 4, texts
    assert "".join(texts) == "one two three four"
    assert pieces[-1]["finishReason"] == "stop"
