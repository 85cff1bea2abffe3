"""Application-consistent snapshots: --pre-script/--post-script through SSM
Run Command, and the thaw guarantee (every instance whose pre-script was sent
gets its post-script, and one whose post-script never succeeds is named NOT
THAWED). moto runs every command `Success` at once, so the order is read from
moto's recording, and failures, `InProgress` and lost answers come from the
SSM proxy (ssm_faults.py), which also logs every request in arrival order."""
import base64
import json
import signal
import time

import pytest

from conftest import base_env, client, make_fleet, snapshots, sqs_topic
from helpers import run_json, start_and_signal
from ssm_faults import SsmFaults

PRE = "fsfreeze --freeze /data"
POST = "fsfreeze --unfreeze /data || true"
SCRIPTS = ["--pre-script", PRE, "--post-script", POST]


@pytest.fixture
def ssm_faults(moto):
    f = SsmFaults(moto["port"])
    yield f
    f.close()


def calls(recording):
    """(service operation, request) in the order moto received them: SSM's
    JSON bodies and EC2's Query parameters."""
    out = []
    for row in recording.requests():
        headers = {k.lower(): v for k, v in (row.get("headers") or {}).items()}
        target = headers.get("x-amz-target", "")
        if target.startswith("AmazonSSM."):
            body = row.get("body") or ""
            if row.get("body_encoded"):
                body = base64.b64decode(body).decode()
            out.append((target.split(".", 1)[1], json.loads(body)))
        elif row["params"].get("Action"):
            out.append((row["params"]["Action"], row["params"]))
    return out


def stage(req):
    return (req.get("Parameters") or {}).get("command", [None])[0] or req.get("Comment", "").rsplit(" ", 1)[-1]


def test_twenty_instances_get_pre_script_success_snapshot_then_post_script_in_that_order(run, ec2, recording,
                                                                                         endpoint):
    ids = make_fleet(ec2, count=20, volumes=2)
    recording.start()
    rep, r = run_json(run, SCRIPTS + ["--concurrency", "8", "--filter", json.dumps({"instances": ids})])
    assert rep["ok"] and rep["summary"]["not_thawed"] == [], r.stderr
    seq = calls(recording)
    commands = {}  # command id -> stage, learnt from moto's own listing below
    ssm = client("ssm", endpoint)
    for c in ssm.list_commands()["Commands"]:  # (moto lists every instance as a target: use the requests)
        commands[c["CommandId"]] = stage(c)
    for op, q in seq:
        if op != "SendCommand":
            continue
        assert q["DocumentName"] == "AWS-RunShellScript" and q["TimeoutSeconds"] == 30, q
        assert q["Parameters"]["executionTimeout"] == ["30"]
        assert q["Parameters"]["commands"] == [PRE if stage(q) == "pre-script" else POST]
        if stage(q) == "pre-script":
            assert len(q["InstanceIds"]) <= 8, "a wave is no larger than --concurrency"
        assert len(q["InstanceIds"]) <= 50
    for iid in ids:
        pre = [n for n, (op, q) in enumerate(seq) if op == "SendCommand" and stage(q) == "pre-script"
               and iid in q["InstanceIds"]]
        looks = [n for n, (op, q) in enumerate(seq) if op == "GetCommandInvocation" and q["InstanceId"] == iid
                 and commands.get(q["CommandId"]) == "pre-script"]
        create = [n for n, (op, q) in enumerate(seq) if op == "CreateSnapshots"
                  and q["InstanceSpecification.InstanceId"] == iid]
        post = [n for n, (op, q) in enumerate(seq) if op == "SendCommand" and stage(q) == "post-script"
                and iid in q["InstanceIds"]]
        assert len(pre) == 1 and len(create) == 1 and len(post) == 1, (iid, pre, create, post)
        assert looks and pre[0] < looks[0] and looks[-1] < create[0] < post[0], (iid, pre, looks, create, post)
    by_id = {i["instance_id"]: i for i in rep["instances"]}
    for iid in ids:
        i = by_id[iid]
        assert i["consistency"] == "application" and i["snapshotted"], i
        assert i["scripts"]["pre"]["status"] == "Success" and i["scripts"]["post"]["status"] == "Success", i
        assert i["scripts"]["thaw_owed"] and i["scripts"]["thawed"], i
    assert len(snapshots(ec2)) == 40


