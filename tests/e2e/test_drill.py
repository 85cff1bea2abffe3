"""s3snapshot drill against moto, and through ec2_clock.py for EC2's
timings: each newest set restored, timed to 'available', checked on a
scratch instance through SSM, and every volume deleted -- also after a
SIGTERM mid-drill, and, after a SIGKILL, by the next drill or snapshot run.
The oracle (oracle.py) holds every drill to moto's state: no volume tagged
with its drill id is left unless named LEFT BEHIND, and it sends nothing but
CreateVolume, DeleteVolume, Attach/DetachVolume (to the check instance),
CreateTags and SendCommand."""
import base64
import json
import signal
import time

from conftest import base_env, make_fleet, snapshots, tagmap
from helpers import start_and_signal
from ssm_faults import SsmFaults


def snapshot_run(run, ids, endpoint_url=None):
    r = run(["--filter", json.dumps({"instances": ids}), "--output", "json"], endpoint_url=endpoint_url)
    assert r.returncode == 0, r.stdout + r.stderr
    return json.loads(r.stdout)


def drill(run, ids, *args, endpoint_url=None, code=0):
    r = run(["drill", "--filter", json.dumps({"instances": ids}), *args, "--output", "json"],
            endpoint_url=endpoint_url)
    assert r.returncode == code, r.stdout + r.stderr
    return json.loads(r.stdout), r


def drill_volumes(ec2, drill_id=None):
    f = [{"Name": "tag:s3snapshot:drill-id", "Values": [drill_id]}] if drill_id else \
        [{"Name": "tag-key", "Values": ["s3snapshot:drill-id"]}]
    return ec2.describe_volumes(Filters=f)["Volumes"]


def test_a_drill_restores_each_newest_set_deletes_everything_and_leaves_evidence(run, ec2, recording):
    ids = make_fleet(ec2, count=3, volumes=2)
    older = snapshot_run(run, ids)
    time.sleep(1.1)  # StartTime has second resolution
    newest = snapshot_run(run, ids)
    newest_snaps = {s["snapshot_id"] for i in newest["instances"] for s in i["snapshots"]}
    volumes_before = {v["VolumeId"] for v in ec2.describe_volumes()["Volumes"]}

    rep, _ = drill(run, ids)
    assert rep["ok"] and rep["summary"]["passed"] == 3 and rep["left_behind"] == [], rep
    for s in rep["sets"]:
        assert s["run_id"] == newest["run_id"] and s["seconds_to_available"] >= 0, s
        assert {v["state"] for v in s["volumes"]} == {"deleted"} and len(s["volumes"]) == 2, s
    made = [r["params"] for r in recording.requests() if r["params"].get("Action") == "CreateVolume"]
    assert len(made) == 6 and {p["SnapshotId"] for p in made} == newest_snaps, made
    assert all(p["TagSpecification.1.Tag.1.Value"] == rep["drill_id"] for p in made), made[0]
    assert "AttachVolume" not in recording.actions(), "no check: attached nowhere"
    assert drill_volumes(ec2, rep["drill_id"]) == []
    assert {v["VolumeId"] for v in ec2.describe_volumes()["Volumes"]} == volumes_before, "nothing else touched"
    # Evidence on the drilled set only.
    for s in snapshots(ec2, **{"tag:s3snapshot:run-id": [newest["run_id"], older["run_id"]]}):
        tag = tagmap(s).get("s3snapshot:drilled", "")
        if s["SnapshotId"] in newest_snaps:
            assert tag.endswith(" passed"), s
        else:
            assert tag == "", s

    # The audit reads the evidence: drilled instances are fine, another is not.
    [other] = make_fleet(ec2, count=1, volumes=1)
    snapshot_run(run, [other])
    r = run(["audit", "--filter", json.dumps({"instances": ids + [other]}), "--max-drill-age", "1h",
             "--output", "json"])
    assert r.returncode == 1, r.stdout + r.stderr
    audit = json.loads(r.stdout)
    undrilled = {v["instance_id"] for v in audit["volumes"] for f in v["findings"] if f["kind"] == "not-drilled"}
    assert undrilled == {other}, audit
    assert "not-drilled" in r.stderr or "no successful drill" in r.stderr, r.stderr


