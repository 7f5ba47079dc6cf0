"""A short agent loop over Swiftlet: the unmodified Dapr SDK's converse_alpha2 with tool
calling against the model behind the `llm` component, and the tools it calls over MCP.

    scripts/model-server.sh start
    swiftlet up -f examples/agent/swiftlet.yaml          # Dapr on 3500/50001, MCP at :8080/mcp
    pip install dapr==1.19.0 mcp==2.3.0
    python examples/agent/agent.py "Write one line of Python that prints 2 to the power of 20."

SWIFTLET_MCP_URL and CONVERSATION_COMPONENT override the defaults below.
"""
import asyncio
import json
import os
import sys

from dapr.clients import DaprClient
from dapr.clients.grpc import conversation
from mcp import ClientSession
from mcp.client.streamable_http import streamable_http_client

MCP_URL = os.environ.get("SWIFTLET_MCP_URL", "http://127.0.0.1:8080/mcp")
COMPONENT = os.environ.get("CONVERSATION_COMPONENT", "llm")


async def run(task):
    async with streamable_http_client(MCP_URL) as (read, write):
        async with ClientSession(read, write) as mcp:
            await mcp.initialize()
            tools = [
                conversation.ConversationTools(function=conversation.ConversationToolsFunction(
                    name=tool.name, description=tool.description, parameters=tool.input_schema))
                for tool in (await mcp.list_tools()).tools
            ]
            history = [
                conversation.create_system_message("You call run_python with a single line of Python code."),
                conversation.create_user_message(task),
            ]
            with DaprClient() as dapr:
                for turn in range(4):
                    # A tiny model calls a tool only when the request names it: the first turn
                    # asks for run_python, later turns let the model answer from the results.
                    response = dapr.converse_alpha2(
                        name=COMPONENT, inputs=[conversation.ConversationInputAlpha2(messages=history)], tools=tools,
                        tool_choice="run_python" if turn == 0 else "none", temperature=0.0)
                    message = response.outputs[0].choices[0].message
                    history += response.to_assistant_messages()
                    if not message.tool_calls:
                        print(f"answer: {message.content.strip()}")
                        return 0
                    for call in message.tool_calls:
                        try:
                            # strict=False: small models put raw newlines inside JSON strings.
                            arguments = json.loads(call.function.arguments or "{}", strict=False)
                        except json.JSONDecodeError as error:
                            arguments, text = None, f"the arguments are not JSON ({error}): call the tool again"
                        if arguments is not None:
                            result = await mcp.call_tool(call.function.name, arguments)
                            text = "".join(item.text for item in result.content)
                        print(f"tool {call.function.name}({json.dumps(arguments)}) -> {text.strip()}")
                        history.append(conversation.create_tool_message(call.id, call.function.name, text))
    print("no answer after 4 turns")
    return 1


if __name__ == "__main__":
    sys.exit(asyncio.run(run(" ".join(sys.argv[1:]) or "Write one line of Python that prints 2 to the power of 20.")))
