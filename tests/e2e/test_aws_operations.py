"""Each AWS operation of the aws/ layer against moto through a small driver
over our own clients; fixtures seeded and results checked with boto3."""
import json
import os
import subprocess

from conftest import REGION, base_env, client, make_fleet, snapshots, tagmap


def op(home, endpoint, *args, region=REGION, env=None):
    e = base_env(home, endpoint)
    e["AWS_REGION"] = region
    if env:
        e.update(env)
    p = subprocess.run([os.environ["S3SNAPSHOT_OPS_BIN"]] + list(args), env=e, capture_output=True,
                       text=True, timeout=60)
    return p.returncode, json.loads(p.stdout) if p.stdout.strip() else None


def test_describe_stop_start(home, endpoint, ec2):
    ids = make_fleet(ec2, count=3, tags={"Team": "x"}, volumes=2)
    rc, out = op(home, endpoint, "DescribeInstances", "tag:Team", "x", "5")
    assert rc == 0 and sorted(i["instance_id"] for i in out) == ids
    assert all(len(i["volumes"]) == 2 for i in out)
    rc, out = op(home, endpoint, "StopInstances", ids[0], ids[1])
    assert rc == 0 and {c["previous"] for c in out} == {"running"}
    assert ec2.describe_instances(InstanceIds=[ids[0]])["Reservations"][0]["Instances"][0]["State"]["Name"] == "stopped"
    rc, out = op(home, endpoint, "StartInstances", ids[0])
    assert rc == 0 and out[0]["instance_id"] == ids[0]
    rc, out = op(home, endpoint, "StopInstances", "i-00000000")
    assert rc == 1 and out["error"]["kind"] == "not-found" and out["error"]["request_id"]


def test_tags_describe_delete(home, endpoint, ec2):
    (iid,) = make_fleet(ec2, count=1, volumes=1)
    vol = ec2.describe_instances(InstanceIds=[iid])["Reservations"][0]["Instances"][0][
        "BlockDeviceMappings"][0]["Ebs"]["VolumeId"]
    sid = ec2.create_snapshot(VolumeId=vol, Description="one volume", TagSpecifications=[
        {"ResourceType": "snapshot", "Tags": [{"Key": "Scripted", "Value": "s3snapshot"}, {"Key": "k", "Value": "v w"}]}
    ])["SnapshotId"]
    rc, _ = op(home, endpoint, "CreateTags", sid, "Name=web /dev/sda1")
    assert rc == 0 and tagmap(snapshots(ec2)[0])["Name"] == "web /dev/sda1"
    rc, out = op(home, endpoint, "DescribeSnapshots", "tag:k", "v w")
    assert rc == 0 and [x["snapshot_id"] for x in out] == [sid]
    rc, _ = op(home, endpoint, "DeleteTags", sid, "k", "Name")
    assert rc == 0 and tagmap(snapshots(ec2)[0]) == {"Scripted": "s3snapshot"}
    rc, _ = op(home, endpoint, "DeleteSnapshot", sid)
    assert rc == 0 and snapshots(ec2) == []
    rc, out = op(home, endpoint, "DeleteSnapshot", sid)
    assert rc == 1 and out["error"]["code"] == "InvalidSnapshot.NotFound"


def test_create_snapshots_for_an_instance(home, endpoint, ec2):
    (iid,) = make_fleet(ec2, count=1, volumes=3)
    rc, out = op(home, endpoint, "CreateSnapshots", iid, "all volumes", "s3snapshot:run-id=r1")
    assert rc == 0 and len(out) == 3
    assert {tagmap(s)["s3snapshot:run-id"] for s in snapshots(ec2)} == {"r1"}


