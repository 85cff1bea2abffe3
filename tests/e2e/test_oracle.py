"""The oracle (oracle.py) itself: it must catch a report that lies. Each
test makes a real run, then hands the oracle a forged account of it."""
import json
import subprocess

import pytest

from conftest import make_fleet
from oracle import Oracle


def forged(args, code, out, err=""):
    return subprocess.CompletedProcess(args, code, out, err)


def test_a_snapshot_that_does_not_exist_is_caught(run, ec2, moto):
    ids = make_fleet(ec2, count=1, volumes=1)
    args = ["--filter", json.dumps({"instances": ids}), "--output", "json"]
    real = run(args)
    assert real.returncode == 0, real.stderr
    rep = json.loads(real.stdout)
    rep["instances"][0]["snapshots"][0]["snapshot_id"] = "snap-0123456789abcdef0"
    watch = Oracle(moto["url"], False)
    watch.begin(args)
    with pytest.raises(AssertionError, match="do not exist"):
        watch.check(args, forged(args, 0, json.dumps(rep)))


def test_a_success_line_beside_exit_status_1_is_caught(run, ec2, moto):
    ids = make_fleet(ec2, count=1, volumes=1)
    args = ["--filter", json.dumps({"instances": ids})]
    real = run(args)
    assert real.returncode == 0
    watch = Oracle(moto["url"], False)
    watch.begin(args)
    with pytest.raises(AssertionError):
        watch.check(args, forged(args, 1, real.stdout, "s3snapshot: error: something\n"))


def test_an_instance_called_left_stopped_that_runs_is_caught(run, ec2, moto):
    ids = make_fleet(ec2, count=1, volumes=1)
    args = ["--filter", json.dumps({"instances": ids}), "--stop", "--output", "json"]
    real = run(args)
    assert real.returncode == 0, real.stderr
    rep = json.loads(real.stdout)
    rep["summary"]["left_stopped"] = ids
    rep["instances"][0]["restarted"] = False
    rep["ok"] = False
    watch = Oracle(moto["url"], False)
    watch.begin(args)
    with pytest.raises(AssertionError, match="LEFT STOPPED"):
        watch.check(args, forged(args, 1, json.dumps(rep), "s3snapshot: error: 1 instance(s) LEFT STOPPED\n"))


def test_a_dry_run_that_wrote_the_metrics_file_is_caught(run, ec2, moto, tmp_path):
    ids = make_fleet(ec2, count=1, volumes=1)
    path = tmp_path / "m.prom"
    path.write_text("before\n")
    args = ["--filter", json.dumps({"instances": ids}), "--dry-run", "--metrics-file", str(path)]
    watch = Oracle(moto["url"], False)
    watch.begin(args)
    real = run(args)
    assert real.returncode == 0
    path.write_text("after\n")  # what a lying dry run would have done
    with pytest.raises(AssertionError, match="wrote the metrics file"):
        watch.check(args, real)
