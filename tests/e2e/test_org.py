"""--org: every ACTIVE account of the organization (moto's Organizations, each
account its own EC2 behind an assumed role), or those under OUs, less the
excluded ones; the caller's own account with its own credentials; one account
whose role cannot be assumed (refused by the proxy, as STS refuses it) fails
alone."""
import ast
import json
import os
import re
import urllib.parse
import uuid

import botocore.exceptions
import pytest

from conftest import client, make_fleet, snapshots, sqs_topic, tagmap
from helpers import ROOT, enable_auth, iam_user, role_actions

CALLER = "100000000000"  # moto's account (MOTO_ACCOUNT_ID): the management account
# What only the central function does (deploy/org/member-role.yaml has the rest).
CENTRAL_ONLY = {"sts:AssumeRole", "sns:Publish", "organizations:ListAccounts", "organizations:ListAccountsForParent",
                "organizations:ListChildren"}


def organization(endpoint):
    org = client("organizations", endpoint)
    try:
        org.create_organization(FeatureSet="ALL")
    except botocore.exceptions.ClientError as e:
        if e.response["Error"]["Code"] != "AlreadyInOrganizationException":
            raise
    return org, org.list_roots()["Roots"][0]["Id"]


def new_account(org, name):
    return org.create_account(AccountName=name, Email="%s@example.com" % name)["CreateAccountStatus"]["AccountId"]


def ec2_of(endpoint, account, region="us-east-1"):
    """An EC2 client in `account` (moto gives each assumed account its own EC2)."""
    if account == CALLER:
        return client("ec2", endpoint, region=region)
    c = client("sts", endpoint).assume_role(RoleArn="arn:aws:iam::%s:role/s3snapshot" % account,
                                            RoleSessionName="test")["Credentials"]
    return client("ec2", endpoint, region=region, key=c["AccessKeyId"], secret=c["SecretAccessKey"],
                  token=c["SessionToken"])


def active_accounts(org):
    out, token = set(), None
    while True:
        page = org.list_accounts(**({"NextToken": token} if token else {}))
        out |= {a["Id"] for a in page["Accounts"] if a["State"] == "ACTIVE"}
        token = page.get("NextToken")
        if not token:
            return out


def assumed(recording):
    return {r["params"]["RoleArn"].split(":")[4] for r in recording.requests()
            if r["params"].get("Action") == "AssumeRole"}


def role(account):
    return "arn:aws:iam::%s:role/s3snapshot" % account


def test_org_visits_exactly_the_active_accounts_and_each_instance_gets_one_set(run, endpoint, recording):
    org, root = organization(endpoint)
    tag = {"OrgRun": uuid.uuid4().hex[:8]}
    a, b, suspended, excluded = (new_account(org, "t%s%d" % (tag["OrgRun"], n)) for n in range(4))
    org.close_account(AccountId=suspended)
    regions = ("us-east-1", "eu-west-1")
    fleet = {(acct, g): make_fleet(ec2_of(endpoint, acct, g), count=1, volumes=2, tags=tag)
             for acct in (CALLER, a, b, suspended, excluded) for g in regions}
    recording.start()
    r = run(["--org", "--exclude-account", excluded, "--region", ",".join(regions),
             "--filter", json.dumps({"tags": {"tag:OrgRun": tag["OrgRun"]}}), "--output", "json"], timeout=300)
    assert r.returncode == 0, r.stdout[-3000:] + r.stderr
    visited = assumed(recording)
    assert visited == active_accounts(org) - {CALLER, excluded}, "every ACTIVE member through its role"
    assert suspended not in visited and excluded not in visited
    rep = json.loads(r.stdout)
    by_scope = {i["scope"]: i["instance_id"] for i in rep["instances"]}
    assert by_scope == {"%s/%s" % (acct, g): fleet[(acct, g)][0] for acct in (CALLER, a, b) for g in regions}
    for acct in (CALLER, a, b):
        for g in regions:
            made = [s for s in snapshots(ec2_of(endpoint, acct, g))
                    if tagmap(s).get("s3snapshot:instance-id") == fleet[(acct, g)][0]]
            assert len(made) == 2, "exactly one set (two volumes) in %s/%s" % (acct, g)
    for acct in (suspended, excluded):
        for g in regions:
            assert not [s for s in snapshots(ec2_of(endpoint, acct, g)) if tagmap(s).get("Scripted") == "s3snapshot"]
    assert {s["scope"] for s in rep["scopes"]} == {"%s/%s" % (acct, g) for acct in (CALLER, a, b) for g in regions}
    # The dry run lists every account x region it would visit, and changes nothing.
    text = run(["--org", "--exclude-account", excluded, "--region", ",".join(regions),
                "--filter", json.dumps({"tags": {"tag:OrgRun": tag["OrgRun"]}}), "--dry-run"], timeout=300).stdout
    for acct in (CALLER, a, b):
        for g in regions:
            assert "[%s/%s]" % (acct, g) in text, text
        assert re.search(r"\n  %s +2 region\(s\), 2 instance\(s\), 0 failed\n" % acct, text), text


