"""A small HTTP proxy in front of moto that injects the faults moto lacks:
throttling (HTTP 503 RequestLimitExceeded in EC2's error XML), 5xx, delays,
connections dropped after the request was forwarded (an ambiguous outcome),
and truncated bodies. Rules are matched on the Query API Action.
Loopback only; used from the e2e tests in-process."""
import http.server
import socket
import threading
import time
import urllib.parse

from helpers import forward_post, send_reply

STS_ACTIONS = {"AssumeRole", "AssumeRoleWithWebIdentity", "GetCallerIdentity"}
THROTTLE_XML = (b'<?xml version="1.0" encoding="UTF-8"?>\n<Response><Errors><Error>'
                b'<Code>RequestLimitExceeded</Code><Message>Request limit exceeded.</Message>'
                b'</Error></Errors><RequestID>proxy-throttle</RequestID></Response>')


class Rule:
    def __init__(self, action, mode, count=1, delay=0.0, code="InvalidParameterValue", match=None, status=400):
        self.action, self.mode, self.count, self.delay, self.code = action, mode, count, delay, code
        self.match = dict(match or {})  # request parameters that must all be equal for the rule to apply
        self.status = status


class FaultProxy:
    def __init__(self, upstream_port, tls_cert=None, tls_key=None):
        self.upstream_port = upstream_port
        self.rules = []
        self.lock = threading.Lock()
        self.seen = []  # (action, outcome)
        proxy = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *a):
                pass

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                params = {k: v[0] for k, v in urllib.parse.parse_qs(body.decode("utf-8", "replace")).items()}
                action = params.get("Action", "")
                rule = proxy._take(action, params)
                mode = rule.mode if rule else "pass"
                proxy.seen.append((action, mode))
                if rule and rule.delay:
                    time.sleep(rule.delay)
                if mode == "throttle":
                    return self._send(503, THROTTLE_XML)
                if mode == "error400" and action in STS_ACTIONS:  # STS's shape (Query, not EC2's)
                    return self._send(rule.status, (
                        '<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>Sender</Type>'
                        '<Code>%s</Code><Message>injected by the test proxy</Message></Error>'
                        '<RequestId>proxy-400</RequestId></ErrorResponse>' % rule.code).encode())
                if mode == "error400":
                    return self._send(rule.status, ('<Response><Errors><Error><Code>%s</Code>'
                                            '<Message>injected by the test proxy</Message></Error></Errors>'
                                            '<RequestID>proxy-400</RequestID></Response>' % rule.code).encode())
                if mode == "error500":
                    return self._send(500, b"<html>Internal Server Error</html>", "text/html")
                status, headers, data = proxy._forward(self.path, self.headers, body)
                if mode == "drop":  # applied upstream, answer lost
                    self.close_connection = True
                    self.connection.shutdown(socket.SHUT_RDWR)
                    return
                if mode == "pending":  # snapshots read as still in progress
                    data = data.replace(b"<status>completed</status>", b"<status>pending</status>")
                    data = data.replace(b"<progress>100%</progress>", b"<progress>40%</progress>")
                    data = data.replace(b"<progress>100</progress>", b"<progress>40%</progress>")
                if mode == "truncate":
                    self.send_response(status)
                    self.send_header("Content-Type", "text/xml")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data[: len(data) // 2])
                    self.close_connection = True
                    self.connection.shutdown(socket.SHUT_RDWR)
                    return
                self._send(status, data, headers.get("Content-Type", "text/xml"))

            def _send(self, status, data, ctype="text/xml"):
                send_reply(self, status, data, ctype)

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.url = "http://127.0.0.1:%d" % self.port
        if tls_cert:
            import ssl
            ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            ctx.load_cert_chain(tls_cert, tls_key)
            self.server.socket = ctx.wrap_socket(self.server.socket, server_side=True)
            self.url = "https://127.0.0.1:%d" % self.port
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def add(self, action, mode, count=1, delay=0.0, code="InvalidParameterValue", match=None, status=400):
        """match: {param: value} the request must carry (e.g. one RoleArn of
        AssumeRole); status: the HTTP status of an error400 answer (STS's
        AccessDenied is 403)."""
        with self.lock:
            self.rules.append(Rule(action, mode, count, delay, code, match, status))

    def _take(self, action, params=None):
        with self.lock:
            for r in self.rules:
                if any((params or {}).get(k) != v for k, v in r.match.items()):
                    continue
                if r.action in (action, "*") and r.count > 0:
                    r.count -= 1
                    return r
        return None

    def _forward(self, path, headers, body):
        return forward_post(self.upstream_port, path, headers, body)

    def count(self, action, mode=None):
        return sum(1 for a, m in self.seen if a == action and (mode is None or m == mode))

    def close(self):
        self.server.shutdown()
        self.server.server_close()
