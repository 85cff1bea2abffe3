"""Every word true: what a new user found (issue 21), one test per finding,
each checked against moto's state and recording, not the tool's own claims.
The oracle (oracle.py) checks every run of these tests too."""
import http.server
import json
import signal
import threading

from conftest import base_env, make_fleet, snapshots, sqs_topic, states
from helpers import free_port, start_and_signal

PROD = '{"tags": {"tag:Env": "PROD"}}'


def fleet(ec2, count=3, volumes=1):
    return make_fleet(ec2, count=count, tags={"Env": "PROD"}, volumes=volumes)


# 1. A dry run with --stop pages nobody.
def test_a_dry_run_with_stop_is_a_plan_not_left_stopped_instances(run, ec2, tmp_path, recording):
    ids = fleet(ec2)
    recording.start()  # from here on: the binary's requests only
    metrics = tmp_path / "m.prom"
    metrics.write_text("# the last real run's file\n")
    r = run(["--filter", PROD, "--stop", "--dry-run", "--metrics-file", str(metrics), "--output", "json"])
    assert r.returncode == 0, r.stdout + r.stderr
    rep = json.loads(r.stdout)
    assert rep["summary"]["left_stopped"] == []
    assert all(i["would_stop"] and not i["stopped_by_run"] for i in rep["instances"])
    assert "LEFT STOPPED" not in r.stderr
    assert metrics.read_text() == "# the last real run's file\n", "a plan writes no metrics"
    text = run(["--filter", PROD, "--stop", "--dry-run"])
    assert text.returncode == 0 and "would stop+snapshot" in text.stdout
    assert "LEFT STOPPED" not in text.stdout + text.stderr
    assert recording.mutating() == []
    assert set(states(ec2, ids).values()) == {"running"}


# 2. A dry run changes nothing anyone reads as fact.
def test_a_dry_run_sends_no_metrics_and_no_message(run, ec2, endpoint, recording):
    fleet(ec2, count=1)
    topic, read = sqs_topic(endpoint, "dry")
    recording.start()
    r = run(["--filter", PROD, "--dry-run", "--cloudwatch-metrics", "--sns-arn", topic])
    assert r.returncode == 0, r.stderr
    assert recording.mutating() == [], "no PutMetricData, no Publish, nothing"
    recording.stop()
    assert read() == []
    assert snapshots(ec2) == []


# 3. A dry run's retention plan names every snapshot the run deletes.
def test_the_run_deletes_no_snapshot_its_plan_did_not_name(run, ec2):
    fleet(ec2, count=2, volumes=2)
    for _ in range(3):
        assert run(["--filter", PROD]).returncode == 0
    plan = json.loads(run(["--filter", PROD, "--keep", "1", "--dry-run", "--output", "json"]).stdout)
    now = {x["snapshot_id"] for x in plan["retention"] if x["action"] == "would delete" and not x["once_set_completes"]}
    later = {x["snapshot_id"] for x in plan["retention"] if x["once_set_completes"]}
    # 4 volumes with 3 sets each: the 2 older go now, the newest once this
    # run's set has completed (it then takes the newest slot).
    assert len(now) == 8 and len(later) == 4, plan["retention"]
    text = run(["--filter", PROD, "--keep", "1", "--dry-run"]).stdout
    assert text.count("would delete (once this run's set completes)") == 4, text
    before = {s["SnapshotId"] for s in snapshots(ec2)}
    rep = json.loads(run(["--filter", PROD, "--keep", "1", "--output", "json"]).stdout)
    deleted = {x["snapshot_id"] for x in rep["retention"] if x["action"] == "deleted"}
    gone = before - {s["SnapshotId"] for s in snapshots(ec2)}
    assert deleted == gone
    assert gone <= now | later, "deleted but never planned: %s" % (gone - now - later)
    assert gone == now | later, "moto completes the new set at once: every planned deletion happens"


