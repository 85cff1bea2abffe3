"""`s3snapshot audit`: which volumes are not protected right now. A fleet in
moto, behind ec2_clock.py (which ends chosen snapshots in `error` and makes
chosen ones old by moving their StartTime back), with one instance of each
case; the audit must name each correctly, exit 1, tell SNS, and send no
mutating call (the SNS Publish is its only write)."""
import json

from conftest import make_fleet, snapshots, sqs_topic, tagmap
from helpers import run_json

COPY_REGION = "us-west-2"


def volume_of(ec2, iid):
    r = ec2.describe_instances(InstanceIds=[iid])
    (inst,) = [i for res in r["Reservations"] for i in res["Instances"]]
    return inst["BlockDeviceMappings"][0]["Ebs"]["VolumeId"]


def snapshot_run(run, ids, url, extra=(), expect=0):
    rep, r = run_json(run, ["--filter", json.dumps({"instances": ids})] + list(extra), endpoint_url=url, expect=expect)
    return rep


def seed_fleet(run, ec2, ec2clock):
    """One instance per case; returns {case: instance id}."""
    tag = {"Fleet": "audit"}
    names = ["covered", "uncovered", "stopped", "error", "foreign", "nocopy", "old"]
    ids = {}
    for n in names:
        (ids[n],) = make_fleet(ec2, count=1, volumes=1, tags=dict(tag, Name=n),
                               state="stopped" if n == "stopped" else "running")
    # The tool's snapshots, copied to COPY_REGION in the same run (moto
    # completes them at once): covered, old.
    snapshot_run(run, [ids["covered"], ids["old"]], ec2clock.url, ["--copy-to-region", COPY_REGION])
    # Snapshotted but never copied.
    snapshot_run(run, [ids["nocopy"]], ec2clock.url)
    # A set that ends in 'error' after the run (ec2_clock fails its volume).
    ec2clock.fail_volumes.add(volume_of(ec2, ids["error"]))
    snapshot_run(run, [ids["error"]], ec2clock.url)
    # A DLM snapshot (another tool's): not the tool's, counts only with --include-foreign.
    ec2.create_snapshot(VolumeId=volume_of(ec2, ids["foreign"]), Description="Created for policy: policy-0123",
                        TagSpecifications=[{"ResourceType": "snapshot",
                                            "Tags": [{"Key": "aws:dlm:lifecycle-policy-id",
                                                      "Value": "policy-0123456789abcdef0"}]}])
    # Three days old.
    (old,) = snapshots(ec2, **{"volume-id": volume_of(ec2, ids["old"])})
    ec2clock.aged[old["SnapshotId"]] = 3 * 86400
    return ids


def kinds(rep):
    out = {}
    for v in rep["volumes"]:
        out[v["name"]] = sorted(f["kind"] for f in v["findings"])
    return out


def test_audit_names_every_unprotected_volume(run, ec2, ec2clock, endpoint, recording):
    ids = seed_fleet(run, ec2, ec2clock)
    err_topic, read_err = sqs_topic(endpoint, "audit-err")
    ok_topic, read_ok = sqs_topic(endpoint, "audit-ok")
    recording.start()
    rep, r = run_json(run, ["audit", "--filter", json.dumps({"tags": {"tag:Fleet": "audit"}}),
                            "--copy-to-region", COPY_REGION, "--sns-arn", ok_topic, "--sns-arn-error", err_topic],
                      endpoint_url=ec2clock.url, expect=1)
    assert recording.mutating() == ["Publish", "Publish"], "read-only but for the two notifications"
    assert rep["command"] == "audit" and rep["ok"] is False
    assert kinds(rep) == {
        "covered": [],
        "uncovered": ["copy-missing", "missing"],
        "stopped": ["copy-missing", "missing"],
        "error": ["copy-missing", "error", "missing"],
        "foreign": ["copy-missing", "missing"],
        "nocopy": ["copy-missing"],
        "old": ["too-old"],
    }, rep
    by_name = {v["name"]: v for v in rep["volumes"]}
    assert by_name["stopped"]["instance_state"] == "stopped"
    covered = by_name["covered"]
    assert covered["newest"]["owner"] == "s3snapshot" and covered["newest"]["age_seconds"] < 600
    (copy,) = covered["copies"]
    assert copy["region"] == COPY_REGION and copy["newest"]["snapshot_id"].startswith("snap-")
    assert by_name["old"]["newest"]["age_seconds"] >= 3 * 86400
    assert rep["summary"]["unprotected"] == 6 and rep["summary"]["volumes"] == 7
    assert rep["summary"]["oldest_newest_age_seconds"] >= 3 * 86400
    # Cheap at fleet scale: one DescribeSnapshots per 200 volumes and region.
    assert recording.actions().count("DescribeSnapshots") == 2, recording.actions()
    # stderr names each unprotected volume; SNS has each finding.
    for n in ("uncovered", "stopped", "error", "foreign", "nocopy", "old"):
        assert ids[n] in r.stderr, (n, r.stderr)
    assert ids["covered"] not in r.stderr
    (err,) = read_err()
    assert err["Subject"].startswith("s3snapshot AUDIT: 6 of 7 volumes unprotected")
    for n in ("uncovered", "stopped", "error", "foreign", "nocopy", "old"):
        assert ids[n] in err["Message"].split("Full report:")[0], n
    assert "ended in state 'error'" in err["Message"] and "too-old" in err["Message"]
    (summary,) = read_ok()
    assert summary["Subject"].startswith("s3snapshot audit: 7 volumes, 6 unprotected")


