"""The README's Lambda deployment, as the AWS SAM CLI does it: `sam validate
--lint` on deploy/template.yaml, then `sam package` (the step `sam deploy`
begins with) uploading the zip scripts/package-lambda.sh made to an S3
bucket (moto's), and `sam validate --lint` on the packaged template. No AWS
account: SAM CLI's AWS calls go to moto (AWS_ENDPOINT_URL)."""
import os
import re
import shutil
import subprocess

import pytest

from conftest import client
from helpers import ROOT, TEMPLATE


def sam_binary():
    path = os.environ.get("S3SNAPSHOT_SAM") or os.path.expanduser("~/.cache/s3snapshot/sam-venv/bin/sam")
    if not os.path.exists(path):
        pytest.fail("the AWS SAM CLI is not installed (scripts/setup.sh installs it)")
    return path


@pytest.fixture
def sam(endpoint, tmp_path):
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(tmp_path),
           "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_DEFAULT_REGION": "us-east-1",
           "AWS_ENDPOINT_URL": endpoint, "SAM_CLI_TELEMETRY": "0", "AWS_EC2_METADATA_DISABLED": "true"}

    def run(*args, cwd=None):
        r = subprocess.run([sam_binary()] + list(args), env=env, cwd=cwd or str(tmp_path), capture_output=True,
                           text=True, timeout=300)
        assert r.returncode == 0, r.stdout + r.stderr
        return r.stdout + r.stderr
    return run


@pytest.fixture
def project(tmp_path):
    """The template where it lives (deploy/) and the zip where its CodeUri
    points (../dist/), as scripts/package-lambda.sh leaves them."""
    build = os.environ.get("S3SNAPSHOT_BUILD_DIR", os.path.join(ROOT, "build"))
    out = subprocess.run([os.path.join(ROOT, "scripts", "package-lambda.sh"), build], cwd=ROOT,
                         capture_output=True, text=True, timeout=600)
    assert out.returncode == 0, out.stdout + out.stderr
    assert "dist/s3snapshot-lambda.zip (for deploy/template.yaml: Architecture=x86_64)" in out.stderr
    root = tmp_path / "checkout"
    (root / "deploy").mkdir(parents=True)
    (root / "dist").mkdir()
    shutil.copy(TEMPLATE, root / "deploy" / "template.yaml")
    shutil.copy(os.path.join(ROOT, "dist", "s3snapshot-lambda.zip"), root / "dist" / "s3snapshot-lambda.zip")
    return root


def test_the_template_is_valid_for_sam(sam):
    out = sam("validate", "--lint", "--template-file", TEMPLATE, "--region", "us-east-1")
    assert "is a valid SAM Template" in out


def test_sam_packages_the_zip_and_the_packaged_template_is_valid(sam, project, endpoint):
    s3 = client("s3", endpoint)
    s3.create_bucket(Bucket="code")
    sam("package", "--template-file", "deploy/template.yaml", "--s3-bucket", "code",
        "--output-template-file", "packaged.yaml", "--region", "us-east-1", cwd=str(project))
    packaged = (project / "packaged.yaml").read_text()
    m = re.search(r"CodeUri: s3://code/(\S+)", packaged)
    assert m, packaged
    uploaded = s3.get_object(Bucket="code", Key=m.group(1))["Body"].read()
    assert uploaded == (project / "dist" / "s3snapshot-lambda.zip").read_bytes(), "the zip, as made"
    out = sam("validate", "--lint", "--template-file", "packaged.yaml", "--region", "us-east-1", cwd=str(project))
    assert "is a valid SAM Template" in out
    # The packaged template still wires the stack's topics to the function.
    assert "S3SNAPSHOT_SNS_ARN: !If" in packaged or "S3SNAPSHOT_SNS_ARN:\n" in packaged, packaged


def test_the_readme_deploys_what_the_template_names():
    with open(os.path.join(ROOT, "docs", "lambda.md")) as f:
        readme = f.read()
    block = readme[readme.index("scripts/package-lambda.sh\nsam deploy"):]
    block = block[:block.index("```")]
    assert "--template-file deploy/template.yaml" in block
    with open(TEMPLATE) as f:
        text = f.read()
    assert "CodeUri: ../dist/s3snapshot-lambda.zip" in text