def test_time_to_available_errors_and_the_rto_through_ec2s_clock(run, ec2, ec2clock):
    ids = make_fleet(ec2, count=2, volumes=1)
    rep = snapshot_run(run, ids)
    bad_snap = rep["instances"][1]["snapshots"][0]["snapshot_id"]
    ec2clock.volume_seconds = 2.0
    ec2clock.fail_volume_snapshots = {bad_snap}
    out, r = drill(run, ids, endpoint_url=ec2clock.url, code=1)
    by_id = {s["instance_id"]: s for s in out["sets"]}
    good, bad = by_id[rep["instances"][0]["instance_id"]], by_id[rep["instances"][1]["instance_id"]]
    assert good["ok"] and good["seconds_to_available"] >= 2.0, good
    assert not bad["ok"] and bad["errors"][0]["code"] == "VolumeError", bad
    assert "drill FAILED" in r.stderr and bad["instance_id"] in r.stderr
    assert drill_volumes(ec2, out["drill_id"]) == [], "the volume in error is deleted too"
    assert out["summary"]["restore_seconds_max"] == good["seconds_to_available"]

    ec2clock.fail_volume_snapshots = set()
    slow, r = drill(run, ids, "--rto", "1s", endpoint_url=ec2clock.url, code=1)
    assert all(not s["ok"] for s in slow["sets"]) and "--rto" in r.stdout + json.dumps(slow), slow
    assert drill_volumes(ec2, slow["drill_id"]) == []


def test_the_check_runs_on_the_scratch_instance_through_ssm(run, ec2, moto, recording):
    ids = make_fleet(ec2, count=2, volumes=2)
    [scratch] = make_fleet(ec2, count=1, volumes=1)
    snapshot_run(run, ids)
    faults = SsmFaults(moto["port"])
    try:
        rep, _ = drill(run, ids, "--check-instance", scratch, "--check-command", "fsck -n $S3SNAPSHOT_DEVICES",
                       endpoint_url=faults.url)
        assert rep["ok"] and all(s["check"] == "passed" for s in rep["sets"]), rep
        sends = [r for r in recording.requests() if r.get("headers", {}).get("X-Amz-Target", "").endswith("SendCommand")]
        assert len(sends) == 2, "one check per set"
        raw = sends[0]["body"]
        body = json.loads(base64.b64decode(raw) if sends[0].get("body_encoded") else raw)
        assert body["DocumentName"] == "AWS-RunShellScript" and body["InstanceIds"] == [scratch]
        assert body["Parameters"]["commands"][-1] == "fsck -n $S3SNAPSHOT_DEVICES"
        assert "S3SNAPSHOT_DEVICES='/dev/sdf /dev/sdg'" in body["Parameters"]["commands"][0], body
        ids_line = body["Parameters"]["commands"][1]
        assert ids_line.startswith("export S3SNAPSHOT_VOLUME_IDS='vol-") and len(ids_line.split()) == 3, ids_line
        attached = [r["params"] for r in recording.requests() if r["params"].get("Action") == "AttachVolume"]
        assert len(attached) == 4 and {p["InstanceId"] for p in attached} == {scratch}
        inst = ec2.describe_instances(InstanceIds=[scratch])["Reservations"][0]["Instances"][0]
        assert len(inst["BlockDeviceMappings"]) == 1, "every drill volume detached from the scratch host"
        assert drill_volumes(ec2, rep["drill_id"]) == []

        faults.final["check"] = ("Failed", 3)
        failed, r = drill(run, ids, "--check-instance", scratch, "--check-command", "false", endpoint_url=faults.url,
                          code=1)
        assert all(s["check"] == "failed (exit 3)" and not s["ok"] for s in failed["sets"]), failed
        assert "CheckFailed" in r.stderr
        assert drill_volumes(ec2, failed["drill_id"]) == []
        drilled = [tagmap(s).get("s3snapshot:drilled", "") for s in snapshots(ec2, **{"tag:s3snapshot:instance-id": ids})]
        assert drilled and all(t.endswith(" failed") for t in drilled), drilled
    finally:
        faults.close()


