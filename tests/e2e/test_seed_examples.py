"""Every example of the 2016 seed README, as written, against moto."""
import json

from conftest import make_fleet, sqs_topic, states, snapshots, tagmap
from helpers import seed_payload

SEED_SNS = "arn:aws:sns:us-east-1:100000000000:Snapshot"
SEED_SNS_ERR = "arn:aws:sns:us-east-1:100000000000:Snapshot-Err"


def test_single_instance_example_as_written_reports_missing_instance(run, recording):
    r = run(["--filter", '{"instances": ["i-abcdef12"], "stop" : true}'])
    assert r.returncode == 1, r.stderr
    assert "i-abcdef12" in r.stdout and "not found" in r.stdout
    assert recording.mutating() == []


def test_single_instance_example_with_a_real_id_stops_snapshots_and_restarts(run, ec2):
    (iid,) = make_fleet(ec2, count=1, volumes=2)
    r = run(["--filter", '{"instances": ["%s"], "stop" : true}' % iid])
    assert r.returncode == 0, r.stdout + r.stderr
    snaps = snapshots(ec2, **{"tag:s3snapshot:instance-id": iid})
    assert len(snaps) == 2
    assert states(ec2, [iid])[iid] == "running"
    assert "stop,snapshot,start" in r.stdout


def test_multiple_instances_example(run, ec2, recording):
    r = run(["--filter", '{"instances": ["i-abcdef12", "i-12345678", "i-abc123ab"]}'])
    assert r.returncode == 1
    for iid in ("i-abcdef12", "i-12345678", "i-abc123ab"):
        assert iid in r.stdout
    assert recording.mutating() == []
    ids = make_fleet(ec2, count=3, volumes=1)
    r = run(["--filter", json.dumps({"instances": ids})])
    assert r.returncode == 0, r.stdout + r.stderr
    assert len(snapshots(ec2, **{"tag:Scripted": "s3snapshot"})) == 3


def test_single_tag_example(run, ec2):
    prod = make_fleet(ec2, count=2, tags={"Env": "PROD"})
    other = make_fleet(ec2, count=1, tags={"Env": "DEV"})
    r = run(["--filter", '{"tags": {"tag:Env": "PROD"}}'])
    assert r.returncode == 0, r.stdout + r.stderr
    got = {s["Tags"] and tagmap(s)["s3snapshot:instance-id"] for s in snapshots(ec2)}
    assert got == set(prod)
    assert not set(other) & got


def test_multiple_tags_example_is_an_and(run, ec2):
    both = make_fleet(ec2, count=1, tags={"Env": "PROD", "Owner": "John"})
    make_fleet(ec2, count=1, tags={"Env": "PROD", "Owner": "Mary"})
    make_fleet(ec2, count=1, tags={"Env": "DEV", "Owner": "John"})
    r = run(["--filter", '{"tags": {"tag:Env": "PROD", "tag:Owner": "John"}}'])
    assert r.returncode == 0, r.stdout + r.stderr
    got = {tagmap(s)["s3snapshot:instance-id"] for s in snapshots(ec2)}
    assert got == set(both)


def test_usage_text_example_filter(run, ec2):
    """The --help example: ids AND tags. Ids that do not exist at all are errors."""
    r = run(["--filter", '{"instances": ["i-12345678", "i-abcdef12"], '
                         '"tags": {"tag:Owner": "John", "tag:Name": "PROD"}}'])
    assert r.returncode == 1
    assert "i-12345678" in r.stdout and "not found" in r.stdout
    match = make_fleet(ec2, count=1, tags={"Owner": "John", "Name": "PROD"})
    nomatch = make_fleet(ec2, count=1, tags={"Owner": "Mary", "Name": "PROD"})
    r = run(["--filter", json.dumps({"instances": match + nomatch,
                                      "tags": {"tag:Owner": "John", "tag:Name": "PROD"}})])
    assert r.returncode == 0, r.stdout + r.stderr
    assert "does not match the tags" in r.stdout
    assert {tagmap(s)["s3snapshot:instance-id"] for s in snapshots(ec2)} == set(match)


def test_lambda_payload_example_1_as_cli_filter(run, endpoint, ec2):
    topic, read = sqs_topic(endpoint, "Snapshot")
    err_topic, read_err = sqs_topic(endpoint, "Snapshot-Err")
    assert topic == SEED_SNS and err_topic == SEED_SNS_ERR
    ids = make_fleet(ec2, count=2, tags={"Env": "PROD", "Owner": "John"})
    payload = seed_payload(1)
    r = run(["--filter", payload])
    assert r.returncode == 0, r.stdout + r.stderr
    snaps = snapshots(ec2)
    assert len(snaps) == 4
    for s in snaps:
        assert "string to include in the description" in s["Description"]
        assert tagmap(s)["Scripted"] == "s3snapshot"
        assert "State" not in tagmap(s)
    msgs = read()
    assert len(msgs) == 1
    assert "2 instances, 4 snapshots, 0 failed" in msgs[0]["Subject"]
    for iid in ids:
        assert iid in msgs[0]["Message"]
    assert read_err() == []


def test_lambda_payload_example_2_as_cli_filter(run, recording):
    r = run(["--filter", seed_payload(2)])
    assert r.returncode == 1
    assert r.stdout.count("not found") == 3
    assert recording.mutating() == []


def test_seed_usage_flags(run, ec2):
    (iid,) = make_fleet(ec2, count=1, volumes=1)
    r = run(["-l", "nightly", "-s", "-f", json.dumps({"instances": [iid]})])
    assert r.returncode == 0, r.stdout + r.stderr
    (s,) = snapshots(ec2)
    assert "nightly" in s["Description"] and tagmap(s)["s3snapshot:label"] == "nightly"
    assert states(ec2, [iid])[iid] == "running"
    assert run(["-v"]).stdout.startswith("s3snapshot ")
    h = run(["--help"])
    assert h.returncode == 0
    for flag in ("-l, --label LABEL", "-s, --stop", "-sp, --stopped", "--sns-arn SNS_ARN",
                 "--sns-arn-error SNS_ARN", "-f, --filter FILTER", "--verbose", "-v, --version", "--help"):
        assert flag in h.stdout, flag
