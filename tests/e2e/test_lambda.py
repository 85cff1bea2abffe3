"""The Lambda package: built by one command, checked for the provided.al2023
runtime, unzipped into an empty folder and run under the AWS Lambda Runtime
Interface Emulator against moto with the seed's payloads."""
import json
import os
import shutil
import socket
import subprocess
import threading
import time
import urllib.error
import urllib.request
import zipfile

import pytest

from conftest import REGION, check_consistent, make_fleet, snapshots, sqs_topic, states
from helpers import check_emf, check_report, free_port, seed_payload

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))


# S3SNAPSHOT_ARCH=arm64 (a cross build): the arm64 zip, run by an arm64
# aws-lambda-rie, both under the emulator (S3SNAPSHOT_EMULATOR).
ARCH = "arm64" if os.environ.get("S3SNAPSHOT_ARCH") == "arm64" else "x86_64"
EMULATOR = os.environ.get("S3SNAPSHOT_EMULATOR", "").split()


def rie_path():
    gopath = subprocess.run(["go", "env", "GOPATH"], capture_output=True, text=True).stdout.strip()
    if ARCH == "arm64":
        return os.path.join(gopath, "bin", "linux_arm64", "aws-lambda-rie")
    for p in (shutil.which("aws-lambda-rie"), os.path.expanduser("~/go/bin/aws-lambda-rie")):
        if p and os.path.exists(p):
            return p
    return os.path.join(gopath, "bin", "aws-lambda-rie")


@pytest.fixture(scope="module")
def package():
    build = os.environ.get("S3SNAPSHOT_BUILD_DIR", os.path.join(ROOT, "build"))
    out = subprocess.run([os.path.join(ROOT, "scripts", "package-lambda.sh"), "--arch", ARCH, build], cwd=ROOT,
                         capture_output=True, text=True, timeout=600)
    assert out.returncode == 0, out.stdout + out.stderr
    path = os.path.join(ROOT, out.stdout.strip().splitlines()[-1])
    assert os.path.basename(path).startswith("s3snapshot-") and path.endswith("-lambda-%s.zip" % ARCH)
    return path


