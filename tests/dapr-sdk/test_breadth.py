"""Dapr 1.18's breadth through the unmodified SDK: routing rules, streaming subscriptions and
the Jobs API, against the Swiftlet started by conftest.py (Redis state and pub/sub)."""
import json
import threading
import time
import uuid

import grpc
import pytest
import requests
from google.protobuf.any_pb2 import Any
from google.protobuf.wrappers_pb2 import StringValue

from dapr.clients import DaprClient, Job
from dapr.clients.exceptions import DaprGrpcError
from dapr.clients.grpc._response import TopicEventResponse


def unique(prefix):
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def received(stack):
    return requests.get(f"http://127.0.0.1:{stack.flask}/received").json()


def wait_for(condition, seconds, what):
    deadline = time.time() + seconds
    while time.time() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.1)
    pytest.fail(f"timed out after {seconds} s waiting for {what}")


def cloud_event(kind, data):
    return json.dumps({"specversion": "1.0", "id": unique("ce"), "source": "test", "type": kind,
                       "datacontenttype": "application/json", "data": data})


def test_routing_rules_send_event_types_to_their_routes(client, stack):
    batch = unique("route")
    for kind, size in [("widget", 1), ("gadget", 2), ("gadget", 1), ("other", 5)]:
        client.publish_event("pubsub", "sdk-routed", cloud_event(kind, {"batch": batch, "size": size}),
                             data_content_type="application/cloudevents+json")

    def arrived():
        mine = [r for r in received(stack)["routed"] if r["event"]["data"]["batch"] == batch]
        return mine if len(mine) == 4 else None

    routes = {(r["event"]["type"], r["event"]["data"]["size"]): r["path"] for r in wait_for(arrived, 30, "4 routed events")}
    assert routes == {("widget", 1): "/widgets", ("gadget", 2): "/gadgets", ("gadget", 1): "/products",
                      ("other", 5): "/products"}
    # The metadata API lists the rules in order, the default last with an empty match.
    subscriptions = requests.get(f"http://127.0.0.1:{stack.http}/v1.0/metadata").json()["subscriptions"]
    routed = next(s for s in subscriptions if s["topic"] == "sdk-routed")
    assert [r["path"] for r in routed["rules"]] == ["/widgets", "/gadgets", "/products"]
    assert routed["rules"][0]["match"] == 'event.type == "widget"' and routed["rules"][2]["match"] == ""


def test_streaming_subscription_delivers_every_event(client):
    topic = unique("stream")
    got, retried = [], []
    lock = threading.Lock()

    def handler(message):
        with lock:
            n = message.data()["n"]
            # The first delivery of event 3 is answered RETRY: it must come again.
            if n == 3 and 3 not in retried:
                retried.append(3)
                return TopicEventResponse("retry")
            got.append(n)
        return TopicEventResponse("success")

    close = client.subscribe_with_handler("pubsub", topic, handler)
    try:
        for n in range(50):
            client.publish_event("pubsub", topic, json.dumps({"n": n}), data_content_type="application/json")
        wait_for(lambda: len(set(got)) == 50, 60, "50 streamed events")
        assert retried == [3]
    finally:
        close()
    # Once the stream is closed, nothing is delivered to it.
    count = len(got)
    client.publish_event("pubsub", topic, json.dumps({"n": 99}), data_content_type="application/json")
    time.sleep(1)
    assert len(got) == count


def test_a_streaming_subscription_must_name_its_topic_first(stack):
    # A bare gRPC call: the first message must be the initial request.
    from dapr.proto.runtime.v1 import dapr_pb2_grpc, pubsub_pb2

    channel = grpc.insecure_channel(f"127.0.0.1:{stack.grpc}")
    stub = dapr_pb2_grpc.DaprStub(channel)
    processed = pubsub_pb2.SubscribeTopicEventsRequestAlpha1(
        event_processed=pubsub_pb2.SubscribeTopicEventsRequestProcessedAlpha1(id="x"))
    with pytest.raises(grpc.RpcError) as refused:
        list(stub.SubscribeTopicEventsAlpha1(iter([processed])))
    assert refused.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert "initial request is required" in refused.value.details()
    channel.close()


