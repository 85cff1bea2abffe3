#!/usr/bin/env python3
"""Lambda cold start and memory: s3snapshot's package vs a Python 3 + boto3
bootstrap doing the same job, both under aws-lambda-rie, against a local moto.

Cold start = RIE's INIT duration: from exec of the bootstrap to its first
GET /runtime/invocation/next. Peak memory = VmHWM of the runtime process after
one invocation (a tag selection of 3 instances, one CreateSnapshots each).

Usage: bench/lambda/coldstart.py [--runs N]   (needs scripts/package-lambda.sh's zip)
Loopback only; bounded in time (N runs per variant, 60 s per invocation)."""
import argparse
import glob
import json
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
import zipfile

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "tests", "e2e"))


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def rie_path():
    p = shutil.which("aws-lambda-rie")
    if p:
        return p
    gopath = subprocess.run(["go", "env", "GOPATH"], capture_output=True, text=True).stdout.strip()
    return os.path.join(gopath, "bin", "aws-lambda-rie")


def children(pid):
    """Processes whose parent is `pid` (RIE starts the runtime from any of its threads)."""
    out = []
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open("/proc/%s/status" % d) as f:
                for line in f:
                    if line.startswith("PPid:") and int(line.split()[1]) == pid:
                        out.append(int(d))
                        break
        except OSError:
            pass
    return out


def vmhwm_kib(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return 0


def one_run(bootstrap, cwd, endpoint, payload):
    port = free_port()
    env = {"PATH": os.environ["PATH"], "AWS_ACCESS_KEY_ID": "bench", "AWS_SECRET_ACCESS_KEY": "bench",
           "AWS_REGION": "us-east-1", "AWS_DEFAULT_REGION": "us-east-1", "AWS_ENDPOINT_URL": endpoint,
           "AWS_EC2_METADATA_DISABLED": "true", "HOME": cwd, "AWS_LAMBDA_FUNCTION_TIMEOUT": "60"}
    log_path = os.path.join(cwd, "rie-%d.log" % port)
    log = open(log_path, "w")
    rie = subprocess.Popen([rie_path(), "--runtime-interface-emulator-address", "127.0.0.1:%d" % port, bootstrap],
                           cwd=cwd, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        for _ in range(200):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.05)
        t0 = time.perf_counter()
        req = urllib.request.Request("http://127.0.0.1:%d/2015-03-31/functions/function/invocations" % port,
                                     data=json.dumps(payload).encode(), method="POST")
        body = json.loads(urllib.request.urlopen(req, timeout=60).read())
        wall = time.perf_counter() - t0
        assert body.get("ok") is not None, body
        runtime = [c for c in children(rie.pid)]
        peak = max((vmhwm_kib(p) for p in runtime), default=0)
    finally:
        rie.terminate()
        rie.wait(timeout=10)
        log.close()
    text = open(log_path).read()
    m = re.search(r"INIT REPORT\(durationMs: ([0-9.]+)\)", text)
    return {"init_ms": float(m.group(1)) if m else None, "first_invoke_ms": wall * 1000, "peak_kib": peak}


def summarize(rows):
    out = {}
    for key in ("init_ms", "first_invoke_ms", "peak_kib"):
        vals = sorted(r[key] for r in rows if r[key] is not None)
        out[key] = {"median": statistics.median(vals), "min": vals[0], "max": vals[-1]}
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=10)
    args = ap.parse_args()
    zips = sorted(glob.glob(os.path.join(ROOT, "dist", "s3snapshot-*-lambda-x86_64.zip")))
    if not zips:
        sys.exit("run scripts/package-lambda.sh first")
    work = tempfile.mkdtemp(prefix="s3s-bench-")
    state = os.path.join(work, "moto.json")
    subprocess.check_call([sys.executable, os.path.join(ROOT, "tests", "e2e", "moto_ctl.py"), "start", state],
                          stdout=subprocess.DEVNULL)
    try:
        endpoint = json.load(open(state))["url"]
        import boto3
        ec2 = boto3.client("ec2", endpoint_url=endpoint, region_name="us-east-1",
                           aws_access_key_id="bench", aws_secret_access_key="bench")
        ec2.run_instances(ImageId="ami-12345678", MinCount=3, MaxCount=3, InstanceType="t3.micro",
                          TagSpecifications=[{"ResourceType": "instance", "Tags": [{"Key": "Env", "Value": "PROD"}]}])
        task = os.path.join(work, "task")
        os.makedirs(task)
        zipfile.ZipFile(zips[-1]).extractall(task)
        os.chmod(os.path.join(task, "bootstrap"), 0o755)
        pytask = os.path.join(work, "pytask")
        os.makedirs(pytask)
        shutil.copy(os.path.join(ROOT, "bench", "lambda", "python_bootstrap.py"), os.path.join(pytask, "bootstrap"))
        os.chmod(os.path.join(pytask, "bootstrap"), 0o755)
        payload = {"tags": {"tag:Env": "PROD"}}
        results = {}
        for name, boot, cwd in (("s3snapshot (C++)", os.path.join(task, "bootstrap"), task),
                                ("python3 + boto3", os.path.join(pytask, "bootstrap"), pytask)):
            rows = [one_run(boot, cwd, endpoint, payload) for _ in range(args.runs)]
            results[name] = summarize(rows)
        print("| variant | cold start, median ms (min-max) | first invocation, median ms | peak RSS, median MiB |")
        print("| --- | --- | --- | --- |")
        for name, s in results.items():
            print("| %s | %.1f (%.1f-%.1f) | %.0f | %.1f |" % (
                name, s["init_ms"]["median"], s["init_ms"]["min"], s["init_ms"]["max"],
                s["first_invoke_ms"]["median"], s["peak_kib"]["median"] / 1024))
        out = os.path.join(ROOT, "bench", "results")
        os.makedirs(out, exist_ok=True)
        with open(os.path.join(out, "lambda-coldstart.json"), "w") as f:
            json.dump({"runs": args.runs, "zip": os.path.basename(zips[-1]), "results": results}, f, indent=2)
    finally:
        subprocess.call([sys.executable, os.path.join(ROOT, "tests", "e2e", "moto_ctl.py"), "stop", state],
                        stdout=subprocess.DEVNULL)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
