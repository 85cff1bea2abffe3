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


def history(ec2, ec2clock, iid, vol, label, days):
    """One complete set a day for `days` days before now, as earlier runs of
    `label` would have left them (the layer in front of moto backdates them)."""
    ids = {}
    for k in range(1, days + 1):
        tags = {"Scripted": "s3snapshot", "s3snapshot:run-id": "hist-%s-%03d" % (label, k),
                "s3snapshot:instance-id": iid, "s3snapshot:label": label}
        sid = ec2.create_snapshot(VolumeId=vol, Description="history", TagSpecifications=[
            {"ResourceType": "snapshot", "Tags": [{"Key": a, "Value": b} for a, b in tags.items()]}])["SnapshotId"]
        ec2clock.aged[sid] = k * 86400
        ids[sid] = k
    return ids


def expected_tiers(starts, daily, weekly, monthly):
    """Independently of the tool: restic's rule, in UTC -- walking the sets
    newest first, the first of each period is that period's, for N periods."""
    periods = [(daily, lambda t: t.date()), (weekly, lambda t: t.isocalendar()[:2]),
               (monthly, lambda t: (t.year, t.month))]
    kept = set()
    newest_first = sorted(starts, key=lambda sid: starts[sid], reverse=True)
    for n, period in periods:
        seen = []
        for sid in newest_first:
            p = period(starts[sid])
            if seen and seen[-1] == p:
                continue
            if len(seen) == n:
                break
            seen.append(p)
            kept.add(sid)
    return kept


def test_calendar_tiers_over_400_days_keep_exactly_the_expected_sets_per_label(run, ec2, ec2clock):
    import datetime
    (iid,) = make_fleet(ec2, count=1, volumes=1)
    vol = vol_of(ec2, iid)
    nightly = history(ec2, ec2clock, iid, vol, "nightly", 400)
    adhoc = history(ec2, ec2clock, iid, vol, "adhoc", 20)
    ec2clock.snapshot_seconds = 600  # this run's own set stays pending: it counts for no tier yet
    import boto3
    via_clock = boto3.client("ec2", endpoint_url=ec2clock.url, region_name=ec2.meta.region_name,
                             aws_access_key_id="testing", aws_secret_access_key="testing")
    starts = {s["SnapshotId"]: s["StartTime"].astimezone(datetime.timezone.utc)
              for s in snapshots(via_clock, **{"volume-id": vol}) if s["SnapshotId"] in nightly}
    assert len(starts) == 400
    keep = expected_tiers(starts, 7, 4, 12)
    assert 18 <= len(keep) <= 23, keep  # 7 days, 4 weeks and 12 months overlap by a few

    r = run(["--filter", json.dumps({"instances": [iid]}), "--label", "nightly", "--keep-daily", "7",
             "--keep-weekly", "4", "--keep-monthly", "12", "--output", "json"],
            endpoint_url=ec2clock.url, env={"S3SNAPSHOT_RATE_LIMIT_FACTOR": "20"}, timeout=300)
    assert r.returncode == 0, r.stdout[-2000:] + r.stderr
    left = {s["SnapshotId"] for s in snapshots(ec2, **{"volume-id": vol})}
    assert set(adhoc) <= left, "another label's sets are another schedule's"
    assert {s for s in nightly if s in left} == keep
    rep = json.loads(r.stdout)
    actions = {x["snapshot_id"]: x for x in rep["retention"]}
    assert {s for s, x in actions.items() if x["action"] == "deleted"} == set(nightly) - keep
    assert not set(adhoc) & set(actions), "the adhoc sets are not even listed"
    # Each kept set says which tier keeps it.
    newest = min(nightly, key=nightly.get)
    assert actions[newest]["reason"].startswith("the volume's newest completed snapshot")
    for sid in keep - {newest}:
        assert any(w in actions[sid]["reason"] for w in ("daily ", "weekly ", "monthly ")), actions[sid]
    gone = next(iter(set(nightly) - keep))
    assert "not the newest complete set of one of the last 7 days, 4 weeks or 12 months" in actions[gone]["reason"]


def test_tier_values_and_time_zone_are_checked_before_anything_is_sent(run, recording):
    for args, words in ((["--keep-daily", "0"], "--keep-daily"),
                        (["--keep-yearly", "101"], "--keep-yearly"),
                        (["--keep-weekly", "2", "--retention-timezone", "Mars/Olympus_Mons"], "unknown time zone"),
                        (["--keep-weekly", "2", "--retention-timezone", "../../etc/passwd"], "not an IANA time zone")):
        recording.start()
        r = run(["--filter", '{"instances": ["i-12345678"]}'] + args, checked=False)
        assert r.returncode == 2, (args, r.stderr)
        assert words in r.stderr, (args, r.stderr)
        assert recording.actions() == []
