#!/usr/bin/env python3
"""Drill benchmark: `s3snapshot drill` of a fleet, against moto behind
bench/fleet/throttle_proxy.py (EC2's token buckets times F, a fixed latency,
DescribeInstances paged as EC2 does).

  python3 bench/drill/run.py [--instances 200] [--volumes 3] [--factor 2]

A fresh moto with N instances of `--volumes` volumes, each with one snapshot
set of the tool's (CreateSnapshots with the tool's tags, sent to moto
directly). Then one drill of the whole fleet (selected by tag) through the
proxy: N x V CreateVolume, as many DeleteVolume, N CreateTags (the evidence).
Measured: wall time, CPU time, peak RSS, calls and throttled answers per
action, and the ratio of wall time to the lower bound of the bucket
arithmetic (CreateVolume and DeleteVolume share EC2's mutating bucket, 50
and 5/s, times F). Checked: every set passed, every volume made was deleted
(none tagged s3snapshot:drill-id is left), one CreateVolume per snapshot.
Loopback only; the run has a time limit."""
import argparse
import concurrent.futures
import json
import os
import subprocess
import sys
import time
import urllib.request

import boto3
from botocore.config import Config

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "bench", "fleet"))
import run as fleet  # noqa: E402  (bench/fleet/run.py: run_tool, lower_bound, free_port, post)

RUN_ID = "20261205T000000Z-be4c40"


