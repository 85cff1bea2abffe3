"""s3snapshot restore, side by side, against moto: which set, one volume per
snapshot in the target's Availability Zone, attached at free devices, no
existing volume touched, exactly once per restore id. The oracle (oracle.py)
holds every run to what moto has, and refuses any mutating call of a restore
but CreateVolume and AttachVolume."""
import json
import signal
import time

import pytest

from conftest import base_env, make_fleet
from helpers import start_and_signal


def snapshot_run(run, ids, endpoint_url=None):
    r = run(["--filter", json.dumps({"instances": ids}), "--output", "json"], endpoint_url=endpoint_url)
    assert r.returncode == 0, r.stdout + r.stderr
    return json.loads(r.stdout)


def restore(run, *args, endpoint_url=None, code=0):
    r = run(["restore", *args, "--output", "json"], endpoint_url=endpoint_url)
    assert r.returncode == code, r.stdout + r.stderr
    return json.loads(r.stdout), r


def restored_volumes(ec2, restore_id):
    return ec2.describe_volumes(Filters=[{"Name": "tag:s3snapshot:restore-id", "Values": [restore_id]}])["Volumes"]


def devices_of(ec2, iid):
    inst = ec2.describe_instances(InstanceIds=[iid])["Reservations"][0]["Instances"][0]
    return {m["DeviceName"]: m["Ebs"]["VolumeId"] for m in inst["BlockDeviceMappings"]}, inst


def test_side_by_side_restores_the_newest_set_once_and_touches_nothing(run, ec2):
    [iid] = make_fleet(ec2, count=1, volumes=2)
    before, inst = devices_of(ec2, iid)
    snapshot_run(run, [iid])
    time.sleep(1.1)  # StartTime has second resolution
    newest = snapshot_run(run, [iid])
    newest_snaps = {s["snapshot_id"] for s in newest["instances"][0]["snapshots"]}

    rep, _ = restore(run, "--instance", iid)
    assert rep["ok"] and rep["set_run_id"] == newest["run_id"], rep
    assert {v["snapshot_id"] for v in rep["volumes"]} == newest_snaps
    assert rep["availability_zone"] == inst["Placement"]["AvailabilityZone"]
    made = restored_volumes(ec2, rep["restore_id"])
    assert len(made) == 2 and all(v["SnapshotId"] in newest_snaps for v in made)
    # Attached at free devices; every original volume still where it was.
    after, _ = devices_of(ec2, iid)
    for dev, vol in before.items():
        assert after[dev] == vol, (dev, before, after)
    new_devices = {v["attached_device"] for v in rep["volumes"]}
    assert len(new_devices) == 2 and not new_devices & set(before), (new_devices, before)
    assert {after[d] for d in new_devices} == {v["VolumeId"] for v in made}
    # The device each snapshot was taken at is on its volume.
    for v in rep["volumes"]:
        assert v["device"] in before and v["source_volume_id"] == before[v["device"]], v

    # The same restore id again: nothing new is made or attached.
    again, _ = restore(run, "--instance", iid, "--restore-id", rep["restore_id"])
    assert again["ok"] and not any(v["created"] for v in again["volumes"]), again
    assert len(restored_volumes(ec2, rep["restore_id"])) == 2
    assert {v["attached_device"] for v in again["volumes"]} == new_devices


def test_run_id_and_before_choose_the_set(run, ec2):
    [iid] = make_fleet(ec2, count=1, volumes=1)
    first = snapshot_run(run, [iid])
    time.sleep(1.1)
    second = snapshot_run(run, [iid])
    first_snap = first["instances"][0]["snapshots"][0]["snapshot_id"]

    rep, _ = restore(run, "--instance", iid, "--run-id", first["run_id"], "--dry-run")
    assert rep["set_run_id"] == first["run_id"] and [v["snapshot_id"] for v in rep["volumes"]] == [first_snap]

    plan, _ = restore(run, "--instance", iid, "--dry-run")
    assert plan["set_run_id"] == second["run_id"]
    rep, _ = restore(run, "--instance", iid, "--before", plan["set_started_at"])
    assert rep["set_run_id"] == first["run_id"], "--before is exclusive: the set begun at that time is not before it"
    assert [v["snapshot_id"] for v in rep["volumes"]] == [first_snap]

    rep, r = restore(run, "--instance", iid, "--run-id", "20200101T000000Z-000000", code=1)
    assert rep["errors"][0]["code"] == "NoSuchSet" and rep["volumes"] == []
    assert "NoSuchSet" in r.stderr