def test_copy_snapshot_to_another_region(home, endpoint, ec2):
    (iid,) = make_fleet(ec2, count=1, volumes=1)
    vol = ec2.describe_volumes()["Volumes"][0]["VolumeId"]
    sid = ec2.create_snapshot(VolumeId=vol)["SnapshotId"]
    rc, out = op(home, endpoint, "CopySnapshot", REGION, sid, "copy", "Scripted=s3snapshot",
                 region="eu-west-1")
    assert rc == 0, out
    west = client("ec2", endpoint, region="eu-west-1")
    (copy,) = west.describe_snapshots(SnapshotIds=[out["snapshot_id"]])["Snapshots"]
    assert copy["Description"] == "copy"


def test_describe_regions(home, endpoint):
    rc, out = op(home, endpoint, "DescribeRegions")
    assert rc == 0 and "us-east-1" in out and "eu-west-1" in out


def test_sns_publish(home, endpoint):
    from conftest import sqs_topic
    topic, read = sqs_topic(endpoint, "ops-topic")
    rc, out = op(home, endpoint, "Publish", topic, "subject here", "body here")
    assert rc == 0 and out["message_id"]
    (m,) = read()
    assert m["Subject"] == "subject here" and m["Message"] == "body here"


def test_sts_operations(home, endpoint):
    rc, out = op(home, endpoint, "GetCallerIdentity")
    assert rc == 0 and out["account"] == "100000000000"
    rc, out = op(home, endpoint, "AssumeRole", "arn:aws:iam::100000000000:role/r", "s3snapshot", "ext")
    assert rc == 0 and out["access_key_id"].startswith("ASIA") and out["has_token"] and out["expires"]
    rc, out = op(home, endpoint, "AssumeRoleWithWebIdentity", "arn:aws:iam::100000000000:role/r", "s", "jwt")
    assert rc == 0 and out["access_key_id"] and out["has_token"]


def test_ssm_run_command_over_json_1_1(home, endpoint, ec2, recording):
    """SendCommand and GetCommandInvocation through s3snapshot's own SSM
    client (JSON 1.1, X-Amz-Target), against moto's SSM; the requests are
    checked in moto's recording, the command with boto3."""
    import base64
    import boto3
    from conftest import make_fleet
    (iid,) = make_fleet(ec2, count=1, volumes=1)
    rc, out = op(home, endpoint, "SendCommand", "AWS-RunShellScript", iid, "sync", "fsfreeze --freeze /data")
    assert rc == 0, out
    cid = out["command_id"]
    rc, inv = op(home, endpoint, "GetCommandInvocation", cid, iid)
    assert rc == 0 and inv["status"] == "Success" and inv["instance_id"] == iid, inv
    ssm = boto3.client("ssm", endpoint_url=endpoint, region_name="us-east-1", aws_access_key_id="testing",
                       aws_secret_access_key="testing")
    (cmd,) = [c for c in ssm.list_commands()["Commands"] if c["CommandId"] == cid]
    assert cmd["DocumentName"] == "AWS-RunShellScript" and cmd["InstanceIds"] == [iid]
    assert cmd["Parameters"]["commands"] == ["sync", "fsfreeze --freeze /data"]
    assert cmd["Comment"] == "s3snapshot e2e"
    rows = [r for r in recording.requests() if "AmazonSSM." in str(r.get("headers", {}))]
    rows = [r for r in rows if "ListCommands" not in str(r["headers"])]  # boto3's own check above
    targets = [r["headers"].get("X-Amz-Target") or r["headers"].get("x-amz-target") for r in rows]
    assert targets == ["AmazonSSM.SendCommand", "AmazonSSM.GetCommandInvocation"], targets
    for r in rows:
        ctype = r["headers"].get("Content-Type") or r["headers"].get("content-type")
        assert ctype == "application/x-amz-json-1.1"
    # A command id SSM does not know is a clear error, and final (not re-asked).
    import time
    t0 = time.monotonic()
    rc, err = op(home, endpoint, "GetCommandInvocation", "00000000-0000-0000-0000-000000000000", iid)
    assert rc == 1 and err["error"]["kind"] == "not-found" and err["error"]["code"] == "InvalidCommandId", err
    assert time.monotonic() - t0 < 1.0, "not re-asked like InvocationDoesNotExist"

