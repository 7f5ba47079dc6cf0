"""The unmodified official Dapr Python SDK (dapr==1.19.0) against Swiftlet."""
import json
import time
import uuid

import grpc
import pytest
import requests

from dapr.clients import DaprClient
from dapr.clients.exceptions import DaprGrpcError
from dapr.clients.grpc._request import TransactionalStateOperation, TransactionOperationType
from dapr.clients.grpc._state import StateItem
from dapr.conf import settings

STORE = "statestore"


def unique(prefix):
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def test_save_get_delete_state(client):
    key = unique("order")
    client.save_state(STORE, key, "blue widget")
    got = client.get_state(STORE, key)
    assert got.data == b"blue widget"
    assert got.etag
    client.delete_state(STORE, key)
    assert client.get_state(STORE, key).data == b""


def test_etag_conflict_raises_the_sdk_error(client):
    key = unique("etag")
    client.save_state(STORE, key, "v1")
    etag = client.get_state(STORE, key).etag
    client.save_state(STORE, key, "v2", etag=etag)
    with pytest.raises(DaprGrpcError) as conflict:
        client.save_state(STORE, key, "v3", etag=etag)  # stale
    assert conflict.value.code() == grpc.StatusCode.ABORTED
    assert client.get_state(STORE, key).data == b"v2"
    with pytest.raises(DaprGrpcError) as missing_store:
        client.get_state("no-such-store", key)
    assert missing_store.value.code() == grpc.StatusCode.INVALID_ARGUMENT


def test_transaction_and_bulk_get(client):
    a, b, c = unique("a"), unique("b"), unique("c")
    client.save_state(STORE, b, "to be deleted")
    client.execute_state_transaction(STORE, [
        TransactionalStateOperation(key=a, data="A", operation_type=TransactionOperationType.upsert),
        TransactionalStateOperation(key=b, operation_type=TransactionOperationType.delete),
        TransactionalStateOperation(key=c, data="C", operation_type=TransactionOperationType.upsert),
    ])
    items = {item.key: item.data for item in client.get_bulk_state(STORE, keys=[a, b, c]).items}
    assert items == {a: b"A", b: b"", c: b"C"}
    client.save_bulk_state(STORE, [StateItem(key=a, value="A2"), StateItem(key=c, value="C2")])
    assert client.get_state(STORE, a).data == b"A2"


def test_publish_reaches_the_subscriber_app(client, stack):
    order_id = unique("evt")
    client.publish_event("pubsub", "sdk-orders", json.dumps({"id": order_id}), data_content_type="application/json")
    deadline = time.time() + 20
    while time.time() < deadline:
        events = requests.get(f"http://127.0.0.1:{stack.flask}/received").json()["events"]
        match = [e for e in events if e["event"].get("data", {}).get("id") == order_id]
        if match:
            event = match[0]
            assert event["content_type"].startswith("application/cloudevents+json")
            assert event["event"]["topic"] == "sdk-orders"
            assert event["event"]["pubsubname"] == "pubsub"
            assert event["event"]["specversion"] == "1.0"
            assert event["event"]["source"] == "flaskapp"
            return
        time.sleep(0.1)
    pytest.fail(f"the subscriber never received {order_id}")


def test_bulk_publish_of_a_thousand_events_delivers_every_one(client, stack):
    batch = unique("bulk")
    response = client.publish_events(
        "pubsub", "sdk-orders", [json.dumps({"id": f"{batch}-{i}"}) for i in range(1000)],
        data_content_type="application/json")
    assert response.failed_entries == []
    wanted = {f"{batch}-{i}" for i in range(1000)}
    deadline = time.time() + 60
    while time.time() < deadline:
        events = requests.get(f"http://127.0.0.1:{stack.flask}/received").json()["events"]
        seen = {e["event"].get("data", {}).get("id") for e in events} & wanted
        if seen == wanted:
            return
        time.sleep(0.2)
    pytest.fail(f"{len(wanted - seen)} of 1000 bulk-published events never arrived")


def test_retry_from_the_subscriber_is_redelivered(client, stack):
    client.publish_event("pubsub", "sdk-retry", "again please", data_content_type="text/plain")
    deadline = time.time() + 30
    while time.time() < deadline:
        if len(requests.get(f"http://127.0.0.1:{stack.flask}/received").json()["flaky"]) >= 2:
            return
        time.sleep(0.2)
    pytest.fail("a RETRY answer was not delivered again")


def test_invoke_a_wasm_function(client):
    response = client.invoke_method("wasmapp", "echo/42/extra", data=b"hello wasm", http_verb="POST")
    text = response.text()
    assert "method=POST" in text
    assert "param id=42" in text
    assert "body=hello wasm" in text


def test_invoke_the_external_app(client):
    response = client.invoke_method("flaskapp", "hello", data=b"sdk", http_verb="POST")
    assert response.text() == "hello from flask (POST) sdk"