def test_an_incomplete_set_is_refused_never_half_restored(run, ec2, ec2clock):
    [iid] = make_fleet(ec2, count=1, volumes=2)
    complete = snapshot_run(run, [iid], endpoint_url=ec2clock.url)
    time.sleep(1.1)
    broken = snapshot_run(run, [iid], endpoint_url=ec2clock.url)
    data = [s["snapshot_id"] for s in broken["instances"][0]["snapshots"] if s["device"] != "/dev/sda1"]
    ec2clock.fail_ids = set(data)  # it ends in 'error', after its run

    rep, r = restore(run, "--instance", iid, "--run-id", broken["run_id"], endpoint_url=ec2clock.url, code=1)
    assert rep["errors"][0]["code"] == "IncompleteSet", rep
    assert "is error" in rep["errors"][0]["message"] and rep["volumes"] == []
    assert ec2.describe_volumes(Filters=[{"Name": "tag-key", "Values": ["s3snapshot:restore-id"]}])["Volumes"] == []
    # By default the newest complete set is chosen, and the broken one named.
    rep, _ = restore(run, "--instance", iid, "--dry-run", endpoint_url=ec2clock.url)
    assert rep["set_run_id"] == complete["run_id"], rep


def test_a_dry_run_plans_and_makes_nothing_and_az_alone_attaches_nowhere(run, ec2):
    [iid] = make_fleet(ec2, count=1, volumes=2)
    snapshot_run(run, [iid])
    plan, r = restore(run, "--instance", iid, "--dry-run")
    assert plan["dry_run"] and len(plan["volumes"]) == 2
    assert all(v["state"] == "planned" and v["attached_device"].startswith("/dev/sd") for v in plan["volumes"])
    assert "restore plan" not in r.stdout  # JSON
    assert ec2.describe_volumes(Filters=[{"Name": "tag-key", "Values": ["s3snapshot:restore-id"]}])["Volumes"] == []

    rep, _ = restore(run, "--instance", iid, "--availability-zone", "us-east-1c")
    assert rep["ok"] and rep["target_instance_id"] == ""
    made = restored_volumes(ec2, rep["restore_id"])
    assert len(made) == 2 and all(v["AvailabilityZone"] == "us-east-1c" and not v["Attachments"] for v in made)


def test_bad_restore_input_is_exit_2_and_sends_nothing(run, ec2):
    [iid] = make_fleet(ec2, count=1, volumes=1)
    for args, words in ((["restore"], "--instance is required"),
                        (["restore", "--instance", "i-zz"], "is not an instance id"),
                        (["restore", "--instance", iid, "--before", "yesterday"], "RFC 3339"),
                        (["restore", "--instance", iid, "--run-id", "x", "--before", "2026-01-01T00:00:00Z"],
                         "give one"),
                        (["restore", "--instance", iid, "--to-instance", iid, "--availability-zone", "us-east-1a"],
                         "give one"),
                        (["restore", "--instance", iid, "--stop"], "--stop is for --in-place"),
                        (["restore", "--instance", iid, "--keep", "3"], "not an option of 's3snapshot restore'"),
                        (["restore", "--instance", iid, "--in-place", "--to-instance", iid], "not with --to-instance"),
                        (["restore", "--instance", iid, "--filter", "{}"], "--filter is not an option"),
                        (["--instance", iid], "is an option of 's3snapshot restore'"),
                        (["restore", "--instance", iid, "--region", "us-east-1,eu-west-1"], "one region")):
        r = run(args)
        assert r.returncode == 2, (args, r.stdout, r.stderr)
        assert words in r.stderr, (args, r.stderr)


