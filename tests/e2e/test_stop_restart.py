"""--stop, --stopped and the restart guarantee, including SIGTERM and SIGINT
arriving mid-run (a proxy holds CreateSnapshots so the run is caught with
instances stopped)."""
import json
import signal

import pytest

from conftest import base_env, make_fleet, snapshots, states, tagmap
from helpers import start_and_signal


def test_stop_restarts_only_what_it_stopped(run, ec2):
    running = make_fleet(ec2, count=2, tags={"Role": "app"}, volumes=2)
    stopped = make_fleet(ec2, count=1, tags={"Role": "app"}, volumes=1, state="stopped")
    r = run(["--stop", "--filter", '{"tags": {"tag:Role": "app"}}', "--output", "json"])
    assert r.returncode == 0, r.stdout + r.stderr
    rep = {i["instance_id"]: i for i in json.loads(r.stdout)["instances"]}
    for iid in running:
        assert rep[iid]["stopped_by_run"] and rep[iid]["restarted"]
    assert not rep[stopped[0]]["stopped_by_run"]
    st = states(ec2, running + stopped)
    assert all(st[i] == "running" for i in running)
    assert st[stopped[0]] == "stopped", "an instance that was already stopped stays stopped"
    assert len(snapshots(ec2)) == 5


def test_stopped_flag_skips_running_instances_with_an_error(run, ec2):
    running = make_fleet(ec2, count=1, tags={"Role": "db"}, volumes=1)
    stopped = make_fleet(ec2, count=1, tags={"Role": "db"}, volumes=1, state="stopped")
    r = run(["-sp", "--filter", '{"tags": {"tag:Role": "db"}}'])
    assert r.returncode == 1
    assert "InstanceNotStopped" in r.stdout
    got = {tagmap(s)["s3snapshot:instance-id"] for s in snapshots(ec2)}
    assert got == set(stopped)
    assert states(ec2, running)[running[0]] == "running"


def test_failed_snapshot_still_restarts(run, ec2, proxy):
    ids = make_fleet(ec2, count=2, volumes=1)
    proxy.add("CreateSnapshots", "error400", count=100)
    r = run(["--stop", "--filter", json.dumps({"instances": ids}), "--output", "json"],
            endpoint_url=proxy.url)
    assert r.returncode == 1
    rep = json.loads(r.stdout)
    for i in rep["instances"]:
        assert i["restarted"] and i["errors"][0]["code"] == "InvalidParameterValue"
    assert rep["summary"]["left_stopped"] == []
    assert set(states(ec2, ids).values()) == {"running"}


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_signal_mid_run_restarts_every_stopped_instance(ec2, proxy, home, sig):
    ids = make_fleet(ec2, count=4, volumes=1)
    proxy.add("CreateSnapshots", "pass", count=100, delay=2.0)
    def all_stopped():
        assert set(states(ec2, ids).values()) == {"stopped"}, "caught mid-run with all instances stopped"
    rc, out, err = start_and_signal(
        ["--stop", "--concurrency", "1", "--output", "json", "--filter", json.dumps({"instances": ids})],
        base_env(home, proxy.url), lambda: proxy.count("CreateSnapshots") >= 1, [sig], before=all_stopped)
    assert rc == 1, err
    rep = json.loads(out)
    assert rep["cancelled"] and rep["cancel_reason"] == signal.Signals(sig).name
    assert rep["summary"]["left_stopped"] == []
    assert set(states(ec2, ids).values()) == {"running"}, "the restart guarantee"
    done = [i for i in rep["instances"] if i["snapshotted"]]
    assert 1 <= len(done) < 4
    assert len(snapshots(ec2)) == len(done)
    for i in rep["instances"]:
        if not i["snapshotted"]:
            assert i["errors"][0]["code"] == "Cancelled"


def test_stop_timeout_reports_and_restarts(run, ec2, proxy):
    """StopInstances is answered but the state never reads 'stopped' in time:
    the proxy hides the stop by answering DescribeInstances from before it."""
    ids = make_fleet(ec2, count=1, volumes=1)
    proxy.add("StopInstances", "error400", count=1)
    r = run(["--stop", "--filter", json.dumps({"instances": ids})], endpoint_url=proxy.url)
    assert r.returncode == 1
    assert "stop: InvalidParameterValue" in r.stdout
    assert states(ec2, ids)[ids[0]] == "running"
    assert snapshots(ec2) == []


