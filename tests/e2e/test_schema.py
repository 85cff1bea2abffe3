"""share/s3snapshot/filter.schema.json (JSON Schema 2020-12, made from the
settings table) accepts every example this project documents and refuses
what the binary refuses for a wrong key or type, and it is installed."""
import json
import os
import re
import subprocess

import jsonschema
import pytest

from helpers import ROOT, seed_payload

SCHEMA_PATH = os.path.join(ROOT, "share", "s3snapshot", "filter.schema.json")


def validator():
    with open(SCHEMA_PATH) as f:
        schema = json.load(f)
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def readme_examples():
    from helpers import docs_text
    text = docs_text()
    docs = [json.loads(m) for m in re.findall(r"--filter '(\{[^']*\})'", text)]
    block = text[text.index("**Payload**"):]
    block = block[block.index("```\n") + 4:]
    docs.append(json.loads(block[:block.index("```")]))
    return docs


def test_every_documented_example_validates():
    v = validator()
    examples = readme_examples() + [json.loads(seed_payload(1)), json.loads(seed_payload(2))]
    assert len(examples) >= 8
    for doc in examples:
        errors = [e.message for e in v.iter_errors(doc)]
        assert errors == [], (doc, errors)


@pytest.mark.parametrize("doc", [
    {"instaces": ["i-abcdef12"]},
    {"instances": ["i-abcdef12"], "stop": "true"},
    {"instances": "i-abcdef12"},
    {"instances": [12345678]},
    {"instances": ["i-xyz"]},
    {"tags": {"Env": "PROD"}},
    {"tags": {"tag:Env": 5}},
    {"instances": ["i-abcdef12"], "keep": 0},
    {"instances": ["i-abcdef12"], "min-interval": "20"},
    {"instances": ["i-abcdef12"], "dry-run": True},
], ids=lambda d: next(iter(d.items()))[0] if len(d) == 1 else list(d)[-1])
def test_what_the_binary_refuses_the_schema_refuses(run, recording, doc):
    r = run(["--filter", json.dumps(doc)])
    assert r.returncode == 2, r.stderr
    assert list(validator().iter_errors(doc)), "the schema accepts %s" % doc


def test_the_schema_is_installed(tmp_path):
    build = os.environ.get("S3SNAPSHOT_BUILD_DIR", os.path.join(ROOT, "build"))
    r = subprocess.run(["cmake", "--install", build, "--prefix", str(tmp_path)], capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr
    installed = tmp_path / "share" / "s3snapshot" / "filter.schema.json"
    with open(SCHEMA_PATH) as f:
        assert installed.read_text() == f.read()


def test_report_schema_pins_the_version_and_refuses_what_is_not_a_report(run, ec2):
    """The published report schema (share/s3snapshot/report.schema.json) is
    a real check: a report from a run validates, the same report with its
    version changed, a required field gone, or a value of the wrong kind
    does not."""
    import copy
    import jsonschema
    from helpers import REPORT_SCHEMA
    from conftest import make_fleet
    with open(REPORT_SCHEMA) as f:
        schema = json.load(f)
    ids = make_fleet(ec2, count=1, volumes=2)
    snap = json.loads(run(["--filter", json.dumps({"instances": ids}), "--output", "json"]).stdout)
    audit = json.loads(run(["audit", "--filter", json.dumps({"instances": ids}), "--output", "json"]).stdout)
    for rep in (snap, audit):
        assert rep["report_version"] == 1
        jsonschema.validate(rep, schema)
    bad = []
    for rep, path, value in ((snap, ["report_version"], 2), (snap, ["ok"], None), (snap, ["command"], "audit"),
                             (snap, ["instances", 0, "snapshots", 0, "snapshot_id"], "vol-1"),
                             (snap, ["summary", "left_stopped"], 0), (audit, ["volumes", 0, "findings"], [{"kind": "x",
                                                                                                   "message": "m"}]),
                             (audit, ["volumes", 0, "newest", "owner"], "someone"), (audit, ["run_id"], "x")):
        r = copy.deepcopy(rep)
        target = r
        for k in path[:-1]:
            target = target[k]
        if value is None:
            del target[path[-1]]
        else:
            target[path[-1]] = value
        try:
            jsonschema.validate(r, schema)
            bad.append(path)
        except jsonschema.ValidationError:
            pass
    assert bad == [], "accepted although wrong: %s" % bad


def test_reports_of_each_kind_validate(run, ec2):
    """Success, partial failure, dry run, several scopes, an audit with
    findings: each run's JSON is checked against the schema by the `run`
    fixture (conftest.py); cancelled runs are checked the same way in
    test_stop_restart.py, Lambda responses in test_lambda.py."""
    from conftest import make_fleet
    from helpers import reports_checked
    ids = make_fleet(ec2, count=2, volumes=1)
    before = reports_checked[0]
    sel = json.dumps({"instances": ids})
    for args, rc in ((["--filter", sel], 0),
                     (["--filter", json.dumps({"instances": ids + ["i-0123456789abcdef0"]})], 1),
                     (["--dry-run", "--filter", sel, "--keep", "1"], 0),
                     (["--region", "us-east-1,us-west-2", "--filter", sel], 0),
                     (["audit", "--all", "--copy-to-region", "us-west-2"], 1)):
        r = run(args + ["--output", "json"])
        assert r.returncode == rc, (args, r.stderr)
    assert reports_checked[0] - before == 5
