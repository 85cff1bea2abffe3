"""Helpers shared by the e2e tests, the CTest fixture script and the fault
tools: free ports, moto's IAM enforcement and users, the deploy template's
actions, the seed's payloads, running the binary for its JSON report, and
catching a run at a chosen moment to signal it. Plain functions: conftest.py
turns the ones that need setup into fixtures."""
import json
import os
import socket
import subprocess
import time
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))
TEMPLATE = os.path.join(ROOT, "deploy", "template.yaml")


def forward_post(port, path, headers, body):
    """POSTs to 127.0.0.1:port as a proxy does; returns (status, headers, body).
    The body may have been rewritten: its length is http.client's to set."""
    import http.client
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    fwd = {k: v for k, v in headers.items() if k.lower() not in ("connection", "keep-alive", "content-length")}
    conn.request("POST", path, body=body, headers=fwd)
    resp = conn.getresponse()
    out = (resp.status, dict(resp.getheaders()), resp.read())
    conn.close()
    return out


def send_reply(handler, status, data, ctype="text/xml"):
    """Answers a BaseHTTPRequestHandler's request with `data`."""
    handler.send_response(status)
    handler.send_header("Content-Type", ctype)
    handler.send_header("Content-Length", str(len(data)))
    handler.end_headers()
    handler.wfile.write(data)


def free_port():
    """A loopback port nobody listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def seed_payload(n):
    """The seed README's Lambda example n (1 or 2), byte for byte."""
    with open(os.path.join(ROOT, "testdata", "seed", "lambda_example_%d.json" % n)) as f:
        return f.read()


def enable_auth(endpoint, free_requests):
    """moto's IAM enforcement, after `free_requests` unauthenticated ones
    (enough to create the user that the test then runs as)."""
    req = urllib.request.Request(endpoint + "/moto-api/reset-auth", data=str(free_requests).encode(),
                                 method="POST", headers={"Content-Type": "text/plain"})
    urllib.request.urlopen(req, timeout=10).read()


