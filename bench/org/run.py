#!/usr/bin/env python3
"""Organization benchmark: `s3snapshot --org` over A accounts x R regions x I
instances, against moto (tests/e2e/moto_plus.py: each assumed role's
account its own EC2) behind bench/fleet/throttle_proxy.py --per-scope (EC2's
token buckets per account and region, times F, and a fixed latency per
request, 50 ms by default).

  python3 bench/org/run.py [--accounts 16] [--regions 4] [--instances 3] [--concurrency 4,16,64]
                           [--populated P] [--peer-workers 32]

Seeded once: an organization of A accounts (the caller's and A-1 members)
with I instances in each account x region of the first P accounts (default
all; real organizations have many empty scopes). Then, through the proxy:
- one scope alone (one member account, one region, --assume-role);
- the peer (bench/org/peer.py): a c7n-org-style boto3 fan-out over the same
  accounts x regions with --peer-workers threads, on the same moto;
- the whole organization (--org --all over the R regions) once for each
  --scope-concurrency N.
Measured per run: wall time, CPU time, peak RSS, threads, calls and
throttled answers, the ratio to the one-scope time, and the CPU time moto
and the proxy spent meanwhile (moto answers one request at a time: when its
CPU time nears the wall time, the run waits on the emulator, not on its own
concurrency). Checked per run: every instance of the organization got
exactly one new set (the proxy records what moto made per instance), and the
report is ok. Loopback only."""
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
import run as fleet  # noqa: E402  (bench/fleet/run.py: run_tool, free_port, post)

REGIONS = ["us-east-1", "us-west-2", "eu-west-1", "ap-southeast-2", "eu-central-1", "ca-central-1"]
CALLER = "100000000000"


def client(service, url, region="us-east-1", creds=None):
    c = creds or {"AccessKeyId": "bench", "SecretAccessKey": "bench", "SessionToken": None}
    return boto3.client(service, endpoint_url=url, region_name=region, aws_access_key_id=c["AccessKeyId"],
                        aws_secret_access_key=c["SecretAccessKey"], aws_session_token=c["SessionToken"],
                        config=Config(read_timeout=900, retries={"max_attempts": 1}))


