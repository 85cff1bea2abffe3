"""SigV4 checked by moto itself (INITIAL_NO_AUTH_ACTION_COUNT via reset-auth),
IAM enforcement, and the STS-based credential providers end to end."""
import json
import re

import helpers
from conftest import client, make_fleet, snapshots
from helpers import enable_auth


def iam_user(endpoint, policy_actions):
    """A user with an access key and an inline policy; uses 3 requests."""
    return helpers.iam_user(client("iam", endpoint), policy_actions)


def test_signature_accepted_with_the_right_secret_and_rejected_with_a_wrong_one(run, endpoint, ec2):
    ids = make_fleet(ec2, count=1, volumes=2)
    enable_auth(endpoint, 3)
    key, secret = iam_user(endpoint, ["ec2:*"])
    r = run(["--filter", json.dumps({"instances": ids})],
            env={"AWS_ACCESS_KEY_ID": key, "AWS_SECRET_ACCESS_KEY": secret})
    assert r.returncode == 0, r.stdout + r.stderr
    checker = client("ec2", endpoint, key=key, secret=secret)
    assert len(snapshots(checker)) == 2, "moto verified every signature and accepted them"

    r = run(["--filter", json.dumps({"instances": ids})],
            env={"AWS_ACCESS_KEY_ID": key, "AWS_SECRET_ACCESS_KEY": secret + "x"})
    assert r.returncode == 1
    assert "AuthFailure" in r.stdout, r.stdout
    # The run-level failure is named on stderr (cron mails stderr), and the
    # report does not pass an unasked selection off as an empty one.
    err_lines = [l for l in r.stderr.splitlines() if l.startswith("s3snapshot: error: ")]
    assert any("selection failed" in l and "AuthFailure" in l for l in err_lines), r.stderr
    assert "selected 0 instance(s)" not in r.stderr, r.stderr
    assert "No instances matched" not in r.stdout and "The selection failed" in r.stdout, r.stdout
    assert secret not in r.stdout + r.stderr
    assert len(snapshots(checker)) == 2


def test_missing_permission_is_named(run, endpoint, ec2):
    ids = make_fleet(ec2, count=1, volumes=1)
    enable_auth(endpoint, 3)
    key, secret = iam_user(endpoint, ["ec2:DescribeInstances", "ec2:DescribeSnapshots"])
    r = run(["--filter", json.dumps({"instances": ids}), "--output", "json"],
            env={"AWS_ACCESS_KEY_ID": key, "AWS_SECRET_ACCESS_KEY": secret})
    assert r.returncode == 1
    err = json.loads(r.stdout)["instances"][0]["errors"][0]
    assert err["code"] in ("AccessDenied", "UnauthorizedOperation")
    assert "CreateSnapshots" in err["message"]


def signed_key(row):
    m = re.search(r"Credential=([^/]+)/", row["headers"].get("Authorization", ""))
    return m.group(1) if m else None


def test_profile_role_arn_with_source_profile_assumes_the_role(run, home, ec2, recording):
    ids = make_fleet(ec2, count=1, volumes=1)
    (home / ".aws" / "credentials").write_text(
        "[base]\naws_access_key_id = AKIABASEEXAMPLE\naws_secret_access_key = base-secret\n")
    (home / ".aws" / "config").write_text(
        "[profile snap]\nrole_arn = arn:aws:iam::100000000000:role/snapshotter\n"
        "source_profile = base\nexternal_id = ext-42\nregion = us-east-1\n")
    recording.start()
    r = run(["--profile", "snap", "--filter", json.dumps({"instances": ids})],
            env={"AWS_ACCESS_KEY_ID": "", "AWS_SECRET_ACCESS_KEY": "", "AWS_REGION": ""})
    assert r.returncode == 0, r.stdout + r.stderr
    rows = recording.requests()
    assume = [x for x in rows if x["params"].get("Action") == "AssumeRole"]
    assert len(assume) == 1
    assert assume[0]["params"]["RoleArn"] == "arn:aws:iam::100000000000:role/snapshotter"
    assert assume[0]["params"]["ExternalId"] == "ext-42"
    assert signed_key(assume[0]) == "AKIABASEEXAMPLE"
    ec2_rows = [x for x in rows if x["params"].get("Version") == "2016-11-15"]
    assert ec2_rows and all(signed_key(x) not in (None, "AKIABASEEXAMPLE") for x in ec2_rows)
    assert len({signed_key(x) for x in ec2_rows}) == 1, "assumed once, cached"
    assert len(snapshots(ec2)) == 1


def test_web_identity_from_the_environment(run, home, ec2, recording, tmp_path):
    ids = make_fleet(ec2, count=1, volumes=1)
    token = tmp_path / "token"
    token.write_text("eyJhbGciOiJSUzI1NiJ9.e30.sig\n")
    recording.start()
    r = run(["--filter", json.dumps({"instances": ids})],
            env={"AWS_ACCESS_KEY_ID": "", "AWS_SECRET_ACCESS_KEY": "",
                 "AWS_WEB_IDENTITY_TOKEN_FILE": str(token),
                 "AWS_ROLE_ARN": "arn:aws:iam::100000000000:role/irsa",
                 "AWS_ROLE_SESSION_NAME": "pod-1"})
    assert r.returncode == 0, r.stdout + r.stderr
    rows = recording.requests()
    web = [x for x in rows if x["params"].get("Action") == "AssumeRoleWithWebIdentity"]
    assert len(web) == 1
    assert web[0]["params"]["WebIdentityToken"] == "eyJhbGciOiJSUzI1NiJ9.e30.sig"
    assert web[0]["params"]["RoleSessionName"] == "pod-1"
    assert "Authorization" not in web[0]["headers"], "AssumeRoleWithWebIdentity is unsigned"
    ec2_rows = [x for x in rows if x["params"].get("Version") == "2016-11-15"]
    assert ec2_rows and all(signed_key(x) for x in ec2_rows)


def test_credential_process_profile(run, home, ec2, recording):
    ids = make_fleet(ec2, count=1, volumes=1)
    (home / ".aws" / "config").write_text(
        "[default]\nregion = us-east-1\ncredential_process = printf "
        "'{\"Version\":1,\"AccessKeyId\":\"AKIAPROCESS\",\"SecretAccessKey\":\"s\"}'\n")
    recording.start()
    r = run(["--filter", json.dumps({"instances": ids})],
            env={"AWS_ACCESS_KEY_ID": "", "AWS_SECRET_ACCESS_KEY": ""})
    assert r.returncode == 0, r.stdout + r.stderr
    keys = {signed_key(x) for x in recording.requests() if x["params"].get("Version") == "2016-11-15"}
    assert keys == {"AKIAPROCESS"}


def test_session_token_is_sent(run, ec2, recording):
    ids = make_fleet(ec2, count=1, volumes=1)
    recording.start()
    r = run(["--filter", json.dumps({"instances": ids})], env={"AWS_SESSION_TOKEN": "FQoGZXIvYXdzEXAMPLE"})
    assert r.returncode == 0
    rows = [x for x in recording.requests() if x["params"].get("Version") == "2016-11-15"]
    assert all(x["headers"].get("X-Amz-Security-Token") == "FQoGZXIvYXdzEXAMPLE" for x in rows)
    assert all("x-amz-security-token" in x["headers"]["Authorization"] for x in rows)
    assert "FQoGZXIvYXdzEXAMPLE" not in r.stdout + r.stderr
