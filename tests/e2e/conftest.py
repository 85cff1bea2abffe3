"""Shared fixtures for the end-to-end tests: the real s3snapshot binary against
moto_server (started by the CTest fixture, or here when pytest runs alone),
fixtures seeded and results checked with boto3, an independent client."""
import base64
import collections
import json
import os
import subprocess
import sys
import tempfile
import urllib.parse
import urllib.request
import uuid

import boto3
import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

from fault_proxy import FaultProxy  # noqa: E402
from helpers import check_report_text, enable_auth  # noqa: E402
import oracle  # noqa: E402
from oracle import Oracle  # noqa: E402

REGION = "us-east-1"
READ_ONLY_PREFIXES = ("Describe", "Get", "List", "Receive", "AssumeRole")


@pytest.fixture(scope="session")
def moto():
    state = os.environ.get("S3SNAPSHOT_MOTO_STATE")
    owned = None
    if not state or not os.path.exists(state):
        folder = tempfile.mkdtemp(prefix="s3snapshot-moto-")
        state = os.path.join(folder, "moto.json")
        subprocess.check_call([sys.executable, os.path.join(HERE, "moto_ctl.py"), "start", state])
        owned = state
    with open(state) as f:
        info = json.load(f)
    oracle.MOTO_URL = info["url"]  # for the runs helpers start themselves (start_and_signal)
    yield info
    if owned:
        subprocess.call([sys.executable, os.path.join(HERE, "moto_ctl.py"), "stop", owned])


def _post(url, data=b"", ctype="application/json"):
    req = urllib.request.Request(url, data=data, method="POST", headers={"Content-Type": ctype})
    return urllib.request.urlopen(req, timeout=30).read()


@pytest.fixture(autouse=True)
def clean_moto(moto):
    enable_auth(moto["url"], 1000000000)  # i.e. off
    _post(moto["url"] + "/moto-api/reset")
    yield


@pytest.fixture
def endpoint(moto):
    return moto["url"]


def client(service, endpoint, region=REGION, key="testing", secret="testing", token=None):
    return boto3.client(service, endpoint_url=endpoint, region_name=region,
                        aws_access_key_id=key, aws_secret_access_key=secret,
                        aws_session_token=token)


@pytest.fixture
def ec2(endpoint):
    return client("ec2", endpoint)


@pytest.fixture
def home(tmp_path):
    h = tmp_path / "home"
    (h / ".aws").mkdir(parents=True)
    return h


def binary():
    b = os.environ.get("S3SNAPSHOT_BIN")
    if not b:
        b = os.path.join(HERE, "..", "..", "build", "src", "s3snapshot")
    return os.path.abspath(b)


def base_env(home, endpoint=None):
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(home),
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_REGION": REGION,
        "AWS_EC2_METADATA_DISABLED": "true",
    }
    if endpoint:
        env["AWS_ENDPOINT_URL"] = endpoint
    for k in ("ASAN_OPTIONS", "LSAN_OPTIONS", "UBSAN_OPTIONS"):
        if k in os.environ:
            env[k] = os.environ[k]
    return env


@pytest.fixture
def run(endpoint, home, moto):
    """run(args, env=None, input=None, endpoint=None, checked=True) -> CompletedProcess (text);
    checked: held against moto by the oracle (oracle.py)."""
    def _run(args, env=None, input=None, endpoint_url=None, timeout=120, replace_env=None, checked=True):
        e = replace_env if replace_env is not None else base_env(home, endpoint_url or endpoint)
        if env:
            e.update(env)
        watch = Oracle(moto["url"], Recording.active, e) if checked else None
        if watch:
            watch.begin(args)
        r = subprocess.run([binary()] + list(args), env=e, input=input, capture_output=True,
                           text=True, timeout=timeout)
        # Every JSON report of the suite is checked against the published
        # schema, and every run against what happened (oracle.py), whatever
        # the test itself looks at.
        if "--output" in args and "json" in args and r.returncode in (0, 1):
            check_report_text(r.stdout)
        if watch:
            watch.check(args, r)
        return r
    return _run


def make_fleet(ec2, count=2, tags=None, volumes=2, state="running"):
    """Instances with `volumes` EBS volumes each; returns their ids."""
    tags = dict(tags or {})
    tags.setdefault("TestRun", uuid.uuid4().hex[:8])
    bdm = [{"DeviceName": "/dev/sda1", "Ebs": {"VolumeSize": 8, "VolumeType": "gp3"}}]
    for n in range(1, volumes):
        bdm.append({"DeviceName": "/dev/sd" + "fghijk"[n - 1], "Ebs": {"VolumeSize": 4, "VolumeType": "gp3"}})
    r = ec2.run_instances(ImageId="ami-12345678", MinCount=count, MaxCount=count, InstanceType="t3.micro",
                          BlockDeviceMappings=bdm,
                          TagSpecifications=[{"ResourceType": "instance",
                                              "Tags": [{"Key": k, "Value": v} for k, v in tags.items()]}])
    ids = sorted(i["InstanceId"] for i in r["Instances"])
    if state == "stopped":
        ec2.stop_instances(InstanceIds=ids)
    return ids


def states(ec2, ids):
    r = ec2.describe_instances(InstanceIds=ids)
    return {i["InstanceId"]: i["State"]["Name"] for res in r["Reservations"] for i in res["Instances"]}