# 4. A selection that matches nothing is a failure.
def test_a_selection_that_matches_nothing_fails_loudly_unless_allowed(run, ec2, endpoint):
    fleet(ec2, count=1)
    topic, read = sqs_topic(endpoint, "errors")
    typo = '{"tags": {"tag:Env": "PRD"}}'
    r = run(["--filter", typo, "--sns-arn-error", topic])
    assert r.returncode == 1, r.stdout + r.stderr
    assert "matched no instance in us-east-1" in r.stderr and "tag:Env=PRD" in r.stderr
    assert "1 run error" in r.stdout
    msgs = read()
    assert len(msgs) == 1 and "NothingSelected" in msgs[0]["Message"]
    audit = run(["audit", "--filter", typo])
    assert audit.returncode == 1 and "matched no instance" in audit.stderr
    assert run(["--filter", typo, "--allow-empty"]).returncode == 0
    assert run(["--filter", json.dumps({"tags": {"tag:Env": "PRD"}, "allow-empty": True})]).returncode == 0
    assert run(["audit", "--filter", typo, "--allow-empty"]).returncode == 0


def test_a_key_given_twice_is_bad_input(run, ec2, recording):
    fleet(ec2, count=1)
    recording.start()
    r = run(["--filter", '{"tags": {"tag:Env": "PROD"}, "tags": {"tag:Env": "PRD"}}'])
    assert r.returncode == 2
    assert 'the key "tags" is given twice' in r.stderr
    r = run(["--filter", '{"tags": {"tag:Env": "PROD", "tag:Env": "PRD"}}'])
    assert r.returncode == 2 and '"tag:Env" in "tags"' in r.stderr
    assert recording.actions() == []


# 5. A cancelled --wait is a cancellation.
def test_a_cancelled_wait_is_a_cancellation_not_a_timeout(ec2, ec2clock, home):
    ids = fleet(ec2, count=2)
    ec2clock.snapshot_seconds = 120
    rc, out, err = start_and_signal(
        ["--filter", PROD, "--wait", "--output", "json"], base_env(home, ec2clock.url),
        lambda: ec2clock.seen.count("DescribeSnapshots") >= 2, [signal.SIGTERM], settle=0.5)
    assert rc == 1, err
    rep = json.loads(out)
    assert rep["cancelled"] and rep["cancel_reason"] == "SIGTERM"
    assert rep["summary"]["failed"] == 0, "the sets exist: no instance failed"
    assert "WaitTimeout" not in out + err
    for i in rep["instances"]:
        assert i["ok"] and i["snapshotted"] and len(i["snapshots"]) == 1
        assert any("created, not awaited: the run was cancelled (SIGTERM)" in w for w in i["warnings"]), i
    made = {s["SnapshotId"] for s in snapshots(ec2)}
    assert made == {s["snapshot_id"] for i in rep["instances"] for s in i["snapshots"]}
    assert sorted(ids) == sorted(i["instance_id"] for i in rep["instances"])


# 6. The summary agrees with the exit status, and SNS with stdout.
def test_run_errors_are_counted_and_the_message_says_what_stdout_says(run, ec2, endpoint):
    fleet(ec2, count=1)
    r = run(["--filter", PROD, "--sns-arn", "arn:aws:sns:us-east-1:100000000000:NoSuchTopic", "--output", "json"])
    assert r.returncode == 1
    rep = json.loads(r.stdout)
    assert rep["summary"]["failed"] == 0 and rep["summary"]["run_errors"] == 1
    topic, read = sqs_topic(endpoint, "summary")
    r = run(["--filter", PROD, "--sns-arn", topic])
    assert r.returncode == 0, r.stderr
    said = [line for line in read()[0]["Message"].splitlines() if " API calls" in line]
    shown = [line for line in r.stdout.splitlines() if " API calls" in line]
    assert said == shown, (said, shown)
    assert "then 1 API call(s) to notify and send metrics" in r.stdout
    r = run(["--filter", PROD, "--sns-arn", "arn:aws:sns:us-east-1:100000000000:NoSuchTopic"])
    assert ", 0 failed, 1 run error, " in r.stdout


# 7. A closed port fails within the client's attempts.
def test_a_refused_connection_is_not_asked_again_in_rounds(run, ec2):
    port = free_port()
    r = run(["--filter", PROD], endpoint_url="http://127.0.0.1:%d" % port, env={"AWS_MAX_ATTEMPTS": "1"})
    assert r.returncode == 1
    assert "trying again" not in r.stderr, r.stderr
    assert "the selection failed, nothing was done" in r.stderr