def test_a_terminated_source_needs_a_target(run, ec2):
    [iid] = make_fleet(ec2, count=1, volumes=1)
    snapshot_run(run, [iid])
    ec2.terminate_instances(InstanceIds=[iid])
    rep, r = restore(run, "--instance", iid, code=1)
    assert rep["errors"][0]["code"] == "TargetNotFound" and "--availability-zone" in r.stderr
    rep, _ = restore(run, "--instance", iid, "--availability-zone", "us-east-1a")
    assert rep["ok"] and len(rep["volumes"]) == 1


def test_volumes_are_awaited_through_creating_and_an_error_volume_is_named(run, ec2, ec2clock):
    """Through EC2's clock: volumes stay 'creating' for a while (the restore
    waits, then attaches), one made from a chosen snapshot ends in 'error'
    (named, exit 1, the other still restored); AttachVolume of a volume not
    yet available would be refused, as EC2 refuses it."""
    [iid] = make_fleet(ec2, count=1, volumes=2)
    snaps = snapshot_run(run, [iid], endpoint_url=ec2clock.url)["instances"][0]["snapshots"]
    ec2clock.volume_seconds = 2.0
    ec2clock.attach_seconds = 1.0
    t0 = time.time()
    rep, _ = restore(run, "--instance", iid, endpoint_url=ec2clock.url)
    assert rep["ok"], rep
    assert time.time() - t0 >= 2.0, "the volumes were attached before they were available"
    assert all(v["attached_device"] for v in rep["volumes"])
    assert ec2clock.count("AttachVolume") == 2

    data = [s["snapshot_id"] for s in snaps if s["device"] != "/dev/sda1"]
    ec2clock.fail_volume_snapshots = set(data)
    rep, r = restore(run, "--instance", iid, endpoint_url=ec2clock.url, code=1)
    bad = [v for v in rep["volumes"] if not v["ok"]]
    assert [v["snapshot_id"] for v in bad] == data and bad[0]["state"] == "error", rep
    assert bad[0]["errors"][0]["code"] == "VolumeError" and bad[0]["volume_id"] in r.stderr
    good = [v for v in rep["volumes"] if v["ok"]]
    assert len(good) == 1 and good[0]["attached_device"], rep


def test_the_clock_refuses_what_ec2_refuses(ec2, ec2clock):
    """The refusals the clock adds (moto accepts them all), so that a restore
    that attached wrongly would fail here as on EC2."""
    import boto3
    import botocore.exceptions
    [iid] = make_fleet(ec2, count=1, volumes=2)
    inst = ec2.describe_instances(InstanceIds=[iid])["Reservations"][0]["Instances"][0]
    az = inst["Placement"]["AvailabilityZone"]
    other = "us-east-1c" if az != "us-east-1c" else "us-east-1b"
    c = boto3.client("ec2", endpoint_url=ec2clock.url, region_name="us-east-1", aws_access_key_id="testing",
                     aws_secret_access_key="testing")
    far = c.create_volume(AvailabilityZone=other, Size=1)["VolumeId"]
    near = c.create_volume(AvailabilityZone=az, Size=1)["VolumeId"]
    for vol, dev, code in ((far, "/dev/sdm", "InvalidVolume.ZoneMismatch"), (near, "/dev/xvdf", "InvalidParameterValue")):
        try:
            c.attach_volume(VolumeId=vol, InstanceId=iid, Device=dev)
            raise AssertionError("the clock let %s attach at %s" % (vol, dev))
        except botocore.exceptions.ClientError as e:
            assert e.response["Error"]["Code"] == code, e
    root = [m["Ebs"]["VolumeId"] for m in inst["BlockDeviceMappings"] if m["DeviceName"] == inst["RootDeviceName"]][0]
    try:
        c.detach_volume(VolumeId=root)
        raise AssertionError("the clock let a running instance's root volume go")
    except botocore.exceptions.ClientError as e:
        assert e.response["Error"]["Code"] == "IncorrectState", e
    ec2clock.volume_seconds = 5.0
    fresh = c.create_volume(AvailabilityZone=az, Size=1)
    assert fresh["State"] == "creating"
    try:
        c.attach_volume(VolumeId=fresh["VolumeId"], InstanceId=iid, Device="/dev/sdn")
        raise AssertionError("the clock let a creating volume attach")
    except botocore.exceptions.ClientError as e:
        assert e.response["Error"]["Code"] == "IncorrectState", e
    # A volume still 'creating', or attached, cannot be deleted; one smaller
    # than its snapshot cannot be made.
    for vol, code in ((fresh["VolumeId"], "IncorrectState"), (root, "VolumeInUse")):
        try:
            c.delete_volume(VolumeId=vol)
            raise AssertionError("the clock let %s be deleted" % vol)
        except botocore.exceptions.ClientError as e:
            assert e.response["Error"]["Code"] == code, e
    snap = ec2.create_snapshot(VolumeId=root)["SnapshotId"]  # of an 8 GiB volume
    try:
        c.create_volume(AvailabilityZone=az, SnapshotId=snap, Size=4)
        raise AssertionError("the clock made a volume smaller than its snapshot")
    except botocore.exceptions.ClientError as e:
        assert e.response["Error"]["Code"] == "InvalidParameterValue" and "too small" in str(e), e


