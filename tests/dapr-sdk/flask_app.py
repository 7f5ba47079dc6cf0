"""An ordinary app beside Swiftlet, as a Dapr user would write it with Flask.

It subscribes to a topic, answers invocations, is an http binding target, and invokes a
Wasm function through Swiftlet's Dapr HTTP API.
"""
import json
import os
import sys
import time

import requests
from flask import Flask, jsonify, request

app = Flask(__name__)
received = []
seen_tokens = []
DAPR_HTTP = f"http://127.0.0.1:{os.environ['DAPR_HTTP_PORT']}"
# Two stacks share one Redis: separate topics keep them from competing for each other's events.
PREFIX = os.environ.get("TOPIC_PREFIX", "")


@app.get("/dapr/subscribe")
def subscribe():
    return jsonify([
        {"pubsubname": "pubsub", "topic": PREFIX + "sdk-orders", "route": "/events"},
        {"pubsubname": "pubsub", "topic": PREFIX + "sdk-retry", "routes": {"default": "/flaky"}},
        # Routing rules: the CloudEvent's type picks the route.
        {"pubsubname": "pubsub", "topic": PREFIX + "sdk-routed", "routes": {
            "rules": [
                {"match": 'event.type == "widget"', "path": "/widgets"},
                {"match": 'event.type == "gadget" && event.data.size > 1', "path": "/gadgets"},
            ],
            "default": "/products",
        }},
    ])


routed = []


@app.post("/widgets")
@app.post("/gadgets")
@app.post("/products")
def routed_event():
    routed.append({"path": request.path, "event": request.get_json(force=True)})
    return "", 200


jobs = []


@app.post("/job/<name>")
def job(name):
    # Dapr's contract for a fired job: POST /job/<name>, the job's data as the body.
    jobs.append({"name": name, "body": request.get_data(as_text=True), "at": time.time(),
                 "content_type": request.headers.get("content-type")})
    return "", 200


@app.post("/events")
def events():
    seen_tokens.append(request.headers.get("dapr-api-token", ""))
    received.append({"content_type": request.headers.get("content-type"), "event": request.get_json(force=True)})
    return jsonify({"status": "SUCCESS"})


flaky_attempts = []


@app.post("/flaky")
def flaky():
    # The first delivery is refused: Swiftlet must deliver it again.
    flaky_attempts.append(request.get_json(force=True)["data"])
    if len(flaky_attempts) == 1:
        return jsonify({"status": "RETRY"})
    return jsonify({"status": "SUCCESS"})


@app.get("/received")
def get_received():
    return jsonify({"events": received, "tokens": seen_tokens, "flaky": flaky_attempts, "routed": routed, "jobs": jobs})


@app.route("/hello", methods=["GET", "POST"])
def hello():
    return f"hello from flask ({request.method}) {request.get_data(as_text=True)}"


@app.route("/binding-target", methods=["GET", "POST"])
def binding_target():
    return jsonify({"binding": "reached", "body": request.get_data(as_text=True)})


@app.post("/call-wasm")
def call_wasm():
    # The app invokes a Wasm function by app id, exactly as it would invoke another Dapr app.
    headers = {}
    if os.environ.get("DAPR_API_TOKEN"):
        headers["dapr-api-token"] = os.environ["DAPR_API_TOKEN"]
    response = requests.post(f"{DAPR_HTTP}/v1.0/invoke/wasmapp/method/echo/7/from-flask", data=b"ping", headers=headers, timeout=10)
    return (response.text, response.status_code)


if __name__ == "__main__":
    app.run(host="127.0.0.1", port=int(sys.argv[1]))
