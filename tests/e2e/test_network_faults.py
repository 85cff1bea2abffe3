"""Network faults through toxiproxy, expired credentials, and an endpoint that
never answers. After each: no duplicate snapshots (counted by run-id tag), no
instance left stopped, and a report that matches the emulator's state."""
import http.server
import json
import socket
import threading
import time

import pytest

from conftest import check_consistent, make_fleet, snapshots


@pytest.mark.parametrize("kind,attributes,toxicity", [
    ("latency", {"latency": 150, "jitter": 50}, 1.0),
    ("bandwidth", {"rate": 20}, 1.0),            # 20 KB/s
    ("slicer", {"average_size": 64, "size_variation": 32, "delay": 200}, 1.0),
    ("reset_peer", {"timeout": 0}, 0.25),         # connections reset
    ("limit_data", {"bytes": 300}, 0.25),         # responses cut short
    ("timeout", {"timeout": 500}, 0.15),          # stalled, then closed
])
def test_stop_run_survives_network_faults(run, ec2, toxi, kind, attributes, toxicity):
    ids = make_fleet(ec2, count=3, volumes=2)
    toxi.toxic(kind, attributes, toxicity)
    r = run(["--stop", "--filter", json.dumps({"instances": ids}), "--output", "json",
             "--read-timeout", "3", "--connect-timeout", "2"],
            endpoint_url=toxi.url, env={"AWS_MAX_ATTEMPTS": "6"}, timeout=600)
    assert r.returncode in (0, 1), r.stderr
    rep = json.loads(r.stdout)
    check_consistent(ec2, ids, rep, 2)
    if kind in ("latency", "bandwidth", "slicer"):
        assert r.returncode == 0, r.stdout + r.stderr


def test_endpoint_that_never_answers_fails_in_bounded_time(run):
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(64)  # accepts connections, never answers
    port = silent.getsockname()[1]
    attempts, read_timeout = 3, 2
    t0 = time.time()
    r = run(["--filter", '{"instances": ["i-0123456789abcdef0"]}', "--read-timeout", str(read_timeout),
             "--connect-timeout", "1"], endpoint_url="http://127.0.0.1:%d" % port,
            env={"AWS_MAX_ATTEMPTS": str(attempts)}, timeout=120)
    elapsed = time.time() - t0
    silent.close()
    assert r.returncode == 1
    assert "RequestTimeout" in r.stdout or "timed out" in r.stdout.lower(), r.stdout
    assert any(l.startswith("s3snapshot: error: the selection failed") for l in r.stderr.splitlines()), r.stderr
    # The README's bound: read timeout x attempts, plus the client's jittered
    # backoff between them (< 1 s + 2 s), plus start-up. One more job-level
    # round of the same would take another attempts x read timeout (6 s).
    bound = attempts * read_timeout + 3
    assert elapsed < bound + 2.5, (elapsed, bound)


class CredentialServer(http.server.BaseHTTPRequestHandler):
    calls = 0

    def log_message(self, *a):
        pass

    def do_GET(self):
        CredentialServer.calls += 1
        body = json.dumps({"AccessKeyId": "ASIACONTAINER%d" % CredentialServer.calls,
                           "SecretAccessKey": "s", "Token": "t%d" % CredentialServer.calls,
                           "Expiration": "2099-01-01T00:00:00Z"}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def test_credentials_that_expire_mid_run_are_refreshed(run, ec2, proxy):
    ids = make_fleet(ec2, count=2, volumes=1)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), CredentialServer)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    CredentialServer.calls = 0
    proxy.add("CreateSnapshots", "error400", count=1, code="ExpiredToken")
    r = run(["--filter", json.dumps({"instances": ids}), "--concurrency", "1", "--output", "json"],
            endpoint_url=proxy.url,
            env={"AWS_ACCESS_KEY_ID": "", "AWS_SECRET_ACCESS_KEY": "",
                 "AWS_CONTAINER_CREDENTIALS_FULL_URI": "http://127.0.0.1:%d/creds" % server.server_address[1]})
    server.shutdown()
    assert r.returncode == 0, r.stdout + r.stderr
    assert CredentialServer.calls == 2, "fetched once, and once more after ExpiredToken"
    assert len(snapshots(ec2)) == 2
