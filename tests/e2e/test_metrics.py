"""Metrics from every run: the Prometheus textfile (--metrics-file), parsed
with prometheus_client's own parser; PutMetricData (--cloudwatch-metrics)
read back from moto's CloudWatch; the values equal the report's."""
import json
import os

import pytest
from prometheus_client.parser import text_string_to_metric_families

from conftest import client, make_fleet
from helpers import run_json

pytest.importorskip("prometheus_client")


def families(path):
    with open(path) as f:
        text = f.read()
    out = {}
    for fam in text_string_to_metric_families(text):
        out[fam.name] = fam
    return out


def value(fams, name, **labels):
    (s,) = [s for s in fams[name].samples if all(s.labels.get(k) == v for k, v in labels.items())]
    return s.value


def test_snapshot_run_writes_the_textfile_atomically_and_to_cloudwatch(run, ec2, endpoint, tmp_path):
    ids = make_fleet(ec2, count=3, volumes=2)
    path = tmp_path / "s3snapshot.prom"
    rep, r = run_json(run, ["--filter", json.dumps({"instances": ids}), "--label", "nightly", "--metrics-file",
                            str(path), "--cloudwatch-metrics"])
    assert sorted(os.listdir(tmp_path)) == ["home", "s3snapshot.prom"], "no temporary file left"
    fams = families(path)
    for f in fams.values():
        assert f.type == "gauge", f
    labels = {"command": "snapshot", "label": "nightly", "region": "us-east-1"}
    assert value(fams, "s3snapshot_snapshots_create_started", **labels) == rep["summary"]["snapshots"] == 6
    assert value(fams, "s3snapshot_instances_selected", **labels) == 3
    assert value(fams, "s3snapshot_instances_left_stopped", **labels) == 0
    assert value(fams, "s3snapshot_snapshots_create_failed", **labels) == 0
    assert value(fams, "s3snapshot_api_calls", **labels) == rep["summary"]["api_calls"]
    assert value(fams, "s3snapshot_run_seconds", **labels) == rep["seconds"]
    assert value(fams, "s3snapshot_last_run_success", command="snapshot") == 1
    last = value(fams, "s3snapshot_last_success_timestamp_seconds", command="snapshot")
    assert last == value(fams, "s3snapshot_last_run_timestamp_seconds", command="snapshot")
    account = [s for s in fams["s3snapshot_instances_selected"].samples][0].labels["account"]
    assert account == client("sts", endpoint).get_caller_identity()["Account"]

    cw = client("cloudwatch", endpoint)
    names = {m["MetricName"] for m in cw.list_metrics(Namespace="s3snapshot")["Metrics"]}
    assert {"SnapshotsCreateStarted", "InstancesLeftStopped", "ApiThrottled", "RunSeconds"} <= names, names
    # Each figure twice: with Region and Account, and with the Label too.
    sets = sorted(sorted((d["Name"], d["Value"]) for d in m["Dimensions"])
                  for m in cw.list_metrics(Namespace="s3snapshot", MetricName="SnapshotsCreateStarted")["Metrics"])
    assert sets == [[("Account", account), ("Label", "nightly"), ("Region", "us-east-1")],
                    [("Account", account), ("Region", "us-east-1")]], sets
    # (moto matches a statistic's dimensions as a subset, so only the full set is exact here.)
    dims = [{"Name": "Region", "Value": "us-east-1"}, {"Name": "Account", "Value": account},
            {"Name": "Label", "Value": "nightly"}]
    got = cw.get_metric_statistics(Namespace="s3snapshot", MetricName="SnapshotsCreateStarted", Dimensions=dims,
                                   StartTime="2000-01-01T00:00:00Z", EndTime="2100-01-01T00:00:00Z",
                                   Period=60, Statistics=["Sum"])["Datapoints"]
    assert sum(p["Sum"] for p in got) == 6, got


def test_a_failed_run_keeps_the_last_success_time(run, ec2, tmp_path):
    ids = make_fleet(ec2, count=1, volumes=1)
    path = tmp_path / "m.prom"
    run_json(run, ["--filter", json.dumps({"instances": ids}), "--metrics-file", str(path)])
    first = value(families(path), "s3snapshot_last_success_timestamp_seconds", command="snapshot")
    rep, _ = run_json(run, ["--filter", json.dumps({"instances": ids + ["i-0123456789abcdef0"]}),
                            "--metrics-file", str(path)], expect=1)
    fams = families(path)
    assert value(fams, "s3snapshot_last_run_success", command="snapshot") == 0
    assert value(fams, "s3snapshot_last_success_timestamp_seconds", command="snapshot") == first
    assert value(fams, "s3snapshot_last_run_timestamp_seconds", command="snapshot") >= first
    assert value(fams, "s3snapshot_instances_failed", command="snapshot") == 1 == rep["summary"]["failed"]


def test_audit_metrics_match_the_audit_report(run, ec2, tmp_path):
    covered = make_fleet(ec2, count=2, volumes=2)
    bare = make_fleet(ec2, count=1, volumes=3)
    run_json(run, ["--filter", json.dumps({"instances": covered})])
    path = tmp_path / "audit.prom"
    rep, _ = run_json(run, ["audit", "--filter", json.dumps({"instances": covered + bare}), "--metrics-file",
                            str(path)], expect=1)
    fams = families(path)
    labels = {"command": "audit", "region": "us-east-1"}
    assert value(fams, "s3snapshot_volumes_audited", **labels) == rep["summary"]["volumes"] == 7
    assert value(fams, "s3snapshot_volumes_unprotected", **labels) == rep["summary"]["unprotected"] == 3
    assert value(fams, "s3snapshot_oldest_newest_snapshot_age_seconds", **labels) == \
        rep["summary"]["oldest_newest_age_seconds"]
    assert value(fams, "s3snapshot_last_run_success", command="audit") == 0
    assert "s3snapshot_last_success_timestamp_seconds" not in fams, "never succeeded yet"
    assert "s3snapshot_snapshots_create_started" not in fams, "a snapshot run's figure"


def test_a_metrics_file_that_cannot_be_written_is_bad_input(run, recording, tmp_path):
    r = run(["--all", "--metrics-file", str(tmp_path / "no-such-dir" / "m.prom")])
    assert r.returncode == 2 and "--metrics-file" in r.stderr, r.stderr
    assert recording.requests() == []
