"""Several regions and several accounts (assumed roles) in one run, with one
report grouped by account and region. moto_plus.py keeps each assumed role's
account apart (its own EC2), so separation is checked in the emulator's state
and on the wire: each role is assumed once, and each scope's EC2 calls are
signed with that role's keys for that region."""
import json
import re

from conftest import client, make_fleet, snapshots, tagmap
from helpers import run_json

ROLE_A = "arn:aws:iam::111111111111:role/snapshotter"
ROLE_B = "arn:aws:iam::222222222222:role/snapshotter"


def key_and_region(row):
    m = re.search(r"Credential=([^/]+)/\d{8}/([^/]+)/", row["headers"].get("Authorization", ""))
    return (m.group(1), m.group(2)) if m else (None, None)


def test_two_regions_in_one_run(run, endpoint, ec2):
    east = make_fleet(ec2, count=2, tags={"Backup": "yes"}, volumes=1)
    west_ec2 = client("ec2", endpoint, region="eu-west-1")
    west = make_fleet(west_ec2, count=1, tags={"Backup": "yes"}, volumes=2)
    rep, r = run_json(run, ["--region", "us-east-1,eu-west-1", "--filter", '{"tags": {"tag:Backup": "yes"}}'])
    by_scope = {}
    for i in rep["instances"]:
        by_scope.setdefault(i["scope"], []).append(i["instance_id"])
    assert sorted(by_scope["us-east-1"]) == east and by_scope["eu-west-1"] == west
    assert len(snapshots(ec2)) == 2 and len(snapshots(west_ec2)) == 2
    runs = {tagmap(s)["s3snapshot:run-id"] for s in snapshots(ec2) + snapshots(west_ec2)}
    assert len(runs) == 1, "one run id across regions"
    text = run(["--region", "us-east-1,eu-west-1", "--filter", '{"tags": {"tag:Backup": "yes"}}', "--dry-run"]).stdout
    assert "[us-east-1]" in text and "[eu-west-1]" in text


def test_all_regions(run, ec2, endpoint):
    make_fleet(client("ec2", endpoint, region="ap-southeast-2"), count=1, tags={"Backup": "all"}, volumes=1)
    rep, r = run_json(run, ["--region", "all", "--filter", '{"tags": {"tag:Backup": "all"}}'], timeout=300)
    assert [i["scope"] for i in rep["instances"]] == ["ap-southeast-2"]
    assert "us-east-1" in rep["region"] and "eu-west-1" in rep["region"]
    assert "cn-north-1" not in rep["region"] and "us-gov-west-1" not in rep["region"], "one partition only"


def as_role(endpoint, role_arn, region):
    c = client("sts", endpoint).assume_role(RoleArn=role_arn, RoleSessionName="test")["Credentials"]
    return client("ec2", endpoint, region=region, key=c["AccessKeyId"], secret=c["SecretAccessKey"],
                  token=c["SessionToken"])


def test_two_accounts_by_assumed_roles_times_two_regions(run, ec2, endpoint, recording):
    fleet = {}
    for role in (ROLE_A, ROLE_B):
        for region in ("us-east-1", "eu-west-1"):
            (iid,) = make_fleet(as_role(endpoint, role, region), count=1, tags={"Backup": "x"}, volumes=1)
            fleet["%s/%s" % (role.split(":")[4], region)] = iid
    make_fleet(ec2, count=1, tags={"Backup": "x"}, volumes=1)  # the caller's own: not asked for
    recording.start()
    r = run(["--region", "us-east-1,eu-west-1", "--assume-role", ROLE_A, "--assume-role", ROLE_B,
             "--external-id", "ext-7", "--filter", '{"tags": {"tag:Backup": "x"}}', "--output", "json"])
    assert r.returncode == 0, r.stdout + r.stderr
    rep = json.loads(r.stdout)
    assert {i["scope"]: i["instance_id"] for i in rep["instances"]} == fleet, "each account's own instance"
    assert rep["account"] in ("111111111111,222222222222", "222222222222,111111111111")
    rows = recording.requests()
    assumes = [x["params"] for x in rows if x["params"].get("Action") == "AssumeRole"]
    assert sorted(a["RoleArn"] for a in assumes) == [ROLE_A, ROLE_B], "each role assumed once"
    assert all(a["ExternalId"] == "ext-7" and a["RoleSessionName"] == "s3snapshot" for a in assumes)
    ec2_keys = {key_and_region(x) for x in rows if x["params"].get("Version") == "2016-11-15"}
    keys = {k for k, _ in ec2_keys}
    assert len(keys) == 2 and "testing" not in keys, "EC2 calls use the two assumed roles' keys"
    assert {reg for _, reg in ec2_keys} == {"us-east-1", "eu-west-1"}
    for scope, iid in fleet.items():
        account, region = scope.split("/")
        dest = as_role(endpoint, ROLE_A if account == "111111111111" else ROLE_B, region)
        assert len(snapshots(dest, **{"tag:s3snapshot:instance-id": iid})) == 1, "its set, in its account"


def test_bad_scope_input(run, recording):
    r = run(["--region", "us-east-1,mars-1", "--all"])
    assert r.returncode == 2 and "mars-1" in r.stderr
    r = run(["--assume-role", "arn:aws:iam::12:role/x", "--all"])
    assert r.returncode == 2 and "is not an IAM role ARN" in r.stderr
    r = run(["--external-id", "e", "--all"])
    assert r.returncode == 2 and "external-id" in r.stderr
    assert recording.actions() == []


def test_instance_ids_across_regions_are_found_where_they_live(run, ec2, endpoint):
    east = make_fleet(ec2, count=1, volumes=1)
    west = make_fleet(client("ec2", endpoint, region="eu-west-1"), count=1, volumes=1)
    r = run(["--region", "us-east-1,eu-west-1", "--filter",
             json.dumps({"instances": east + west + ["i-0123456789abcdef0"]}), "--output", "json"])
    assert r.returncode == 1
    rep = json.loads(r.stdout)
    assert rep["not_found"] == ["i-0123456789abcdef0"], "missing everywhere, reported once"
    assert {i["instance_id"]: i["scope"] for i in rep["instances"]} == {east[0]: "us-east-1", west[0]: "eu-west-1"}
