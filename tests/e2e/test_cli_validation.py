"""Bad input: a clear message naming what and where, exit 2, and no request
at all reaches AWS (checked in moto's request recording, not only the output)."""
import json

import pytest

from conftest import make_fleet, states

LONG = "x" * 300
CASES = [
    (["--filter", '{"instances": ["i-abcdef12"]'], "invalid JSON at line 1, column 29"),
    (["--filter", '{\n  "tags": {"tag:Env": "PROD"},\n  "stop": tru\n}'], "line 3, column"),
    (["--filter", "{'instances': ['i-abcdef12']}"], "double quotes"),
    (["--filter", '{"instaces": ["i-abcdef12"]}'], 'unknown key "instaces" (did you mean "instances"?)'),
    (["--filter", '{"sns_arn": "x"}'], 'did you mean "sns-arn"'),
    (["--filter", '{"instances": ["i-abcdef12"], "stop": "true"}'], '"stop" must be true or false, not a string'),
    (["--filter", '{"instances": "i-abcdef12"}'], '"instances" must be a list of instance ids, not a string'),
    (["--filter", '{"instances": [12345678]}'], '"instances"[0] must be a string'),
    (["--filter", '{"instances": ["i-xyz"]}'], '"instances"[0]: "i-xyz" is not an instance id'),
    (["--filter", '{"tags": {"Env": "PROD"}}'], 'did you mean "tag:Env"?'),
    (["--filter", '{"tags": {"tag:Env": 5}}'], "must be a string or a list of strings, not a number"),
    (["--filter", '{"tags": {"tag:Env": "%s"}}' % LONG], "longer than 256 characters"),
    (["--filter", '{"tags": {"tag:Env": "a\\u0007b"}}'], "control character"),
    (["--filter", '{"tags": {"tag:Env": []}}'], "list of values is empty"),
    (["--filter", '{"instances": ["i-abcdef12"], "label": "%s"}' % LONG], '"label": 300 characters'),
    (["--filter", '{"instances": ["i-abcdef12"], "sns-arn": "arn:aws:sns:us-east-1:1:x"}'], "is not an SNS topic ARN"),
    (["--filter", '{"instances": ["i-abcdef12"]}', "--sns-arn-error", "Snapshot-Err"],
     '--sns-arn-error: "Snapshot-Err" is not an SNS topic ARN: not an ARN'),
    (["--filter", '{"instances": ["i-abcdef12"], "stop": true, "stopped": true}'], "cannot both be true"),
    (["--filter", "[]"], "expected a JSON object"),
    (["--filter", ""], "the document is empty"),
    (["--filter", "{}"], "no selection"),
    ([], "no selection"),
    (["--stop", "--stopped", "--filter", '{"instances": ["i-abcdef12"]}'], "cannot be used together"),
    (["--stoped"], "did you mean --stopped?"),
    (["--filter"], "--filter needs a value"),
    (["--filter", "@/nonexistent/filter.json"], "cannot read the file '/nonexistent/filter.json'"),
    (["--output", "yaml", "--all"], "--output: 'yaml' is not text or json"),
    (["--region", "us-east", "--filter", '{"instances": ["i-abcdef12"]}'], '"us-east" is not a region name'),
    (["--profile", "ghost", "--filter", '{"instances": ["i-abcdef12"]}'], "the profile 'ghost' is not in"),
    (["--concurrency", "0", "--all"], "--concurrency: '0' is not a whole number from 1 to 64"),
    (["stray", "--all"], "unexpected argument 'stray'"),
]


@pytest.mark.parametrize("args,message", CASES, ids=[str(i) for i in range(len(CASES))])
def test_bad_input_exits_2_and_sends_nothing(run, recording, args, message):
    r = run(args)
    assert r.returncode == 2, (r.returncode, r.stdout, r.stderr)
    assert message in r.stderr, r.stderr
    assert r.stdout == ""
    assert recording.actions() == [], "no request may reach AWS on bad input"


