#!/usr/bin/env python3
"""Audit benchmark: `s3snapshot audit` over a large fleet, against moto behind
bench/fleet/throttle_proxy.py (EC2's token buckets times F, a fixed latency,
DescribeInstances paged as EC2 does).

  python3 bench/audit/run.py [--instances 10000] [--volumes 3] [--covered-every 10] [--factor 10]

A fresh moto with N instances of `--volumes` volumes; every `--covered-every`th
instance gets a snapshot set of the tool's (CreateSnapshots with the
Scripted tag, sent to moto directly). Then one audit of the whole fleet
(selected by tag) through the proxy. Measured: wall time, CPU time, peak
RSS, calls and throttled answers per action, and the ratio of wall time to
the lower bound of the bucket arithmetic. Checked: every volume in the
report, exactly the uncovered ones unprotected, one DescribeSnapshots per 200
volumes, and no mutating call. Loopback only; the run has a time limit."""
import argparse
import concurrent.futures
import json
import math
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


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--instances", type=int, default=10000)
    ap.add_argument("--volumes", type=int, default=3)
    ap.add_argument("--covered-every", type=int, default=10)
    ap.add_argument("--factor", type=float, default=1.0, help="EC2's buckets times this (1: EC2's defaults)")
    ap.add_argument("--latency-ms", type=float, default=20.0)
    ap.add_argument("--limit-s", type=int, default=1800)
    ap.add_argument("--binary", default=os.path.join(ROOT, "build", "src", "s3snapshot"))
    ap.add_argument("--out", default=None)
    args = ap.parse_args()
    n = args.instances
    work = "/tmp/s3snapshot-bench-audit-%d" % os.getpid()
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
        bdm = [{"DeviceName": "/dev/sda1", "Ebs": {"VolumeSize": 8, "VolumeType": "gp3"}}] + [
            {"DeviceName": "/dev/sd" + "fghijk"[i], "Ebs": {"VolumeSize": 4, "VolumeType": "gp3"}}
            for i in range(args.volumes - 1)]
        t0 = time.time()
        fleet_ids = []
        while len(fleet_ids) < n:
            k = min(500, n - len(fleet_ids))
            r = ec2.run_instances(ImageId="ami-12345678", MinCount=k, MaxCount=k, InstanceType="t3.micro",
                                  BlockDeviceMappings=bdm, TagSpecifications=[{"ResourceType": "instance", "Tags": [
                                      {"Key": "Fleet", "Value": "bench"}, {"Key": "Name", "Value": "node"}]}])
            fleet_ids += [i["InstanceId"] for i in r["Instances"]]
        covered = sorted(fleet_ids)[::args.covered_every]
        print("fleet of %d instances x %d volumes seeded in %.0f s" % (n, args.volumes, time.time() - t0), flush=True)
        t0 = time.time()

        def snap(iid):
            ec2.create_snapshots(InstanceSpecification={"InstanceId": iid}, Description="bench",
                                 TagSpecifications=[{"ResourceType": "snapshot", "Tags": [
                                     {"Key": "Scripted", "Value": "s3snapshot"}]}])
        with concurrent.futures.ThreadPoolExecutor(4) as pool:
            list(pool.map(snap, covered))
        print("%d instances covered in %.0f s" % (len(covered), time.time() - t0), flush=True)

        env = {"PATH": os.environ["PATH"], "HOME": work, "AWS_ACCESS_KEY_ID": "bench",
               "AWS_SECRET_ACCESS_KEY": "bench", "AWS_REGION": "us-east-1", "AWS_ENDPOINT_URL": proxy_url,
               "AWS_EC2_METADATA_DISABLED": "true", "S3SNAPSHOT_RATE_LIMIT_FACTOR": str(args.factor)}
        cmd = [os.path.abspath(args.binary), "audit", "--filter", '{"tags": {"tag:Fleet": "bench"}}',
               "--output", "json", "--read-timeout", "900"]
        fleet.post(proxy_url + "/__reset")
        report_path = os.path.join(work, "report.json")
        r = fleet.run_tool(cmd, env, args.limit_s, out_path=report_path)
        print("audit n=%d measured: wall %.1fs cpu %.2fs rss %.1f MiB exit=%d" % (
            n, r["wall_s"], r["cpu_s"], r["peak_rss_mib"], r["exit"]), flush=True)
        stats = json.loads(urllib.request.urlopen(proxy_url + "/__stats").read())
        rep = json.load(open(report_path))
        volumes = n * args.volumes
        expected_calls = {"DescribeInstances": math.ceil(n / 1000), "DescribeSnapshots": math.ceil(volumes / 200),
                          "DescribeVolumes": math.ceil(volumes / 200)}  # the s3snapshot:exclude opt-outs
        successful = {a: c - stats["throttled"].get(a, 0) for a, c in stats["calls"].items()}
        checks = {
            "every_volume_reported": rep["summary"]["volumes"] == volumes,
            "exactly_the_uncovered_unprotected": rep["summary"]["unprotected"] == (n - len(covered)) * args.volumes
            and {v["instance_id"] for v in rep["volumes"] if v["findings"]} == set(fleet_ids) - set(covered),
            "one_describe_snapshots_per_200_volumes": successful.get("DescribeSnapshots") ==
            expected_calls["DescribeSnapshots"],
            "one_describe_volumes_per_200_volumes": successful.get("DescribeVolumes") ==
            expected_calls["DescribeVolumes"],
            "read_only": set(stats["calls"]) <= {"DescribeInstances", "DescribeSnapshots", "DescribeVolumes"},
        }
        bound = fleet.lower_bound(expected_calls, args.factor, args.latency_ms / 1000.0)
        # moto's own time for the same calls, one after another and straight
        # to it (no proxy): what the emulator costs, whoever the client.
        t0 = time.time()
        ec2.describe_instances(Filters=[{"Name": "tag:Fleet", "Values": ["bench"]},
                                        {"Name": "instance-state-name",
                                         "Values": ["pending", "running", "stopping", "stopped"]}])
        moto_select = time.time() - t0
        vols = sorted(v["volume_id"] for v in rep["volumes"])
        t0 = time.time()
        for i in range(0, len(vols), 200):
            ec2.describe_volumes(Filters=[{"Name": "volume-id", "Values": vols[i:i + 200]},
                                          {"Name": "tag:s3snapshot:exclude", "Values": ["true"]}])
            ec2.describe_snapshots(OwnerIds=["self"], Filters=[{"Name": "volume-id", "Values": vols[i:i + 200]},
                                                               {"Name": "tag:Scripted", "Values": ["s3snapshot"]}])
        moto_lookups = time.time() - t0
        row = dict(r, instances=n, volumes=volumes, covered_instances=len(covered), calls=stats["calls"],
                   throttled=stats["throttled"], calls_total=sum(stats["calls"].values()),
                   lower_bound_s=bound, ratio_to_bound=r["wall_s"] / bound if bound >= 1.0 else None,
                   checks=checks, report_summary=rep["summary"], factor=args.factor, latency_ms=args.latency_ms,
                   moto_select_s=moto_select, moto_lookups_sequential_s=moto_lookups)
        out = os.path.join(ROOT, "bench", "results", args.out or "audit-%d.json" % n)
        with open(out, "w") as f:
            json.dump(row, f, indent=2)
        print("audit n=%d volumes=%d wall %.1fs bound %.1fs (moto alone: select %.1fs + lookups %.1fs) calls %s "
              "throttled %s cpu %.2fs rss %.1f MiB checks %s"
              % (n, volumes, r["wall_s"], bound, moto_select, moto_lookups, stats["calls"], stats["throttled"],
                 r["cpu_s"], r["peak_rss_mib"], checks), flush=True)
        print("results in " + os.path.relpath(out, ROOT))
    finally:
        proxy.terminate()
        proxy.wait()
        subprocess.call([sys.executable, os.path.join(ROOT, "tests", "e2e", "moto_ctl.py"), "stop", state],
                        stdout=subprocess.DEVNULL)


if __name__ == "__main__":
    main()
