"""A toxiproxy server on loopback for network-fault tests (latency, resets,
slow bandwidth, truncated and stalled responses). Installed by
scripts/setup.sh with `go install` into ~/.cache/s3snapshot/bin."""
import json
import os
import subprocess
import time
import urllib.request


def binary():
    return os.path.expanduser("~/.cache/s3snapshot/bin/server")


from helpers import free_port  # noqa: E402


class Toxiproxy:
    def __init__(self, upstream_port):
        self.api_port = free_port()
        self.listen_port = free_port()
        self.proc = subprocess.Popen([binary(), "-host", "127.0.0.1", "-port", str(self.api_port)],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.api = "http://127.0.0.1:%d" % self.api_port
        for _ in range(100):
            try:
                urllib.request.urlopen(self.api + "/version", timeout=1).read()
                break
            except OSError:
                time.sleep(0.1)
        self._call("POST", "/proxies", {"name": "ec2", "listen": "127.0.0.1:%d" % self.listen_port,
                                         "upstream": "127.0.0.1:%d" % upstream_port, "enabled": True})
        self.url = "http://127.0.0.1:%d" % self.listen_port

    def _call(self, method, path, body=None):
        req = urllib.request.Request(self.api + path, method=method,
                                     data=json.dumps(body).encode() if body is not None else None,
                                     headers={"Content-Type": "application/json"})
        return urllib.request.urlopen(req, timeout=10).read()

    def toxic(self, kind, attributes, toxicity=1.0, stream="downstream"):
        name = "%s_%s" % (kind, stream)
        self._call("POST", "/proxies/ec2/toxics", {"name": name, "type": kind, "stream": stream,
                                                   "toxicity": toxicity, "attributes": attributes})
        return name

    def clear(self, name):
        self._call("DELETE", "/proxies/ec2/toxics/" + name)

    def close(self):
        self.proc.terminate()
        self.proc.wait(timeout=10)
