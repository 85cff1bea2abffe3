"""SNS: the summary to --sns-arn, the failures to --sns-arn-error, read back
through SQS subscriptions in moto."""
import json

from conftest import make_fleet, sqs_topic


def test_success_summary_and_no_error_message(run, endpoint, ec2):
    ok_topic, read_ok = sqs_topic(endpoint, "snap-ok")
    err_topic, read_err = sqs_topic(endpoint, "snap-err")
    ids = make_fleet(ec2, count=2, volumes=2, tags={"Name": "api"})
    r = run(["--filter", json.dumps({"instances": ids}), "--sns-arn", ok_topic,
             "--sns-arn-error", err_topic, "--label", "weekly"])
    assert r.returncode == 0, r.stderr
    (msg,) = read_ok()
    assert msg["Subject"] == "s3snapshot: 2 instances, 4 snapshots, 0 failed [us-east-1] weekly"
    assert len(msg["Subject"]) <= 100
    for iid in ids:
        assert iid in msg["Message"]
    assert "snap-" in msg["Message"] and "vol-" in msg["Message"]
    assert read_err() == []


def test_failures_go_to_the_error_topic_with_details(run, endpoint, ec2, proxy):
    ok_topic, read_ok = sqs_topic(endpoint, "snap-ok2")
    err_topic, read_err = sqs_topic(endpoint, "snap-err2")
    ids = make_fleet(ec2, count=2, volumes=1)
    proxy.add("CreateSnapshots", "error400", count=1)
    r = run(["--filter", json.dumps({"instances": ids + ["i-0123456789abcdef0"]}),
             "--sns-arn", ok_topic, "--sns-arn-error", err_topic, "--concurrency", "1"],
            endpoint_url=proxy.url)
    assert r.returncode == 1
    (err,) = read_err()
    assert err["Subject"].startswith("s3snapshot ERROR: 2 failed")
    body = err["Message"]
    assert "InvalidParameterValue" in body and "proxy-400" in body, "code and request id"
    assert "i-0123456789abcdef0: not found" in body
    assert len(read_ok()) == 1


def test_unpublishable_topic_fails_the_run(run, ec2):
    ids = make_fleet(ec2, count=1, volumes=1)
    r = run(["--filter", json.dumps({"instances": ids}),
             "--sns-arn", "arn:aws:sns:us-east-1:100000000000:no-such-topic"])
    assert r.returncode == 1
    assert "notify" in r.stdout and "no-such-topic" in r.stdout