def test_huge_document_is_refused(run, recording):
    doc = json.dumps({"instances": ["i-abcdef12"] * 30000})
    r = run(["--filter", "-"], input=doc)
    assert r.returncode == 2
    assert "larger than the" in r.stderr
    assert recording.actions() == []


def test_missing_region_and_malformed_config(run, home, recording):
    r = run(["--filter", '{"instances": ["i-abcdef12"]}'], env={"AWS_REGION": ""})
    assert r.returncode == 2 and "no region" in r.stderr
    (home / ".aws" / "config").write_text("[default]\nregion = us-east-1\nnot a setting\n")
    r = run(["--filter", '{"instances": ["i-abcdef12"]}'])
    assert r.returncode == 2
    assert ".aws/config:3" in r.stderr
    assert recording.actions() == []


def test_no_credentials_is_a_clear_error(run, recording):
    r = run(["--filter", '{"instances": ["i-abcdef12"]}'],
            env={"AWS_ACCESS_KEY_ID": "", "AWS_SECRET_ACCESS_KEY": ""})
    assert r.returncode == 2
    assert "no AWS credentials found" in r.stderr
    assert recording.actions() == []


def test_filter_from_file_and_stdin(run, ec2, tmp_path):
    ids = make_fleet(ec2, count=1, volumes=1)
    f = tmp_path / "filter.json"
    f.write_text(json.dumps({"instances": ids}))
    r = run(["--filter", "@" + str(f)])
    assert r.returncode == 0, r.stderr
    r = run(["--filter", "-", "--dry-run"], input=json.dumps({"instances": ids}))
    assert r.returncode == 0, r.stderr
    assert "would snapshot" in r.stdout


def test_flag_wins_over_the_same_key_in_the_document(run, ec2):
    ids = make_fleet(ec2, count=1, volumes=1)
    r = run(["--label", "from-flag", "--filter",
             json.dumps({"instances": ids, "label": "from-document"}), "--output", "json"])
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["label"] == "from-flag"
    # A document key without a flag applies: "stop": true stops and restarts.
    r = run(["--filter", json.dumps({"instances": ids, "stop": True}), "--output", "json"])
    rep = json.loads(r.stdout)
    assert rep["instances"][0]["stopped_by_run"] is True
    assert states(ec2, ids)[ids[0]] == "running"


def test_all_selects_every_instance(run, ec2):
    ids = make_fleet(ec2, count=3, volumes=1)
    r = run(["--all", "--dry-run", "--output", "json"])
    assert r.returncode == 0
    assert {i["instance_id"] for i in json.loads(r.stdout)["instances"]} == set(ids)


ENV_CASES = [
    ({"S3SNAPSHOT_RATE_LIMIT_FACTOR": "abc"}, "S3SNAPSHOT_RATE_LIMIT_FACTOR: 'abc' is not a number"),
    ({"S3SNAPSHOT_RATE_LIMIT_FACTOR": "-1"}, "S3SNAPSHOT_RATE_LIMIT_FACTOR: '-1' is not a number"),
    ({"S3SNAPSHOT_RATE_LIMIT_FACTOR": "0x10"}, "S3SNAPSHOT_RATE_LIMIT_FACTOR: '0x10'"),
    ({"AWS_MAX_ATTEMPTS": "3x"}, "AWS_MAX_ATTEMPTS: '3x' is not a whole number from 1 to 50"),
    ({"AWS_MAX_ATTEMPTS": " 3"}, "AWS_MAX_ATTEMPTS: ' 3' is not a whole number"),
    ({"AWS_MAX_ATTEMPTS": "0"}, "AWS_MAX_ATTEMPTS: '0' is not a whole number from 1 to 50"),
    ({"AWS_EC2_METADATA_DISABLED": "yes"}, "AWS_EC2_METADATA_DISABLED: 'yes' is not true or false"),
    ({"AWS_IGNORE_CONFIGURED_ENDPOINT_URLS": "1"}, "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS: '1' is not true or false"),
    ({"AWS_ENDPOINT_URL_SNS": "localhost:4566"}, "AWS_ENDPOINT_URL_SNS: 'localhost:4566' is not an http"),
]