def snapshots(ec2, **filters):
    f = [{"Name": k, "Values": v if isinstance(v, list) else [v]} for k, v in filters.items()]
    return ec2.describe_snapshots(OwnerIds=["self"], Filters=f)["Snapshots"] if f else \
        ec2.describe_snapshots(OwnerIds=["self"])["Snapshots"]


def tagmap(resource):
    return {t["Key"]: t["Value"] for t in resource.get("Tags", [])}


class Recording:
    """moto's request recorder: what the binary actually sent."""

    def __init__(self, url):
        self.url = url

    active = False  # a test's recording is on: the oracle reads it and leaves it be

    def start(self):
        _post(self.url + "/moto-api/recorder/reset-recording")
        _post(self.url + "/moto-api/recorder/start-recording")
        Recording.active = oracle.RECORDING_ACTIVE = True

    def stop(self):
        _post(self.url + "/moto-api/recorder/stop-recording")
        Recording.active = oracle.RECORDING_ACTIVE = False

    def requests(self):
        data = urllib.request.urlopen(self.url + "/moto-api/recorder/download-recording", timeout=30).read()
        out = []
        for line in data.decode().splitlines():
            if not line.strip():
                continue
            row = json.loads(line)
            body = row.get("body") or ""
            if row.get("body_encoded"):
                body = base64.b64decode(body).decode("utf-8", "replace")
            row["params"] = {k: v[0] for k, v in urllib.parse.parse_qs(body).items()}
            out.append(row)
        return out

    def actions(self):
        return [r["params"].get("Action", "") for r in self.requests()]

    def mutating(self):
        return [a for a in self.actions() if a and not a.startswith(READ_ONLY_PREFIXES)]


@pytest.fixture
def recording(moto):
    r = Recording(moto["url"])
    r.start()
    yield r
    r.stop()


@pytest.fixture
def ec2clock(moto):
    """EC2's timings in front of moto (ec2_clock.py); set its attributes per test."""
    from ec2_clock import Ec2Clock
    c = Ec2Clock(moto["port"])
    yield c
    c.close()


@pytest.fixture
def proxy(moto):
    p = FaultProxy(moto["port"])
    yield p
    p.close()


def check_consistent(ec2, ids, rep, volumes, cancelled_in_flight=False):
    """After a faulty run: nobody left stopped, no duplicate snapshots, and the
    report names exactly the snapshots the emulator holds.

    cancelled_in_flight: a run cancelled while a CreateSnapshots was sent but
    its answer lost cannot know whether (or when) EC2 applies it; the report
    must then say so for that instance ("outcome unknown", with the run-id tag
    to search for) - such an instance may have a set the report does not list,
    and never more than one."""
    assert rep["summary"]["left_stopped"] == []
    assert set(states(ec2, ids).values()) <= {"running", "pending"}
    snaps = snapshots(ec2)
    by_instance = collections.Counter(tagmap(s)["s3snapshot:instance-id"] for s in snaps)
    done = {i["instance_id"] for i in rep["instances"] if i["snapshotted"]}
    flagged = set()
    if cancelled_in_flight:
        tag = "s3snapshot:run-id=" + rep["run_id"]
        flagged = {i["instance_id"] for i in rep["instances"] if not i["snapshotted"] and any(
            "outcome unknown" in e["message"] and tag in e["message"] for e in i["errors"])}
    unreported = {i: n for i, n in by_instance.items() if i not in done}
    assert set(unreported) <= flagged, "nothing unreported: %s" % unreported
    assert all(n == volumes for n in by_instance.values()) and done <= set(by_instance), \
        "no duplicates, every reported set exists: %s vs %s" % (dict(by_instance), done)
    reported = {s["snapshot_id"] for i in rep["instances"] for s in i["snapshots"]}
    held = {s["SnapshotId"] for s in snaps if tagmap(s)["s3snapshot:instance-id"] not in unreported}
    assert reported == held, "the report matches the emulator"


@pytest.fixture
def toxi(moto):
    """toxiproxy in front of moto; toxi.chain(port) puts it in front of another proxy."""
    from toxiproxy import Toxiproxy, binary as toxiproxy_binary
    if not os.path.exists(toxiproxy_binary()):
        pytest.fail("toxiproxy is not installed (scripts/setup.sh installs it)")
    made = []

    def make(upstream_port):
        t = Toxiproxy(upstream_port)
        made.append(t)
        return t
    t = make(moto["port"])
    t.chain = make
    yield t
    for x in made:
        x.close()


def sqs_topic(endpoint, name):
    """An SNS topic with an SQS queue subscribed; returns (topic_arn, read_messages)."""
    sns = client("sns", endpoint)
    sqs = client("sqs", endpoint)
    topic = sns.create_topic(Name=name)["TopicArn"]
    q = sqs.create_queue(QueueName=name + "-q")["QueueUrl"]
    qarn = sqs.get_queue_attributes(QueueUrl=q, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=qarn)

    def read():
        msgs = []
        for _ in range(5):
            r = sqs.receive_message(QueueUrl=q, MaxNumberOfMessages=10, WaitTimeSeconds=0)
            got = r.get("Messages", [])
            if not got:
                break
            msgs += [json.loads(m["Body"]) for m in got]
        return msgs
    return topic, read