def test_flask_and_wasm_invoke_each_other(client, stack):
    # The external app invokes a Wasm function through Swiftlet...
    via_flask = requests.post(f"http://127.0.0.1:{stack.flask}/call-wasm", timeout=10)
    assert via_flask.status_code == 200
    assert "path=/echo/7/from-flask" in via_flask.text
    assert "body=ping" in via_flask.text
    # ...and a Wasm function invokes the external app through Swiftlet.
    via_wasm = client.invoke_method("wasmapp", "blocks/invoke", http_verb="GET", http_querystring=(("app", "flaskapp"), ("path", "/hello")))
    assert via_wasm.text() == "status=200\nhello from flask (GET) "


def test_invoke_binding(client):
    response = client.invoke_binding("webhook", "post", data="payload")
    assert json.loads(response.data) == {"binding": "reached", "body": "payload"}


def test_get_secret(client):
    assert client.get_secret("localsecrets", "db-password").secret == {"db-password": "s3cret"}
    assert client.get_secret("localsecrets", "api:key").secret == {"api:key": "k-123"}
    assert set(client.get_bulk_secret("localsecrets").secrets) == {"db-password", "api:key"}


def test_get_configuration(client):
    import socket
    key = unique("feature")
    host, port = "127.0.0.1", 16379
    # configuration.redis reads plain keys holding "value||version".
    with socket.create_connection((host, port)) as redis:
        command = f"*3\r\n$3\r\nSET\r\n${len(key)}\r\n{key}\r\n$6\r\non||v2\r\n"
        redis.sendall(command.encode())
        assert redis.recv(16).startswith(b"+OK")
    items = client.get_configuration("config", [key]).items
    assert items[key].value == "on"
    assert items[key].version == "v2"


def test_get_metadata(client):
    metadata = client.get_metadata()
    assert metadata.application_id == "flaskapp"
    components = {c.name: c.type for c in metadata.registered_components}
    assert components["statestore"] == "state.redis"
    assert components["pubsub"] == "pubsub.redis"
    assert metadata.extended_metadata["daprRuntimeVersion"].startswith("swiftlet")


def test_metadata_over_http_lists_subscriptions(stack):
    body = requests.get(f"http://127.0.0.1:{stack.http}/v1.0/metadata").json()
    assert body["id"] == "flaskapp"
    assert {s["topic"] for s in body["subscriptions"]} >= {"sdk-orders", "sdk-retry"}
    assert body["appConnectionProperties"]["port"] == stack.flask


def test_http_api_edge_cases(stack):
    base = f"http://127.0.0.1:{stack.http}/v1.0"
    assert requests.get(f"{base}/state/{STORE}/{unique('missing')}").status_code == 204
    bad = requests.get(f"{base}/state/nope/k")
    assert bad.status_code == 400 and bad.json()["errorCode"] == "ERR_STATE_STORE_NOT_FOUND"
    assert requests.get(f"{base}/healthz").status_code == 204


def test_api_token_is_required_when_set():
    from conftest import Stack

    token = "t0ken-" + uuid.uuid4().hex[:6]
    guarded = Stack(token=token)
    try:
        base = f"http://127.0.0.1:{guarded.http}/v1.0"
        assert requests.get(f"{base}/metadata").status_code == 401
        assert requests.get(f"{base}/healthz").status_code == 204, "health stays open"
        with grpc.insecure_channel(f"127.0.0.1:{guarded.grpc}") as channel:
            from dapr.proto import api_v1, api_service_v1
            stub = api_service_v1.DaprStub(channel)
            with pytest.raises(grpc.RpcError) as refused:
                stub.GetMetadata(api_v1.GetMetadataRequest())
            assert refused.value.code() == grpc.StatusCode.UNAUTHENTICATED
        # The SDK with the token succeeds.
        settings.DAPR_API_TOKEN = token
        settings.DAPR_HTTP_PORT = guarded.http
        try:
            with DaprClient(address=f"127.0.0.1:{guarded.grpc}") as guarded_client:
                guarded_client.save_state(STORE, unique("guarded"), "ok")
                assert guarded_client.get_metadata().application_id == "flaskapp"
                response = guarded_client.invoke_method("wasmapp", "echo/1/token", data=b"x", http_verb="POST")
                assert "method=POST" in response.text()
        finally:
            settings.DAPR_API_TOKEN = None
            settings.DAPR_HTTP_PORT = int(__import__("os").environ["DAPR_HTTP_PORT"])
        # The app received APP_API_TOKEN on calls Swiftlet made to it.
        guarded_client_publish = requests.post(
            f"{base}/publish/pubsub/guarded-sdk-orders", json={"id": "tokened"}, headers={"dapr-api-token": token})
        assert guarded_client_publish.status_code == 204
        deadline = time.time() + 20
        while time.time() < deadline:
            tokens = requests.get(f"http://127.0.0.1:{guarded.flask}/received").json()["tokens"]
            if tokens:
                assert tokens[0] == "app-" + token
                break
            time.sleep(0.1)
        else:
            pytest.fail("the app never received an event")
    finally:
        guarded.stop()