@pytest.mark.parametrize("env,message", ENV_CASES, ids=[next(iter(e)) + "-" + str(i) for i, (e, _) in enumerate(ENV_CASES)])
def test_bad_environment_variable_exits_2_and_sends_nothing(run, recording, env, message):
    r = run(["--filter", '{"instances": ["i-abcdef12"]}'], env=env)
    assert r.returncode == 2, (r.returncode, r.stdout, r.stderr)
    assert message in r.stderr, r.stderr
    assert recording.actions() == [], "no request may reach AWS on bad input"


@pytest.mark.parametrize("line,message", [
    ("max_attempts = 3x", "max_attempts (profile): '3x' is not a whole number from 1 to 50"),
    ("max_attempts = many", "max_attempts (profile): 'many' is not a whole number"),
])
def test_bad_config_value_exits_2_and_sends_nothing(run, home, recording, line, message):
    (home / ".aws" / "config").write_text("[default]\nregion = us-east-1\n%s\n" % line)
    r = run(["--filter", '{"instances": ["i-abcdef12"]}'])
    assert r.returncode == 2, (r.returncode, r.stdout, r.stderr)
    assert message in r.stderr, r.stderr
    assert recording.actions() == []


def test_bad_duration_seconds_in_an_assume_role_profile_exits_2(run, home, recording):
    (home / ".aws" / "config").write_text(
        "[default]\nregion = us-east-1\nrole_arn = arn:aws:iam::123456789012:role/s3snapshot\n"
        "source_profile = base\nduration_seconds = 1h\n[profile base]\nregion = us-east-1\n")
    (home / ".aws" / "credentials").write_text("[base]\naws_access_key_id = a\naws_secret_access_key = b\n")
    r = run(["--filter", '{"instances": ["i-abcdef12"]}'],
            env={"AWS_ACCESS_KEY_ID": "", "AWS_SECRET_ACCESS_KEY": ""})
    assert r.returncode == 2, (r.returncode, r.stdout, r.stderr)
    assert "duration_seconds: '1h' is not a whole number from 900 to 43200" in r.stderr, r.stderr
    assert recording.actions() == []


def test_lambda_rate_limit_factor_is_parsed_the_same_way(home, recording, endpoint):
    """The Lambda runtime reads S3SNAPSHOT_RATE_LIMIT_FACTOR through the same
    code: a bad value is an init error before any invocation (nothing sent)."""
    import subprocess
    import threading
    import http.server
    from conftest import base_env, binary
    posted = []

    class Api(http.server.BaseHTTPRequestHandler):
        def log_message(self, *a):
            pass

        def do_POST(self):
            n = int(self.headers.get("Content-Length", 0))
            posted.append((self.path, self.rfile.read(n).decode()))
            self.send_response(202)
            self.end_headers()

        def do_GET(self):
            self.send_response(500)
            self.end_headers()

    srv = http.server.HTTPServer(("127.0.0.1", 0), Api)
    t = threading.Thread(target=srv.serve_forever, daemon=True)
    t.start()
    env = base_env(home, endpoint)
    env.update({"AWS_LAMBDA_RUNTIME_API": "127.0.0.1:%d" % srv.server_port, "S3SNAPSHOT_RATE_LIMIT_FACTOR": "abc"})
    r = subprocess.run([binary()], env=env, capture_output=True, text=True, timeout=30)
    srv.shutdown()
    assert r.returncode != 0
    assert posted and posted[0][0].endswith("/runtime/init/error"), posted
    assert "S3SNAPSHOT_RATE_LIMIT_FACTOR: 'abc'" in posted[0][1]
    assert recording.actions() == []