def test_package_runs_on_glibc_2_34(package):
    r = subprocess.run(["python3", os.path.join(ROOT, "scripts", "check-lambda-package.py"), package],
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stdout
    assert "highest GLIBC needed 2.3" in r.stdout
    assert ("AArch64" if ARCH == "arm64" else "X86-64") in r.stdout, r.stdout
    with zipfile.ZipFile(package) as z:
        assert "bootstrap" in z.namelist()


RUNTIME_API_PORT = 9001  # the RIE serves the Runtime API on this fixed port


def port_holder(port):
    """None when 127.0.0.1:port can be bound, else a sentence naming who holds it."""
    with socket.socket() as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind(("127.0.0.1", port))
            return None
        except OSError:
            pass
    who = subprocess.run(["ss", "-Hltnp", "sport = :%d" % port], capture_output=True, text=True).stdout.strip()
    return ("port %d, which aws-lambda-rie always uses for the Lambda Runtime API, is held by another "
            "process%s; stop it (a stray aws-lambda-rie from an earlier run?) and run the tests again"
            % (port, (": " + who) if who else ""))


class Rie:
    def __init__(self, folder, env):
        held = port_holder(RUNTIME_API_PORT)
        if held:
            raise RuntimeError(held)
        self.port = free_port()
        self.log_path = os.path.join(folder, "..", "rie.log")
        self.log = open(self.log_path, "w")
        entry = os.path.join(folder, "bootstrap")
        if EMULATOR:
            # The zip's own bootstrap, run by the emulator (this machine has no
            # binfmt_misc entry that would run it by itself).
            entry = os.path.join(folder, "..", "bootstrap-emulated")
            with open(entry, "w") as f:
                f.write("#!/bin/sh\nexec %s %s \"$@\"\n" % (" ".join(EMULATOR), os.path.join(folder, "bootstrap")))
            os.chmod(entry, 0o755)
        self.proc = subprocess.Popen(
            EMULATOR + [rie_path(), "--runtime-interface-emulator-address", "127.0.0.1:%d" % self.port, entry],
            cwd=folder, env=env, stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.time() + 20
        while time.time() < deadline and self.proc.poll() is None:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.5).close()
                return
            except OSError:
                time.sleep(0.1)
        self.log.flush()
        with open(self.log_path) as f:
            tail = f.read()[-2000:]
        status = "exited with status %s" % self.proc.returncode if self.proc.poll() is not None else \
            "did not listen on 127.0.0.1:%d within 20 s" % self.port
        self.close()
        raise RuntimeError("aws-lambda-rie %s; its log:\n%s" % (status, tail))

    def invoke(self, payload, timeout=120):
        data = payload if isinstance(payload, bytes) else payload.encode()
        req = urllib.request.Request(
            "http://127.0.0.1:%d/2015-03-31/functions/function/invocations" % self.port,
            data=data, method="POST")
        with urllib.request.urlopen(req, timeout=timeout) as r:
            body = r.read()
        try:
            out = json.loads(body)
        except ValueError:  # RIE's own "Task timed out after ..." is not JSON
            return {"errorType": "RIE", "errorMessage": body.decode("utf-8", "replace")}
        if isinstance(out, dict) and "command" in out:
            check_report(out)  # every report the function answers, against the published schema
        return out

    def close(self):
        self.proc.terminate()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        self.log.close()


@pytest.fixture
def lambda_fn(package, tmp_path, endpoint):
    folder = tmp_path / "task"
    folder.mkdir()
    with zipfile.ZipFile(package) as z:
        z.extractall(folder)
    os.chmod(folder / "bootstrap", 0o755)
    started = []

    def start(endpoint_url=None, timeout_s=60, extra_env=None):
        env = {
            "PATH": "/usr/bin:/bin",
            "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_REGION": REGION, "AWS_EC2_METADATA_DISABLED": "true",
            "AWS_ENDPOINT_URL": endpoint_url or endpoint,
            "AWS_LAMBDA_FUNCTION_TIMEOUT": str(timeout_s),
            "AWS_LAMBDA_FUNCTION_NAME": "s3snapshot", "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "128",
            "HOME": str(tmp_path),
        }
        env.update(extra_env or {})
        rie = Rie(str(folder), env)
        started.append(rie)
        return rie
    yield start
    for r in started:
        r.close()


def test_bundled_libraries_are_the_ones_loaded(lambda_fn, tmp_path):
    folder = tmp_path / "task"
    lambda_fn()  # unzips
    out = subprocess.run(["ldd", str(folder / "bootstrap")], capture_output=True, text=True,
                         env={"PATH": "/usr/bin:/bin"}).stdout
    for line in out.splitlines():
        if "libcurl" in line or "libssl" in line or "libnghttp2" in line:
            assert str(folder / "lib") in line, line


def test_seed_example_1_payload(lambda_fn, endpoint, ec2):
    topic, read = sqs_topic(endpoint, "Snapshot")
    _, read_err = sqs_topic(endpoint, "Snapshot-Err")
    ids = make_fleet(ec2, count=2, tags={"Env": "PROD", "Owner": "John"}, volumes=2)
    make_fleet(ec2, count=1, tags={"Env": "PROD", "Owner": "Mary"}, volumes=1)
    rie = lambda_fn()
    rep = rie.invoke(seed_payload(1))
    assert rep["ok"] is True, rep
    assert sorted(i["instance_id"] for i in rep["instances"]) == ids
    assert len(snapshots(ec2)) == 4
    (msg,) = read()
    assert "2 instances, 4 snapshots, 0 failed" in msg["Subject"]
    assert read_err() == []
    # A warm second invocation reuses the process.
    rep2 = rie.invoke('{"tags": {"tag:Owner": "Mary"}}')
    assert rep2["ok"] and len(snapshots(ec2)) == 5


def test_the_stacks_topics_are_wired_by_the_environment(lambda_fn, endpoint, ec2):
    """The SAM template puts the topics it creates in S3SNAPSHOT_SNS_ARN and
    S3SNAPSHOT_SNS_ARN_ERROR: a payload naming none is told there; one that
    names its own topic wins; a malformed ARN there is an init error."""
    topic, read = sqs_topic(endpoint, "Stack-Snapshot")
    err_topic, read_err = sqs_topic(endpoint, "Stack-Snapshot-Err")
    own, read_own = sqs_topic(endpoint, "Own")
    make_fleet(ec2, count=1, tags={"Env": "PROD"}, volumes=1)
    rie = lambda_fn(extra_env={"S3SNAPSHOT_SNS_ARN": topic, "S3SNAPSHOT_SNS_ARN_ERROR": err_topic})
    assert rie.invoke('{"tags": {"tag:Env": "PROD"}}')["ok"] is True
    (msg,) = read()
    assert "1 instances, 1 snapshots, 0 failed" in msg["Subject"]
    rep = rie.invoke('{"tags": {"tag:Env": "PRD"}}')  # a typo: nothing matched
    assert rep["ok"] is False and "errorType" not in rep
    (err,) = read_err()
    assert "NothingSelected" in err["Message"]
    assert len(read()) == 1, "the summary topic hears of every run"
    assert rie.invoke(json.dumps({"tags": {"tag:Env": "PROD"}, "sns-arn": own}))["ok"] is True
    assert len(read_own()) == 1 and read() == []
    rie.close()  # one RIE at a time: it always holds port 9001
    bad = lambda_fn(extra_env={"S3SNAPSHOT_SNS_ARN": "arn:aws:sns:us-east-1:1:x"})
    with pytest.raises(urllib.error.HTTPError):  # the RIE's answer to an init error
        bad.invoke('{"tags": {"tag:Env": "PROD"}}')
    bad.log.flush()
    with open(bad.log_path) as f:
        assert "S3SNAPSHOT_SNS_ARN: 'arn:aws:sns:us-east-1:1:x' is not an SNS topic ARN" in f.read()
    assert len(snapshots(ec2)) == 2, "nothing ran"


def test_seed_example_2_payload_reports_missing_instances_without_a_function_error(lambda_fn):
    rie = lambda_fn()
    rep = rie.invoke(seed_payload(2))
    assert "errorType" not in rep
    assert rep["ok"] is False
    assert sorted(rep["not_found"]) == ["i-12345678", "i-abc123ab", "i-abcdef12"]


@pytest.mark.parametrize("payload,message", [
    ('{"instaces": ["i-abcdef12"]}', 'did you mean \\"instances\\"' ),
    ('{"tags": {"tag:Env": "PROD"}, "stop": "yes"}', '"stop" must be true or false'),
    ('not json', "invalid JSON at line 1, column 2"),
    ('{}', "no selection"),
    ('{"audit": true, "tags": {"tag:Env": "PROD"}, "stop": true}', '"stop" does not apply to an audit'),
    ('{"tags": {"tag:Env": "PROD"}, "max-age": "2h"}', '"max-age" is a setting of an audit'),
])
def test_bad_payloads_get_an_error_response_and_change_nothing(lambda_fn, ec2, recording, payload, message):
    make_fleet(ec2, count=1, tags={"Env": "PROD"}, volumes=1)
    rie = lambda_fn()
    recording.start()
    rep = rie.invoke(payload)
    assert rep["errorType"] == "InvalidPayload"
    assert message.replace('\\"', '"') in rep["errorMessage"]
    assert recording.actions() == []


def emf_lines(rie):
    rie.log.flush()
    out = []
    with open(rie.log_path) as f:
        for line in f:
            line = line.strip()
            if line.startswith("{") and '"_aws"' in line:
                out.append(json.loads(line))
    return out


def test_audit_payload_and_emf_metrics_in_the_log(lambda_fn, ec2, endpoint, recording):
    covered = make_fleet(ec2, count=2, tags={"Env": "PROD"}, volumes=2)
    bare = make_fleet(ec2, count=1, tags={"Env": "PROD"}, volumes=1)
    rie = lambda_fn()
    rep = rie.invoke(json.dumps({"instances": covered, "label": "daily"}))
    assert rep["ok"], rep
    (snap_line,) = emf_lines(rie)
    check_emf(snap_line)
    assert snap_line["command"] == "snapshot" and snap_line["run_id"] == rep["run_id"]
    assert snap_line["SnapshotsCreateStarted"] == rep["summary"]["snapshots"] == 4
    assert snap_line["InstancesLeftStopped"] == 0 and snap_line["Label"] == "daily"
    assert snap_line["_aws"]["CloudWatchMetrics"][0]["Dimensions"] == [["Region", "Account"],
                                                                        ["Region", "Account", "Label"]]
    recording.start()
    rep = rie.invoke(json.dumps({"audit": True, "tags": {"tag:Env": "PROD"}, "max-age": "1h"}))
    assert "errorType" not in rep and rep["command"] == "audit", rep
    assert rep["ok"] is False and rep["summary"]["unprotected"] == 1
    assert {v["instance_id"] for v in rep["volumes"] if v["findings"]} == set(bare)
    assert recording.mutating() == [], "an audit changes nothing"
    audit_line = emf_lines(rie)[-1]
    check_emf(audit_line)
    assert audit_line["command"] == "audit"
    assert audit_line["VolumesUnprotected"] == 1 and audit_line["VolumesAudited"] == 5
    assert audit_line["OldestNewestSnapshotAgeSeconds"] == rep["summary"]["oldest_newest_age_seconds"]
    assert audit_line["Region"] == REGION and len(audit_line["Account"]) == 12
    assert audit_line["_aws"]["CloudWatchMetrics"][0]["Dimensions"] == [["Region", "Account"]]
    # A drill payload: the covered instances' sets restored and deleted, its own figures.
    rep = rie.invoke(json.dumps({"drill": True, "instances": covered, "rto": "10m"}))
    assert "errorType" not in rep and rep["command"] == "drill" and rep["ok"], rep
    assert rep["summary"]["passed"] == 2 and rep["left_behind"] == []
    assert ec2.describe_volumes(Filters=[{"Name": "tag:s3snapshot:drill-id", "Values": [rep["drill_id"]]}])[
        "Volumes"] == []
    drill_line = emf_lines(rie)[-1]
    check_emf(drill_line)
    assert drill_line["command"] == "drill" and drill_line["DrillsSucceeded"] == 2 and drill_line["DrillsFailed"] == 0
    assert drill_line["DrillVolumesLeftBehind"] == 0
    assert drill_line["RestoreSecondsMax"] == rep["summary"]["restore_seconds_max"]


def test_stop_payload_restarts(lambda_fn, ec2):
    ids = make_fleet(ec2, count=2, volumes=1)
    rie = lambda_fn()
    rep = rie.invoke(json.dumps({"instances": ids, "stop": True}))
    assert rep["ok"], rep
    assert all(i["stopped_by_run"] and i["restarted"] for i in rep["instances"])
    assert set(states(ec2, ids).values()) == {"running"}


def test_deadline_restarts_stopped_instances_before_the_timeout(lambda_fn, ec2, proxy):
    ids = make_fleet(ec2, count=20, volumes=1)
    proxy.add("CreateSnapshots", "pass", count=100, delay=1.5)
    rie = lambda_fn(endpoint_url=proxy.url, timeout_s=6)
    t0 = time.time()
    rep = rie.invoke(json.dumps({"instances": ids, "stop": True}), timeout=60)
    assert time.time() - t0 < 6.5
    assert "errorType" not in rep, rep
    assert rep["cancelled"] and rep["cancel_reason"] == "deadline"
    assert rep["summary"]["left_stopped"] == []
    assert set(states(ec2, ids).values()) == {"running"}
    undone = [i for i in rep["instances"] if not i["snapshotted"]]
    assert undone, "the deadline cut the run short"
    assert all(i["errors"] for i in undone)


def reset_moto(ec2):
    urllib.request.urlopen(urllib.request.Request(ec2.meta.endpoint_url + "/moto-api/reset", data=b"",
                                                  method="POST"), timeout=30).read()


def test_deadline_under_network_faults_still_restarts_everything(lambda_fn, ec2, proxy, toxi):
    """The Lambda deadline arrives while the network is slow and resets some
    connections (toxiproxy in front of a proxy that holds each CreateSnapshots
    for 1.5 s): the function still answers before its timeout, with every
    instance it stopped running again and a report that matches moto."""
    net = toxi.chain(proxy.port)
    net.toxic("latency", {"latency": 100, "jitter": 50})
    # The guarantees must hold on every attempt. The resets begin once the
    # first CreateSnapshots is in flight (so that they hit those calls, the
    # case this test is for, however loaded the machine); whether one did is
    # still chance, so an attempt where none did is run again, up to three times.
    for attempt in range(3):
        reset_moto(ec2)
        ids = make_fleet(ec2, count=80, volumes=2)  # more than fit before the deadline
        proxy.rules.clear()
        proxy.add("CreateSnapshots", "pass", count=100, delay=1.5)
        rie = lambda_fn(endpoint_url=net.url, timeout_s=10)
        done, before, resetting = threading.Event(), proxy.count("CreateSnapshots"), []

        def reset_once_snapshots_fly():
            while not done.is_set() and proxy.count("CreateSnapshots") == before:
                time.sleep(0.02)
            if not done.is_set():
                resetting.append(net.toxic("reset_peer", {"timeout": 400}, 0.5))
        watcher = threading.Thread(target=reset_once_snapshots_fly)
        watcher.start()
        t0 = time.time()
        try:
            rep = rie.invoke(json.dumps({"instances": ids, "stop": True}), timeout=60)
        finally:
            done.set()
            watcher.join()
            rie.log.flush()
            log = open(rie.log.name).read()
            rie.close()
            for name in resetting:
                net.clear(name)
        assert time.time() - t0 < 10.5
        assert "errorType" not in rep, log[-6000:]
        assert rep["cancelled"] and rep["cancel_reason"] == "deadline", rep
        if rep["selection_failed"]:
            # The resets can fail the selection itself (DescribeInstances reset
            # on every attempt): then nothing may have been touched at all.
            assert rep["instances"] == [] and snapshots(ec2) == [], rep
            assert set(states(ec2, ids).values()) == {"running"}
            continue
        try:
            check_consistent(ec2, ids, rep, 2, cancelled_in_flight=True)
            assert set(states(ec2, ids).values()) == {"running"}
            assert [i for i in rep["instances"] if not i["snapshotted"]], "the deadline cut the run short"
        except AssertionError as e:  # the function's log says why
            raise AssertionError("%s\n--- function log ---\n%s" % (e, log[-8000:])) from None
        # A CreateSnapshots whose connection the reset closed before its
        # answer came (resolved by its run-id tag, not resent).
        if "CreateSnapshots outcome was unknown" in log and (
                "connection closed before the answer" in log or "Connection reset by peer" in log):
            return
    pytest.fail("in 3 attempts the resets never hit a CreateSnapshots in flight")


def test_a_held_runtime_api_port_is_named_instead_of_a_bare_failure(tmp_path):
    if port_holder(RUNTIME_API_PORT):
        pytest.skip("port %d is already held on this machine" % RUNTIME_API_PORT)
    with socket.socket() as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind(("127.0.0.1", RUNTIME_API_PORT))
        s.listen(1)
        (tmp_path / "fn").mkdir()
        with pytest.raises(RuntimeError) as e:
            Rie(str(tmp_path / "fn"), dict(os.environ))
    assert "port 9001" in str(e.value) and "held by another process" in str(e.value)


def event_from(name, region, snapshots):
    """testdata/events/NAME with the ids of real snapshots [(id, volume, status)]."""
    with open(os.path.join(ROOT, "testdata", "events", name)) as f:
        e = json.load(f)
    e["region"] = region
    arn = "arn:aws:ec2::%s:snapshot/%s"
    e["resources"] = [arn % (region, sid) for sid, _, _ in snapshots]
    if "snapshots" in e["detail"]:
        e["detail"]["snapshots"] = [{"snapshot_id": arn % (region, sid), "source": "arn:aws:ec2::%s:volume/%s"
                                     % (region, vol), "status": st} for sid, vol, st in snapshots]
    else:
        e["detail"]["snapshot_id"] = arn % (region, snapshots[0][0])
    return e


def test_completion_events_make_the_copies_a_run_left_queued(lambda_fn, ec2, endpoint, ec2clock):
    """A function with a 5 s timeout whose sources complete after 10 s: run 1
    makes the sets and ends at once, copies queued; the completion event (in
    EC2's documented shape) makes exactly one copy per source per region,
    also when delivered twice; a failed set's event is an SNS error naming
    instance and volume; other events are ignored, malformed ones refused."""
    from conftest import client, snapshots as snaps_of, sqs_topic, tagmap
    ec2clock.snapshot_seconds = 10
    topic, read_err = sqs_topic(endpoint, "events-err")
    ids = make_fleet(ec2, count=2, volumes=2)
    rie = lambda_fn(endpoint_url=ec2clock.url, timeout_s=5,
                    extra_env={"S3SNAPSHOT_EVENT_SETTINGS": json.dumps({"sns-arn-error": topic})})
    t0 = time.time()
    rep = rie.invoke(json.dumps({"instances": ids, "copy-to-regions": ["eu-west-1", "us-west-2"]}))
    assert time.time() - t0 < 5 and rep["ok"] is True, rep
    sources = [(s["snapshot_id"], s["volume_id"]) for i in rep["instances"] for s in i["snapshots"]]
    assert all(c["state"] == "queued" for i in rep["instances"] for s in i["snapshots"] for c in s["copies"])
    time.sleep(max(0, 10.5 - (time.time() - t0)))  # the sources completed

    first = [(sid, vol, "completed") for sid, vol in sources[:2]]  # one instance's set
    event = event_from("create_snapshots_succeeded.json", REGION, first)
    for _ in range(2):  # delivered twice
        out = rie.invoke(json.dumps(event))
        assert "errorType" not in out and out["ok"] is True, out
    for region in ("eu-west-1", "us-west-2"):
        copies = collections_counter(tagmap(c).get("s3snapshot:source-snapshot")
                                     for c in snaps_of(client("ec2", endpoint, region=region)))
        assert copies == {sid: 1 for sid, _, _ in first}, (region, copies)

    # The other set "failed" (EC2 says so in its event; the clock makes it so).
    bad_sid, bad_vol = sources[2]
    ec2clock.fail_ids = {bad_sid}
    out = rie.invoke(json.dumps(event_from("create_snapshots_failed.json", REGION,
                                           [(bad_sid, bad_vol, "failed"), (sources[3][0], sources[3][1], "completed")])))
    assert out["ok"] is False and "errorType" not in out, out
    (msg,) = read_err()
    owner = next(i["instance_id"] for i in rep["instances"] if any(s["snapshot_id"] == bad_sid for s in i["snapshots"]))
    assert bad_sid in msg["Message"] and bad_vol in msg["Message"] and owner in msg["Message"], msg["Message"]

    # Not ours: another kind of event is ignored; a malformed one is refused.
    with open(os.path.join(ROOT, "testdata", "events", "ec2_instance_state_change.json")) as f:
        out = rie.invoke(f.read())
    assert out == {"ignored": True, "reason": "not an EBS snapshot completion event"}, out
    broken = dict(event, detail={"event": "createSnapshots", "result": "succeeded"})
    out = rie.invoke(json.dumps(broken))
    assert out["errorType"] == "InvalidPayload" and "detail.snapshots" in out["errorMessage"], out


def collections_counter(items):
    import collections
    return dict(collections.Counter(items))


def test_deadline_on_ecs_real_clock_still_restarts_everything(lambda_fn, ec2, ec2clock):
    """On EC2's clock (stops take 3 s, starts 2 s, StartInstances refused
    while stopping) with each CreateSnapshots held 1.5 s, the 10 s deadline
    cuts the run: the function answers in time, cancelled by the deadline,
    and every instance it stopped is started again."""
    from conftest import client
    from fault_proxy import FaultProxy
    ec2clock.stop_seconds, ec2clock.start_seconds = 3, 2
    slow = FaultProxy(ec2clock.port)
    try:
        slow.add("CreateSnapshots", "pass", count=100, delay=1.5)
        ids = make_fleet(ec2, count=40, volumes=1)
        rie = lambda_fn(endpoint_url=slow.url, timeout_s=10)
        t0 = time.time()
        rep = rie.invoke(json.dumps({"instances": ids, "stop": True}), timeout=60)
        assert time.time() - t0 < 10.5
        assert "errorType" not in rep, rep
        assert rep["cancelled"] and rep["cancel_reason"] == "deadline", rep
        assert rep["summary"]["left_stopped"] == [], rep["summary"]
        assert [i for i in rep["instances"] if not i["snapshotted"]], "the deadline cut the run short"
        via_clock = client("ec2", ec2clock.url)
        deadline = time.time() + 20
        while time.time() < deadline and set(states(via_clock, ids).values()) != {"running"}:
            time.sleep(0.5)
        assert set(states(via_clock, ids).values()) == {"running"}, "the restart guarantee on EC2's clock"
        assert slow.count("StopInstances") >= 1
    finally:
        slow.close()


def test_deadline_between_pre_script_and_snapshot_still_runs_every_post_script(lambda_fn, ec2, moto):
    """The Lambda deadline (16 s timeout: cancelled 3.9 s before it) arrives
    while the first wave's pre-scripts are InProgress (12 s): no snapshot is
    taken, every instance sent a pre-script gets its post-script -- once at
    the cancellation and again after its pre-script ended, as a freeze after
    the thaw would leave the host frozen -- and the function answers in time
    with nothing NOT THAWED."""
    from ssm_faults import SsmFaults
    faults = SsmFaults(moto["port"])
    try:
        ids = make_fleet(ec2, count=10, volumes=1)  # a wave is 8 (the default concurrency)
        faults.in_progress["pre-script"] = 12.0
        rie = lambda_fn(endpoint_url=faults.url, timeout_s=16)
        t0 = time.time()
        rep = rie.invoke(json.dumps({"instances": ids, "pre-script": "fsfreeze -f /data",
                                     "post-script": "fsfreeze -u /data || true"}), timeout=60)
        assert time.time() - t0 < 16.5
        assert "errorType" not in rep, rep
        assert rep["cancelled"] and rep["cancel_reason"] == "deadline", rep
        events = list(faults.events)
        assert rep["summary"]["not_thawed"] == [], ([(i["scripts"], i["errors"]) for i in rep["instances"]],
                                                   events)
        assert not [e for e in events if e[1] == "CreateSnapshots"]
        sent = [i for i in ids if faults.sends("pre-script", i)]
        assert len(sent) == 8, "the first wave"
        for iid in sent:
            pre_at = min(t for t, what, st, iids in events if what == "send" and st == "pre-script" and iid in iids)
            posts = [t for t, what, st, iids in events if what == "send" and st == "post-script" and iid in iids]
            assert posts and posts[-1] - pre_at >= 12.0, (pre_at, posts)
        for iid in set(ids) - set(sent):
            assert faults.sends("post-script", iid) == 0
    finally:
        faults.close()
