"""The guarantees on EC2's real clock (ec2_clock.py in front of moto): stops
that take 20 s, snapshots pending for a while, snapshots that end in `error`
after the fact, StartInstances refused while an instance is still stopping."""
import json
import time

from conftest import client
from helpers import run_json


def wait_running(ec2, ids, seconds=30):
    deadline = time.time() + seconds
    while time.time() < deadline:
        r = ec2.describe_instances(InstanceIds=ids)
        st = {i["InstanceId"]: i["State"]["Name"] for res in r["Reservations"] for i in res["Instances"]}
        if set(st.values()) == {"running"}:
            return st
        time.sleep(0.5)
    return st


def fleet(ec2, count, volumes=1):
    from conftest import make_fleet
    return make_fleet(ec2, count=count, volumes=volumes)


def test_restart_guarantee_with_20_second_stops(run, ec2, ec2clock):
    ec2clock.stop_seconds, ec2clock.start_seconds = 20, 3
    ids = fleet(ec2, 3)
    t0 = time.monotonic()
    rep, r = run_json(run, ["--stop", "--filter", json.dumps({"instances": ids})], endpoint_url=ec2clock.url,
                      timeout=180)
    assert all(i["stopped_by_run"] and i["restarted"] and i["snapshotted"] for i in rep["instances"]), rep
    assert rep["summary"]["left_stopped"] == []
    # Snapshotted only once stopped: the first CreateSnapshots came after the
    # 20 s stop, having polled through 'stopping'.
    assert ec2clock.first("CreateSnapshots") - t0 >= 20, ec2clock.times[:5]
    assert ec2clock.count("DescribeInstances") >= 4
    # Started as each snapshot returned, never refused for 'stopping'.
    assert "IncorrectInstanceState" not in r.stderr, r.stderr
    via_clock = client("ec2", ec2clock.url)
    assert set(wait_running(via_clock, ids).values()) == {"running"}


def test_wait_follows_pending_snapshots_to_completed(run, ec2, ec2clock):
    ec2clock.snapshot_seconds = 6
    ids = fleet(ec2, 2, volumes=2)
    rep, r = run_json(run, ["--wait", "--wait-timeout", "120", "--filter", json.dumps({"instances": ids})],
                      endpoint_url=ec2clock.url, timeout=180)
    states = [s["state"] for i in rep["instances"] for s in i["snapshots"]]
    assert states == ["completed"] * 4, rep
    assert ec2clock.count("DescribeSnapshots") >= 3, "polled while they were pending"


def test_wait_times_out_on_snapshots_pending_for_hours(run, ec2, ec2clock):
    ec2clock.snapshot_seconds = 3600
    ids = fleet(ec2, 1)
    rep, r = run_json(run, ["--wait", "--wait-timeout", "3", "--filter", json.dumps({"instances": ids})],
                      endpoint_url=ec2clock.url, timeout=120, expect=1)
    (inst,) = rep["instances"]
    assert inst["errors"][0]["code"] == "WaitTimeout" and "still 'pending'" in inst["errors"][0]["message"]
    assert any("WaitTimeout" in line for line in r.stderr.splitlines() if line.startswith("s3snapshot: error:"))


def test_a_snapshot_that_ends_in_error_is_a_failure_with_wait(run, ec2, ec2clock):
    ids = fleet(ec2, 2)
    vols = ec2.describe_instances(InstanceIds=[ids[0]])["Reservations"][0]["Instances"][0]["BlockDeviceMappings"]
    ec2clock.snapshot_seconds = 2
    ec2clock.fail_volumes = {vols[0]["Ebs"]["VolumeId"]}
    rep, r = run_json(run, ["--wait", "--filter", json.dumps({"instances": ids})], endpoint_url=ec2clock.url,
                      timeout=120, expect=1)
    by_id = {i["instance_id"]: i for i in rep["instances"]}
    assert by_id[ids[0]]["errors"][0]["code"] == "SnapshotError"
    assert "injected by ec2_clock" in by_id[ids[0]]["errors"][0]["message"]
    assert by_id[ids[1]]["errors"] == []