def test_in_place_with_stop_swaps_every_device_and_runs_again(run, ec2, ec2clock):
    """A running instance, --in-place --stop, through EC2's clock (which
    refuses detaching a running instance's root): every device holds its
    restored volume, the originals are kept and tagged, the instance runs."""
    [iid] = make_fleet(ec2, count=1, volumes=2)
    snapshot_run(run, [iid])
    before, _ = devices_of(ec2, iid)
    rep, _ = restore(run, "--instance", iid, "--in-place", "--stop", endpoint_url=ec2clock.url)
    assert rep["ok"] and rep["replaced"] and rep["stopped_by_run"] and rep["restarted"], rep
    after, inst = devices_of(ec2, iid)
    assert set(after) == set(before)
    made = {v["VolumeId"] for v in restored_volumes(ec2, rep["restore_id"])}
    assert set(after.values()) == made, (before, after)
    assert inst["State"]["Name"] in ("running", "pending")
    for dev, vol in before.items():
        tags = {t["Key"]: t["Value"] for t in ec2.describe_volumes(VolumeIds=[vol])["Volumes"][0].get("Tags", [])}
        assert tags.get("s3snapshot:replaced-by") == after[dev], tags


def test_in_place_rolls_back_after_a_refused_attach(run, ec2, proxy):
    """The second AttachVolume refused (the fault proxy): every original is at
    its device again, the instance runs, exit 1 says ROLLED BACK."""
    [iid] = make_fleet(ec2, count=1, volumes=2)
    snapshot_run(run, [iid])
    before, _ = devices_of(ec2, iid)
    proxy.add("AttachVolume", "pass", count=1)
    proxy.add("AttachVolume", "error400", count=1, code="InvalidParameterValue")
    rep, r = restore(run, "--instance", iid, "--in-place", "--stop", endpoint_url=proxy.url, code=1)
    assert rep["rolled_back"] and not rep["replaced"] and rep["restarted"], rep
    after, inst = devices_of(ec2, iid)
    assert after == before
    assert inst["State"]["Name"] in ("running", "pending")
    assert "ROLLED BACK" in r.stderr


@pytest.mark.parametrize("step", ["DetachVolume", "AttachVolume"])
def test_in_place_rolls_back_after_sigterm_mid_swap(ec2, ec2clock, home, run, step):
    """SIGTERM while the swap's first detach or attach is in progress
    (EC2's clock keeps it 'detaching' / 'attaching' for a while): every
    original goes back to its device and the instance runs again."""
    [iid] = make_fleet(ec2, count=1, volumes=2)
    snapshot_run(run, [iid])
    before, _ = devices_of(ec2, iid)
    ec2clock.detach_seconds = ec2clock.attach_seconds = 2.0
    args = ["restore", "--instance", iid, "--in-place", "--stop", "--output", "json"]
    code, out, err = start_and_signal(args, base_env(home, ec2clock.url), lambda: ec2clock.count(step) >= 1,
                                      [signal.SIGTERM], settle=0.3)
    assert code == 1, out + err
    rep = json.loads(out)
    assert rep["cancelled"] and rep["rolled_back"] and not rep["replaced"] and rep["restarted"], rep
    after, inst = devices_of(ec2, iid)
    assert after == before, (before, after)
    assert inst["State"]["Name"] in ("running", "pending")
    assert "ROLLED BACK" in err