def test_sigterm_mid_drill_deletes_every_volume_it_made(run, ec2, ec2clock, home):
    ids = make_fleet(ec2, count=3, volumes=2)
    snapshot_run(run, ids)
    ec2clock.volume_seconds = 4.0
    args = ["drill", "--filter", json.dumps({"instances": ids}), "--output", "json"]
    code, out, err = start_and_signal(args, base_env(home, ec2clock.url), lambda: ec2clock.count("CreateVolume") >= 3,
                                      [signal.SIGTERM])
    assert code == 1, out + err
    rep = json.loads(out)
    assert rep["cancelled"] and rep["cancel_reason"] == "SIGTERM" and rep["left_behind"] == [], rep
    assert drill_volumes(ec2, rep["drill_id"]) == [], "the volumes still 'creating' were awaited and deleted"
    assert ec2clock.count("DeleteVolume") >= 3


def test_after_a_sigkill_the_next_drill_and_the_next_snapshot_run_sweep(run, ec2, ec2clock, home):
    ids = make_fleet(ec2, count=2, volumes=1)
    snapshot_run(run, ids)
    ec2clock.volume_seconds = 30.0  # caught 'creating'
    args = ["drill", "--filter", json.dumps({"instances": ids}), "--output", "json"]
    code, _, _ = start_and_signal(args, base_env(home, ec2clock.url), lambda: ec2clock.count("CreateVolume") >= 2,
                                  [signal.SIGKILL])
    assert code == -signal.SIGKILL
    left = drill_volumes(ec2)
    assert len(left) >= 2
    ec2clock.volume_seconds = 0.0
    # Younger than --drill-timeout: not swept (a drill still running owns them).
    young, _ = drill(run, ids, endpoint_url=ec2clock.url)
    assert young["swept"] == [] and {v["VolumeId"] for v in drill_volumes(ec2)} >= {v["VolumeId"] for v in left}
    # Three hours old (the clock moves their CreateTime back): the next drill deletes them.
    first = left[0]["VolumeId"]
    ec2clock.aged_volumes[first] = 3 * 3600
    swept, r = drill(run, ids, endpoint_url=ec2clock.url)
    assert swept["swept"] == [first], swept
    # ... and so does a snapshot run.
    for v in left[1:]:
        ec2clock.aged_volumes[v["VolumeId"]] = 3 * 3600
    run_rep = snapshot_run(run, ids, endpoint_url=ec2clock.url)
    assert sorted(run_rep["drill_volumes_swept"]) == sorted(v["VolumeId"] for v in left[1:]), run_rep
    assert drill_volumes(ec2) == []


def test_a_dry_run_plans_and_bad_input_is_refused(run, ec2):
    ids = make_fleet(ec2, count=1, volumes=2)
    snapshot_run(run, ids)
    plan, r = drill(run, ids, "--dry-run")
    assert plan["dry_run"] and len(plan["sets"][0]["volumes"]) == 2, plan
    assert "planned" in run(["drill", "--filter", json.dumps({"instances": ids}), "--dry-run"]).stdout
    for args, words in ((["--check-command", "true"], "--check-command needs --check-instance"),
                        (["--check-instance", "vol-1"], "--check-instance"),
                        (["--keep", "3"], "is not an option of 's3snapshot drill'"),
                        (["--sample", "0"], "--sample")):
        r = run(["drill", "--filter", json.dumps({"instances": ids}), *args])
        assert r.returncode == 2 and words in r.stderr, (args, r.stderr)
    r = run(["drill"])
    assert r.returncode == 2 and "no selection" in r.stderr
    # A check instance that is not running: nothing is restored, and it is not "nothing selected".
    [down] = make_fleet(ec2, count=1, volumes=1, state="stopped")
    rep, r = drill(run, ids, "--check-instance", down, "--check-command", "true", code=1)
    assert rep["errors"][0]["code"] == "CheckInstanceNotRunning" and rep["summary"]["selected"] == 1, rep
    assert "NothingSelected" not in r.stdout + r.stderr and rep["sets"] == []
    r = run(["--filter", json.dumps({"instances": ids, "rto": "1h"})])
    assert r.returncode == 2 and "is a setting of a drill" in r.stderr, r.stderr