def test_a_failed_pre_script_falls_back_to_crash_consistent_or_skips_as_configured(run, ec2, moto, ssm_faults):
    ids = make_fleet(ec2, count=3, volumes=1)
    bad = ids[1]
    ssm_faults.final[("pre-script", bad)] = ("Failed", 1)
    env = {"AWS_ENDPOINT_URL_SSM": ssm_faults.url}
    rep, r = run_json(run, SCRIPTS + ["--filter", json.dumps({"instances": ids})], env=env)
    by_id = {i["instance_id"]: i for i in rep["instances"]}
    assert by_id[bad]["snapshotted"] and by_id[bad]["consistency"] == "crash", by_id[bad]
    assert any("crash-consistent" in w for w in by_id[bad]["warnings"]), by_id[bad]
    assert by_id[bad]["scripts"]["pre"] == {**by_id[bad]["scripts"]["pre"], "status": "Failed", "exit_code": 1}
    assert all(by_id[i]["scripts"]["thawed"] for i in ids)
    assert by_id[ids[0]]["consistency"] == "application"

    before = len(snapshots(ec2))
    rep, r = run_json(run, SCRIPTS + ["--on-script-failure", "skip", "--filter", json.dumps({"instances": ids})],
                      env=env, expect=1)
    by_id = {i["instance_id"]: i for i in rep["instances"]}
    assert not by_id[bad]["snapshotted"] and by_id[bad]["consistency"] is None
    assert [e["code"] for e in by_id[bad]["errors"]] == ["PreScriptFailed"], by_id[bad]
    assert by_id[bad]["scripts"]["thawed"], "the post-script runs after a failed pre-script too"
    assert bad in r.stderr and "pre-script Failed" in r.stderr, r.stderr
    assert len(snapshots(ec2)) == before + 2, "the other two were snapshotted"


def test_waits_for_a_pre_script_in_progress_and_a_timed_out_one_is_a_failure(run, ec2, ssm_faults):
    ids = make_fleet(ec2, count=2, volumes=1)
    ssm_faults.in_progress["pre-script"] = 2.0
    ssm_faults.final[("pre-script", ids[1])] = ("TimedOut", -1)
    rep, _ = run_json(run, SCRIPTS + ["--script-timeout", "10", "--filter", json.dumps({"instances": ids})],
                      endpoint_url=ssm_faults.url)  # EC2 through it too: one log of both
    by_id = {i["instance_id"]: i for i in rep["instances"]}
    assert by_id[ids[0]]["consistency"] == "application", by_id[ids[0]]
    assert by_id[ids[1]]["consistency"] == "crash" and by_id[ids[1]]["scripts"]["pre"]["status"] == "TimedOut"
    # The snapshot came only after the InProgress looks.
    events = list(ssm_faults.events)
    create = [t for t, what, _, iids in events if what == "CreateSnapshots" and ids[0] in iids]
    sent = [t for t, what, st, iids in events if what == "send" and st == "pre-script" and ids[0] in iids]
    assert create and sent and create[0] - sent[0] >= 2.0, (sent, create)
    assert rep["summary"]["not_thawed"] == []


