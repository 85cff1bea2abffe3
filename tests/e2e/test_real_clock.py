"""The guarantees on EC2's real clock (ec2_clock.py in front of moto): stops
that take 20 s, snapshots pending for a while, snapshots that end in `error`
after the fact, StartInstances refused while an instance is still stopping."""
import json
import time

from conftest import client
from helpers import check_report_text, run_json


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


def copies_in(endpoint, region):
    """source snapshot id -> its copies in `region` (moto's own view)."""
    from conftest import snapshots, tagmap
    out = {}
    for c in snapshots(client("ec2", endpoint, region=region)):
        out.setdefault(tagmap(c).get("s3snapshot:source-snapshot"), []).append(c)
    return out


def copy_to_tags(ec2):
    from conftest import snapshots, tagmap
    return {s["SnapshotId"]: tagmap(s).get("s3snapshot:copy-to") for s in snapshots(ec2)}


def test_copies_complete_across_runs_without_waiting_for_their_sources(run, ec2, endpoint, ec2clock):
    """Sources pending for 8 s, copies for 3 s: run 1 makes the sets and
    ends at once with its copies queued (not failed); run 2, after the
    sources completed, copies them (exactly one copy per source and region)
    and queues its own; run 3 finds run 1's copies completed and clears their
    copy-to tag, so later runs no longer look at them."""
    ec2clock.snapshot_seconds, ec2clock.copy_seconds = 8, 3
    ids = fleet(ec2, 2, volumes=2)
    args = ["--filter", json.dumps({"instances": ids}), "--copy-to-region", "eu-west-1",
            "--copy-to-region", "us-west-2"]
    t0 = time.monotonic()
    rep1, _ = run_json(run, args, endpoint_url=ec2clock.url, timeout=120)
    assert time.monotonic() - t0 < 8, "run 1 did not wait for its sources"
    run1 = [s["snapshot_id"] for i in rep1["instances"] for s in i["snapshots"]]
    assert len(run1) == 4
    for i in rep1["instances"]:
        for s in i["snapshots"]:
            assert sorted((c["region"], c["state"]) for c in s["copies"]) == [("eu-west-1", "queued"),
                                                                               ("us-west-2", "queued")], s
    assert {copy_to_tags(ec2)[sid] for sid in run1} == {"eu-west-1 us-west-2"}
    assert copies_in(endpoint, "eu-west-1") == {}

    time.sleep(max(0, 9 - (time.monotonic() - t0)))  # run 1's sources are completed now
    rep2, _ = run_json(run, args, endpoint_url=ec2clock.url, timeout=120)
    earlier = {(c["source_snapshot_id"], c["region"]): c for c in rep2["earlier_copies"]}
    assert set(earlier) == {(sid, r) for sid in run1 for r in ("eu-west-1", "us-west-2")}, rep2
    assert all(c["state"] == "pending" and c["copy_id"] for c in earlier.values())
    for region in ("eu-west-1", "us-west-2"):
        have = copies_in(endpoint, region)
        assert {sid: len(have.get(sid, [])) for sid in run1} == {sid: 1 for sid in run1}, region

    time.sleep(4)  # the copies completed
    rep3, _ = run_json(run, args, endpoint_url=ec2clock.url, timeout=120)
    done = {(c["source_snapshot_id"], c["region"]): c["state"] for c in rep3["earlier_copies"]}
    assert all(done[(sid, r)] == "completed" for sid in run1 for r in ("eu-west-1", "us-west-2")), done
    assert all(copy_to_tags(ec2)[sid] is None for sid in run1), "settled sources owe nothing"
    for region in ("eu-west-1", "us-west-2"):
        have = copies_in(endpoint, region)
        assert all(len(have[sid]) == 1 for sid in run1), "never a second copy"
    # Run 4: run 1's sources are no longer looked at.
    rep4, _ = run_json(run, args, endpoint_url=ec2clock.url, timeout=120)
    assert not {c["source_snapshot_id"] for c in rep4["earlier_copies"]} & set(run1)


def test_two_overlapping_runs_make_one_copy_per_source(run, ec2, endpoint, ec2clock, home):
    """Two processes copy the same owed sources at the same time (each
    CopySnapshot held 1 s by a proxy so both send before either sees the
    other's copy): one copy per source and region remains."""
    import subprocess
    from conftest import base_env, binary
    from fault_proxy import FaultProxy
    ids = fleet(ec2, 3)
    args = ["--filter", json.dumps({"instances": ids}), "--copy-to-region", "eu-west-1", "--output", "json"]
    ec2clock.snapshot_seconds = 3
    rep, _ = run_json(run, args[:-2], endpoint_url=ec2clock.url)  # the sets, copies queued
    first = [s["snapshot_id"] for i in rep["instances"] for s in i["snapshots"]]
    time.sleep(3.5)
    slow = FaultProxy(ec2clock.port)
    try:
        slow.add("CopySnapshot", "pass", count=100, delay=1.0)
        procs = [subprocess.Popen([binary()] + args, env=base_env(home, slow.url), stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE, text=True) for _ in range(2)]
        outs = [p.communicate(timeout=120) for p in procs]
    finally:
        slow.close()
    for p, (out, err) in zip(procs, outs):
        assert p.returncode == 0, err
        check_report_text(out)
    have = copies_in(endpoint, "eu-west-1")
    # The first run's 3 sources have their copies (the overlapping runs' own
    # new sets are still pending, so theirs are queued), one each.
    assert {sid: len(c) for sid, c in have.items()} == {sid: 1 for sid in first}, have
    assert slow.count("CopySnapshot") > 3, "both runs really sent copies of the same sources"


def test_a_snapshot_that_ends_in_error_after_its_run_is_reported_once(run, ec2, endpoint, ec2clock):
    """Run 1 (no --wait) ends with its snapshots pending and reports success;
    EC2 then ends one of them in 'error'. Run 2 reports it -- exit 1, in the
    SNS error message with instance and volume -- and run 3 does not again."""
    from conftest import sqs_topic
    ec2clock.snapshot_seconds = 2
    ids = fleet(ec2, 2, volumes=2)
    rep1, _ = run_json(run, ["--filter", json.dumps({"instances": ids})], endpoint_url=ec2clock.url)
    bad = rep1["instances"][0]["snapshots"][1]
    ec2clock.fail_ids = {bad["snapshot_id"]}
    time.sleep(2.5)
    topic, read = sqs_topic(endpoint, "late-errors")
    args = ["--filter", json.dumps({"instances": ids}), "--sns-arn-error", topic]
    rep2, r2 = run_json(run, args, endpoint_url=ec2clock.url, expect=1)
    errors = [e for i in rep2["instances"] for e in i["errors"]]
    assert len(errors) == 1 and errors[0]["step"] == "earlier snapshot", errors
    assert bad["snapshot_id"] in errors[0]["message"] and bad["volume_id"] in errors[0]["message"]
    assert any(bad["snapshot_id"] in line for line in r2.stderr.splitlines() if line.startswith("s3snapshot: error:"))
    (msg,) = read()
    assert bad["snapshot_id"] in msg["Message"] and rep1["instances"][0]["instance_id"] in msg["Message"]
    time.sleep(2.5)  # run 2's own snapshots completed
    rep3, _ = run_json(run, args, endpoint_url=ec2clock.url)
    assert read() == [], "reported once"
