"""--copy-to-region: each new snapshot copied with its tags to other regions,
waiting for the sources first, and retention applied there too."""
import json
import time

from conftest import client, make_fleet, snapshots, tagmap


def test_copies_with_tags_in_two_regions(run, ec2, endpoint):
    ids = make_fleet(ec2, count=2, volumes=2, tags={"Name": "db"})
    r = run(["--filter", json.dumps({"instances": ids}), "--label", "dr", "--copy-to-region", "eu-west-1",
             "--copy-to-region", "us-west-2", "--wait", "--output", "json"], timeout=300)
    assert r.returncode == 0, r.stdout + r.stderr
    rep = json.loads(r.stdout)
    for region in ("eu-west-1", "us-west-2"):
        dest = client("ec2", endpoint, region=region)
        copies = snapshots(dest)
        assert len(copies) == 4
        sources = {s["SnapshotId"]: s for s in snapshots(ec2)}
        for c in copies:
            t = tagmap(c)
            src = sources[t["s3snapshot:source-snapshot"]]
            assert t["s3snapshot:source-region"] == "us-east-1"
            assert t["s3snapshot:source-volume"] == src["VolumeId"]
            assert t["Scripted"] == "s3snapshot" and t["s3snapshot:label"] == "dr"
            assert t["s3snapshot:run-id"] == tagmap(src)["s3snapshot:run-id"]
            assert t["Name"] == tagmap(src)["Name"]
    for i in rep["instances"]:
        for s in i["snapshots"]:
            assert sorted(c["region"] for c in s["copies"]) == ["eu-west-1", "us-west-2"]
            assert all(c["state"] == "completed" and c["snapshot_id"] for c in s["copies"])


def test_retention_applies_in_the_destination(run, ec2, endpoint):
    (iid,) = make_fleet(ec2, count=1, volumes=1)
    doc = json.dumps({"instances": [iid], "copy-to-regions": ["eu-west-1"], "keep": 2})
    for _ in range(3):
        r = run(["--filter", doc], timeout=300)
        assert r.returncode == 0, r.stdout + r.stderr
        time.sleep(1.1)
    dest = client("ec2", endpoint, region="eu-west-1")
    assert len(snapshots(dest)) == 2
    assert len([s for s in snapshots(ec2) if tagmap(s).get("Scripted")]) == 2
    assert "retention: deleted" in r.stdout


def test_dry_run_plans_copies_and_bad_regions_are_refused(run, ec2, recording):
    (iid,) = make_fleet(ec2, count=1, volumes=1)
    recording.start()
    r = run(["--filter", json.dumps({"instances": [iid]}), "--copy-to-region", "eu-west-1", "--dry-run"])
    assert r.returncode == 0 and "-> eu-west-1:" in r.stdout
    r = run(["--filter", json.dumps({"instances": [iid]}), "--copy-to-region", "europe"])
    assert r.returncode == 2 and '"europe" is not a region name' in r.stderr
    r = run(["--filter", json.dumps({"instances": [iid]}), "--kms-key-id", "alias/x"])
    assert r.returncode == 2 and "copy-to-regions" in r.stderr
    assert recording.mutating() == []
