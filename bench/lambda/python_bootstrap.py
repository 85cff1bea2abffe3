#!/usr/bin/env python3
"""The peer for the cold-start benchmark: a Python 3 + boto3 custom-runtime
bootstrap doing the same job as s3snapshot's (select by tags, one
CreateSnapshots per instance with tags, report as JSON). Benchmark only."""
import json
import os
import urllib.request

import boto3  # imported at init, as a Lambda handler module does

API = "http://%s/2018-06-01/runtime" % os.environ["AWS_LAMBDA_RUNTIME_API"]
ec2 = boto3.client("ec2")


def handle(event):
    filters = [{"Name": k, "Values": v if isinstance(v, list) else [v]} for k, v in event.get("tags", {}).items()]
    filters.append({"Name": "instance-state-name", "Values": ["pending", "running", "stopping", "stopped"]})
    report = []
    for page in ec2.get_paginator("describe_instances").paginate(Filters=filters):
        for res in page["Reservations"]:
            for inst in res["Instances"]:
                snaps = ec2.create_snapshots(
                    InstanceSpecification={"InstanceId": inst["InstanceId"]},
                    Description="bench " + inst["InstanceId"],
                    TagSpecifications=[{"ResourceType": "snapshot", "Tags": [{"Key": "Scripted", "Value": "bench"}]}])
                report.append({"instance_id": inst["InstanceId"],
                               "snapshots": [s["SnapshotId"] for s in snaps["Snapshots"]]})
    return {"ok": True, "instances": report}


while True:
    with urllib.request.urlopen(API + "/invocation/next", timeout=None) as r:
        rid = r.headers["Lambda-Runtime-Aws-Request-Id"]
        event = json.loads(r.read())
    body = json.dumps(handle(event)).encode()
    urllib.request.urlopen(urllib.request.Request(API + "/invocation/%s/response" % rid, data=body, method="POST")).read()