def cpu_seconds(pid):
    """utime + stime of a process, all its threads (/proc/PID/stat)."""
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def seed(url, accounts, regions, instances, populated):
    org = client("organizations", url)
    org.create_organization(FeatureSet="ALL")
    ids = [CALLER] + [org.create_account(AccountName="a%d" % n, Email="a%d@example.com" % n)
                      ["CreateAccountStatus"]["AccountId"] for n in range(accounts - 1)]

    def fill(account):
        creds = None
        if account != CALLER:
            creds = client("sts", url).assume_role(RoleArn="arn:aws:iam::%s:role/s3snapshot" % account,
                                                   RoleSessionName="bench")["Credentials"]
        made = []
        for region in regions:
            r = client("ec2", url, region, creds).run_instances(
                ImageId="ami-12345678", MinCount=instances, MaxCount=instances, InstanceType="t3.micro",
                BlockDeviceMappings=[{"DeviceName": "/dev/sda1", "Ebs": {"VolumeSize": 8}}])
            made += [i["InstanceId"] for i in r["Instances"]]
        return made
    with concurrent.futures.ThreadPoolExecutor(4) as pool:
        fleet_ids = [i for made in pool.map(fill, ids[:populated]) for i in made]
    return ids, fleet_ids


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--accounts", type=int, default=16)
    ap.add_argument("--regions", type=int, default=4)
    ap.add_argument("--instances", type=int, default=3)
    ap.add_argument("--concurrency", default="4,16,64")
    ap.add_argument("--factor", type=float, default=1.0)
    ap.add_argument("--latency-ms", type=float, default=50.0)
    ap.add_argument("--limit-s", type=int, default=600)
    ap.add_argument("--binary", default=os.path.join(ROOT, "build", "src", "s3snapshot"))
    ap.add_argument("--out", default=None)
    ap.add_argument("--populated", type=int, default=0, help="accounts with instances (default: all)")
    ap.add_argument("--peer-workers", type=int, default=32, help="the peer's threads (0: no peer run)")
    args = ap.parse_args()
    populated = args.populated or args.accounts
    regions = REGIONS[:args.regions]
    work = "/tmp/s3snapshot-bench-org-%d" % os.getpid()
    os.makedirs(work, exist_ok=True)
    state = os.path.join(work, "moto.json")
    subprocess.check_call([sys.executable, os.path.join(ROOT, "tests", "e2e", "moto_ctl.py"), "start", state],
                          stdout=subprocess.DEVNULL)
    moto = json.load(open(state))
    proxy_port = fleet.free_port()
    proxy = subprocess.Popen([sys.executable, os.path.join(ROOT, "bench", "fleet", "throttle_proxy.py"),
                              "--upstream-port", str(moto["port"]), "--port", str(proxy_port), "--factor",
                              str(args.factor), "--latency-ms", str(args.latency_ms), "--per-scope"])
    proxy_url = "http://127.0.0.1:%d" % proxy_port
    try:
        time.sleep(1.0)
        t0 = time.time()
        accounts, fleet_ids = seed(moto["url"], args.accounts, regions, args.instances, populated)
        print("organization of %d accounts x %d regions (%d accounts with %d instances a region) seeded in %.0f s"
              % (len(accounts), len(regions), populated, args.instances, time.time() - t0), flush=True)
        accounts_file = os.path.join(work, "accounts.json")
        with open(accounts_file, "w") as f:
            json.dump(accounts, f)
        env = {"PATH": os.environ["PATH"], "HOME": work, "AWS_ACCESS_KEY_ID": "bench",
               "AWS_SECRET_ACCESS_KEY": "bench", "AWS_REGION": "us-east-1", "AWS_ENDPOINT_URL": proxy_url,
               "AWS_EC2_METADATA_DISABLED": "true", "S3SNAPSHOT_RATE_LIMIT_FACTOR": str(args.factor)}
        binary = os.path.abspath(args.binary)
        runs = [("one scope", [binary, "--assume-role", "arn:aws:iam::%s:role/s3snapshot" % accounts[1],
                               "--region", regions[0], "--all", "--output", "json"], args.instances)]
        if args.peer_workers > 0:
            runs.append(("peer (boto3, %d workers)" % args.peer_workers,
                         [sys.executable, os.path.join(ROOT, "bench", "org", "peer.py"), "--accounts-file",
                          accounts_file, "--regions", ",".join(regions), "--workers", str(args.peer_workers)],
                         len(fleet_ids)))
        for n in [int(x) for x in args.concurrency.split(",")]:
            runs.append(("org, --scope-concurrency %d" % n,
                         [binary, "--org", "--region", ",".join(regions), "--all", "--scope-concurrency", str(n),
                          "--output", "json"], len(fleet_ids)))
        rows = []
        for name, cmd, expected in runs:
            fleet.post(proxy_url + "/__reset")
            report_path = os.path.join(work, "report.json")
            moto_cpu0, proxy_cpu0 = cpu_seconds(moto["pid"]), cpu_seconds(proxy.pid)
            r = fleet.run_tool(cmd, dict(env, PYTHONPATH=os.environ.get("PYTHONPATH", "")), args.limit_s,
                               out_path=report_path)
            moto_cpu, proxy_cpu = cpu_seconds(moto["pid"]) - moto_cpu0, cpu_seconds(proxy.pid) - proxy_cpu0
            stats = json.loads(urllib.request.urlopen(proxy_url + "/__stats").read())
            rep = json.load(open(report_path))
            made = stats["created_by_instance"]
            checks = {"report_ok": rep["ok"] and r["exit"] == 0,
                      "one_set_per_instance": len(made) == expected and all(v == 1 for v in made.values())}
            row = dict(r, run=name, calls_total=sum(stats["calls"].values()),
                       throttled_total=sum(stats["throttled"].values()), calls=stats["calls"], checks=checks,
                       scopes=len(rep.get("scopes", [])) or (1 if name == "one scope" else len(accounts) * len(
                           regions)), moto_cpu_s=moto_cpu, proxy_cpu_s=proxy_cpu)
            rows.append(row)
            print("%-32s wall %6.2fs cpu %5.2fs rss %6.1f MiB threads %4d calls %5d throttled %3d "
                  "moto cpu %5.2fs proxy cpu %5.2fs checks %s" % (
                      name, r["wall_s"], r["cpu_s"], r["peak_rss_mib"], r["peak_threads"], row["calls_total"],
                      row["throttled_total"], moto_cpu, proxy_cpu, checks), flush=True)
        one = rows[0]["wall_s"]
        for row in rows:
            row["ratio_to_one_scope"] = row["wall_s"] / one
        out = os.path.join(ROOT, "bench", "results", args.out or "org-%dx%dx%d.json" % (
            args.accounts, args.regions, args.instances))
        with open(out, "w") as f:
            json.dump({"accounts": args.accounts, "populated_accounts": populated, "regions": regions,
                       "instances_per_scope": args.instances, "peer_workers": args.peer_workers,
                       "factor": args.factor, "latency_ms": args.latency_ms, "runs": rows}, f, indent=2)
        print("results in " + os.path.relpath(out, ROOT))
    finally:
        proxy.terminate()
        proxy.wait()
        subprocess.call([sys.executable, os.path.join(ROOT, "tests", "e2e", "moto_ctl.py"), "stop", state],
                        stdout=subprocess.DEVNULL)


if __name__ == "__main__":
    main()
