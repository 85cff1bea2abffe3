"""Choosing what to capture: --exclude-boot and --exclude-device. moto honours
ExcludeBootVolume but ignores ExcludeDataVolumeId (../shared/MOTO.md), so the
request is checked in moto's recording and the boot exclusion by its effect;
the data-volume effect is unit-tested with the fake EC2 (exclusions_test.cc)."""
import json

from conftest import make_fleet, snapshots
from helpers import run_json


def devices(ec2, iid):
    r = ec2.describe_instances(InstanceIds=[iid])
    (inst,) = [i for res in r["Reservations"] for i in res["Instances"]]
    return {bd["DeviceName"]: bd["Ebs"]["VolumeId"] for bd in inst["BlockDeviceMappings"]}, inst["RootDeviceName"]


def test_the_request_names_the_exclusions_and_the_boot_volume_is_left_out(run, ec2, recording):
    (iid,) = make_fleet(ec2, count=1, volumes=3)  # /dev/sda1 (root), /dev/sdf, /dev/sdg
    devs, root = devices(ec2, iid)
    recording.start()
    rep, _ = run_json(run, ["--exclude-boot", "--exclude-device", "/dev/sdg", "--filter",
                            json.dumps({"instances": [iid]})])
    (req,) = [r["params"] for r in recording.requests() if r["params"].get("Action") == "CreateSnapshots"]
    assert req["InstanceSpecification.ExcludeBootVolume"] == "true"
    assert req["InstanceSpecification.ExcludeDataVolumeId.1"] == devs["/dev/sdg"]
    assert "InstanceSpecification.ExcludeDataVolumeId.2" not in req
    snapped = {s["VolumeId"] for s in snapshots(ec2)}
    assert devs[root] not in snapped, "the root volume is left out"
    assert devs["/dev/sdf"] in snapped
    assert rep["ok"] is True


def test_the_payload_keys_do_the_same(run, ec2, recording):
    (iid,) = make_fleet(ec2, count=1, volumes=2)
    devs, _ = devices(ec2, iid)
    recording.start()
    run_json(run, ["--filter", json.dumps({"instances": [iid], "exclude-devices": ["sdf"]})])
    (req,) = [r["params"] for r in recording.requests() if r["params"].get("Action") == "CreateSnapshots"]
    assert req["InstanceSpecification.ExcludeDataVolumeId.1"] == devs["/dev/sdf"]
    assert "InstanceSpecification.ExcludeBootVolume" not in req


def test_bad_exclusions_are_bad_input_and_nothing_is_sent(run, recording):
    for args in (["--exclude-device", "vol-0123", "--all"],
                 ["--filter", json.dumps({"tags": {"tag:A": "b"}, "exclude-devices": ["/dev/sd f"]})],
                 ["--all"] + [a for n in range(41) for a in ("--exclude-device", "/dev/sd%s" % chr(97 + n % 26))],
                 ["audit", "--exclude-boot", "--all"]):
        r = run(args)
        assert r.returncode == 2, (args, r.stderr)
        assert "s3snapshot: error:" in r.stderr
    assert recording.requests() == []


def test_a_volume_tagged_s3snapshot_exclude_true_is_left_out(run, ec2, recording):
    """The volume tag opt-out, as DLM excludes volumes by tag: a data volume
    becomes ExcludeDataVolumeId.N, the root volume ExcludeBootVolume; only
    "true" opts out; one DescribeVolumes (tag filter on the server) per run."""
    a, b = make_fleet(ec2, count=2, volumes=3)
    devs_a, _ = devices(ec2, a)
    devs_b, root_b = devices(ec2, b)
    ec2.create_tags(Resources=[devs_a["/dev/sdg"], devs_b[root_b]], Tags=[{"Key": "s3snapshot:exclude", "Value": "true"}])
    ec2.create_tags(Resources=[devs_a["/dev/sdf"]], Tags=[{"Key": "s3snapshot:exclude", "Value": "no"}])
    recording.start()
    rep, _ = run_json(run, ["--filter", json.dumps({"instances": [a, b]})])
    assert rep["ok"] is True
    reqs = {r["params"]["InstanceSpecification.InstanceId"]: r["params"] for r in recording.requests()
            if r["params"].get("Action") == "CreateSnapshots"}
    assert reqs[a]["InstanceSpecification.ExcludeDataVolumeId.1"] == devs_a["/dev/sdg"]
    assert "InstanceSpecification.ExcludeDataVolumeId.2" not in reqs[a], "only the value true opts out"
    assert "InstanceSpecification.ExcludeBootVolume" not in reqs[a]
    assert reqs[b]["InstanceSpecification.ExcludeBootVolume"] == "true"
    assert not [k for k in reqs[b] if "ExcludeDataVolumeId" in k]
    # The run's own lookup (the drill-leftover sweep's, filtered on tag-key, aside).
    looks = [r["params"] for r in recording.requests() if r["params"].get("Action") == "DescribeVolumes"
             and r["params"].get("Filter.1.Name") != "tag-key"]
    assert len(looks) == 1 and "tag:s3snapshot:exclude" in looks[0].values(), looks
    snapped = {s["VolumeId"] for s in snapshots(ec2)}
    assert devs_b[root_b] not in snapped, "moto honours ExcludeBootVolume"
    assert devs_a["/dev/sdf"] in snapped