# 8. Validation: what is wrong, and where.
def test_bad_input_says_what_is_wrong_and_where(run, ec2, tmp_path, recording):
    fleet(ec2, count=1)
    recording.start()
    r = run(["--filter", PROD, "--endpoint-url", "ftp://x"])
    assert r.returncode == 2 and "--endpoint-url: 'ftp://x' is not an http:// or https:// URL" in r.stderr
    r = run(["--filter", "@/nope.json"])
    assert r.returncode == 2 and "'/nope.json': No such file or directory" in r.stderr
    r = run(["--filter", "@" + str(tmp_path)])
    assert r.returncode == 2 and "it is a directory" in r.stderr
    r = run(["--filter", PROD, "--sns-arn", "arn:aws:sns:us-east-1:1234:T"])
    assert r.returncode == 2
    assert "--sns-arn: \"arn:aws:sns:us-east-1:1234:T\" is not an SNS topic ARN: the account '1234' is not 12 digits" \
        in r.stderr
    doc = tmp_path / "f.json"
    doc.write_text(json.dumps({"tags": {"tag:Env": "PROD"}, "sns-arn": "arn:aws:sns:us-east-1:1234:T"}))
    r = run(["--filter", "@" + str(doc)])
    assert r.returncode == 2 and ("--filter %s: \"sns-arn\"" % doc) in r.stderr, r.stderr
    r = run(["--filter", PROD, "--copy-to-region", "us-east-1"])
    assert r.returncode == 2 and "is a region the run snapshots in" in r.stderr
    r = run(["--filter", PROD], env={"AWS_REGION": "us-eats-1"})
    assert r.returncode == 2 and "'us-eats-1' is not an AWS region (did you mean us-east-1?)" in r.stderr
    assert recording.actions() == []


def test_an_html_page_is_never_printed(run, ec2):
    class Page(http.server.BaseHTTPRequestHandler):
        def log_message(self, *a):
            pass

        def do_POST(self):
            self.rfile.read(int(self.headers.get("Content-Length", 0)))
            body = b"<!DOCTYPE html>\n<html><head><title>404</title></head>\n<body>Not Found</body></html>\n"
            self.send_response(404)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Page)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        r = run(["--filter", PROD], endpoint_url="http://127.0.0.1:%d" % server.server_address[1])
    finally:
        server.shutdown()
        server.server_close()
    assert r.returncode == 1
    assert "<html" not in r.stderr.lower() and "<html" not in r.stdout.lower()
    assert "an HTML page, not an AWS answer" in r.stderr


# 9. Each command's own help, in sections.
def test_each_command_has_its_own_sectioned_help(run):
    main, audit = run(["--help"]).stdout, run(["audit", "--help"]).stdout
    for section in ("Selection:", "Stopping and application consistency:", "Retention:", "Copies to other regions:",
                    "Waiting:", "Output and metrics:", "Notifications:", "AWS and scope:", "Tuning:"):
        assert "\n" + section + "\n" in main, section
    assert "--stop" in main and "--max-age" not in main
    assert audit.startswith("Usage: s3snapshot audit [OPTIONS]")
    assert "--max-age" in audit and "\n  -s, --stop" not in audit and "--keep " not in audit
    assert "\nAudit policy:\n" in audit


# 10. Wording.
def test_an_instance_started_again_reads_starting(run, ec2):
    fleet(ec2, count=1)
    r = run(["--filter", PROD, "--stop"])
    assert r.returncode == 0, r.stderr
    row = [line for line in r.stdout.splitlines() if "stop,snapshot,start" in line][0]
    assert " pending " not in row and (" starting " in row or " running " in row), row


def test_an_audits_age_never_contradicts_its_verdict(run, ec2, ec2clock):
    fleet(ec2, count=1)
    assert run(["--filter", PROD]).returncode == 0
    for s in snapshots(ec2):
        ec2clock.aged[s["SnapshotId"]] = 73
    r = run(["audit", "--filter", PROD, "--max-age", "1m"], endpoint_url=ec2clock.url)
    assert r.returncode == 1
    assert "ago (at most 1m)" in r.stdout
    assert "began 1m ago" not in r.stdout, r.stdout
    assert "began 1m1" in r.stdout, r.stdout  # 1m13s, or a second or two more


def test_the_json_and_text_summaries_agree(run, ec2):
    fleet(ec2, count=2, volumes=2)
    js = json.loads(run(["--filter", PROD, "--output", "json"]).stdout)["summary"]
    text = run(["--filter", PROD]).stdout
    assert ("%d instance(s), %d snapshot(s), %d failed" % (js["instances"], js["snapshots"], js["failed"])) in text
