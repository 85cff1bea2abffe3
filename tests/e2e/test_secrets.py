"""No secret (secret key, session token, signature) in any output, at any
verbosity, on success and on the error paths: stdout, stderr, JSON report and
the SNS messages are all searched."""
import json
import re

from conftest import make_fleet, sqs_topic

SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYSECRETKEY"
TOKEN = "FwoGZXIvYXdzEBYaDEXAMPLESESSIONTOKENvalue"


def leaks(text, recording_rows):
    found = [s for s in (SECRET, TOKEN) if s in text]
    for row in recording_rows:
        m = re.search(r"Signature=([0-9a-f]{64})", row["headers"].get("Authorization", ""))
        if m and m.group(1) in text:
            found.append("signature " + m.group(1))
    return found


def test_no_secret_in_any_output(run, endpoint, ec2, proxy, recording, home):
    ok_topic, read_ok = sqs_topic(endpoint, "sec-ok")
    err_topic, read_err = sqs_topic(endpoint, "sec-err")
    ids = make_fleet(ec2, count=2, volumes=2)
    creds = {"AWS_ACCESS_KEY_ID": "ASIAEXAMPLEKEYID", "AWS_SECRET_ACCESS_KEY": SECRET, "AWS_SESSION_TOKEN": TOKEN}
    outputs = []
    recording.start()
    proxy.add("CreateSnapshots", "throttle", count=2)
    proxy.add("DescribeInstances", "error500", count=1)
    proxy.add("StartInstances", "error400", count=1)
    for args, endpoint_url in [
        (["--verbose", "--stop", "--output", "json"], proxy.url),
        (["--verbose"], None),
        (["--verbose", "--output", "json", "--dry-run", "--keep", "1"], None),
    ]:
        r = run(args + ["--filter", json.dumps({"instances": ids + ["i-0123456789abcdef0"]}),
                        "--sns-arn", ok_topic, "--sns-arn-error", err_topic], env=creds, endpoint_url=endpoint_url)
        outputs += [r.stdout, r.stderr]
    # Error paths: a broken credential_process holding a secret on its command line, bad input.
    (home / ".aws" / "config").write_text(
        "[profile leaky]\ncredential_process = sh -c 'echo %s; exit 3'\n" % SECRET)
    r = run(["--verbose", "--profile", "leaky", "--all"], env={"AWS_ACCESS_KEY_ID": "", "AWS_SECRET_ACCESS_KEY": ""})
    assert r.returncode == 2
    outputs += [r.stdout, r.stderr]
    r = run(["--verbose", "--filter", '{"instances": ["%s"]}' % SECRET], env=creds)
    assert r.returncode == 2
    outputs += [r.stdout.replace(SECRET, ""), r.stderr.replace(SECRET, "")]  # echoing the bad input itself is fine
    for m in read_ok() + read_err():
        outputs += [m["Subject"], m["Message"]]
    text = "\n".join(outputs)
    assert "request_id" in text or "request id" in text, "the outputs were produced"
    assert leaks(text, recording.requests()) == []
