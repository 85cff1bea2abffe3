"""Options in combination: every pair of values of the options that change
what a run does, in a generated all-pairs set of cases (pairwise.py), each
run against moto and through the oracle (oracle.py: the report, stderr, the
exit status, the metrics and the SNS message against moto's state and its
recording), plus what each case itself must leave behind."""
import json

import pytest

from conftest import client, make_fleet, snapshots, sqs_topic, states
from pairwise import all_pairs

PARAMS = [
    ("mode", ["plain", "stop", "stopped", "scripts"]),  # --stop, --stopped and scripts exclude each other
    ("dry_run", [False, True]),
    ("wait", [False, True]),
    ("keep", [False, True]),
    ("copy", [False, True]),
    ("min_interval", [False, True]),
    ("metrics", ["none", "file", "cloudwatch"]),
    ("sns", [False, True]),
    ("exclude", ["none", "boot", "device"]),
    ("regions", [1, 2]),
]
CASES = all_pairs(PARAMS)
TAGS = {"tag:Env": "MATRIX"}


def case_id(c):
    on = [k if v is True else "%s=%s" % (k, v) for k, v in c.items() if v not in (False, "none", "plain", 1)]
    return "-".join(on) or "plain"


def test_the_cases_cover_every_pair():
    assert 10 <= len(CASES) <= 20, len(CASES)
    for (a, va), (b, vb) in ((x, y) for i, x in enumerate(
            [(n, v) for n, vs in PARAMS for v in vs]) for y in [(n, v) for n, vs in PARAMS for v in vs][i + 1:]):
        if a != b:
            assert any(c[a] == va and c[b] == vb for c in CASES), (a, va, b, vb)


@pytest.mark.parametrize("case", CASES, ids=[case_id(c) for c in CASES])
def test_options_in_combination(run, endpoint, tmp_path, case):
    regions = ["us-east-1", "us-west-2"][:case["regions"]]
    fleet = {}
    for region in regions:
        ec2 = client("ec2", endpoint, region=region)
        fleet[region] = make_fleet(ec2, count=2, volumes=2, tags={"Env": "MATRIX"},
                                   state="stopped" if case["mode"] == "stopped" else "running")
    selection = ["--filter", json.dumps({"tags": TAGS}), "--region", ",".join(regions)]
    # History: an earlier set for retention to weigh (and --min-interval to skip for).
    assert run(selection).returncode == 0
    before = {r: {s["SnapshotId"] for s in snapshots(client("ec2", endpoint, region=r))} for r in regions}

    args = list(selection) + ["--output", "json"]
    if case["mode"] == "stop":
        args.append("--stop")
    elif case["mode"] == "stopped":
        args.append("--stopped")
    elif case["mode"] == "scripts":
        args += ["--pre-script", "sync", "--post-script", "true"]
    if case["dry_run"]:
        args.append("--dry-run")
    if case["wait"]:
        args.append("--wait")
    if case["keep"]:
        args += ["--keep", "1"]
    if case["copy"]:
        args += ["--copy-to-region", "eu-west-1"]
    if case["min_interval"]:
        args += ["--min-interval", "1h"]
    metrics = tmp_path / "s3snapshot.prom"
    if case["metrics"] == "file":
        args += ["--metrics-file", str(metrics)]
    elif case["metrics"] == "cloudwatch":
        args.append("--cloudwatch-metrics")
    read = None
    if case["sns"]:
        topic, read = sqs_topic(endpoint, "matrix")
        args += ["--sns-arn", topic]
    if case["exclude"] == "boot":
        args.append("--exclude-boot")
    elif case["exclude"] == "device":
        args += ["--exclude-device", "/dev/sdf"]

    r = run(args)
    assert r.returncode == 0, r.stdout + r.stderr
    rep = json.loads(r.stdout)
    assert rep["dry_run"] == case["dry_run"]
    assert len(rep["instances"]) == 2 * len(regions)
    for region in regions:
        ec2 = client("ec2", endpoint, region=region)
        want = "stopped" if case["mode"] == "stopped" else "running"
        assert set(states(ec2, fleet[region]).values()) <= {want, "pending"}, "left as found"
        now = {s["SnapshotId"] for s in snapshots(ec2)}
        made = now - before[region]
        if case["dry_run"] or case["min_interval"]:
            assert made == set(), "a plan, or sets too recent: nothing made"
        else:
            # moto ignores ExcludeDataVolumeId (MOTO.md): the device's
            # exclusion is checked in the request, the boot one in the result.
            per_instance = 1 if case["exclude"] == "boot" else 2
            assert len(made) == 2 * per_instance
        if case["dry_run"]:
            assert now == before[region], "a plan deletes nothing"
    if case["min_interval"]:
        assert all(i["skipped"].startswith("recent") for i in rep["instances"])
    if read is not None:
        assert len(read()) == (0 if case["dry_run"] else 1)
    if case["metrics"] == "file":
        assert metrics.exists() != case["dry_run"]
    if case["dry_run"]:
        # The text plan says the same as the JSON one, and pages nobody.
        text = run([a for a in args if a not in ("--output", "json")])
        assert text.returncode == 0
        assert ("%d instance(s), %d snapshot(s) planned, 0 failed" % (2 * len(regions), rep["summary"]["snapshots"])) \
            in text.stdout
