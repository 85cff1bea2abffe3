#!/usr/bin/env python3
"""Peer 1: what the 2016 seed did, with boto3: instances in turn, one
CreateSnapshot and one CreateTags call per volume, time.sleep(0.1) and try
again on RequestLimitExceeded (the SDK's own retries off).
With --stop, as the seed's --stop did: stop the instance, poll until it is
stopped, snapshot, start it again.
Usage: peer_seed_2016.py TAG_KEY TAG_VALUE LABEL [--stop]   (endpoint from AWS_ENDPOINT_URL)"""
import sys
import time

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

key, value, label = sys.argv[1:4]
stop = "--stop" in sys.argv[4:]
# read_timeout as s3snapshot gets --read-timeout 900 in the harness: moto
# takes minutes to filter 10,000 instances (EC2 answers in well under 60 s).
ec2 = boto3.client("ec2", config=Config(retries={"max_attempts": 1, "mode": "legacy"}, read_timeout=900))


def call(fn, **kw):
    while True:
        try:
            return fn(**kw)
        except ClientError as e:
            if e.response["Error"]["Code"] == "RequestLimitExceeded":
                time.sleep(0.1)
                continue
            raise


reservations = []
token = None
while True:
    kw = {"Filters": [{"Name": "tag:" + key, "Values": [value]}]}
    if token:
        kw["NextToken"] = token
    page = call(ec2.describe_instances, **kw)
    reservations += page["Reservations"]
    token = page.get("NextToken")
    if not token:
        break
for res in reservations:
    for inst in res["Instances"]:
        if stop:
            call(ec2.stop_instances, InstanceIds=[inst["InstanceId"]])
            while True:
                r = call(ec2.describe_instances, InstanceIds=[inst["InstanceId"]])
                if r["Reservations"][0]["Instances"][0]["State"]["Name"] == "stopped":
                    break
                time.sleep(1)
        for bd in inst.get("BlockDeviceMappings", []):
            snap = call(ec2.create_snapshot, VolumeId=bd["Ebs"]["VolumeId"],
                        Description="%s %s %s" % (label, inst["InstanceId"], bd["DeviceName"]))
            call(ec2.create_tags, Resources=[snap["SnapshotId"]],
                 Tags=[{"Key": "Scripted", "Value": "s3snapshot"}, {"Key": "bench:label", "Value": label},
                       {"Key": "bench:instance", "Value": inst["InstanceId"]}])
        if stop:
            call(ec2.start_instances, InstanceIds=[inst["InstanceId"]])
