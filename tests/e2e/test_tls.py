"""TLS verification is never silently off: an endpoint whose certificate is
not trusted is refused (and nothing is sent to it past the handshake);
AWS_CA_BUNDLE makes the same endpoint trusted."""
import json
import subprocess

import pytest

from conftest import make_fleet, snapshots
from fault_proxy import FaultProxy


@pytest.fixture
def tls_proxy(moto, tmp_path):
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.check_call(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                           "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
                           "-keyout", str(key), "-out", str(cert)], stdout=subprocess.DEVNULL,
                          stderr=subprocess.DEVNULL)
    p = FaultProxy(moto["port"], tls_cert=str(cert), tls_key=str(key))
    yield p, cert
    p.close()


def test_untrusted_certificate_is_refused_and_ca_bundle_trusts_it(run, ec2, tls_proxy):
    proxy, cert = tls_proxy
    ids = make_fleet(ec2, count=1, volumes=1)
    doc = json.dumps({"instances": ids})
    r = run(["--filter", doc], endpoint_url=proxy.url)
    assert r.returncode == 1
    assert "certificate" in r.stdout.lower() or "ssl" in r.stdout.lower(), r.stdout
    assert proxy.seen == [], "no request went past the TLS handshake"
    assert snapshots(ec2) == []
    r = run(["--filter", doc], endpoint_url=proxy.url, env={"AWS_CA_BUNDLE": str(cert)})
    assert r.returncode == 0, r.stdout + r.stderr
    assert len(snapshots(ec2)) == 1