def test_foreign_snapshots_count_with_include_foreign(run, ec2, ec2clock):
    ids = seed_fleet(run, ec2, ec2clock)
    sel = ["--filter", json.dumps({"instances": [ids["foreign"], ids["covered"], ids["nocopy"]]})]
    rep, _ = run_json(run, ["audit"] + sel, endpoint_url=ec2clock.url, expect=1)
    assert kinds(rep) == {"foreign": ["missing"], "covered": [], "nocopy": []}
    rep, r = run_json(run, ["audit", "--include-foreign"] + sel, endpoint_url=ec2clock.url, expect=0)
    assert kinds(rep) == {"foreign": [], "covered": [], "nocopy": []}, r.stderr
    by_name = {v["name"]: v for v in rep["volumes"]}
    assert by_name["foreign"]["newest"]["owner"] == "dlm"
    assert rep["ok"] is True and r.stderr.count("UNPROTECTED") == 0


def test_audit_text_report_and_label(run, ec2, ec2clock):
    (iid,) = make_fleet(ec2, count=1, volumes=2, tags={"Name": "db"})
    snapshot_run(run, [iid], ec2clock.url, ["--label", "daily"])
    r = run(["audit", "--filter", json.dumps({"instances": [iid]})], endpoint_url=ec2clock.url)
    assert r.returncode == 0, r.stderr + r.stdout
    assert "s3snapshot audit" in r.stdout and "2 volume(s), 0 unprotected" in r.stdout
    assert r.stdout.count(" ok\n") == 2
    # With another label, the daily snapshots do not count.
    r = run(["audit", "--label", "weekly", "--filter", json.dumps({"instances": [iid]})], endpoint_url=ec2clock.url)
    assert r.returncode == 1 and "2 unprotected" in r.stdout and r.stdout.count("UNPROTECTED") == 2
    assert "missing: no completed snapshot" in r.stdout


def test_pending_too_long_is_a_finding(run, ec2, ec2clock):
    ec2clock.snapshot_seconds = 3600
    (iid,) = make_fleet(ec2, count=1, volumes=1)
    snapshot_run(run, [iid], ec2clock.url)
    (snap,) = snapshots(ec2, **{"tag:s3snapshot:instance-id": iid})
    assert tagmap(snap)["Scripted"] == "s3snapshot"
    ec2clock.aged[snap["SnapshotId"]] = 13 * 3600
    rep, _ = run_json(run, ["audit", "--filter", json.dumps({"instances": [iid]})], endpoint_url=ec2clock.url,
                      expect=1)
    (vol,) = rep["volumes"]
    assert sorted(f["kind"] for f in vol["findings"]) == ["missing", "pending"], vol
    rep, _ = run_json(run, ["audit", "--max-pending", "14h", "--filter", json.dumps({"instances": [iid]})],
                      endpoint_url=ec2clock.url, expect=1)
    assert [f["kind"] for f in rep["volumes"][0]["findings"]] == ["missing"]


def test_audit_refuses_what_changes_things(run, recording):
    for args in (["audit", "--stop", "--all"], ["audit", "--keep", "3", "--all"], ["audit", "--dry-run", "--all"],
                 ["--max-age", "2h", "--all"], ["audit", "--filter", '{"tags": {"tag:A": "b"}, "wait": true}'],
                 ["audit", "--max-age", "26", "--all"], ["--all", "audit"], ["audit"]):
        r = run(args)
        assert r.returncode == 2, (args, r.stderr)
        assert "s3snapshot: error:" in r.stderr
    assert recording.requests() == []
