"""deploy/template.yaml: valid (cfn-lint, offline), its role allows every
action a real run sends, and every request meets the role's conditions
(taken from moto's request recording)."""
import collections
import json
import os
import re
import subprocess
import sys

import pytest

from conftest import client, make_fleet, sqs_topic, tagmap
from helpers import ROOT, TEMPLATE, load_template, role_actions, role_statements


def all_snapshot_tags(endpoint):
    """snapshot id -> tags, in every region moto knows."""
    out = {}
    for region in [r["RegionName"] for r in client("ec2", endpoint).describe_regions()["Regions"]]:
        for snap in client("ec2", endpoint, region=region).describe_snapshots(OwnerIds=["self"])["Snapshots"]:
            out[snap["SnapshotId"]] = tagmap(snap)
    return out


def request_tags(params):
    keys = {}
    for k, v in params.items():
        m = re.fullmatch(r"TagSpecification\.\d+\.Tag\.(\d+)\.(Key|Value)", k)
        if m:
            keys.setdefault(m.group(1), {})[m.group(2)] = v
    return {kv.get("Key"): kv.get("Value") for kv in keys.values()}


def check_policy_conditions(rows, snapshot_tags, drill_volumes=(), drill_hosts=()):
    """moto enforces IAM on actions only; the template's conditions are
    checked here against every request the runs sent, as IAM would evaluate
    those condition keys: snapshots are created only with Scripted=s3snapshot
    (aws:RequestTag), tagged afterwards only with s3snapshot:device or
    s3snapshot:copy-to and untagged only of s3snapshot:copy-to, and only
    when they are the tool's (aws:ResourceTag, aws:TagKeys), deleted only when
    they are the tool's and not protected, roles assumed only s3snapshot*."""
    counts = collections.Counter()
    for row in rows:
        p = row["params"]
        action = p.get("Action")
        if action == "CreateSnapshots":
            assert request_tags(p).get("Scripted") == "s3snapshot", p
        elif action == "CopySnapshot":
            assert request_tags(p).get("Scripted") == "s3snapshot", p
        elif action == "CreateVolume":
            assert request_tags(p).get("s3snapshot:drill-id", "").startswith("drill-"), p
            assert snapshot_tags[p["SnapshotId"]].get("Scripted") == "s3snapshot", p
        elif action in ("AttachVolume", "DetachVolume", "DeleteVolume"):
            assert p["VolumeId"] in drill_volumes, p
            if action != "DeleteVolume":
                assert p["InstanceId"] in drill_hosts, p
        elif action in ("CreateTags", "DeleteTags"):
            keys = {v for k, v in p.items() if re.fullmatch(r"Tag\.\d+\.Key", k)}
            allowed = {"s3snapshot:device", "s3snapshot:copy-to", "s3snapshot:error-reported", "s3snapshot:drilled"} \
                if action == "CreateTags" else {"s3snapshot:copy-to"}
            assert keys and keys <= allowed, p
            for k, sid in p.items():
                if re.fullmatch(r"ResourceId\.\d+", k):
                    assert snapshot_tags[sid].get("Scripted") == "s3snapshot", sid
        elif action == "LockSnapshot":  # the tool's own, for a duration the role caps
            assert snapshot_tags[p["SnapshotId"]].get("Scripted") == "s3snapshot", p
            assert "LockDuration" in p and "ExpirationDate" not in p, p
        elif action == "DeleteSnapshot":
            tags = snapshot_tags[p["SnapshotId"]]
            assert tags.get("Scripted") == "s3snapshot" and tags.get("State") != "Protected", tags
        elif action == "AssumeRole":
            assert re.fullmatch(r"arn:aws:iam::\d{12}:role/s3snapshot.*", p["RoleArn"]), p
        counts[action] += 1
    for action in ("CreateSnapshots", "CreateTags", "DeleteTags", "DeleteSnapshot", "CopySnapshot", "AssumeRole",
                   "CreateVolume", "AttachVolume", "DetachVolume", "DeleteVolume", "LockSnapshot"):
        assert counts[action] > 0, "no %s request to check" % action