def test_a_lost_post_script_answer_is_sent_again_and_a_post_script_that_always_fails_is_not_thawed(
        run, ec2, endpoint, ssm_faults, tmp_path):
    ids = make_fleet(ec2, count=2, volumes=1)
    ssm_faults.lose["post-script"] = 1
    env = {"AWS_ENDPOINT_URL_SSM": ssm_faults.url}
    rep, _ = run_json(run, SCRIPTS + ["--filter", json.dumps({"instances": ids})], env=env)
    assert rep["summary"]["not_thawed"] == []
    sends = [ssm_faults.sends("post-script", i) for i in ids]
    assert min(sends) >= 1 and max(sends) == 2, (sends, ssm_faults.events)  # the lost one's, again

    topic, read = sqs_topic(endpoint, "thaw-errors")
    ssm_faults.final[("post-script", ids[1])] = ("Failed", 1)
    prom = tmp_path / "s3snapshot.prom"
    rep, r = run_json(run, SCRIPTS + ["--sns-arn-error", topic, "--metrics-file", str(prom), "--filter",
                                      json.dumps({"instances": ids})], env=env, expect=1)
    (line,) = [x for x in prom.read_text().splitlines() if x.startswith("s3snapshot_instances_not_thawed{")]
    assert float(line.rsplit(" ", 1)[1]) == 1, line
    assert rep["summary"]["not_thawed"] == [ids[1]], rep["summary"]
    by_id = {i["instance_id"]: i for i in rep["instances"]}
    assert "NotThawed" in [e["code"] for e in by_id[ids[1]]["errors"]]
    assert "NOT THAWED" in r.stderr and ids[1] in r.stderr, r.stderr
    (msg,) = read()
    assert "NOT THAWED" in msg["Message"] and ids[1] in msg["Message"], msg["Message"]


def test_sigterm_between_pre_script_and_snapshot_still_thaws_every_host_sent_a_pre_script(ec2, home, endpoint,
                                                                                          ssm_faults):
    ids = make_fleet(ec2, count=4, volumes=1)
    ssm_faults.in_progress["pre-script"] = 3.0
    env = base_env(home, ssm_faults.url)  # EC2 through it too: one log of both
    rc, out, err = start_and_signal(SCRIPTS + ["--concurrency", "2", "--output", "json", "--filter",
                                               json.dumps({"instances": ids})], env,
                                    ready=lambda: ssm_faults.sends("pre-script", ids[0]) > 0,
                                    signals=[signal.SIGTERM], settle=0.5)
    assert rc == 1, err
    rep = json.loads(out)
    assert rep["cancelled"] and rep["summary"]["not_thawed"] == [], rep["summary"]
    events = list(ssm_faults.events)
    assert not [e for e in events if e[1] == "CreateSnapshots"], "cancelled before any snapshot"
    frozen = [i for i in ids if ssm_faults.sends("pre-script", i)]
    assert len(frozen) == 2, "the first wave only"
    by_id = {i["instance_id"]: i for i in rep["instances"]}
    for iid in frozen:
        pre_at = min(t for t, what, st, iids in events if what == "send" and st == "pre-script" and iid in iids)
        posts = [t for t, what, st, iids in events if what == "send" and st == "post-script" and iid in iids]
        # Sent at once, and again once the pre-script had ended (3 s): a late freeze is thawed too.
        assert posts and posts[0] > pre_at and posts[-1] - pre_at >= 3.0, (pre_at, posts)
        assert by_id[iid]["scripts"]["thawed"], by_id[iid]
    for iid in set(ids) - set(frozen):
        assert by_id[iid]["scripts"] is None or not by_id[iid]["scripts"]["thaw_owed"]
        assert ssm_faults.sends("post-script", iid) == 0


@pytest.mark.parametrize("args", [
    SCRIPTS + ["--stop", "--all"],
    SCRIPTS + ["--stopped", "--all"],
    SCRIPTS + ["--script-timeout", "9", "--all"],
    SCRIPTS + ["--script-timeout", "121", "--all"],
    ["--ssm-document", "no spaces allowed", "--all"],
    ["--ssm-document", "MyDoc", "--pre-script", "sync", "--all"],
    SCRIPTS + ["--on-script-failure", "ignore", "--all"],
    ["--filter", json.dumps({"tags": {"tag:A": "b"}, "pre-script": 42})],
    ["--filter", json.dumps({"tags": {"tag:A": "b"}, "pre-script": "sync", "stop": True})],
    ["audit", "--pre-script", "sync", "--all"],
])
def test_bad_script_settings_are_bad_input_and_nothing_is_sent(run, recording, args):
    r = run(args)
    assert r.returncode == 2, (args, r.stdout, r.stderr)
    assert "s3snapshot: error:" in r.stderr
    assert recording.requests() == []