def test_ou_limits_the_run_to_the_accounts_under_it_nested_ones_included(run, endpoint, recording):
    org, root = organization(endpoint)
    tag = uuid.uuid4().hex[:8]
    outer = org.create_organizational_unit(ParentId=root, Name="p" + tag)["OrganizationalUnit"]["Id"]
    inner = org.create_organizational_unit(ParentId=outer, Name="n" + tag)["OrganizationalUnit"]["Id"]
    top, nested, elsewhere = (new_account(org, "o%s%d" % (tag, n)) for n in range(3))
    org.move_account(AccountId=top, SourceParentId=root, DestinationParentId=outer)
    org.move_account(AccountId=nested, SourceParentId=root, DestinationParentId=inner)
    for acct in (top, nested, elsewhere):
        make_fleet(ec2_of(endpoint, acct), count=1, volumes=1, tags={"OuRun": tag})
    recording.start()
    r = run(["--org", "--ou", outer, "--filter", json.dumps({"tags": {"tag:OuRun": tag}}), "--output", "json"],
            timeout=300)
    assert r.returncode == 0, r.stdout[-3000:] + r.stderr
    assert assumed(recording) == {top, nested}
    assert sorted(i["scope"] for i in json.loads(r.stdout)["instances"]) == sorted(
        "%s/us-east-1" % x for x in (top, nested))


def test_an_account_whose_role_cannot_be_assumed_fails_alone(run, endpoint, proxy):
    org, root = organization(endpoint)
    tag = uuid.uuid4().hex[:8]
    good, refused = new_account(org, "g" + tag), new_account(org, "r" + tag)
    fleet = {acct: make_fleet(ec2_of(endpoint, acct), count=1, volumes=1, tags={"Refuse": tag})
             for acct in (good, refused)}
    topic, read = sqs_topic(endpoint, "org" + tag)
    proxy.add("AssumeRole", "error400", count=100, code="AccessDenied", status=403, match={"RoleArn": role(refused)})
    r = run(["--org", "--filter", json.dumps({"tags": {"tag:Refuse": tag}}), "--output", "json",
             "--sns-arn-error", topic], endpoint_url=proxy.url, timeout=300)
    assert r.returncode == 1, r.stdout[-3000:] + r.stderr
    rep = json.loads(r.stdout)
    assert [i["instance_id"] for i in rep["instances"] if i["snapshotted"]] == fleet[good]
    assert any(refused in e["message"] or refused in e.get("scope", "") for e in rep["errors"]), rep["errors"]
    assert refused in r.stderr and "AccessDenied" in r.stderr
    assert len(snapshots(ec2_of(endpoint, good), **{"tag:s3snapshot:instance-id": fleet[good][0]})) == 1
    # The error message names each account, the failed one first, before the full report.
    (msg,) = read()
    head = msg["Message"].split("\nFull report:\n")[0]
    lines = [ln for ln in head.splitlines() if re.match(r"  \d{12} ", ln)]
    assert lines[0].split()[0] == refused and lines[0].endswith("FAILED"), head
    assert {ln.split()[0] for ln in lines} == active_accounts(org), head
    assert "AccessDenied" in head


def test_sts_throttling_is_retried_like_ec2s_and_every_account_is_done(run, endpoint, proxy, recording):
    """STS's Throttling (HTTP 400, its own error shape) on the first
    AssumeRole of every account: retried with backoff, never a failed scope."""
    org, root = organization(endpoint)
    tag = uuid.uuid4().hex[:8]
    members = [new_account(org, "s%s%d" % (tag, n)) for n in range(3)]
    fleet = {acct: make_fleet(ec2_of(endpoint, acct), count=1, volumes=1, tags={"StsThrottle": tag})
             for acct in members}
    for acct in members:
        proxy.add("AssumeRole", "error400", count=2, code="Throttling", status=400, match={"RoleArn": role(acct)})
    recording.start()
    r = run(["--org", "--ou", root, "--filter", json.dumps({"tags": {"tag:StsThrottle": tag}}), "--output", "json"],
            endpoint_url=proxy.url, timeout=300)
    assert r.returncode == 0, r.stdout[-3000:] + r.stderr
    assert proxy.count("AssumeRole", "error400") == 6, "each account's role was throttled twice"
    assert assumed(recording) == set(members), "then assumed, once each (moto saw the third attempt)"
    assert sum(1 for q in recording.requests() if q["params"].get("Action") == "AssumeRole") == len(members)
    for acct in members:
        made = snapshots(ec2_of(endpoint, acct), **{"tag:s3snapshot:instance-id": fleet[acct][0]})
        assert len(made) == 1, acct
    assert json.loads(r.stdout)["summary"]["throttled"] >= 6


