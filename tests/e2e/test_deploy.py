"""deploy/template.yaml: valid (cfn-lint, offline), and its role allows every
action a real run sends (taken from moto's request recording)."""
import json
import os
import subprocess
import sys

import yaml

from conftest import make_fleet, sqs_topic

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
TEMPLATE = os.path.join(ROOT, "deploy", "template.yaml")


class Loader(yaml.SafeLoader):
    pass


def _tag(loader, suffix, node):
    if isinstance(node, yaml.ScalarNode):
        return {suffix: loader.construct_scalar(node)}
    if isinstance(node, yaml.SequenceNode):
        return {suffix: loader.construct_sequence(node, deep=True)}
    return {suffix: loader.construct_mapping(node, deep=True)}


Loader.add_multi_constructor("!", _tag)


def policy_actions():
    t = yaml.load(open(TEMPLATE), Loader=Loader)
    statements = t["Resources"]["SnapshotFunction"]["Properties"]["Policies"][0]["Statement"]
    actions = set()
    for s in statements:
        a = s["Action"]
        actions.update(a if isinstance(a, list) else [a])
    return actions


def test_cfn_lint_passes():
    r = subprocess.run([sys.executable, "-c", "import sys; from cfnlint.runner import main; sys.exit(main())", TEMPLATE],
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr


def test_role_allows_every_action_a_run_sends(run, endpoint, ec2, recording):
    topic, _ = sqs_topic(endpoint, "deploy-ok")
    err, _ = sqs_topic(endpoint, "deploy-err")
    ids = make_fleet(ec2, count=2, volumes=2)
    recording.start()
    r = run(["--stop", "--filter", json.dumps({"instances": ids + ["i-0123456789abcdef0"]}),
             "--sns-arn", topic, "--sns-arn-error", err])
    assert r.returncode == 1  # the missing instance
    for _ in range(2):
        r = run(["--filter", json.dumps({"instances": ids}), "--keep", "1", "--prune-orphans", "--wait",
                 "--copy-to-region", "eu-west-1", "--region", "all",
                 "--assume-role", "arn:aws:iam::100000000000:role/s3snapshot-runner"], timeout=300)
        assert r.returncode == 0, r.stdout + r.stderr
    used = set()
    for row in recording.requests():
        action = row["params"].get("Action")
        version = row["params"].get("Version")
        service = {"2016-11-15": "ec2", "2010-03-31": "sns", "2011-06-15": "sts"}.get(version)
        if action and service:
            used.add(service + ":" + action)
    assert {"ec2:DescribeInstances", "ec2:StopInstances", "ec2:CreateSnapshots", "ec2:StartInstances",
            "ec2:CreateTags", "sns:Publish", "ec2:DeleteSnapshot", "ec2:CopySnapshot", "ec2:DescribeVolumes",
            "ec2:DescribeRegions", "sts:AssumeRole", "ec2:DescribeSnapshots"} <= used
    assert used <= policy_actions(), used - policy_actions()
