"""--min-interval: at-least-once delivery (overlapping cron jobs, an event
delivered twice) makes one snapshot set per instance, not two."""
import collections
import json
import subprocess
import time

from conftest import base_env, binary, make_fleet, snapshots, tagmap
from helpers import check_report_text, run_json


def sets_per_instance(ec2):
    runs = collections.defaultdict(set)
    for s in snapshots(ec2):
        t = tagmap(s)
        runs[t["s3snapshot:instance-id"]].add(t["s3snapshot:run-id"])
    return {i: len(r) for i, r in runs.items()}


def test_a_second_run_within_the_window_skips_every_instance(run, ec2, recording):
    ids = make_fleet(ec2, count=3, volumes=2)
    doc = json.dumps({"instances": ids, "label": "nightly", "min-interval": "20h"})
    run_json(run, ["--filter", doc])
    rep, r = run_json(run, ["--filter", doc])
    assert all(i["skipped"].startswith("recent: ") and not i["snapshotted"] for i in rep["instances"]), rep
    assert rep["ok"] is True
    assert "skipped (recent)" in run(["--filter", doc]).stdout
    assert sets_per_instance(ec2) == {i: 1 for i in ids}
    # Another label is another schedule: not deduplicated against this one.
    run_json(run, ["--label", "weekly", "--min-interval", "20h", "--filter", json.dumps({"instances": ids})])
    assert sets_per_instance(ec2) == {i: 2 for i in ids}


def test_two_runs_started_a_second_apart_make_one_set_per_instance(ec2, proxy, home):
    """Both runs check before the other has created anything for most
    instances (CreateSnapshots held 1 s each, one at a time): the second look
    after the snapshots makes the later set yield."""
    ids = make_fleet(ec2, count=4, volumes=1)
    proxy.add("CreateSnapshots", "pass", count=100, delay=1.0)
    args = [binary(), "--output", "json", "--concurrency", "1", "--min-interval", "1h",
            "--filter", json.dumps({"instances": ids})]
    first = subprocess.Popen(args, env=base_env(home, proxy.url), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             text=True)
    time.sleep(1.0)
    second = subprocess.Popen(args, env=base_env(home, proxy.url), stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True)
    out1, err1 = first.communicate(timeout=120)
    out2, err2 = second.communicate(timeout=120)
    assert first.returncode == 0 and second.returncode == 0, err1 + err2
    assert sets_per_instance(ec2) == {i: 1 for i in ids}, (out1, out2)
    check_report_text(out1)
    check_report_text(out2)
    r1, r2 = json.loads(out1), json.loads(out2)
    # Each instance is snapshotted by exactly one of the runs (the report says
    # which), and the other says skipped (recent).
    for iid in ids:
        a = next(i for i in r1["instances"] if i["instance_id"] == iid)
        b = next(i for i in r2["instances"] if i["instance_id"] == iid)
        assert a["snapshotted"] != b["snapshotted"], (a, b)
        assert (a if b["snapshotted"] else b)["skipped"].startswith("recent: ")
    assert proxy.count("CreateSnapshots") > 4, "the runs really overlapped: some instance got two CreateSnapshots"


def test_bad_durations_are_exit_2_with_nothing_sent(run, recording):
    for args, message in [
        (["--min-interval", "20", "--all"], "--min-interval: '20' is not a duration from 1s to 366d"),
        (["--min-interval", "1w", "--all"], "'1w' is not a duration"),
        (["--filter", '{"instances": ["i-abcdef12"], "min-interval": 20}'], '"min-interval" must be a duration'),
        (["--filter", '{"instances": ["i-abcdef12"], "min-interval": "0s"}'], '"min-interval": "0s" is not a duration'),
    ]:
        r = run(args)
        assert r.returncode == 2 and message in r.stderr, (args, r.stderr)
    assert recording.actions() == []
