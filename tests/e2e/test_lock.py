"""Snapshot lock (--lock-mode) and time-based copies against moto with the
lock calls moto lacks (moto_plus.py), read back from EC2's own answers: every
new snapshot and copy locked, a locked snapshot never sent to DeleteSnapshot
and reported kept, audit --require-lock naming the unlocked volume, and
CompletionDurationMinutes on every CopySnapshot."""
import json
import time

import pytest

from conftest import client, make_fleet, snapshots, tagmap


def locks(ec2, ids):
    return {x["SnapshotId"]: x for x in ec2.describe_locked_snapshots(SnapshotIds=sorted(ids))["Snapshots"]}


def new_ids(rep):
    return [s["snapshot_id"] for i in rep["instances"] for s in i["snapshots"]]


def test_every_new_snapshot_of_a_governance_run_is_locked(run, ec2, ec2clock):
    ids = make_fleet(ec2, count=2, volumes=2)
    ec2clock.snapshot_seconds = 60  # still pending when locked, as on EC2
    r = run(["--filter", json.dumps({"instances": ids}), "--lock-mode", "governance", "--lock-days", "7",
             "--output", "json"], endpoint_url=ec2clock.url)
    assert r.returncode == 0, r.stdout + r.stderr
    rep = json.loads(r.stdout)
    made = new_ids(rep)
    assert len(made) == 4
    held = locks(ec2, made)
    assert set(held) == set(made), "every new snapshot, read back with DescribeLockedSnapshots"
    for sid in made:
        assert held[sid]["LockState"] == "governance" and held[sid]["LockDuration"] == 7
    for i in rep["instances"]:
        for s in i["snapshots"]:
            assert s["lock"].startswith("governance "), s
    assert ec2clock.count("LockSnapshot") == 4


def test_a_locked_snapshot_is_never_sent_to_delete_snapshot_and_is_reported_kept(run, ec2, recording):
    (iid,) = make_fleet(ec2, count=1, volumes=1)
    doc = json.dumps({"instances": [iid]})
    for _ in range(3):
        assert run(["--filter", doc]).returncode == 0
        time.sleep(1.1)
    oldest, middle, newest = sorted(snapshots(ec2, **{"tag:s3snapshot:instance-id": iid}),
                                    key=lambda s: s["StartTime"])
    ec2.lock_snapshot(SnapshotId=oldest["SnapshotId"], LockMode="governance", LockDuration=30)
    recording.start()
    r = run(["--filter", doc, "--keep", "1", "--output", "json"])
    assert r.returncode == 0, r.stdout + r.stderr
    deletes = [p["params"].get("SnapshotId") for p in recording.requests()
               if p["params"].get("Action") == "DeleteSnapshot"]
    assert oldest["SnapshotId"] not in deletes, "never a DeleteSnapshot EC2 would refuse"
    assert set(deletes) == {middle["SnapshotId"], newest["SnapshotId"]}
    left = {s["SnapshotId"] for s in snapshots(ec2)}
    assert oldest["SnapshotId"] in left
    rec = {x["snapshot_id"]: x for x in json.loads(r.stdout)["retention"]}
    assert rec[oldest["SnapshotId"]]["action"] == "kept"
    assert rec[oldest["SnapshotId"]]["reason"].startswith("locked (governance) until ")
    text = run(["--filter", doc, "--keep", "1", "--dry-run"])
    assert "retention: kept %s" % oldest["SnapshotId"] in text.stdout, text.stdout
    assert "kept (locked)" in text.stdout


