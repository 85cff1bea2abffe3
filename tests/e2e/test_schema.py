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
    with open(os.path.join(ROOT, "README.md"), encoding="utf-8") as f:
        text = f.read()
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
