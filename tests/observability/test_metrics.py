"""`/metrics` read by Prometheus' own Python parser (prometheus_client), an independent check
that what `swiftlet up --admin-listen` serves is valid exposition text and that it moves."""
import os

import pytest
import requests
from prometheus_client.parser import text_string_to_metric_families

from swiftlet_process import ROOT, Swiftlet


@pytest.fixture
def hello():
    """examples/hello under `swiftlet up`; yields (app URL, admin URL)."""
    swiftlet = Swiftlet(os.path.join(ROOT, "examples", "hello"))
    try:
        yield swiftlet.urls["app"], swiftlet.urls["admin"]
    finally:
        swiftlet.stop()


def scrape(admin):
    response = requests.get(admin + "/metrics", timeout=10)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain; version=0.0.4")
    # The parser raises on anything that is not exposition text.
    return {family.name: family for family in text_string_to_metric_families(response.text)}


def sample(families, family, name, **labels):
    return sum(
        s.value for s in families[family].samples
        if s.name == name and all(s.labels.get(k) == v for k, v in labels.items()))


def test_metrics_parse_and_move(hello):
    app, admin = hello
    for _ in range(4):
        assert requests.get(app + "/swift", timeout=10).status_code == 200
    for _ in range(2):
        assert requests.get(app + "/", timeout=10).status_code == 200
    families = scrape(admin)
    # prometheus_client names counter families without their _total suffix.
    requests_family = families["swiftlet_http_requests"]
    assert requests_family.type == "counter"
    assert sample(families, "swiftlet_http_requests", "swiftlet_http_requests_total", route="/swift", status="200") == 4
    assert sample(families, "swiftlet_http_requests", "swiftlet_http_requests_total", route="/", status="200") == 2
    latency = families["swiftlet_http_request_duration_seconds"]
    assert latency.type == "histogram"
    assert sample(families, "swiftlet_http_request_duration_seconds",
                  "swiftlet_http_request_duration_seconds_count", route="/swift") == 4
    assert sample(families, "swiftlet_instances_reused", "swiftlet_instances_reused_total", component="hello-swift") >= 3

    assert requests.get(app + "/swift", timeout=10).status_code == 200
    again = scrape(admin)
    assert sample(again, "swiftlet_http_requests", "swiftlet_http_requests_total", route="/swift", status="200") == 5