def test_audit_require_lock_finds_the_unlocked_volume(run, ec2):
    locked, unlocked = make_fleet(ec2, count=2, volumes=1)
    assert run(["--filter", json.dumps({"instances": [locked]}), "--lock-mode", "compliance", "--lock-days", "1",
                "--lock-cool-off-hours", "1"]).returncode == 0
    assert run(["--filter", json.dumps({"instances": [unlocked]})]).returncode == 0
    doc = json.dumps({"instances": [locked, unlocked]})
    r = run(["audit", "--filter", doc, "--require-lock", "--output", "json"])
    assert r.returncode == 1, r.stdout + r.stderr
    kinds = {v["instance_id"]: [f["kind"] for f in v["findings"]] for v in json.loads(r.stdout)["volumes"]}
    assert kinds == {locked: [], unlocked: ["unlocked"]}
    assert "unlocked" in r.stderr
    assert run(["audit", "--filter", doc]).returncode == 0, "no lock asked for: none required"


def test_time_based_copies_ask_ec2_for_their_deadline_and_are_locked_in_their_region(run, ec2, endpoint, recording):
    (iid,) = make_fleet(ec2, count=1, volumes=2)
    recording.start()
    r = run(["--filter", json.dumps({"instances": [iid]}), "--copy-to-region", "eu-west-1",
             "--copy-completion-minutes", "60", "--lock-mode", "governance", "--lock-days", "3", "--output", "json"],
            timeout=300)
    assert r.returncode == 0, r.stdout + r.stderr
    copies = [p["params"] for p in recording.requests() if p["params"].get("Action") == "CopySnapshot"]
    assert len(copies) == 2
    assert all(p.get("CompletionDurationMinutes") == "60" for p in copies), copies
    dest = client("ec2", endpoint, region="eu-west-1")
    copy_ids = [c["snapshot_id"] for i in json.loads(r.stdout)["instances"] for s in i["snapshots"]
                for c in s["copies"]]
    assert len(copy_ids) == 2
    assert set(locks(dest, copy_ids)) == set(copy_ids), "each copy locked in its own region"
    assert not set(locks(ec2, copy_ids)), "not in the source region"


@pytest.mark.parametrize("args,words", [
    (["--lock-mode", "legal-hold", "--lock-days", "7"], "is not governance or compliance"),
    (["--lock-mode", "governance"], "needs one of \"lock-days\" or \"lock-until\""),
    (["--lock-days", "7"], "need \"lock-mode\""),
    (["--lock-mode", "compliance", "--lock-days", "36501"], "--lock-days"),
    (["--lock-mode", "compliance", "--lock-until", "2190-01-01T00:00:00Z"], "more than 36500 days"),
    (["--lock-mode", "compliance", "--lock-days", "3", "--lock-cool-off-hours", "73"], "--lock-cool-off-hours"),
    (["--lock-mode", "compliance", "--lock-days", "3", "--lock-cool-off-hours", "0"], "--lock-cool-off-hours"),
    (["--lock-mode", "governance", "--lock-days", "3", "--lock-cool-off-hours", "2"], "compliance only"),
    (["--copy-to-region", "eu-west-1", "--copy-completion-minutes", "50"], "not a multiple of 15"),
    (["--copy-to-region", "eu-west-1", "--copy-completion-minutes", "2895"], "--copy-completion-minutes"),
    (["--copy-completion-minutes", "60"], "needs \"copy-to-regions\""),
])
def test_bad_lock_and_copy_values_are_exit_2_with_nothing_sent(run, recording, args, words):
    recording.start()
    r = run(["--filter", '{"instances": ["i-12345678"]}'] + args)
    assert r.returncode == 2, (args, r.stderr)
    assert words in r.stderr, (args, r.stderr)
    assert recording.actions() == []


def test_a_compliance_lock_outliving_every_rule_is_warned_about(run, ec2):
    (iid,) = make_fleet(ec2, count=1, volumes=1)
    r = run(["--filter", json.dumps({"instances": [iid]}), "--lock-mode", "compliance", "--lock-days", "90",
             "--lock-cool-off-hours", "1", "--keep-daily", "7"])
    assert r.returncode == 0, r.stderr
    assert "warning: the compliance lock (90 days) outlives every retention rule (7 days at most)" in r.stderr
    assert tagmap(snapshots(ec2, **{"tag:s3snapshot:instance-id": iid})[0])["Scripted"] == "s3snapshot"
