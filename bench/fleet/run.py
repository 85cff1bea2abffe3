#!/usr/bin/env python3
"""Fleet benchmark: s3snapshot against two boto3 peers, in one run, against
one throttling endpoint (moto behind throttle_proxy.py).

  python3 bench/fleet/run.py [--sizes 100,1000] [--factor 2] [--latency-ms 20]
                             [--peers ours,seed2016,boto3best] [--volumes 3] [--stop]

For each fleet size: a fresh moto with N instances of `--volumes` volumes,
then each tool in turn snapshots the whole fleet (selected by tag). Measured:
wall time, API calls and throttled answers per action (from the proxy), CPU
time and peak RSS (wait4), and the ratio of wall time to the lower bound the
bucket arithmetic allows. Checked: exactly one snapshot set per instance, and
every instance of the fleet running afterwards (the restart guarantee).
Loopback only; every run has a time limit."""
import argparse
import json
import math
import os
import socket
import subprocess
import sys
import time
import urllib.request

import boto3
from botocore.config import Config

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from throttle_proxy import FAMILIES, family  # noqa: E402


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def post(url, data=b""):
    req = urllib.request.Request(url, data=data, method="POST")
    return urllib.request.urlopen(req, timeout=60).read()


def lower_bound(calls, factor, latency_s):
    """The fastest any client could make these calls through the buckets."""
    per_family = {}
    for action, n in calls.items():
        per_family[family(action)] = per_family.get(family(action), 0) + n
    worst = 0.0
    for fam, n in per_family.items():
        size, rate = FAMILIES[fam]
        worst = max(worst, max(0.0, n - size * factor) / (rate * factor))
    return worst + 2 * latency_s  # a selection call and a last snapshot call, at least