def test_cfn_lint_passes():
    r = subprocess.run([sys.executable, "-c", "import sys; from cfnlint.runner import main; sys.exit(main())", TEMPLATE],
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr


def test_role_allows_every_action_a_run_sends(run, endpoint, ec2, recording):
    topic, _ = sqs_topic(endpoint, "deploy-ok")
    err, _ = sqs_topic(endpoint, "deploy-err")
    ids = make_fleet(ec2, count=2, volumes=2)
    # A manual snapshot and a protected one of ours: retention must leave
    # them alone, and the policy's conditions must never need to allow them.
    vol = ec2.describe_instances(InstanceIds=ids[:1])["Reservations"][0]["Instances"][0]["BlockDeviceMappings"][0]
    ec2.create_snapshot(VolumeId=vol["Ebs"]["VolumeId"], Description="manual")
    [host] = make_fleet(ec2, count=1, volumes=1, tags={"s3snapshot:drill-host": "true"})  # the drill's check host
    recording.start()
    r = run(["--stop", "--filter", json.dumps({"instances": ids + ["i-0123456789abcdef0"]}),
             "--sns-arn", topic, "--sns-arn-error", err, "--protected"])
    assert r.returncode == 1  # the missing instance
    seen_tags = all_snapshot_tags(endpoint)
    for lock in ([], ["--lock-mode", "governance", "--lock-days", "1"]):  # the second deletes the first's sets
        r = run(["--filter", json.dumps({"instances": ids}), "--keep", "1", "--prune-orphans", "--wait",
                 "--copy-to-region", "eu-west-1", "--region", "all",
                 "--assume-role", "arn:aws:iam::100000000000:role/s3snapshot-runner"] + lock, timeout=300)
        assert r.returncode == 0, r.stdout + r.stderr
        seen_tags.update(all_snapshot_tags(endpoint))
    # A drill with its check on a host tagged for it: every volume it touched is its own.
    r = run(["drill", "--filter", json.dumps({"instances": ids}), "--check-instance", host, "--check-command", "true",
             "--output", "json"])
    assert r.returncode == 0, r.stdout + r.stderr
    made = [v["volume_id"] for s in json.loads(r.stdout)["sets"] for v in s["volumes"]]
    seen_tags.update(all_snapshot_tags(endpoint))
    check_policy_conditions(recording.requests(), seen_tags, drill_volumes=set(made), drill_hosts={host})
    used = set()
    for row in recording.requests():
        action = row["params"].get("Action")
        version = row["params"].get("Version")
        service = {"2016-11-15": "ec2", "2010-03-31": "sns", "2011-06-15": "sts"}.get(version)
        if action and service:
            used.add(service + ":" + action)
    assert {"ec2:DescribeInstances", "ec2:StopInstances", "ec2:CreateSnapshots", "ec2:StartInstances",
            "ec2:CreateTags", "ec2:DeleteTags", "sns:Publish", "ec2:DeleteSnapshot", "ec2:CopySnapshot", "ec2:DescribeVolumes",
            "ec2:DescribeRegions", "sts:AssumeRole", "ec2:DescribeSnapshots", "ec2:LockSnapshot",
            "ec2:DescribeLockedSnapshots"} <= used
    assert used <= role_actions(), used - role_actions()


def test_the_alarms_watch_metrics_the_runs_write(run, ec2, tmp_path):
    """The template's s3snapshot alarms name metrics the binary emits (the
    Prometheus file has the same figures, snake_cased), with the dimensions
    every run gives: Region and Account."""
    from helpers import load_template
    alarms = {k: r["Properties"] for k, r in load_template()["Resources"].items()
              if r["Type"] == "AWS::CloudWatch::Alarm" and r["Properties"]["Namespace"] == "s3snapshot"}
    assert sorted(p["MetricName"] for p in alarms.values()) == ["DrillVolumesLeftBehind", "DrillsFailed",
                                                                 "InstancesLeftStopped", "InstancesNotThawed",
                                                                 "VolumesUnprotected"]
    ids = make_fleet(ec2, count=1, volumes=1)
    emitted = set()
    for args in (["--stop"], ["audit"], ["drill"]):
        path = tmp_path / ("%s.prom" % args[0])
        r = run(args + ["--filter", json.dumps({"instances": ids}), "--metrics-file", str(path)])
        assert r.returncode in (0, 1), r.stderr
        emitted |= {line.split("{")[0] for line in path.read_text().splitlines() if not line.startswith("#")}
    for p in alarms.values():
        snake = re.sub(r"(?<!^)(?=[A-Z])", "_", p["MetricName"]).lower()
        assert "s3snapshot_" + snake in emitted, (p["MetricName"], emitted)
        assert [d["Name"] for d in p["Dimensions"]] == ["Region", "Account"]
        assert p["ComparisonOperator"] == "GreaterThanThreshold" and p["Threshold"] == 0


def test_the_architecture_is_a_parameter():
    """x86_64 or arm64 (Graviton), with the package built for it."""
    from helpers import load_template
    t = load_template()
    p = t["Parameters"]["Architecture"]
    assert p["AllowedValues"] == ["x86_64", "arm64"] and p["Default"] == "x86_64"
    fn = t["Resources"]["SnapshotFunction"]["Properties"]
    assert fn["Architectures"] == [{"Ref": "Architecture"}]
    # A literal local path (what `sam deploy`/`sam package` upload), the one
    # scripts/package-lambda.sh writes last whatever the architecture.
    assert fn["CodeUri"] == "../dist/s3snapshot-lambda.zip"
    with open(os.path.join(ROOT, "scripts", "package-lambda.sh")) as f:
        assert "dist/s3snapshot-lambda.zip" in f.read()


def test_the_topics_the_stack_creates_are_wired_to_the_function():
    from helpers import load_template
    t = load_template()
    env = t["Resources"]["SnapshotFunction"]["Properties"]["Environment"]["Variables"]
    assert env["S3SNAPSHOT_SNS_ARN"] == {"If": ["WithTopics", {"Ref": "SnapshotTopic"}, ""]}
    assert env["S3SNAPSHOT_SNS_ARN_ERROR"] == {"If": ["WithTopics", {"Ref": "SnapshotErrorTopic"}, ""]}


MEMBER_ROLE = os.path.join(ROOT, "deploy", "org", "member-role.yaml")


MEMBER_FUNCTION = os.path.join(ROOT, "deploy", "org", "member-function.yaml")


@pytest.mark.parametrize("template", [MEMBER_ROLE, MEMBER_FUNCTION], ids=["member-role", "member-function"])
def test_the_organization_templates_pass_cfn_lint(template):
    r = subprocess.run([sys.executable, "-c", "import sys; from cfnlint.runner import main; sys.exit(main())",
                        template], capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr


def test_the_member_role_is_the_functions_role_less_what_only_the_central_account_does():
    """What a central run needs in a member account is what the function's
    role allows in its own (test_least_privilege.py proves those actions
    sufficient and each one needed), less assuming roles and publishing."""
    role = load_template(MEMBER_ROLE)["Resources"]["MemberRole"]["Properties"]
    statements = role["Policies"][0]["PolicyDocument"]["Statement"]
    central_only = {"AssumeSnapshotRoles", "ListOrganizationAccounts", "Notify"}
    assert statements == [s for s in role_statements() if s["Sid"] not in central_only]
    actions = set()
    for s in statements:
        actions.update(s["Action"] if isinstance(s["Action"], list) else [s["Action"]])
    assert actions == role_actions() - {"sts:AssumeRole", "sns:Publish", "organizations:ListAccounts",
                                        "organizations:ListAccountsForParent", "organizations:ListChildren"}
    # Trusted by the central function's role only, with the external id when one is given.
    (trust,) = role["AssumeRolePolicyDocument"]["Statement"]
    assert trust["Action"] == "sts:AssumeRole" and trust["Principal"]["AWS"] == {
        "Sub": "arn:${AWS::Partition}:iam::${CentralAccountId}:root"}
    assert trust["Condition"]["ArnLike"]["aws:PrincipalArn"] == {
        "Sub": "arn:${AWS::Partition}:iam::${CentralAccountId}:role/${CentralRoleName}"}
    assert trust["Condition"]["StringEquals"]["If"][0] == "WithExternalId"
    params = load_template(MEMBER_ROLE)["Parameters"]
    assert params["RoleName"]["Default"] == "s3snapshot", "the central run's --role-name default"
    assert params["MaxLockDays"]["Default"] == 0


def test_the_member_function_is_a_plain_function_with_the_member_roles_statements_and_central_errors():
    """A service-managed StackSet cannot use the SAM transform: a plain
    AWS::Lambda::Function with the SAM function's runtime settings, whose
    role may do what the member role may, plus publish to the central
    topics, and whose errors and alarms all go to the central error topic."""
    t = load_template(MEMBER_FUNCTION)
    sam = load_template()["Resources"]["SnapshotFunction"]["Properties"]
    assert "Transform" not in t
    res = t["Resources"]
    assert res["Function"]["Type"] == "AWS::Lambda::Function"
    fn = res["Function"]["Properties"]
    for key in ("Handler", "Runtime", "Timeout", "MemorySize", "ReservedConcurrentExecutions"):
        assert fn[key] == sam[key], key
    member = load_template(MEMBER_ROLE)["Resources"]["MemberRole"]["Properties"]["Policies"][0]
    policy = res["FunctionRole"]["Properties"]["Policies"][0]["PolicyDocument"]["Statement"]
    assert [s for s in policy if s["Sid"] != "Notify"] == member["PolicyDocument"]["Statement"]
    (notify,) = [s for s in policy if s["Sid"] == "Notify"]
    assert notify["Action"] == "sns:Publish" and "ErrorTopicArn" in json.dumps(notify["Resource"])
    assert "*" not in json.dumps(notify["Resource"]), "only the central topics"
    assert fn["Environment"]["Variables"]["S3SNAPSHOT_SNS_ARN_ERROR"] == {"Ref": "ErrorTopicArn"}
    invoke = res["FunctionInvokeConfig"]["Properties"]
    assert invoke["MaximumRetryAttempts"] == 0, "a retried run would duplicate snapshots"
    alarms = {k: v["Properties"] for k, v in res.items() if v["Type"] == "AWS::CloudWatch::Alarm"}
    assert {p["MetricName"] for p in alarms.values()} >= {"InstancesLeftStopped", "InstancesNotThawed", "Errors",
                                                          "VolumesUnprotected"}
    for name, p in alarms.items():
        assert p["AlarmActions"] == [{"Ref": "ErrorTopicArn"}], name
    rules = [v["Properties"] for v in res.values() if v["Type"] == "AWS::Events::Rule"]
    assert {r["Targets"][0]["Input"]["Ref"] for r in rules} == {"Payload", "AuditPayload"}
    # The code is read in the function's own region.
    assert fn["Code"]["S3Bucket"] == {"Sub": "${CodeBucketPrefix}-${AWS::Region}"}
