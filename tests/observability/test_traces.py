"""OpenTelemetry traces from `swiftlet up`, received over OTLP/HTTP by a collector stand-in
here and decoded with the OpenTelemetry protobufs (opentelemetry-proto): W3C traceparent
carried from an HTTP request through the guest's publish into the subscriber's span, and
through Dapr service invocation over HTTP and gRPC, and from a gRPC publish."""
import gzip
import os
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import grpc
import pytest
import requests
from dapr.proto.common.v1 import common_pb2
from dapr.proto.runtime.v1 import dapr_pb2_grpc, invoke_pb2, pubsub_pb2
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest, ExportTraceServiceResponse

from swiftlet_process import ROOT, Swiftlet

TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736"
PARENT_ID = "00f067aa0ba902b7"


class Collector:
    """Accepts OTLP/HTTP protobuf exports on /v1/traces and keeps every span."""

    def __init__(self):
        self.spans = []
        self.lock = threading.Lock()
        collector = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("content-length", 0)))
                if self.headers.get("content-encoding") == "gzip":
                    body = gzip.decompress(body)
                request = ExportTraceServiceRequest()
                request.ParseFromString(body)
                with collector.lock:
                    for resource in request.resource_spans:
                        service = {a.key: a.value.string_value for a in resource.resource.attributes}.get("service.name")
                        for scope in resource.scope_spans:
                            collector.spans.extend((service, span) for span in scope.spans)
                reply = ExportTraceServiceResponse().SerializeToString()
                self.send_response(200 if self.path == "/v1/traces" else 404)
                self.send_header("content-type", "application/x-protobuf")
                self.send_header("content-length", str(len(reply)))
                self.end_headers()
                self.wfile.write(reply)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def wait_for(self, predicate, seconds=20):
        deadline = time.time() + seconds
        while time.time() < deadline:
            with self.lock:
                found = [span for service, span in self.spans if predicate(service, span)]
            if found:
                return found[0]
            time.sleep(0.05)
        with self.lock:
            names = [(service, span.name) for service, span in self.spans]
        pytest.fail(f"no such span among {names}")


@pytest.fixture
def traced_orders():
    collector = Collector()
    swiftlet = Swiftlet(os.path.join(ROOT, "examples", "orders"), env={
        "OTEL_EXPORTER_OTLP_ENDPOINT": collector.url,
        "OTEL_BSP_SCHEDULE_DELAY": "100",
        "OTEL_SERVICE_NAME": "orders-under-test",
    })
    try:
        yield swiftlet, collector
    finally:
        swiftlet.stop()
        collector.server.shutdown()


def test_traceparent_flows_through_http_pubsub_and_invocation(traced_orders):
    swiftlet, collector = traced_orders
    traceparent = f"00-{TRACE_ID}-{PARENT_ID}-01"
    response = requests.post(swiftlet.urls["app"] + "/orders", json={"id": "traced-1"},
                             headers={"traceparent": traceparent}, timeout=10)
    assert response.status_code == 202

    # The HTTP server span continues the caller's trace.
    server = collector.wait_for(lambda service, span: span.name == "POST /orders")
    assert server.trace_id.hex() == TRACE_ID
    assert server.parent_span_id.hex() == PARENT_ID
    assert server.kind == server.SPAN_KIND_SERVER
    attributes = {a.key: a for a in server.attributes}
    assert attributes["http.response.status_code"].value.int_value == 202
    assert attributes["swiftlet.component"].value.string_value == "orders-api"

    # The guest published with the server span's context: the subscriber's span is its child.
    consumer = collector.wait_for(lambda service, span: span.name == "orders process")
    assert consumer.trace_id.hex() == TRACE_ID
    assert consumer.parent_span_id == server.span_id
    assert consumer.kind == consumer.SPAN_KIND_CONSUMER

    # Dapr service invocation of the Wasm app continues the trace too.
    invoke_parent = "1111111111111111"
    response = requests.get(swiftlet.urls["dapr"] + "/v1.0/invoke/orders/method/orders/count",
                            headers={"traceparent": f"00-{TRACE_ID}-{invoke_parent}-01"}, timeout=10)
    assert response.status_code == 200
    invoke = collector.wait_for(lambda service, span: span.name == "invoke orders/orders/count")
    assert invoke.trace_id.hex() == TRACE_ID
    assert invoke.parent_span_id.hex() == invoke_parent
    assert invoke.kind == invoke.SPAN_KIND_CLIENT

    # So does invocation through the gRPC API, with the context in call metadata.
    grpc_parent = "2222222222222222"
    channel = grpc.insecure_channel(swiftlet.urls["grpc"])
    request = invoke_pb2.InvokeServiceRequest(id="orders", message=common_pb2.InvokeRequest(
        method="orders/count", http_extension=common_pb2.HTTPExtension(verb=common_pb2.HTTPExtension.Verb.GET)))
    reply = dapr_pb2_grpc.DaprStub(channel).InvokeService(
        request, metadata=(("traceparent", f"00-{TRACE_ID}-{grpc_parent}-01"),), timeout=10)
    channel.close()
    assert reply.data.value.strip().isdigit()
    grpc_invoke = collector.wait_for(
        lambda service, span: span.name == "invoke orders/orders/count" and span.parent_span_id.hex() == grpc_parent)
    assert grpc_invoke.trace_id.hex() == TRACE_ID

    # A gRPC publish carries the metadata's traceparent into the CloudEvent.
    publish_parent = "3333333333333333"
    channel = grpc.insecure_channel(swiftlet.urls["grpc"])
    dapr_pb2_grpc.DaprStub(channel).PublishEvent(
        pubsub_pb2.PublishEventRequest(pubsub_name="pubsub", topic="orders", data=b'{"id":"traced-grpc"}',
                                     data_content_type="application/json"),
        metadata=(("traceparent", f"00-{TRACE_ID}-{publish_parent}-01"),), timeout=10)
    channel.close()
    consumed = collector.wait_for(
        lambda service, span: span.name == "orders process" and span.parent_span_id.hex() == publish_parent)
    assert consumed.trace_id.hex() == TRACE_ID

    with collector.lock:
        services = {service for service, _ in collector.spans}
    assert services == {"orders-under-test"}