def test_signals_while_waiting_for_instances_to_stop(ec2, proxy, home):
    """SIGTERM while the run polls for 'stopped', then a second one while it
    restarts: nothing is snapshotted, everything it stopped runs again."""
    ids = make_fleet(ec2, count=3, volumes=1)
    proxy.add("DescribeInstances", "pass", count=1)               # the selection
    proxy.add("DescribeInstances", "pass", count=100, delay=1.0)  # the polls
    rc, out, err = start_and_signal(
        ["--stop", "--output", "json", "--filter", json.dumps({"instances": ids})], base_env(home, proxy.url),
        lambda: proxy.count("StopInstances") >= 1, [signal.SIGTERM, signal.SIGTERM], settle=0.3, gap=0.5)
    assert rc == 1, err
    rep = json.loads(out)
    assert rep["cancelled"] and rep["summary"]["left_stopped"] == []
    assert set(states(ec2, ids).values()) == {"running"}
    assert snapshots(ec2) == []
    assert proxy.count("CreateSnapshots") == 0


def test_signals_during_the_restart_phase_do_not_stop_the_restarts(ec2, proxy, home):
    """SIGTERM and then SIGINT while StartInstances is in flight: the first
    StartInstances fails (held 2 s, then HTTP 500) and the next three are
    throttled, so every restart attempt that succeeds comes after both
    signals. All instances run again and the report says so."""
    ids = make_fleet(ec2, count=3, volumes=1)
    proxy.add("StartInstances", "error500", count=1, delay=2.0)
    proxy.add("StartInstances", "throttle", count=3)
    def caught():
        assert proxy.count("StartInstances") == 1, proxy.seen
        assert set(states(ec2, ids).values()) == {"stopped"}, "caught with every instance stopped"
    rc, out, err = start_and_signal(
        ["--stop", "--concurrency", "4", "--output", "json", "--filter", json.dumps({"instances": ids})],
        base_env(home, proxy.url), lambda: proxy.count("StartInstances") >= 1, [signal.SIGTERM, signal.SIGINT],
        before=caught)
    rep = json.loads(out)
    assert rep["cancelled"] and rep["cancel_reason"] == "SIGTERM", rep
    assert rep["summary"]["left_stopped"] == [], err
    assert set(states(ec2, ids).values()) == {"running"}, "the restart guarantee"
    assert all(i["stopped_by_run"] and i["restarted"] for i in rep["instances"])
    # 1 failed + 3 throttled + at least one accepted, all after the signals.
    assert proxy.count("StartInstances", "pass") >= 1
    assert proxy.count("StartInstances") >= 5, proxy.seen
    done = [i for i in rep["instances"] if i["snapshotted"]]
    assert len(snapshots(ec2)) == len(done)
    assert rc == 1, "a signalled run exits 1 however much of its work was done\n" + err


def test_a_signal_after_the_last_snapshot_is_still_a_cancelled_run_exit_1(ec2, proxy, home):
    """SIGTERM after every CreateSnapshots has answered (while the device
    tags are in flight): all the work is done, yet the run was cancelled, so
    it says so and exits 1, as the exit table promises."""
    ids = make_fleet(ec2, count=2, volumes=2)
    proxy.add("CreateTags", "pass", count=10, delay=2.0)
    def caught():
        assert proxy.count("CreateSnapshots") == 2 and proxy.count("CreateTags") >= 1, proxy.seen
    rc, out, err = start_and_signal(["--output", "json", "--filter", json.dumps({"instances": ids})],
                                    base_env(home, proxy.url), lambda: proxy.count("CreateTags") >= 1,
                                    [signal.SIGTERM], before=caught)
    rep = json.loads(out)
    assert all(i["snapshotted"] for i in rep["instances"]), rep
    assert rep["cancelled"] and rep["cancel_reason"] == "SIGTERM" and rep["ok"] is False, rep
    assert rc == 1, err