def seed(ec2, n, volumes):
    bdm = [{"DeviceName": "/dev/sda1", "Ebs": {"VolumeSize": 8, "VolumeType": "gp3"}}] + [
        {"DeviceName": "/dev/sd" + "fghijk"[i], "Ebs": {"VolumeSize": 4, "VolumeType": "gp3"}}
        for i in range(volumes - 1)]
    ids = []
    while len(ids) < n:
        k = min(500, n - len(ids))
        r = ec2.run_instances(ImageId="ami-12345678", MinCount=k, MaxCount=k, InstanceType="t3.micro",
                              BlockDeviceMappings=bdm, TagSpecifications=[{"ResourceType": "instance", "Tags": [
                                  {"Key": "Fleet", "Value": "drill-bench"}]}])
        ids += [i["InstanceId"] for i in r["Instances"]]

    def snap(iid):
        ec2.create_snapshots(InstanceSpecification={"InstanceId": iid}, Description="bench",
                             TagSpecifications=[{"ResourceType": "snapshot", "Tags": [
                                 {"Key": "Scripted", "Value": "s3snapshot"},
                                 {"Key": "s3snapshot:run-id", "Value": RUN_ID},
                                 {"Key": "s3snapshot:instance-id", "Value": iid}]}])
    with concurrent.futures.ThreadPoolExecutor(4) as pool:
        list(pool.map(snap, ids))
    return sorted(ids)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--instances", type=int, default=200)
    ap.add_argument("--volumes", type=int, default=3)
    ap.add_argument("--factor", type=float, default=2.0, help="EC2's buckets times this (1: EC2's defaults)")
    ap.add_argument("--latency-ms", type=float, default=20.0)
    ap.add_argument("--limit-s", type=int, default=1200)
    ap.add_argument("--binary", default=os.path.join(ROOT, "build", "src", "s3snapshot"))
    ap.add_argument("--out", default=None)
    args = ap.parse_args()
    n, v = args.instances, args.volumes
    work = "/tmp/s3snapshot-bench-drill-%d" % os.getpid()
    os.makedirs(work, exist_ok=True)
    state = os.path.join(work, "moto.json")
    subprocess.check_call([sys.executable, os.path.join(ROOT, "tests", "e2e", "moto_ctl.py"), "start", state],
                          stdout=subprocess.DEVNULL)
    moto = json.load(open(state))
    proxy_port = fleet.free_port()
    proxy = subprocess.Popen([sys.executable, os.path.join(ROOT, "bench", "fleet", "throttle_proxy.py"),
                              "--upstream-port", str(moto["port"]), "--port", str(proxy_port), "--factor",
                              str(args.factor), "--latency-ms", str(args.latency_ms), "--page-describe"])
    proxy_url = "http://127.0.0.1:%d" % proxy_port
    try:
        time.sleep(1.0)
        ec2 = boto3.client("ec2", endpoint_url=moto["url"], region_name="us-east-1", aws_access_key_id="bench",
                           aws_secret_access_key="bench", config=Config(read_timeout=900, retries={"max_attempts": 1}))
        t0 = time.time()
        ids = seed(ec2, n, v)
        print("fleet of %d instances x %d volumes with one set each seeded in %.0f s" % (n, v, time.time() - t0),
              flush=True)
        env = {"PATH": os.environ["PATH"], "HOME": work, "AWS_ACCESS_KEY_ID": "bench",
               "AWS_SECRET_ACCESS_KEY": "bench", "AWS_REGION": "us-east-1", "AWS_ENDPOINT_URL": proxy_url,
               "AWS_EC2_METADATA_DISABLED": "true", "S3SNAPSHOT_RATE_LIMIT_FACTOR": str(args.factor)}
        cmd = [os.path.abspath(args.binary), "drill", "--filter", '{"tags": {"tag:Fleet": "drill-bench"}}',
               "--output", "json", "--read-timeout", "900"]
        fleet.post(proxy_url + "/__reset")
        report_path = os.path.join(work, "report.json")
        r = fleet.run_tool(cmd, env, args.limit_s, out_path=report_path)
        print("drill n=%d measured: wall %.1fs cpu %.2fs rss %.1f MiB exit=%d" % (
            n, r["wall_s"], r["cpu_s"], r["peak_rss_mib"], r["exit"]), flush=True)
        stats = json.loads(urllib.request.urlopen(proxy_url + "/__stats").read())
        rep = json.load(open(report_path))
        successful = {a: c - stats["throttled"].get(a, 0) for a, c in stats["calls"].items()}
        left = ec2.describe_volumes(Filters=[{"Name": "tag-key", "Values": ["s3snapshot:drill-id"]}])["Volumes"]
        checks = {
            "every_set_passed": rep["summary"]["passed"] == n and rep["ok"],
            "one_create_volume_per_snapshot": successful.get("CreateVolume") == n * v,
            "every_volume_deleted": left == [] and successful.get("DeleteVolume") == n * v,
            "evidence_per_set": successful.get("CreateTags") == n,
        }
        # The calls no client can avoid: one CreateVolume and one DeleteVolume
        # per snapshot (EC2's mutating bucket), the evidence tags per set.
        needed = {"CreateVolume": n * v, "DeleteVolume": n * v, "CreateTags": n}
        bound = fleet.lower_bound(needed, args.factor, args.latency_ms / 1000.0)
        row = dict(r, instances=n, volumes=n * v, calls=stats["calls"], throttled=stats["throttled"],
                   calls_total=sum(stats["calls"].values()), lower_bound_s=bound,
                   ratio_to_bound=r["wall_s"] / bound if bound >= 1.0 else None, checks=checks,
                   report_summary=rep["summary"], factor=args.factor, latency_ms=args.latency_ms)
        out = os.path.join(ROOT, "bench", "results", args.out or "drill-%dx%d.json" % (n, v))
        with open(out, "w") as f:
            json.dump(row, f, indent=2)
        print("drill n=%d volumes=%d wall %.1fs bound %.1fs calls %s throttled %s cpu %.2fs rss %.1f MiB "
              "slowest set %.1fs checks %s" % (n, n * v, r["wall_s"], bound, stats["calls"], stats["throttled"],
                                               r["cpu_s"], r["peak_rss_mib"],
                                               rep["summary"]["restore_seconds_max"] or -1, checks), flush=True)
        print("results in " + os.path.relpath(out, ROOT))
    finally:
        proxy.terminate()
        proxy.wait()
        subprocess.call([sys.executable, os.path.join(ROOT, "tests", "e2e", "moto_ctl.py"), "stop", state],
                        stdout=subprocess.DEVNULL)


if __name__ == "__main__":
    main()