def test_audit_org_reports_per_account(run, endpoint):
    org, root = organization(endpoint)
    tag = uuid.uuid4().hex[:8]
    covered, bare = new_account(org, "c" + tag), new_account(org, "b" + tag)
    for acct in (covered, bare):
        make_fleet(ec2_of(endpoint, acct), count=1, volumes=1, tags={"AuditOrg": tag})
    doc = json.dumps({"tags": {"tag:AuditOrg": tag}})
    assert run(["--org", "--ou", root, "--exclude-account", bare, "--filter", doc], timeout=300).returncode == 0
    r = run(["audit", "--org", "--filter", doc, "--output", "json"], timeout=300)
    assert r.returncode == 1, r.stdout[-3000:] + r.stderr
    by_scope = {v["scope"]: [f["kind"] for f in v["findings"]] for v in json.loads(r.stdout)["volumes"]}
    assert by_scope["%s/us-east-1" % covered] == []
    assert by_scope["%s/us-east-1" % bare] == ["missing"]


@pytest.mark.parametrize("args,words", [
    (["--org", "--assume-role", "arn:aws:iam::111111111111:role/x"], "give one of them"),
    (["--org", "--ou", "ou-nope"], "is not an OU id"),
    (["--org", "--exclude-account", "12345"], "is not a 12-digit account id"),
    (["--org", "--role-name", "no spaces"], "is not an IAM role name"),
    (["--ou", "ou-abcd-12345678"], "used with \"org\" only"),
])
def test_bad_org_input_is_exit_2_with_nothing_sent(run, recording, args, words):
    recording.start()
    r = run(["--filter", '{"tags": {"tag:Env": "x"}}'] + args)
    assert r.returncode == 2, (args, r.stderr)
    assert words in r.stderr, (args, r.stderr)
    assert recording.actions() == []


def test_metrics_carry_each_scope_and_the_organizations_totals(run, endpoint, recording):
    """--cloudwatch-metrics over an organization: each scope's figures with
    Region and Account, and the totals with no dimension, so that one alarm
    covers every account."""
    org, root = organization(endpoint)
    tag = uuid.uuid4().hex[:8]
    members = [new_account(org, "m%s%d" % (tag, n)) for n in range(2)]
    for acct in members:
        make_fleet(ec2_of(endpoint, acct), count=1, volumes=2, tags={"OrgMetrics": tag})
    recording.start()
    r = run(["--org", "--filter", json.dumps({"tags": {"tag:OrgMetrics": tag}}), "--cloudwatch-metrics",
             "--output", "json"], timeout=300)
    assert r.returncode == 0, r.stdout[-3000:] + r.stderr
    data = {}
    for q in recording.requests():
        p = q["params"]
        if p.get("Action") != "PutMetricData":
            continue
        for k, v in p.items():
            m = re.fullmatch(r"MetricData\.member\.(\d+)\.MetricName", k)
            if m and v == "SnapshotsCreateStarted":
                pre = "MetricData.member.%s." % m.group(1)
                dims = tuple(sorted(p[key] for key in p if key.startswith(pre + "Dimensions.member.")
                                    and key.endswith(".Value")))
                data[dims] = float(p[pre + "Value"])
    assert data[()] == 4, data  # 2 members x 1 instance x 2 volumes; the caller's own account: none
    for acct in members:
        assert data[(acct, "us-east-1")] == 2, data
    assert sum(v for k, v in data.items() if k) == data[()], "the totals are the scopes' sum"