def iam_user(iam, actions, name="snapper"):
    """A user with an access key and an inline policy allowing `actions` on
    "*"; uses 3 requests. Returns (access key id, secret key)."""
    iam.create_user(UserName=name)
    key = iam.create_access_key(UserName=name)["AccessKey"]
    iam.put_user_policy(UserName=name, PolicyName="p", PolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": sorted(actions), "Resource": "*"}]}))
    return key["AccessKeyId"], key["SecretAccessKey"]


def load_template(path=None):
    """deploy/template.yaml (or `path`) with CloudFormation's !Tags kept as {"Tag": value}."""
    import yaml

    class Loader(yaml.SafeLoader):
        pass

    def tag(loader, suffix, node):
        if isinstance(node, yaml.ScalarNode):
            return {suffix: loader.construct_scalar(node)}
        if isinstance(node, yaml.SequenceNode):
            return {suffix: loader.construct_sequence(node, deep=True)}
        return {suffix: loader.construct_mapping(node, deep=True)}

    Loader.add_multi_constructor("!", tag)
    with open(path or TEMPLATE) as f:
        return yaml.load(f, Loader=Loader)


def role_statements():
    return load_template()["Resources"]["SnapshotFunction"]["Properties"]["Policies"][0]["Statement"]


def role_actions():
    """Every action the function's role allows."""
    actions = set()
    for s in role_statements():
        a = s["Action"]
        actions.update(a if isinstance(a, list) else [a])
    return actions


def run_json(run, args, expect=0, **kw):
    """Runs the binary with --output json; checks the exit status; returns
    (report, CompletedProcess)."""
    r = run(list(args) + ["--output", "json"], **kw)
    assert r.returncode == expect, (r.returncode, r.stdout, r.stderr)
    return json.loads(r.stdout), r


def start_and_signal(args, env, ready, signals, timeout=60, settle=0.0, gap=0.3, before=None):
    """Starts the binary, waits until ready() is true (polling), then `settle`
    seconds, calls before() (assertions on the state it was caught in), sends
    each of `signals` `gap` seconds apart, and returns (returncode, stdout,
    stderr)."""
    from conftest import binary
    import oracle
    # The truth oracle holds this run too against what happened (oracle.py).
    watch = oracle.Oracle(oracle.MOTO_URL, oracle.RECORDING_ACTIVE, env) if oracle.MOTO_URL else None
    if watch:
        watch.begin(args)
    p = subprocess.Popen([binary()] + list(args), env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         text=True)
    try:
        deadline = time.time() + timeout
        while not ready() and time.time() < deadline and p.poll() is None:
            time.sleep(0.05)
        assert ready(), "the run never reached the point to signal it at"
        time.sleep(settle)
        if before:
            before()
        for i, sig in enumerate(signals):
            if i:
                time.sleep(gap)
            p.send_signal(sig)
        out, err = p.communicate(timeout=180)
    finally:
        if p.poll() is None:
            p.kill()
            p.wait()
    if "--output" in args and "json" in args:
        check_report_text(out)
    if watch:
        watch.check(args, subprocess.CompletedProcess(args, p.returncode, out, err))
    return p.returncode, out, err


# The Embedded Metric Format's structure, from its specification (CloudWatch
# User Guide, "Specification: Embedded metric format"): the root's `_aws`
# metadata, each MetricDirective, each MetricDefinition.
EMF_UNITS = {"Seconds", "Microseconds", "Milliseconds", "Bytes", "Kilobytes", "Megabytes", "Gigabytes", "Terabytes",
             "Bits", "Kilobits", "Megabits", "Gigabits", "Terabits", "Percent", "Count", "Bytes/Second",
             "Kilobytes/Second", "Megabytes/Second", "Gigabytes/Second", "Terabytes/Second", "Bits/Second",
             "Kilobits/Second", "Megabits/Second", "Gigabits/Second", "Terabits/Second", "Count/Second", "None"}
EMF_SCHEMA = {
    "type": "object",
    "required": ["_aws"],
    "properties": {"_aws": {
        "type": "object",
        "required": ["Timestamp", "CloudWatchMetrics"],
        "properties": {
            "Timestamp": {"type": "integer", "minimum": 0},
            "CloudWatchMetrics": {"type": "array", "items": {
                "type": "object",
                "required": ["Namespace", "Dimensions", "Metrics"],
                "properties": {
                    "Namespace": {"type": "string", "minLength": 1, "maxLength": 1024},
                    "Dimensions": {"type": "array", "items": {
                        "type": "array", "items": {"type": "string", "minLength": 1}, "minItems": 1,
                        "maxItems": 30}},
                    "Metrics": {"type": "array", "maxItems": 100, "items": {
                        "type": "object", "required": ["Name"],
                        "properties": {"Name": {"type": "string", "minLength": 1, "maxLength": 1024},
                                       "Unit": {"enum": sorted(EMF_UNITS)},
                                       "StorageResolution": {"enum": [1, 60]}}}},
                }}},
        }}},
}


def check_emf(obj):
    """An EMF log event as CloudWatch would extract it: the structure above,
    and every dimension and metric it names present at the root with a
    value of the right type (dimension values strings, metric values numbers)."""
    import jsonschema
    jsonschema.validate(obj, EMF_SCHEMA)
    for d in obj["_aws"]["CloudWatchMetrics"]:
        assert d["Namespace"] == "s3snapshot"
        for dim_set in d["Dimensions"]:
            for name in dim_set:
                assert isinstance(obj.get(name), str) and obj[name], (name, obj.get(name))
        for m in d["Metrics"]:
            v = obj.get(m["Name"])
            assert isinstance(v, (int, float)) and not isinstance(v, bool), (m["Name"], v)


REPORT_SCHEMA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "share", "s3snapshot",
                             "report.schema.json")
_report_validator = []
reports_checked = [0]


def check_report(obj):
    """`obj` (a parsed --output json report or Lambda response) against the
    published report schema (share/s3snapshot/report.schema.json)."""
    import jsonschema
    if not _report_validator:
        with open(REPORT_SCHEMA) as f:
            schema = json.load(f)
        jsonschema.Draft202012Validator.check_schema(schema)
        _report_validator.append(jsonschema.Draft202012Validator(schema))
    errors = sorted(_report_validator[0].iter_errors(obj), key=lambda e: list(e.absolute_path))
    assert not errors, "the report does not match report.schema.json: %s at %s" % (
        errors[0].message, list(errors[0].absolute_path))
    reports_checked[0] += 1


def check_report_text(text):
    """A run's stdout, when it is a report (whatever the test does with it)."""
    text = text.strip()
    if text.startswith("{"):
        check_report(json.loads(text))


DOC_PAGES = ["README.md", "docs/usage.md", "docs/guarantees.md", "docs/operations.md", "docs/lambda.md",
             "docs/development.md"]


def docs_text():
    """The README and the docs/ pages, one after the other: the blocks the
    tests bind to the binary (the usage block, the key and metric tables,
    the examples, the deploy commands) are found wherever they live."""
    out = []
    for page in DOC_PAGES:
        with open(os.path.join(ROOT, page), encoding="utf-8") as f:
            out.append(f.read())
    return "\n".join(out)
