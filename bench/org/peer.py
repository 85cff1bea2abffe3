#!/usr/bin/env python3
"""The peer of bench/org/run.py: a c7n-org-style boto3 fan-out, one task per
account x region on a thread pool (c7n-org runs cpu_count() x 4 workers;
`--workers` sets it), each task assuming the account's role (the caller's own
account with its own credentials), listing its instances and starting one
multi-volume snapshot set per instance, tagged as s3snapshot tags its own.
botocore's standard retry mode (10 attempts) absorbs throttling, and one
session's loaded models serve every client (c7n-org makes a session per
task, which here costs 25 s of CPU and 1 GiB at 64 scopes): a strong script,
not a strawman. Exit 0 when every task succeeded.

  peer.py --accounts-file F --regions us-east-1,eu-west-1 [--workers 32]

The endpoint and credentials come from the environment (AWS_ENDPOINT_URL,
AWS_ACCESS_KEY_ID, ...), as for the tool. Prints a JSON summary on stdout."""
import argparse
import concurrent.futures
import json
import os
import sys
import threading

import boto3
from botocore.config import Config

CONFIG = Config(retries={"mode": "standard", "max_attempts": 10}, max_pool_connections=4)


SESSION = boto3.session.Session()  # one: its loaded models serve every client
LOCK = threading.Lock()  # a session is not thread-safe; its clients are


def make_client(service, **kw):
    with LOCK:
        return SESSION.client(service, **kw)


def task(account, region, caller, role_name):
    kw = {"region_name": region, "config": CONFIG, "endpoint_url": os.environ["AWS_ENDPOINT_URL"]}
    if account != caller:
        sts = make_client("sts", **kw)
        c = sts.assume_role(RoleArn="arn:aws:iam::%s:role/%s" % (account, role_name),
                            RoleSessionName="peer")["Credentials"]
        kw.update(aws_access_key_id=c["AccessKeyId"], aws_secret_access_key=c["SecretAccessKey"],
                  aws_session_token=c["SessionToken"])
    ec2 = make_client("ec2", **kw)
    ids = []
    for page in ec2.get_paginator("describe_instances").paginate(
            Filters=[{"Name": "instance-state-name", "Values": ["running", "stopped"]}]):
        ids += [i["InstanceId"] for r in page["Reservations"] for i in r["Instances"]]
    for iid in ids:
        ec2.create_snapshots(InstanceSpecification={"InstanceId": iid}, CopyTagsFromSource="volume",
                             TagSpecifications=[{"ResourceType": "snapshot", "Tags": [
                                 {"Key": "Scripted", "Value": "s3snapshot"},
                                 {"Key": "s3snapshot:instance-id", "Value": iid}]}])
    return len(ids)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--accounts-file", required=True)
    ap.add_argument("--regions", required=True)
    ap.add_argument("--workers", type=int, default=32)
    ap.add_argument("--role-name", default="s3snapshot")
    args = ap.parse_args()
    accounts = json.load(open(args.accounts_file))
    caller, regions = accounts[0], args.regions.split(",")
    done, failed = 0, []
    with concurrent.futures.ThreadPoolExecutor(args.workers) as pool:
        futures = {pool.submit(task, a, g, caller, args.role_name): (a, g) for a in accounts for g in regions}
        for f in concurrent.futures.as_completed(futures):
            try:
                done += f.result()
            except Exception as e:  # noqa: BLE001 - a failed task is counted, as c7n-org logs it
                failed.append("%s/%s: %s" % (futures[f] + (e,)))
    json.dump({"ok": not failed, "instances": done, "failed": failed[:10]}, sys.stdout)
    return 0 if not failed else 1


if __name__ == "__main__":
    sys.exit(main())
