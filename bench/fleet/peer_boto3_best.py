#!/usr/bin/env python3
"""Peer 2: the best boto3 version a strong Python engineer would write: a
thread pool, the SDK's adaptive retry mode, one CreateSnapshots per instance
with TagSpecifications.
With --stop, each worker stops its instance, waits for 'stopped', snapshots
it and starts it again (in a finally), one instance per call.
Usage: peer_boto3_best.py TAG_KEY TAG_VALUE LABEL [--stop]   (endpoint from AWS_ENDPOINT_URL)"""
import concurrent.futures
import sys

import boto3
from botocore.config import Config

key, value, label = sys.argv[1:4]
stop = "--stop" in sys.argv[4:]
# read_timeout as s3snapshot gets --read-timeout 900 in the harness: moto
# takes minutes to filter 10,000 instances (EC2 answers in well under 60 s),
# and the default 60 s made the SDK resend the first page until it gave up.
ec2 = boto3.client("ec2", config=Config(retries={"max_attempts": 20, "mode": "adaptive"},
                                        max_pool_connections=16, read_timeout=900))
ids = []
for page in ec2.get_paginator("describe_instances").paginate(
        Filters=[{"Name": "tag:" + key, "Values": [value]},
                 {"Name": "instance-state-name", "Values": ["pending", "running", "stopping", "stopped"]}],
        PaginationConfig={"PageSize": 1000}):
    for res in page["Reservations"]:
        ids += [i["InstanceId"] for i in res["Instances"]]


def snap(iid):
    if stop:
        ec2.stop_instances(InstanceIds=[iid])
        try:
            ec2.get_waiter("instance_stopped").wait(InstanceIds=[iid], WaiterConfig={"Delay": 1, "MaxAttempts": 600})
            return create(iid)
        finally:
            ec2.start_instances(InstanceIds=[iid])
    return create(iid)


def create(iid):
    return ec2.create_snapshots(
        InstanceSpecification={"InstanceId": iid}, Description="%s %s" % (label, iid),
        TagSpecifications=[{"ResourceType": "snapshot", "Tags": [
            {"Key": "Scripted", "Value": "s3snapshot"}, {"Key": "bench:label", "Value": label},
            {"Key": "bench:instance", "Value": iid}]}])


with concurrent.futures.ThreadPoolExecutor(16) as pool:
    for _ in pool.map(snap, ids):
        pass
