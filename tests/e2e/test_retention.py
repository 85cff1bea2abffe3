"""Retention against moto: only the tool's own, unprotected snapshots; the
bugs other tools had (manual snapshots deleted, orphans never cleaned, AMI
snapshots failing the run) each have a test. Age rules are unit-tested
(moto cannot backdate a snapshot)."""
import json
import time

from conftest import make_fleet, snapshots, tagmap


def vol_of(ec2, iid):
    return ec2.describe_instances(InstanceIds=[iid])["Reservations"][0]["Instances"][0][
        "BlockDeviceMappings"][0]["Ebs"]["VolumeId"]


def ours(ec2, vol):
    return sorted((s for s in snapshots(ec2, **{"volume-id": vol}) if tagmap(s).get("Scripted") == "s3snapshot"),
                  key=lambda s: s["StartTime"])


def test_keep_n_deletes_only_old_unprotected_own_snapshots(run, ec2):
    (iid,) = make_fleet(ec2, count=1, volumes=1)
    vol = vol_of(ec2, iid)
    manual = ec2.create_snapshot(VolumeId=vol, Description="by hand")["SnapshotId"]
    doc = json.dumps({"instances": [iid]})
    assert run(["--filter", doc, "--protected"]).returncode == 0
    protected = [s["SnapshotId"] for s in ours(ec2, vol)]
    created = []
    for _ in range(3):
        time.sleep(1.1)
        r = run(["--filter", doc, "--keep", "2", "--output", "json"])
        assert r.returncode == 0, r.stdout + r.stderr
        created.append(json.loads(r.stdout)["instances"][0]["snapshots"][0]["snapshot_id"])
    left = {s["SnapshotId"] for s in snapshots(ec2, **{"volume-id": vol})}
    assert manual in left, "never a manual snapshot"
    assert set(protected) <= left, "never a protected one"
    assert set(created[-2:]) <= left
    assert created[0] not in left, "the oldest beyond --keep 2 is deleted"
    rep = json.loads(r.stdout)
    assert any(x["action"] == "deleted" and x["snapshot_id"] == created[0] for x in rep["retention"])


def test_dry_run_shows_what_would_be_deleted_and_why(run, ec2, recording):
    (iid,) = make_fleet(ec2, count=1, volumes=1)
    doc = json.dumps({"instances": [iid]})
    for _ in range(3):
        assert run(["--filter", doc]).returncode == 0
        time.sleep(1.1)
    before = {s["SnapshotId"] for s in snapshots(ec2)}
    recording.start()
    r = run(["--filter", doc, "--keep", "1", "--dry-run"])
    assert r.returncode == 0, r.stderr
    assert r.stdout.count("retention: would delete snap-") == 2
    # The newest today goes too once this run's set has completed: named.
    assert r.stdout.count("retention: would delete (once this run's set completes) snap-") == 1
    assert "beyond the newest 1" in r.stdout
    assert recording.mutating() == []
    assert {s["SnapshotId"] for s in snapshots(ec2)} == before


def test_snapshot_in_use_by_an_ami_is_kept_and_reported(run, ec2, proxy):
    """moto lets an AMI's snapshot be deleted; EC2 answers InvalidSnapshot.InUse,
    which the proxy plays here."""
    (iid,) = make_fleet(ec2, count=1, volumes=1)
    vol = vol_of(ec2, iid)
    doc = json.dumps({"instances": [iid]})
    for _ in range(2):
        assert run(["--filter", doc]).returncode == 0
        time.sleep(1.1)
    old = {s["SnapshotId"] for s in snapshots(ec2, **{"volume-id": vol})}
    proxy.add("DeleteSnapshot", "error400", count=2, code="InvalidSnapshot.InUse")
    r = run(["--filter", doc, "--keep", "1"], endpoint_url=proxy.url)
    assert r.returncode == 0, r.stdout + r.stderr
    assert old <= {s["SnapshotId"] for s in snapshots(ec2, **{"volume-id": vol})}
    assert r.stdout.count("retention: kept") == 2 and "in use" in r.stdout


def test_orphans_are_pruned_only_when_asked(run, ec2):
    (iid,) = make_fleet(ec2, count=1, volumes=1)
    gone = ec2.create_volume(AvailabilityZone="us-east-1a", Size=1)["VolumeId"]
    tags = [{"ResourceType": "snapshot", "Tags": [{"Key": "Scripted", "Value": "s3snapshot"}]}]
    o1 = ec2.create_snapshot(VolumeId=gone, TagSpecifications=tags)["SnapshotId"]
    time.sleep(1.1)
    o2 = ec2.create_snapshot(VolumeId=gone, TagSpecifications=tags)["SnapshotId"]
    ec2.delete_volume(VolumeId=gone)
    doc = json.dumps({"instances": [iid]})
    assert run(["--filter", doc, "--keep", "1"]).returncode == 0
    assert {o1, o2} <= {s["SnapshotId"] for s in snapshots(ec2)}, "left alone without --prune-orphans"
    r = run(["--filter", doc, "--keep", "1", "--prune-orphans"])
    assert r.returncode == 0, r.stdout + r.stderr
    left = {s["SnapshotId"] for s in snapshots(ec2)}
    assert o1 not in left and o2 in left
    assert "orphan" in r.stdout


def test_retention_payload_keys_and_validation(run, ec2):
    (iid,) = make_fleet(ec2, count=1, volumes=1)
    r = run(["--filter", json.dumps({"instances": [iid], "keep": 0})])
    assert r.returncode == 2 and '"keep": 0 is not a whole number from 1 to 1000' in r.stderr, r.stderr
    r = run(["--filter", json.dumps({"instances": [iid], "prune-orphans": True})])
    assert r.returncode == 2 and "needs a retention rule" in r.stderr
    r = run(["--filter", json.dumps({"instances": [iid], "keep": 3, "keep-days": 7})])
    assert r.returncode == 0, r.stderr
