#!/usr/bin/env python3
"""Pre/post-script benchmark: how long each host stays frozen, and what a
scripted run costs, over a fleet in moto behind tests/e2e/ssm_faults.py
(every pre-script InProgress for --pre-seconds, as a freeze that takes that
long; post-scripts for --post-seconds). EC2 goes through the same proxy, so
one log holds every request in arrival order.

  python3 bench/scripts/run.py [--instances 200] [--concurrency 8] [--pre-seconds 1]

Measured per instance, from the proxy's log: the freeze window (from the
moment its pre-script could have ended, sent + --pre-seconds, to its
post-script's SendCommand), and pre-script to CreateSnapshots. For the run:
wall time, CPU, peak RSS, calls per operation. Checked: every instance
application-consistent and thawed, one CreateSnapshots and one pre-script
each, at most --concurrency ids per pre-script SendCommand and 50 per
post-script. Loopback only; the run has a time limit."""
import argparse
import json
import os
import statistics
import subprocess
import sys
import time

import boto3

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "bench", "fleet"))
sys.path.insert(0, os.path.join(ROOT, "tests", "e2e"))
import run as fleet  # noqa: E402  (bench/fleet/run.py: run_tool)
from ssm_faults import SsmFaults  # noqa: E402


def pct(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100.0 * (len(values) - 1))))]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--instances", type=int, default=200)
    ap.add_argument("--concurrency", type=int, default=8)
    ap.add_argument("--pre-seconds", type=float, default=1.0)
    ap.add_argument("--post-seconds", type=float, default=0.5)
    ap.add_argument("--limit-s", type=int, default=900)
    ap.add_argument("--binary", default=os.path.join(ROOT, "build", "src", "s3snapshot"))
    ap.add_argument("--out", default=None)
    args = ap.parse_args()
    n = args.instances
    work = "/tmp/s3snapshot-bench-scripts-%d" % os.getpid()
    os.makedirs(work, exist_ok=True)
    state = os.path.join(work, "moto.json")
    subprocess.check_call([sys.executable, os.path.join(ROOT, "tests", "e2e", "moto_ctl.py"), "start", state],
                          stdout=subprocess.DEVNULL)
    moto = json.load(open(state))
    faults = SsmFaults(moto["port"])
    try:
        ec2 = boto3.client("ec2", endpoint_url=moto["url"], region_name="us-east-1", aws_access_key_id="bench",
                           aws_secret_access_key="bench")
        ids = []
        while len(ids) < n:
            k = min(500, n - len(ids))
            r = ec2.run_instances(ImageId="ami-12345678", MinCount=k, MaxCount=k, InstanceType="t3.micro",
                                  TagSpecifications=[{"ResourceType": "instance", "Tags": [
                                      {"Key": "Fleet", "Value": "bench"}]}])
            ids += [i["InstanceId"] for i in r["Instances"]]
        faults.in_progress["pre-script"] = args.pre_seconds
        faults.in_progress["post-script"] = args.post_seconds
        env = {"PATH": os.environ["PATH"], "HOME": work, "AWS_ACCESS_KEY_ID": "bench",
               "AWS_SECRET_ACCESS_KEY": "bench", "AWS_REGION": "us-east-1", "AWS_ENDPOINT_URL": faults.url,
               "AWS_EC2_METADATA_DISABLED": "true"}
        cmd = [os.path.abspath(args.binary), "--filter", '{"tags": {"tag:Fleet": "bench"}}', "--output", "json",
               "--pre-script", "/usr/local/sbin/s3s-freeze", "--post-script", "fsfreeze -u /data || true",
               "--concurrency", str(args.concurrency)]
        report_path = os.path.join(work, "report.json")
        r = fleet.run_tool(cmd, env, args.limit_s, out_path=report_path)
        rep = json.load(open(report_path))
        events = list(faults.events)
        calls = {}
        for _, what, stage, _ in events:
            key = {"send": "SendCommand " + stage, "get": "GetCommandInvocation " + stage}.get(what, what)
            calls[key] = calls.get(key, 0) + 1
        freeze, to_create = [], []
        for iid in ids:
            pre = [t for t, what, st, iids in events if what == "send" and st == "pre-script" and iid in iids]
            post = [t for t, what, st, iids in events if what == "send" and st == "post-script" and iid in iids]
            create = [t for t, what, _, iids in events if what == "CreateSnapshots" and iid in iids]
            if pre and post and create:
                freeze.append(max(0.0, post[0] - (pre[0] + args.pre_seconds)))
                to_create.append(create[0] - pre[0])
        pre_sizes = [len(iids) for _, what, st, iids in events if what == "send" and st == "pre-script"]
        post_sizes = [len(iids) for _, what, st, iids in events if what == "send" and st == "post-script"]
        by_id = {i["instance_id"]: i for i in rep["instances"]}
        checks = {
            "all_application_consistent": all(by_id[i]["consistency"] == "application" for i in ids),
            "all_thawed": rep["summary"]["not_thawed"] == [] and all(by_id[i]["scripts"]["thawed"] for i in ids),
            "one_snapshot_and_one_pre_script_each": calls.get("CreateSnapshots") == n and sum(pre_sizes) == n,
            "waves_within_limits": max(pre_sizes) <= min(args.concurrency, 50) and max(post_sizes) <= 50,
            "measured_every_instance": len(freeze) == n,
        }
        row = dict(r, instances=n, concurrency=args.concurrency, pre_seconds=args.pre_seconds,
                   post_seconds=args.post_seconds, calls=calls, checks=checks,
                   freeze_window_s={"median": statistics.median(freeze), "p95": pct(freeze, 95), "max": max(freeze)},
                   pre_to_create_s={"median": statistics.median(to_create), "max": max(to_create)},
                   pre_commands=len(pre_sizes), post_commands=len(post_sizes), report_summary=rep["summary"])
        out = os.path.join(ROOT, "bench", "results",
                           args.out or "scripts-%d-c%d.json" % (n, args.concurrency))
        with open(out, "w") as f:
            json.dump(row, f, indent=2)
        print("scripts n=%d concurrency=%d wall %.1fs cpu %.2fs rss %.1f MiB freeze median %.2fs p95 %.2fs "
              "max %.2fs; pre->create median %.2fs; calls %s; checks %s"
              % (n, args.concurrency, r["wall_s"], r["cpu_s"], r["peak_rss_mib"], row["freeze_window_s"]["median"],
                 row["freeze_window_s"]["p95"], row["freeze_window_s"]["max"], row["pre_to_create_s"]["median"],
                 calls, checks), flush=True)
        print("results in " + os.path.relpath(out, ROOT))
    finally:
        faults.close()
        subprocess.call([sys.executable, os.path.join(ROOT, "tests", "e2e", "moto_ctl.py"), "stop", state],
                        stdout=subprocess.DEVNULL)


if __name__ == "__main__":
    main()