def run_tool(cmd, env, limit, out_path=None):
    # posix_spawn, not fork: a forked child's peak RSS would start at this
    # Python process's size. stdout goes to `out_path` (default: nowhere).
    err_path = "/tmp/s3snapshot-bench-stderr-%d" % os.getpid()
    devnull = os.open(out_path or os.devnull, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    errfd = os.open(err_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    t0 = time.perf_counter()
    pid = os.posix_spawn(cmd[0], cmd, env, file_actions=[(os.POSIX_SPAWN_DUP2, devnull, 1),
                                                         (os.POSIX_SPAWN_DUP2, errfd, 2)])
    os.close(devnull)
    os.close(errfd)
    deadline = time.time() + limit
    peak_kib = 0
    peak_threads = 0
    while True:
        # VmHWM of the program itself (wait4's ru_maxrss would include the
        # spawning Python's memory from before exec).
        try:
            with open("/proc/%d/status" % pid) as f:
                for line in f:
                    if line.startswith("VmHWM:"):
                        peak_kib = max(peak_kib, int(line.split()[1]))
                    elif line.startswith("Threads:"):
                        peak_threads = max(peak_threads, int(line.split()[1]))
        except OSError:
            pass
        wpid, status, ru = os.wait4(pid, os.WNOHANG)
        if wpid:
            break
        if time.time() > deadline:
            os.kill(pid, 9)
        time.sleep(0.02)
    wall = time.perf_counter() - t0
    err = open(err_path, errors="replace").read()
    rc = os.waitstatus_to_exitcode(status)
    return {"wall_s": wall, "cpu_s": ru.ru_utime + ru.ru_stime, "peak_rss_mib": peak_kib / 1024.0,
            "peak_threads": peak_threads,
            "exit": rc, "stderr_tail": err[-500:]}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="100,1000")
    ap.add_argument("--factor", type=float, default=2.0)
    ap.add_argument("--latency-ms", type=float, default=20.0)
    ap.add_argument("--peers", default="ours,seed2016,boto3best")
    ap.add_argument("--volumes", type=int, default=3)
    ap.add_argument("--limit-s", type=int, default=1800, help="time limit per tool run")
    ap.add_argument("--stop", action="store_true",
                    help="stop -> snapshot -> start (each tool's own way); the fleet must be running afterwards")
    ap.add_argument("--page-describe", action="store_true",
                    help="have the proxy page DescribeInstances (moto does not); for 10,000 instances")
    ap.add_argument("--binary", default=os.path.join(ROOT, "build", "src", "s3snapshot"),
                    help="the s3snapshot to measure (default: build/src/s3snapshot)")
    ap.add_argument("--out", help="results file name in bench/results (default: from sizes, peers and --stop)")
    args = ap.parse_args()
    binary = os.path.abspath(args.binary)
    work = "/tmp/s3snapshot-bench-%d" % os.getpid()
    os.makedirs(work, exist_ok=True)
    state = os.path.join(work, "moto.json")
    subprocess.check_call([sys.executable, os.path.join(ROOT, "tests", "e2e", "moto_ctl.py"), "start", state],
                          stdout=subprocess.DEVNULL)
    moto = json.load(open(state))
    proxy_port = free_port()
    proxy = subprocess.Popen([sys.executable, os.path.join(HERE, "throttle_proxy.py"), "--upstream-port",
                              str(moto["port"]), "--port", str(proxy_port), "--factor", str(args.factor),
                              "--latency-ms", str(args.latency_ms)] + (["--page-describe"] if args.page_describe else []))
    proxy_url = "http://127.0.0.1:%d" % proxy_port
    time.sleep(1.0)
    def write_results(res):
        out = os.path.join(ROOT, "bench", "results")
        os.makedirs(out, exist_ok=True)
        name = args.out or "fleet-%s-%s%s.json" % ("-".join(args.sizes.split(",")), "-".join(args.peers.split(",")),
                                                  "-stop" if args.stop else "")
        with open(os.path.join(out, name), "w") as f:
            json.dump(res, f, indent=2)
        return name

    results = {"factor": args.factor, "latency_ms": args.latency_ms, "volumes": args.volumes, "runs": []}
    try:
        for n, peer in [(int(x), p) for x in args.sizes.split(",") for p in args.peers.split(",")]:
            # A fresh emulator and fleet for each tool: moto's snapshot filters
            # slow down with every snapshot it holds.
            post(moto["url"] + "/moto-api/reset")
            ec2 = boto3.client("ec2", endpoint_url=moto["url"], region_name="us-east-1",
                               aws_access_key_id="bench", aws_secret_access_key="bench",
                               config=Config(read_timeout=900, retries={"max_attempts": 1}))
            bdm = [{"DeviceName": "/dev/sda1", "Ebs": {"VolumeSize": 8, "VolumeType": "gp3"}}] + [
                {"DeviceName": "/dev/sd" + "fghijk"[i], "Ebs": {"VolumeSize": 4, "VolumeType": "gp3"}}
                for i in range(args.volumes - 1)]
            t0 = time.time()
            made = 0
            fleet, volume_owner = set(), {}
            while made < n:
                k = min(500, n - made)
                seeded = ec2.run_instances(ImageId="ami-12345678", MinCount=k, MaxCount=k, InstanceType="t3.micro",
                                  BlockDeviceMappings=bdm, TagSpecifications=[{"ResourceType": "instance", "Tags": [
                                      {"Key": "Fleet", "Value": "bench"}, {"Key": "Name", "Value": "node"}]}])
                for i in seeded["Instances"]:
                    fleet.add(i["InstanceId"])
                    for bd in i.get("BlockDeviceMappings", []):
                        volume_owner[bd["Ebs"]["VolumeId"]] = i["InstanceId"]
                made += k
            print("fleet of %d instances x %d volumes seeded in %.0f s" % (n, args.volumes, time.time() - t0),
                  flush=True)
            if True:
                label = "bench-%s-%d" % (peer, n)
                env = {"PATH": os.environ["PATH"], "HOME": work, "AWS_ACCESS_KEY_ID": "bench",
                       "AWS_SECRET_ACCESS_KEY": "bench", "AWS_REGION": "us-east-1", "AWS_DEFAULT_REGION": "us-east-1",
                       "AWS_ENDPOINT_URL": proxy_url, "AWS_EC2_METADATA_DISABLED": "true"}
                if peer == "ours":
                    env["S3SNAPSHOT_RATE_LIMIT_FACTOR"] = str(args.factor)
                    cmd = [binary, "--filter", '{"tags": {"tag:Fleet": "bench"}}', "--label", label,
                           "--concurrency", "8", "--read-timeout", "900"]
                elif peer == "seed2016":
                    cmd = [sys.executable, os.path.join(HERE, "peer_seed_2016.py"), "Fleet", "bench", label]
                else:
                    cmd = [sys.executable, os.path.join(HERE, "peer_boto3_best.py"), "Fleet", "bench", label]
                if args.stop:
                    cmd.append("--stop")
                post(proxy_url + "/__reset")
                r = run_tool(cmd, env, args.limit_s)
                # Printed before the checks, which can take long in moto at
                # 10,000 instances: the measurement is never lost to them.
                print("%-10s n=%-6d measured: wall %.1fs cpu %.2fs rss %.1f MiB exit=%d" % (
                    peer, n, r["wall_s"], r["cpu_s"], r["peak_rss_mib"], r["exit"]), flush=True)
                stats = json.loads(urllib.request.urlopen(proxy_url + "/__stats").read())
                # Correctness: exactly one snapshot set per instance. Counted from
                # what moto answered to every snapshot-creating call (recorded by
                # the proxy); at up to 2,000 instances also from moto's
                # DescribeSnapshots, by the run's tags, and both must agree.
                # (At 10,000 instances DescribeSnapshots would take hours: moto
                # looks up each snapshot's tags among all tags.)
                per_instance = dict(stats["created_by_instance"])
                for vol, count in stats["created_by_volume"].items():
                    owner = volume_owner.get(vol, vol)
                    per_instance[owner] = per_instance.get(owner, 0) + count
                exact = set(per_instance) == fleet and all(v == args.volumes for v in per_instance.values())
                exact_described = None
                if n <= 2000:
                    tag = "s3snapshot:label" if peer == "ours" else "bench:label"
                    described = {}
                    pages = ec2.get_paginator("describe_snapshots").paginate(OwnerIds=["self"],
                                                                             PaginationConfig={"PageSize": 1000})
                    for snap in (x for page in pages for x in page["Snapshots"]):
                        t = {x["Key"]: x["Value"] for x in snap.get("Tags", [])}
                        if t.get(tag) != label:
                            continue
                        iid = t.get("s3snapshot:instance-id") or t.get("bench:instance")
                        described[iid] = described.get(iid, 0) + 1
                    exact_described = described == per_instance
                    exact = exact and exact_described
                # The restart guarantee: every instance of the fleet runs afterwards
                # (DescribeInstanceStatus: states without moto's per-instance tag lookups).
                fleet_states = {}
                for page in ec2.get_paginator("describe_instance_status").paginate(IncludeAllInstances=True):
                    for st in page["InstanceStatuses"]:
                        if st["InstanceId"] in fleet:
                            name = st["InstanceState"]["Name"]
                            fleet_states[name] = fleet_states.get(name, 0) + 1
                all_running = fleet_states == {"running": n}
                successful = {a: c - stats["throttled"].get(a, 0) for a, c in stats["calls"].items()}
                bound = lower_bound({"DescribeInstances": math.ceil(n / 1000), "CreateSnapshots": n},
                                    args.factor, args.latency_ms / 1000.0)
                if bound < 1.0:
                    bound = None  # within the buckets' burst: no meaningful bound
                total = sum(stats["calls"].values())
                row = dict(r, peer=peer, instances=n, calls=stats["calls"], throttled=stats["throttled"],
                           calls_total=total, throttled_total=sum(stats["throttled"].values()),
                           lower_bound_s=bound, ratio_to_bound=r["wall_s"] / bound if bound else None,
                           one_set_per_instance=exact, describe_snapshots_agrees=exact_described,
                           all_running=all_running, fleet_states=fleet_states,
                           stop=args.stop, successful_calls=successful)
                results["runs"].append(row)
                write_results(results)  # after each tool: a stopped harness keeps what it measured
                print("%-10s n=%-6d wall %7.1fs  bound %6.1fs  ratio %5.2f  calls %6d  throttled %5d (%.1f%%)  "
                      "cpu %6.2fs  rss %6.1f MiB  exact=%s running=%s exit=%d" % (
                          peer, n, r["wall_s"], bound or 0, row["ratio_to_bound"] or 0, total, row["throttled_total"],
                          100.0 * row["throttled_total"] / max(1, total), r["cpu_s"], r["peak_rss_mib"], exact,
                          all_running, r["exit"]), flush=True)
    finally:
        proxy.terminate()
        subprocess.call([sys.executable, os.path.join(ROOT, "tests", "e2e", "moto_ctl.py"), "stop", state],
                        stdout=subprocess.DEVNULL)
    print("results in bench/results/" + write_results(results))


if __name__ == "__main__":
    main()
