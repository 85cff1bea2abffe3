"""The deploy role is sufficient and minimal, at the level of actions: with
moto's IAM enforcement on (INITIAL_NO_AUTH_ACTION_COUNT via reset-auth), a
user holding exactly the template's actions can use every feature, and
removing any one action makes some feature fail with AccessDenied naming it.

moto matches policies on actions only (a resource ARN such as
arn:aws:ec2:*:ACCOUNT:instance/* never matches in moto, and conditions are
not evaluated), so the template's resource scoping and tag conditions are not
checked here; assume-role across accounts needs roles moto would also have
to enforce, and is covered by test_scope.py instead."""
import json

import pytest

from conftest import client, make_fleet, sqs_topic
from helpers import enable_auth, iam_user, role_actions

FEATURE_ACTIONS = ["ec2:DescribeInstances", "ec2:DescribeSnapshots", "ec2:DescribeVolumes",
                   "ec2:DescribeRegions", "ec2:StopInstances", "ec2:StartInstances", "ec2:CreateSnapshots",
                   "ec2:CreateTags", "ec2:DeleteTags", "ec2:DeleteSnapshot", "ec2:CopySnapshot", "sns:Publish",
                   "ssm:SendCommand", "ssm:GetCommandInvocation",
                   "ec2:CreateVolume", "ec2:AttachVolume", "ec2:DetachVolume", "ec2:DeleteVolume",
                   "ec2:LockSnapshot", "ec2:DescribeLockedSnapshots",
                   "organizations:ListAccounts", "organizations:ListAccountsForParent",
                   "organizations:ListChildren"]

# The runs that use each action: without it, one of them must fail (or warn)
# naming it. The sufficiency test runs them all.
NEEDED_BY = {"ec2:DescribeInstances": ["regions"], "ec2:DescribeRegions": ["regions"],
             "ec2:DescribeVolumes": ["main", "retention"], "ec2:DeleteSnapshot": ["retention"],
             "ec2:DescribeLockedSnapshots": ["retention"], "ssm:SendCommand": ["scripts"],
             "ssm:GetCommandInvocation": ["scripts"], "ec2:CreateVolume": ["main", "drill"],
             "ec2:AttachVolume": ["main", "drill"], "ec2:DetachVolume": ["main", "drill"],
             "ec2:DeleteVolume": ["main", "drill"],  # a drill needs a set to restore
             "organizations:ListAccounts": ["org"], "organizations:ListAccountsForParent": ["ou"],
             "organizations:ListChildren": ["ou"]}
RUNS = ["main", "retention", "regions", "scripts", "drill", "org", "ou"]


def organization_unit(endpoint):
    """An organization whose management account (the caller's) sits in an OU."""
    org = client("organizations", endpoint)
    org.create_organization(FeatureSet="ALL")
    root = org.list_roots()["Roots"][0]["Id"]
    ou = org.create_organizational_unit(ParentId=root, Name="lp")["OrganizationalUnit"]["Id"]
    me = org.describe_organization()["Organization"]["MasterAccountId"]
    org.move_account(AccountId=me, SourceParentId=root, DestinationParentId=ou)
    return ou


def user_with(endpoint, actions):
    enable_auth(endpoint, 3)
    key, secret = iam_user(client("iam", endpoint), actions, name="lp")
    return {"AWS_ACCESS_KEY_ID": key, "AWS_SECRET_ACCESS_KEY": secret}


def every_feature(run, ec2, endpoint, actions, runs=RUNS):
    """Runs that use every action of the role (those named in `runs`);
    returns their outputs."""
    ids = make_fleet(ec2, count=1, volumes=2)
    [scratch] = make_fleet(ec2, count=1, volumes=1, tags={"s3snapshot:drill-host": "true"})
    topic, _ = sqs_topic(endpoint, "lp")
    # Two orphans: the tool's snapshots of a volume that is gone (--prune-orphans
    # --keep 1 deletes one of them).
    gone = ec2.create_volume(AvailabilityZone="us-east-1a", Size=1)["VolumeId"]
    for _ in range(2):
        ec2.create_snapshot(VolumeId=gone, TagSpecifications=[{"ResourceType": "snapshot", "Tags": [
            {"Key": "Scripted", "Value": "s3snapshot"}]}])
    ec2.delete_volume(VolumeId=gone)
    ou = organization_unit(endpoint)
    creds = user_with(endpoint, actions)
    doc = json.dumps({"instances": ids})
    common = ["--stop", "--filter", doc, "--wait", "--copy-to-region", "eu-west-1", "--sns-arn", topic,
              "--output", "json", "--wait-timeout", "60"]
    args = {"main": common + ["--lock-mode", "governance", "--lock-days", "1"],
            "retention": common + ["--keep", "1", "--prune-orphans"],
            "regions": ["--region", "all", "--filter", doc, "--dry-run"],
            # Scripts (not with --stop); a pre-script that cannot run is then a failure.
            "scripts": ["--filter", doc, "--pre-script", "sync", "--post-script", "true", "--on-script-failure",
                        "skip", "--output", "json"],
            # A drill with a check: volumes made, attached, checked, detached, deleted.
            "drill": ["drill", "--filter", doc, "--check-instance", scratch, "--check-command", "true", "--output",
                      "json"],
            # The organization's accounts (here only the caller's own), all or under an OU.
            "org": ["--org", "--filter", doc, "--dry-run"],
            "ou": ["--org", "--ou", ou, "--filter", doc, "--dry-run"]}
    return [run(args[name], env=creds, timeout=300) for name in runs]


def test_template_has_exactly_the_actions_the_features_need():
    assert role_actions() - {"sts:AssumeRole"} == set(FEATURE_ACTIONS)


def test_the_role_is_sufficient(run, ec2, endpoint):
    outs = every_feature(run, ec2, endpoint, FEATURE_ACTIONS)
    for r in outs:
        assert r.returncode == 0, r.stdout + r.stderr
    rep = json.loads(outs[1].stdout)
    assert any(x["action"] == "deleted" for x in rep["retention"]), outs[1].stdout[-3000:] + outs[1].stderr
    assert any(x["action"] == "kept" and x["reason"].startswith("locked") for x in rep["retention"]), \
        "the main run's locked sets, kept"


# Device tags are best effort by design: without ec2:CreateTags the run
# succeeds and reports a warning naming the permission. Without
# ec2:DeleteTags a source keeps its copy-to tag after its copies completed:
# later runs look at it again (and find the copy), with a warning.
# Without ec2:DescribeLockedSnapshots retention deletes as before (EC2
# refuses a locked snapshot) and says so.
WARNING_ONLY = {"ec2:CreateTags", "ec2:DeleteTags", "ec2:DescribeLockedSnapshots"}


@pytest.mark.parametrize("missing", FEATURE_ACTIONS)
def test_each_action_is_needed(run, ec2, endpoint, missing):
    outs = every_feature(run, ec2, endpoint, [a for a in FEATURE_ACTIONS if a != missing],
                         NEEDED_BY.get(missing, ["main"]))
    text = "\n".join(r.stdout + r.stderr for r in outs)
    if missing in WARNING_ONLY:
        assert "warning" in text.lower() or '"warnings": [\n' in text
    else:
        assert any(r.returncode != 0 for r in outs), "some feature must fail without " + missing
    assert "AccessDenied" in text or "UnauthorizedOperation" in text
    assert missing.split(":")[1] in text, "the message names the missing permission"
