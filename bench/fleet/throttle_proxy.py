#!/usr/bin/env python3
"""An EC2 endpoint for benchmarking: moto behind a proxy that enforces EC2's
documented token buckets per action family (bucket size and refill rate, both
multiplied by one factor F), adds a fixed latency per request, and answers
HTTP 503 RequestLimitExceeded (EC2 error XML) when a bucket is empty.

Defaults (AWS "Request throttling for the Amazon EC2 API"): non-mutating
actions 100/20 per s; CreateSnapshot(s), DeleteSnapshot, CopySnapshot 100/5;
CreateTags 100/10; StopInstances 50/5; StartInstances 5/2.

  throttle_proxy.py --upstream-port P --port Q [--factor F] [--latency-ms L] [--per-scope]
With --per-scope each (access key, region) of the request's signature has
buckets of its own, as EC2 keeps them per account and region: a role assumed
in another account signs with keys of its own.
GET /__stats gives calls and throttled answers per action, and the snapshots
moto created per instance (CreateSnapshots) and per volume (CreateSnapshot);
POST /__reset clears them.

moto does not page DescribeInstances: with --page-describe the proxy asks moto
once per filter set and serves the answer in pages of MaxResults with a
NextToken, as EC2 does (the page calls still count against the buckets).
Loopback only."""
import argparse
import copy
import hashlib
import http.client
import xml.etree.ElementTree as ET
import http.server
import json
import threading
import time
import urllib.parse

FAMILIES = {"describe": (100, 20), "snapshot": (100, 5), "tags": (100, 10), "stop": (50, 5),
            "start": (5, 2), "other": (50, 5),
            # STS is not EC2 and publishes no bucket: an assumption, as generous
            # as the tool's own pace (src/core/rate_limiter.cc).
            "sts": (100, 50)}
STS_ACTIONS = ("AssumeRole", "AssumeRoleWithWebIdentity", "GetCallerIdentity")
STS_THROTTLE = (b'<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>Sender</Type>'
                b'<Code>Throttling</Code><Message>Rate exceeded</Message></Error>'
                b'<RequestId>bench-throttle</RequestId></ErrorResponse>')
THROTTLE = (b'<?xml version="1.0" encoding="UTF-8"?>\n<Response><Errors><Error><Code>RequestLimitExceeded</Code>'
            b'<Message>Request limit exceeded.</Message></Error></Errors><RequestID>bench-throttle</RequestID></Response>')


def family(action):
    if action in STS_ACTIONS:
        return "sts"
    if action.startswith(("Describe", "Get")):
        return "describe"
    if action in ("CreateSnapshot", "CreateSnapshots", "DeleteSnapshot", "CopySnapshot"):
        return "snapshot"
    if action in ("CreateTags", "DeleteTags"):
        return "tags"
    if action == "StopInstances":
        return "stop"
    if action == "StartInstances":
        return "start"
    return "other"


