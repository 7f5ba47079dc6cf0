"""Every Kubernetes manifest Swiftlet generates or ships passes `kubernetes-validate --strict`
(offline: no cluster runs here), and custom resources validate against the SwiftletApp
CRD's openAPIV3Schema."""
import copy
import os
import subprocess

import jsonschema
import pytest
import yaml

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
CRD = os.path.join(ROOT, "deploy", "crd", "swiftletapp.yaml")


def swiftlet(*args):
    binary = os.environ.get("SWIFTLET_BINARY", os.path.join(ROOT, ".build", "debug", "swiftlet"))
    if not os.access(binary, os.X_OK):
        pytest.fail(f"{binary} is not built: run `swift build` first (scripts/test.sh does)")
    result = subprocess.run([binary, *args], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    return result.stdout


def validate(*paths):
    """kubernetes-validate --strict: unknown fields and wrong types fail."""
    result = subprocess.run(["kubernetes-validate", "--strict", *paths], capture_output=True, text=True)
    return result.returncode, result.stdout + result.stderr


def kinds(text):
    return sorted(doc["kind"] for doc in yaml.safe_load_all(text) if doc)


def test_generated_manifests_for_an_app_directory(tmp_path):
    stream = swiftlet("k8s", os.path.join(ROOT, "examples", "hello"))
    path = tmp_path / "hello.yaml"
    path.write_text(stream)
    status, output = validate(str(path))
    assert status == 0, output
    assert kinds(stream) == ["ConfigMap", "Deployment", "HorizontalPodAutoscaler", "Service"]
    deployment = next(d for d in yaml.safe_load_all(stream) if d["kind"] == "Deployment")
    container = deployment["spec"]["template"]["spec"]["containers"][0]
    assert container["args"][:2] == ["up", "/app/swiftlet.yaml"]
    assert container["livenessProbe"]["httpGet"]["path"] == "/.well-known/swiftlet/health"
    # 5 s component timeouts: the grace period covers the drain.
    assert deployment["spec"]["template"]["spec"]["terminationGracePeriodSeconds"] == 10


def test_components_with_credentials_go_in_a_secret_and_files_per_object(tmp_path):
    out = tmp_path / "out"
    listing = swiftlet(
        "k8s", os.path.join(ROOT, "examples", "counter"),
        "--components", os.path.join(ROOT, "examples", "counter", "components-postgres"),
        "--ref", "oci://registry.example.com/apps/counter:1", "--namespace", "shop", "-o", str(out))
    files = sorted(os.listdir(out))
    assert len(listing.splitlines()) == len(files) >= 4
    status, output = validate(*[str(out / f) for f in files])
    assert status == 0, output
    docs = [yaml.safe_load((out / f).read_text()) for f in files]
    assert all(d["metadata"]["namespace"] == "shop" for d in docs)
    assert "Secret" in [d["kind"] for d in docs], "a connectionString holds credentials"
    assert "ConfigMap" not in [d["kind"] for d in docs], "the app is pulled from --ref, not carried"


def test_shipped_helm_rendering_and_crd_are_valid():
    status, output = validate(
        os.path.join(ROOT, "deploy", "helm", "rendered", "hello.yaml"), CRD)
    assert status == 0, output


def test_validation_is_strict(tmp_path):
    """The check must be able to fail: an unknown field is rejected."""
    stream = swiftlet("k8s", os.path.join(ROOT, "examples", "hello"))
    docs = [d for d in yaml.safe_load_all(stream) if d]
    deployment = next(d for d in docs if d["kind"] == "Deployment")
    deployment["spec"]["template"]["spec"]["containers"][0]["livenessProbes"] = {}
    path = tmp_path / "broken.yaml"
    path.write_text(yaml.safe_dump(deployment))
    status, output = validate(str(path))
    assert status != 0, output


def crd_schema():
    with open(CRD) as f:
        crd = yaml.safe_load(f)
    return crd["spec"]["versions"][0]["schema"]["openAPIV3Schema"]


def test_example_custom_resource_matches_the_crd_schema():
    with open(os.path.join(ROOT, "deploy", "crd", "example-hello.yaml")) as f:
        resource = yaml.safe_load(f)
    assert resource["apiVersion"] == "swiftlet.dev/v1alpha1" and resource["kind"] == "SwiftletApp"
    jsonschema.validate(resource, crd_schema())


@pytest.mark.parametrize("change, why", [
    (lambda r: r["spec"].pop("app"), "'app' is a required property"),
    (lambda r: r["spec"].__setitem__("app", "hello:1"), "does not match"),
    (lambda r: r["spec"].__setitem__("replicas", -1), "less than the minimum"),
    (lambda r: r["spec"].__setitem__("colour", "blue"), "Additional properties"),
])
def test_bad_custom_resources_are_rejected(change, why):
    with open(os.path.join(ROOT, "deploy", "crd", "example-hello.yaml")) as f:
        resource = yaml.safe_load(f)
    broken = copy.deepcopy(resource)
    change(broken)
    with pytest.raises(jsonschema.ValidationError, match=why):
        jsonschema.validate(broken, crd_schema())


def test_helm_chart_metadata():
    with open(os.path.join(ROOT, "deploy", "helm", "swiftlet", "Chart.yaml")) as f:
        chart = yaml.safe_load(f)
    assert chart["apiVersion"] == "v2" and chart["name"] == "swiftlet" and chart["version"]
    with open(os.path.join(ROOT, "deploy", "helm", "swiftlet", "values.yaml")) as f:
        values = yaml.safe_load(f)
    assert values["app"]["ref"] == "", "the chart requires the user's app reference"


def test_secrets_json_becomes_a_secret_only_for_the_embedded_defaults(tmp_path):
    app = tmp_path / "app"
    app.mkdir()
    for name in ("swiftlet.yaml", "hello-c.wasm", "hello-swift.wasm"):
        (app / name).write_bytes(open(os.path.join(ROOT, "examples", "hello", name), "rb").read())
    (app / "secrets.json").write_text('{"token": "s3cret"}')
    embedded = list(yaml.safe_load_all(swiftlet("k8s", str(app))))
    secret = next(d for d in embedded if d["kind"] == "Secret")
    assert secret["metadata"]["name"] == "hello-secrets"
    env = next(d for d in embedded if d["kind"] == "Deployment")["spec"]["template"]["spec"]["containers"][0]["env"]
    assert {"name": "SWIFTLET_SECRETS_FILE", "value": "/etc/swiftlet/secrets/secrets.json"} in env

    # With component files the app's own secret stores apply: no Secret nothing would read.
    components = tmp_path / "components"
    components.mkdir()
    (components / "state.yaml").write_text(
        "apiVersion: dapr.io/v1alpha1\nkind: Component\nmetadata: { name: statestore }\n"
        "spec: { type: state.sqlite, version: v1, metadata: [{ name: connectionString, value: s.db }] }\n")
    with_components = list(yaml.safe_load_all(swiftlet("k8s", str(app), "--components", str(components))))
    names = [d["metadata"]["name"] for d in with_components]
    assert "hello-secrets" not in names, names
    assert "hello-components" in names, names
    env = next(d for d in with_components if d["kind"] == "Deployment")["spec"]["template"]["spec"]["containers"][0]["env"]
    assert all(e["name"] != "SWIFTLET_SECRETS_FILE" for e in env)