def jobs_named(stack, name):
    return [j for j in received(stack)["jobs"] if j["name"] == name]


def test_jobs_schedule_fire_get_and_delete_through_the_sdk(client, stack):
    name = unique("tick")
    data = Any()
    data.Pack(StringValue(value="hello world"))
    client.schedule_job(Job(name=name, schedule="@every 1s", data=data))
    job = client.get_job(name)
    assert job.name == name and job.schedule == "@every 1s"
    fires = wait_for(lambda: (f := jobs_named(stack, name)) and len(f) >= 3 and f, 20, "three fires")
    assert fires[0]["body"] == "hello world", "a packed 11-byte string arrives as its text, as from daprd"
    assert fires[0]["content_type"] == "application/json"
    gaps = [b["at"] - a["at"] for a, b in zip(fires, fires[1:])]
    assert all(0.5 < gap < 2.5 for gap in gaps), gaps
    with pytest.raises(DaprGrpcError) as exists:
        client.schedule_job(Job(name=name, schedule="@every 1s"))
    assert exists.value.code() == grpc.StatusCode.ALREADY_EXISTS
    client.schedule_job(Job(name=name, schedule="@every 2s"), overwrite=True)
    assert client.get_job(name).schedule == "@every 2s"
    client.delete_job(name)
    with pytest.raises(DaprGrpcError) as missing:
        client.get_job(name)
    assert missing.value.code() == grpc.StatusCode.NOT_FOUND
    time.sleep(1.5)
    count = len(jobs_named(stack, name))
    time.sleep(2.5)
    assert len(jobs_named(stack, name)) == count, "a deleted job fires no more"


def test_jobs_over_http_with_json_data_due_time_and_repeats(stack):
    base = f"http://127.0.0.1:{stack.http}/v1.0/jobs"
    name = unique("http-job")
    body = {"schedule": "@every 1s", "dueTime": "1s", "repeats": 2, "data": {"order": 7},
            "failurePolicy": {"constant": {"interval": "2s", "maxRetries": 1}}}
    assert requests.post(f"{base}/{name}", json=body).status_code == 204
    got = requests.get(f"{base}/{name}").json()
    assert got["schedule"] == "@every 1s" and got["repeats"] == 2 and got["dueTime"] == "1s"
    assert got["data"] == {"@type": "type.googleapis.com/google.protobuf.Value", "value": {"order": 7}}
    assert got["failurePolicy"] == {"constant": {"interval": "2s", "maxRetries": 1}}
    fires = wait_for(lambda: (f := jobs_named(stack, name)) and len(f) >= 2 and f, 15, "two fires")
    assert json.loads(fires[0]["body"]) == {"order": 7}
    time.sleep(2)
    assert len(jobs_named(stack, name)) == 2, "repeats: 2 means two fires"
    assert requests.get(f"{base}/{name}").status_code == 404, "a finished job is gone"
    assert requests.delete(f"{base}/{name}").status_code == 204, "deleting a missing job succeeds, as in Dapr"
    # Dapr's codes for bad jobs.
    bad = requests.post(f"{base}/{unique('bad')}", json={"data": 1})
    assert bad.status_code == 400 and bad.json()["errorCode"] == "DAPR_SCHEDULER_SCHEDULE_EMPTY"
    bad = requests.post(f"{base}/{unique('bad')}", json={"schedule": "* * * * *"})
    assert bad.status_code == 400 and bad.json()["errorCode"] == "DAPR_SCHEDULER_SCHEDULE_JOB"
    bad = requests.post(f"{base}/{unique('bad')}", data=b"{not json")
    assert bad.status_code == 400 and bad.json()["errorCode"] == "ERR_MALFORMED_REQUEST"
    # The alpha1 path is the same API.
    alpha = unique("alpha")
    assert requests.post(f"http://127.0.0.1:{stack.http}/v1.0-alpha1/jobs/{alpha}", json={"dueTime": "1h"}).status_code == 204
    assert requests.get(f"{base}/{alpha}").json()["dueTime"] == "1h"
    requests.delete(f"{base}/{alpha}")