class Bucket:
    def __init__(self, size, rate):
        self.size, self.rate, self.tokens, self.t = size, rate, size, time.monotonic()
        self.lock = threading.Lock()

    def take(self):
        with self.lock:
            now = time.monotonic()
            self.tokens = min(self.size, self.tokens + (now - self.t) * self.rate)
            self.t = now
            if self.tokens >= 1:
                self.tokens -= 1
                return True
            return False


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--upstream-port", type=int, required=True)
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--factor", type=float, default=1.0)
    ap.add_argument("--latency-ms", type=float, default=20.0)
    ap.add_argument("--page-describe", action="store_true")
    ap.add_argument("--per-scope", action="store_true")
    args = ap.parse_args()
    pages_lock = threading.Lock()
    page_cache = {}  # filter key -> list of reservation elements, namespace
    buckets_lock = threading.Lock()
    buckets = {}  # (scope, family) -> Bucket; scope "" unless --per-scope

    def bucket(scope, fam):
        with buckets_lock:
            if (scope, fam) not in buckets:
                size, rate = FAMILIES[fam]
                buckets[(scope, fam)] = Bucket(size * args.factor, rate * args.factor)
            return buckets[(scope, fam)]

    def scope_of(headers):
        if not args.per_scope:
            return ""
        auth = headers.get("Authorization", "")
        cred = auth.split("Credential=", 1)[1].split(",", 1)[0] if "Credential=" in auth else ""
        parts = cred.split("/")
        return parts[0] + "/" + parts[2] if len(parts) > 2 else ""
    stats_lock = threading.Lock()
    # What moto answered to each snapshot-creating call that reached it: the
    # harness checks "one set per instance" from this record at fleet sizes
    # where asking moto for all snapshots would take hours (its tag lookups
    # are linear in all tags, per snapshot).
    stats = {"calls": {}, "throttled": {}, "created_by_instance": {}, "created_by_volume": {}}
    local = threading.local()

    def record_created(action, body, data):
        params = urllib.parse.parse_qs(body.decode("utf-8", "replace"))
        made = data.count(b"<snapshotId>")
        if action == "CreateSnapshots":
            key, where = params.get("InstanceSpecification.InstanceId", [""])[0], "created_by_instance"
        else:
            key, where = params.get("VolumeId", [""])[0], "created_by_volume"
        with stats_lock:
            stats[where][key] = stats[where].get(key, 0) + made

    def upstream():
        c = getattr(local, "conn", None)
        if c is None:
            c = local.conn = http.client.HTTPConnection("127.0.0.1", args.upstream_port, timeout=300)
        return c

    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *a):
            pass

        def do_GET(self):
            if self.path == "/__stats":
                with stats_lock:
                    body = json.dumps(stats).encode()
                return self._send(200, body, "application/json")
            self._send(404, b"")

        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            if self.path == "/__reset":
                with stats_lock:
                    for v in stats.values():
                        v.clear()
                with buckets_lock:
                    buckets.clear()
                return self._send(200, b"{}", "application/json")
            action = urllib.parse.parse_qs(body.decode("utf-8", "replace")).get("Action", [""])[0]
            time.sleep(args.latency_ms / 1000.0)
            with stats_lock:
                stats["calls"][action] = stats["calls"].get(action, 0) + 1
            if not bucket(scope_of(self.headers), family(action)).take():
                with stats_lock:
                    stats["throttled"][action] = stats["throttled"].get(action, 0) + 1
                if action in STS_ACTIONS:  # STS's shape: HTTP 400, Throttling
                    return self._send(400, STS_THROTTLE, "text/xml")
                return self._send(503, THROTTLE, "text/xml")
            headers = {k: v for k, v in self.headers.items() if k.lower() not in ("connection", "keep-alive")}
            if args.page_describe and action == "DescribeInstances":
                return self._paged(body, headers)
            for attempt in range(2):
                try:
                    c = upstream()
                    c.request("POST", self.path, body=body, headers=headers)
                    r = c.getresponse()
                    data = r.read()
                    if r.status == 200 and action in ("CreateSnapshots", "CreateSnapshot"):
                        record_created(action, body, data)
                    return self._send(r.status, data, r.getheader("Content-Type", "text/xml"))
                except (http.client.HTTPException, OSError):
                    local.conn = None
            self._send(502, b"upstream failed", "text/plain")

        def _paged(self, body, headers):
            params = urllib.parse.parse_qs(body.decode(), keep_blank_values=True)
            size = int(params.get("MaxResults", ["1000"])[0])
            token = params.get("NextToken", [""])[0]
            key_params = sorted((k, v) for k, v in params.items() if k not in ("MaxResults", "NextToken"))
            key = hashlib.sha1(repr(key_params).encode()).hexdigest()
            with pages_lock:
                cached = page_cache.get(key) if token else None
            if cached is None:
                fwd = urllib.parse.urlencode([(k, x) for k, v in key_params for x in v]).encode()
                h = dict(headers)
                h["Content-Length"] = str(len(fwd))
                c = http.client.HTTPConnection("127.0.0.1", args.upstream_port, timeout=900)
                c.request("POST", self.path, body=fwd, headers=h)
                r = c.getresponse()
                data = r.read()
                c.close()
                if r.status != 200:
                    return self._send(r.status, data)
                root = ET.fromstring(data)
                ns = root.tag.split("}")[0] + "}" if root.tag.startswith("{") else ""
                if ns:
                    ET.register_namespace("", ns[1:-1])  # no ns0: prefixes in the pages
                items = []
                for res in root.find(ns + "reservationSet"):
                    # One reservation per instance; copying the reservation's
                    # other fields only (copying it whole, with all its
                    # instances, for each instance was quadratic).
                    shell = [copy.deepcopy(c) for c in res if c.tag != ns + "instancesSet"]
                    for inst in res.find(ns + "instancesSet"):
                        one = ET.Element(res.tag)
                        one.extend(copy.deepcopy(c) for c in shell)
                        ET.SubElement(one, ns + "instancesSet").append(inst)
                        items.append(one)
                cached = (items, ns)
                with pages_lock:
                    page_cache[key] = cached
            items, ns = cached
            start = int(token) if token else 0
            root = ET.Element(ns + "DescribeInstancesResponse")
            ET.SubElement(root, ns + "requestId").text = "bench-page"
            rs = ET.SubElement(root, ns + "reservationSet")
            for res in items[start:start + size]:
                rs.append(res)
            if start + size < len(items):
                ET.SubElement(root, ns + "nextToken").text = str(start + size)
            return self._send(200, ET.tostring(root))

        def _send(self, status, data, ctype="text/xml"):
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

    server = http.server.ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
    server.daemon_threads = True
    server.request_queue_size = 256
    server.serve_forever()


if __name__ == "__main__":
    main()