def test_the_readmes_stackset_gives_each_member_the_role_a_central_run_uses(run, endpoint):
    """The README's create-stack-set / create-stack-instances (service-managed,
    one OU) against moto's CloudFormation: each member account under the OU
    gets the role s3snapshot with the member policy, and a --org --ou run with
    moto's IAM enforcement on, as a user holding only the central function's
    actions, through roles holding only the member role's actions, snapshots
    every member's instance."""
    org, root = organization(endpoint)
    tag = uuid.uuid4().hex[:8]
    ou = org.create_organizational_unit(ParentId=root, Name="ss" + tag)["OrganizationalUnit"]["Id"]
    members = [new_account(org, "ss%s%d" % (tag, n)) for n in range(2)]
    for acct in members:
        org.move_account(AccountId=acct, SourceParentId=root, DestinationParentId=ou)
    fleet = {acct: make_fleet(ec2_of(endpoint, acct), count=1, volumes=1, tags={"StackSet": tag}) for acct in members}
    cfn = client("cloudformation", endpoint)
    with open(os.path.join(ROOT, "deploy", "org", "member-role.yaml")) as f:
        body = f.read()
    cfn.create_stack_set(StackSetName="s3snapshot-member-role", TemplateBody=body,
                         Capabilities=["CAPABILITY_NAMED_IAM"], PermissionModel="SERVICE_MANAGED",
                         AutoDeployment={"Enabled": True, "RetainStacksOnAccountRemoval": False},
                         Parameters=[{"ParameterKey": "CentralAccountId", "ParameterValue": CALLER}])
    cfn.create_stack_instances(StackSetName="s3snapshot-member-role", DeploymentTargets={"OrganizationalUnitIds": [ou]},
                               Regions=["us-east-1"])
    instances = cfn.list_stack_instances(StackSetName="s3snapshot-member-role")["Summaries"]
    assert sorted(i["Account"] for i in instances) == sorted(members)
    for acct in members:
        c = client("sts", endpoint).assume_role(RoleArn=role(acct), RoleSessionName="check")["Credentials"]
        iam = client("iam", endpoint, key=c["AccessKeyId"], secret=c["SecretAccessKey"], token=c["SessionToken"])
        assert iam.list_role_policies(RoleName="s3snapshot")["PolicyNames"] == ["s3snapshot-member"], acct
        doc = iam.get_role_policy(RoleName="s3snapshot", PolicyName="s3snapshot-member")["PolicyDocument"]
        if isinstance(doc, str):  # moto answers it as Python's repr of the document
            doc = ast.literal_eval(urllib.parse.unquote(doc))
        actions = set()
        for st in doc["Statement"]:
            actions.update(st["Action"] if isinstance(st["Action"], list) else [st["Action"]])
        assert actions == role_actions() - CENTRAL_ONLY, "the member role's actions, as the StackSet made it"
        # moto matches policies on actions only (a resource ARN never matches,
        # see test_least_privilege.py), and cannot read a policy CloudFormation
        # made (KeyError 'policy_document'): the same actions on "*", through IAM.
        iam.put_role_policy(RoleName="s3snapshot", PolicyName="s3snapshot-member", PolicyDocument=json.dumps(
            {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": sorted(actions), "Resource": "*"}]}))
    enable_auth(endpoint, 3)
    key, secret = iam_user(client("iam", endpoint), role_actions(), name="central" + tag)
    r = run(["--org", "--ou", ou, "--filter", json.dumps({"tags": {"tag:StackSet": tag}}), "--output", "json"],
            env={"AWS_ACCESS_KEY_ID": key, "AWS_SECRET_ACCESS_KEY": secret}, timeout=300)
    assert r.returncode == 0, r.stdout[-3000:] + r.stderr
    enable_auth(endpoint, 1000000000)
    for acct in members:
        assert len(snapshots(ec2_of(endpoint, acct), **{"tag:s3snapshot:instance-id": fleet[acct][0]})) == 1, acct


def test_a_thousand_failing_scopes_make_one_sns_message_within_its_limit(run, endpoint, proxy):
    """An organization of 1,000 accounts whose roles all refuse (the proxy
    answers every AssumeRole AccessDenied, as STS would): the run fails every
    scope, exits 1, and still publishes one error message under SNS's 256 KB
    that counts the accounts and names the first failures."""
    org, root = organization(endpoint)
    have = active_accounts(org)
    for n in range(max(0, 1001 - len(have))):
        new_account(org, "k%04d%s" % (n, uuid.uuid4().hex[:6]))
    topic, read = sqs_topic(endpoint, "thousand" + uuid.uuid4().hex[:6])
    proxy.add("AssumeRole", "error400", count=100000, code="AccessDenied", status=403)
    r = run(["--org", "--exclude-account", CALLER, "--all", "--sns-arn-error", topic, "--output", "json"],
            endpoint_url=proxy.url, timeout=600)
    assert r.returncode == 1, r.stdout[-3000:] + r.stderr[-3000:]
    rep = json.loads(r.stdout)
    assert len(rep["scopes"]) >= 1000 and not any(s["ok"] for s in rep["scopes"])
    (msg,) = read()
    body = msg["Message"].encode()
    assert len(body) + len(msg.get("Subject", "").encode()) < 256 * 1024, len(body)
    head = msg["Message"].split("\nFull report:\n")[0]
    assert head.count(": FAILED") >= 1000, "every account counted"
    assert "AccessDenied" in head and re.search(r"\.\.\. and \d+ more failure\(s\)", head), head[-2000:]
