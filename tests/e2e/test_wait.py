"""--wait: polls until the run's snapshots complete, with a live progress bar
on a terminal (run under a pseudo-terminal here) and plain lines otherwise.
moto completes snapshots at once; the proxy shows them 'pending' for a while."""
import json
import os
import pty
import select
import subprocess
import time

from conftest import base_env, binary, make_fleet


def test_wait_plain_lines_when_not_a_terminal(run, ec2, proxy):
    ids = make_fleet(ec2, count=2, volumes=2)
    # The wait's polls (filter snapshot-id), not the lookup of earlier
    # snapshots in 'error' (filter status) that runs alongside the snapshots.
    proxy.add("DescribeSnapshots", "pending", count=2, match={"Filter.1.Name": "snapshot-id"})
    r = run(["--filter", json.dumps({"instances": ids}), "--wait", "--output", "json"],
            endpoint_url=proxy.url, timeout=120)
    assert r.returncode == 0, r.stdout + r.stderr
    rep = json.loads(r.stdout)
    assert all(s["state"] == "completed" for i in rep["instances"] for s in i["snapshots"])
    assert "wait finished: 4/4 snapshot(s) completed, 100%" in r.stderr
    assert "\033[" not in r.stderr
    # Batched: one DescribeSnapshots per poll for all four snapshots (3
    # polls), and one lookup for earlier snapshots that ended in 'error'.
    assert proxy.count("DescribeSnapshots") == 4


def test_wait_progress_bar_on_a_terminal(ec2, proxy, home):
    ids = make_fleet(ec2, count=1, volumes=2)
    proxy.add("DescribeSnapshots", "pending", count=1, match={"Filter.1.Name": "snapshot-id"})
    master, slave = pty.openpty()
    p = subprocess.Popen([binary(), "--filter", json.dumps({"instances": ids}), "--wait"],
                         env=base_env(home, proxy.url), stdin=slave, stdout=subprocess.PIPE, stderr=slave)
    os.close(slave)
    seen = b""
    deadline = time.time() + 60
    while time.time() < deadline:
        r, _, _ = select.select([master], [], [], 0.5)
        if r:
            try:
                chunk = os.read(master, 4096)
            except OSError:
                break
            if not chunk:
                break
            seen += chunk
        elif p.poll() is not None:
            break
    out = p.stdout.read().decode()
    p.wait(timeout=30)
    os.close(master)
    assert p.returncode == 0, seen.decode(errors="replace") + out
    text = seen.decode(errors="replace")
    assert "\033[K" in text, "redrawn in place"
    assert "[##############################] 100%" in text
    assert "40%" in text, "per-snapshot progress while pending"
    assert "2/2 completed" in text


def test_wait_payload_keys(run, ec2):
    ids = make_fleet(ec2, count=1, volumes=1)
    r = run(["--filter", json.dumps({"instances": ids, "wait": True, "wait-timeout": 60})])
    assert r.returncode == 0, r.stderr
    assert "wait finished" in r.stderr
