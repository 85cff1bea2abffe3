#!/usr/bin/env python3
"""Creates the demo's sample fleet in a local emulator (never a real account):
web servers (Env=PROD, Owner=John), a database (Env=PROD, Owner=Mary) and a
staging box, plus the seed README's SNS topics with SQS queues subscribed.
Usage: demo_fleet.py ENDPOINT_URL"""
import json
import sys
import urllib.parse

import boto3

endpoint = sys.argv[1]
host = urllib.parse.urlparse(endpoint).hostname
if host not in ("127.0.0.1", "localhost", "::1"):
    sys.exit("demo_fleet.py only talks to a local emulator, not " + endpoint)
kw = dict(endpoint_url=endpoint, region_name="us-east-1", aws_access_key_id="demo",
          aws_secret_access_key="demo")
ec2 = boto3.client("ec2", **kw)


def launch(count, tags, volumes):
    bdm = [{"DeviceName": "/dev/xvda", "Ebs": {"VolumeSize": 8, "VolumeType": "gp3"}}]
    for n in range(1, volumes):
        bdm.append({"DeviceName": "/dev/xvd" + "fgh"[n - 1], "Ebs": {"VolumeSize": 20, "VolumeType": "gp3"}})
    r = ec2.run_instances(ImageId="ami-0123456789abcdef0", MinCount=count, MaxCount=count,
                          InstanceType="t3.small", BlockDeviceMappings=bdm,
                          TagSpecifications=[{"ResourceType": "instance",
                                              "Tags": [{"Key": k, "Value": v} for k, v in tags.items()]}])
    return [i["InstanceId"] for i in r["Instances"]]


fleet = {
    "web": launch(3, {"Name": "web", "Env": "PROD", "Owner": "John"}, 2),
    "db": launch(1, {"Name": "db", "Env": "PROD", "Owner": "Mary"}, 3),
    "staging": launch(1, {"Name": "staging", "Env": "STAGE", "Owner": "John"}, 1),
}
sns = boto3.client("sns", **kw)
sqs = boto3.client("sqs", **kw)
queues = {}
for name in ("Snapshot", "Snapshot-Err"):
    topic = sns.create_topic(Name=name)["TopicArn"]
    q = sqs.create_queue(QueueName=name + "-inbox")["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=q, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=arn)
    queues[name] = q
fleet["queues"] = queues
print(json.dumps(fleet))
