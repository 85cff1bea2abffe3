"""The truth oracle: after a run of the binary, holds what it said (the
report, stderr, the exit status, the metrics file, the SNS message it sent)
against what happened (moto's state, and the requests moto recorded from
the binary). conftest's `run` fixture calls it on every run, so every e2e
test's runs are checked, not only the tests written for it.

It checks only what must hold whatever a test is about:
  - exit 2 (bad input): the binary changed nothing (no mutating request);
  - a dry run: no mutating call at all (no snapshot, stop, tag, deletion,
    no Publish, no PutMetricData, no SendCommand) and the metrics file is
    untouched;
  - every snapshot the report names exists (in its scope's region);
  - every instance named LEFT STOPPED is stopped, and every one this run
    stopped and reports started again is not;
  - the JSON summary agrees with the JSON's own lists, and the text summary
    with the JSON's meaning: the exit status is 0 exactly when nothing failed;
  - exit 1 names the failures on stderr; exit 0 prints no error line;
  - a published SNS message carries the same summary line as stdout;
  - the metrics file's InstancesLeftStopped is the report's count.
"""
import base64
import json
import os
import re
import urllib.parse
import urllib.request

import boto3
import botocore.exceptions

import conformance

READ_ONLY = ("Describe", "Get", "List", "Receive", "AssumeRole")  # AssumeRole issues keys, changes nothing
# Set by conftest's moto fixture: the emulator every run of the session goes
# to (through proxies or not), and whether a test's own recording is on.
MOTO_URL = None
RECORDING_ACTIVE = False
DENIED = ("AuthFailure", "UnauthorizedOperation", "AccessDenied", "InvalidClientTokenId", "SignatureDoesNotMatch")
# The binary's own requests (proxies forward its headers).
USER_AGENT = "s3snapshot/"
SUMMARY = re.compile(r"^(\d+) instance\(s\), (\d+) snapshot\(s\)(?: planned)?, (\d+) failed(.*)$", re.M)
AUDIT_SUMMARY = re.compile(r"^(\d+) instance\(s\), (\d+) volume\(s\), (\d+) unprotected(.*)$", re.M)


class Oracle:
    """One run's watch: begin() before the binary runs, check() after."""

    def __init__(self, moto_url, recording_active, env=None):
        self.url = moto_url
        env = env or {}
        # Looks go to moto as the run's own identity (under moto's IAM
        # enforcement, "testing" is nobody).
        self.key = env.get("AWS_ACCESS_KEY_ID", "testing")
        self.secret = env.get("AWS_SECRET_ACCESS_KEY", "testing")
        self.token = env.get("AWS_SESSION_TOKEN")
        self.recording_active = recording_active  # a test's own recording: leave it be
        self.seen = 0
        self.metrics_before = None

    # --- moto's recording -------------------------------------------------
    def _post(self, path):
        req = urllib.request.Request(self.url + path, data=b"", method="POST")
        urllib.request.urlopen(req, timeout=30).read()

    def _rows(self):
        data = urllib.request.urlopen(self.url + "/moto-api/recorder/download-recording", timeout=30).read()
        return [json.loads(line) for line in data.decode().splitlines() if line.strip()]

    def begin(self, args):
        if self.recording_active:
            self.seen = len(self._rows())
        else:
            self._post("/moto-api/recorder/reset-recording")
            self._post("/moto-api/recorder/start-recording")
            self.seen = 0
        path = _value_of(args, "--metrics-file")
        if path and os.path.exists(path):
            with open(path, "rb") as f:
                self.metrics_before = f.read()

    def requests(self):
        """The binary's requests during the run: (action, params, headers);
        those botocore's models refuse go to self.nonconforming."""
        out = []
        self.nonconforming = []
        for row in self._rows()[self.seen:]:
            headers = row.get("headers") or {}
            if not headers.get("User-Agent", "").startswith(USER_AGENT):
                continue
            body = row.get("body") or ""
            if row.get("body_encoded"):
                body = base64.b64decode(body).decode("utf-8", "replace")
            target = headers.get("X-Amz-Target", "")
            if target:  # JSON 1.1 (SSM, Organizations)
                action, params = target.split(".")[-1], {}
                try:
                    problems = conformance.json_problems(target, json.loads(body or "{}"))
                except ValueError:
                    problems = ["a body that is not JSON"]
            else:
                params = {k: v[0] for k, v in urllib.parse.parse_qs(body, keep_blank_values=True).items()}
                action = params.get("Action", "")
                problems = conformance.query_problems(params)
            self.nonconforming += ["%s: %s" % (action or target, p) for p in problems]
            out.append((action, params, headers))
        return out

    def end(self):
        # Recording off while the oracle looks (its own lookups must not
        # enter a test's recording); a test's recording goes on after.
        self._post("/moto-api/recorder/stop-recording")

    def resume(self):
        if self.recording_active:
            self._post("/moto-api/recorder/start-recording")

    # --- the checks ---------------------------------------------------------
    def check(self, args, proc):
        calls = self.requests()
        self.end()
        try:
            self._check(list(args), proc, calls)
        except botocore.exceptions.ClientError as e:
            # The run's identity may not read what the oracle looks at (a
            # least-privilege or refused identity): then it cannot judge.
            if e.response.get("Error", {}).get("Code") not in DENIED:
                raise
        finally:
            self.resume()

    def _check(self, args, proc, calls):
        assert not self.nonconforming, "requests botocore's models refuse: %s" % self.nonconforming[:5]
        if "--help" in args or "--version" in args or "-v" in args or "-h" in args:
            return
        mutating = [a for a, _, _ in calls if a and not a.startswith(READ_ONLY)]
        why = "stdout:\n%s\nstderr:\n%s" % (proc.stdout, proc.stderr)
        if proc.returncode == 2:
            assert not mutating, "bad input (exit 2) changed things: %s\n%s" % (mutating, why)
            return
        if proc.returncode not in (0, 1):
            return  # a crash or a signal: the test says what it expects
        dry = "--dry-run" in args
        if args and args[0] == "restore":
            # Side by side: volumes are made and attached, never detached,
            # changed or deleted.
            allowed = {"CreateVolume", "AttachVolume"}
            if "--in-place" in args:  # the swap, under the restart guarantee; never a delete
                allowed |= {"DetachVolume", "CreateTags", "StopInstances", "StartInstances"}
            assert set(mutating) <= allowed, "a restore sent %s\n%s" % (mutating, why)
        if args and args[0] == "drill":
            # Volumes made, attached to the check instance only, detached and
            # deleted; the drilled snapshots tagged; the check sent.
            allowed = {"CreateVolume", "DeleteVolume", "AttachVolume", "DetachVolume", "CreateTags",
                       "AmazonSSM.SendCommand", "SendCommand", "Publish", "PutMetricData"}
            assert set(mutating) <= allowed, "a drill sent %s\n%s" % (mutating, why)
            check = _value_of(args, "--check-instance")
            for a, params, _ in calls:
                if a == "AttachVolume":
                    assert params.get("InstanceId") == check, "a drill attached to %s\n%s" % (params, why)
        if dry:
            assert not mutating, "a dry run sent %s\n%s" % (mutating, why)
            path = _value_of(args, "--metrics-file")
            if path:
                now = open(path, "rb").read() if os.path.exists(path) else None
                assert now == self.metrics_before, "a dry run wrote the metrics file " + path
        errors = [line for line in proc.stderr.splitlines() if line.startswith("s3snapshot: error:")]
        if proc.returncode == 1:
            assert errors, "exit 1 without naming a failure on stderr\n" + why
        else:
            assert not errors, "exit 0 with error lines on stderr\n" + why
        report = None
        if _value_of(args, "--output") == "json":
            report = json.loads(proc.stdout)
            self._check_json(report, proc.returncode, dry, why)
            self._check_world(report, why)
        else:
            self._check_text(proc.stdout, proc.returncode, dry, why)
        self._check_sns(calls, proc.stdout if report is None else None, report, why)
        path = _value_of(args, "--metrics-file")
        if path and not dry and report is not None and report.get("command") == "snapshot" and os.path.exists(path):
            text = open(path).read()
            total = sum(float(m.group(1)) for m in
                        re.finditer(r"^s3snapshot_instances_left_stopped\{[^}]*\} (\S+)$", text, re.M))
            assert total == len(report["summary"]["left_stopped"]), "metrics file vs report: " + text

    def _check_json(self, rep, code, dry, why):
        s = rep["summary"]
        assert s.get("run_errors", len(rep["errors"])) == len(rep["errors"]), why
        assert rep["ok"] == (code == 0), "ok=%s but exit %d\n%s" % (rep["ok"], code, why)
        if rep["command"] == "restore":
            assert s["volumes"] == len(rep["volumes"]), why
            assert s["failed"] == sum(1 for v in rep["volumes"] if not v["ok"]), why
            bad = s["failed"] + len(rep["errors"]) + rep["cancelled"]
            assert (bad == 0) == (code == 0), "restore summary vs exit %d\n%s" % (code, why)
            if dry:
                assert all(v["volume_id"] == "" and v["state"] == "planned" for v in rep["volumes"]), why
            return
        if rep["command"] == "drill":
            assert s["sets"] == len(rep["sets"]) and s["left_behind"] == len(rep["left_behind"]), why
            assert s["failed"] == sum(1 for x in rep["sets"] if not x["ok"]), why
            bad = s["failed"] + len(rep["errors"]) + len(rep["not_found"]) + len(rep["left_behind"]) + rep["cancelled"]
            assert (bad == 0) == (code == 0), "drill summary vs exit %d\n%s" % (code, why)
            if dry:
                assert all(v["volume_id"] == "" for x in rep["sets"] for v in x["volumes"]), why
            return
        if rep["command"] == "audit":
            if "volumes_omitted" not in rep:
                assert s["volumes"] == len(rep["volumes"]), why
                assert s["unprotected"] == sum(1 for v in rep["volumes"] if v["findings"]), why
            bad = s["unprotected"] + len(rep["errors"]) + len(rep["not_found"]) + rep["cancelled"]
            assert (bad == 0) == (code == 0), "audit summary vs exit %d\n%s" % (code, why)
            return
        if "instances_omitted" not in rep:
            assert s["instances"] == len(rep["instances"]), why
            assert s["snapshots"] == sum(len(i["snapshots"]) for i in rep["instances"]), why
            failed = sum(1 for i in rep["instances"] if not i["ok"]) + len(rep["not_found"])
            assert s["failed"] == failed, why
        bad = s["failed"] + len(rep["errors"]) + len(s["left_stopped"]) + len(s["not_thawed"]) + rep["cancelled"]
        assert (bad == 0) == (code == 0), "summary vs exit %d\n%s" % (code, why)
        if dry:
            assert rep["dry_run"] is True
            assert s["left_stopped"] == [] and s["not_thawed"] == [], "a plan leaves nothing stopped or frozen"
            for i in rep["instances"]:
                assert not i["stopped_by_run"] and not i["restarted"], "a plan stops nothing: %s" % i
                assert all(x["snapshot_id"] == "" for x in i["snapshots"]), "a plan makes no snapshot: %s" % i
            for r in rep["retention"]:
                assert r["action"] in ("kept", "would delete"), r

    def _check_text(self, out, code, dry, why):
        m = SUMMARY.search(out) or AUDIT_SUMMARY.search(out)
        if not m:
            return
        rest = m.group(4)
        failing = int(m.group(3)) > 0 or "run error" in rest or "LEFT STOPPED" in rest or "NOT THAWED" in rest
        failing = failing or "\nCANCELLED (" in out or " not found (" in out
        assert failing == (code == 1), "the summary line says %s but exit %d\n%s" % (
            "failures" if failing else "none", code, why)
        if dry:
            assert "LEFT STOPPED" not in out and "NOT THAWED" not in out, why
        left = re.search(r"LEFT STOPPED:((?: i-[0-9a-f]+)+)", rest)
        region = _text_region(out)
        if left and not dry and region and "," not in region and "(account" not in out.split("\n", 1)[0]:
            ids = left.group(1).split()
            states = self._states(ids, region)
            assert all(states.get(i) in ("stopped", "stopping") for i in ids), \
                "named LEFT STOPPED but %s\n%s" % (states, why)
        # The snapshots this run made, as its instance blocks list them.
        ids = set(re.findall(r"^    \S+ +vol-[0-9a-f]+ +(snap-[0-9a-f]+)", out, re.M))
        region = _text_region(out)
        if ids and region and "," not in region and "(account" not in out.split("\n", 1)[0]:
            missing = self._missing(ids, region)
            assert not missing, "the report names snapshots that do not exist: %s\n%s" % (missing, why)

    def _check_restore(self, rep, why):
        """Every volume the restore names exists, was made from its snapshot
        for this restore, and is attached where the report says."""
        made = [v for v in rep["volumes"] if v["volume_id"]]
        if not made:
            return
        found = {v["VolumeId"]: v for v in self._ec2(rep["region"]).describe_volumes(
            Filters=[{"Name": "volume-id", "Values": [v["volume_id"] for v in made]}])["Volumes"]}
        for v in made:
            assert v["volume_id"] in found, "the report names a volume that does not exist: %s\n%s" % (v, why)
            tags = {t["Key"]: t["Value"] for t in found[v["volume_id"]].get("Tags", [])}
            assert tags.get("s3snapshot:restored-from") == v["snapshot_id"], (tags, why)
            assert tags.get("s3snapshot:restore-id") == rep["restore_id"], (tags, why)
            assert found[v["volume_id"]]["SnapshotId"] == v["snapshot_id"], why
            assert found[v["volume_id"]]["AvailabilityZone"] == rep["availability_zone"], why
            at = [a["Device"] for a in found[v["volume_id"]].get("Attachments", [])
                  if a["InstanceId"] == rep["target_instance_id"]]
            assert at == ([v["attached_device"]] if v["attached_device"] else []), (at, v, why)

    def _check_drill(self, rep, why):
        """Nothing of the drill is left but what it names LEFT BEHIND, and
        every volume it names deleted is gone."""
        if rep.get("account") or "," in rep["region"] or not rep["drill_id"]:
            return
        ec2 = self._ec2(rep["region"])
        left = {v["VolumeId"] for v in ec2.describe_volumes(
            Filters=[{"Name": "tag:s3snapshot:drill-id", "Values": [rep["drill_id"]]}])["Volumes"]}
        named = {v.split(" ")[0] for v in rep["left_behind"]}
        assert left <= named, "drill volumes still there, not named LEFT BEHIND: %s\n%s" % (left - named, why)
        deleted = {v["volume_id"] for x in rep["sets"] for v in x["volumes"] if v["state"] == "deleted"}
        assert not deleted & left, "reported deleted, still there: %s\n%s" % (deleted & left, why)

    def _check_world(self, rep, why):
        if rep["command"] == "restore":
            return self._check_restore(rep, why)
        if rep["command"] == "drill":
            return self._check_drill(rep, why)
        if rep["command"] != "snapshot" or rep.get("account"):
            return  # other accounts' EC2 is reached through their roles
        by_region = {}
        for i in rep["instances"]:
            region = i["scope"] or rep["region"]
            for s in i["snapshots"]:
                if s["snapshot_id"]:
                    by_region.setdefault(region, set()).add(s["snapshot_id"])
        for region, ids in by_region.items():
            missing = self._missing(ids, region)
            assert not missing, "the report names snapshots that do not exist in %s: %s\n%s" % (region, missing, why)
        self._check_locks(rep, why)
        gone = {r["snapshot_id"] for r in rep["retention"] if r["action"] == "deleted" and not r["scope"]}
        if gone and "," not in rep["region"]:
            still = gone - self._missing(gone, rep["region"])
            assert not still, "reported deleted, still there: %s\n%s" % (still, why)
        left = set(rep["summary"]["left_stopped"])
        restarted = {i["instance_id"]: (i["scope"] or rep["region"]) for i in rep["instances"]
                     if i["stopped_by_run"] and i["restarted"]}
        if "," not in rep["region"]:
            states = self._states(sorted(left | set(restarted)), rep["region"])
            for iid in left:
                assert states.get(iid) in ("stopped", "stopping"), "%s named LEFT STOPPED but %s\n%s" % (
                    iid, states.get(iid), why)
            for iid in restarted:
                assert states.get(iid) in ("pending", "running"), "%s reported started but %s\n%s" % (
                    iid, states.get(iid), why)

    def _check_sns(self, calls, text_out, report, why):
        for action, params, _ in calls:
            if action != "Publish":
                continue
            body = params.get("Message", "")
            sent = SUMMARY.search(body) or AUDIT_SUMMARY.search(body)
            if not sent:
                continue  # cut to SNS's size before its summary
            if text_out is not None:
                shown = SUMMARY.search(text_out) or AUDIT_SUMMARY.search(text_out)
                assert shown, why
                said, seen = sent.group(0), shown.group(0)
                if "error: notify: " in text_out:
                    # A message cannot count the failure of its own (or a
                    # later) Publish: compare all but the run-error count.
                    said, seen = (re.sub(r", \d+ run errors?", "", x) for x in (said, seen))
                assert said == seen, "SNS said %r, stdout %r\n%s" % (said, seen, why)
            else:
                calls_said = re.search(r", (\d+) API calls", sent.group(0))
                assert calls_said and int(calls_said.group(1)) == report["summary"]["api_calls"], \
                    "SNS said %r, the JSON %d API calls\n%s" % (sent.group(0), report["summary"]["api_calls"], why)

    # --- moto's state -------------------------------------------------------
    def _ec2(self, region):
        return boto3.client("ec2", endpoint_url=self.url, region_name=region or "us-east-1",
                            aws_access_key_id=self.key, aws_secret_access_key=self.secret,
                            aws_session_token=self.token)

    def _check_locks(self, rep, why):
        """A snapshot or copy the report says is locked holds a lock in its
        region; one it says is NOT LOCKED holds none; a snapshot retention
        kept as locked is there, and locked."""
        said = {}  # (region, id) -> locked?
        for i in rep["instances"]:
            region = i["scope"] or rep["region"]
            for s in i["snapshots"]:
                if s.get("lock") and s["snapshot_id"]:
                    said[(region, s["snapshot_id"])] = s["lock"] != "NOT LOCKED"
                for c in s["copies"]:
                    if c.get("lock") and c["snapshot_id"]:
                        said[(c["region"], c["snapshot_id"])] = c["lock"] != "NOT LOCKED"
        for r in rep["retention"]:
            if r["action"] == "kept" and r["reason"].startswith("locked"):
                said[(r["scope"] or rep["region"], r["snapshot_id"])] = True
        for region in {r for r, _ in said}:
            if "," in region or "/" in region:
                continue  # several scopes: their regions and accounts are not the oracle's to reach
            ids = sorted(i for r, i in said if r == region)
            locks = self._ec2(region).describe_locked_snapshots(SnapshotIds=ids)["Snapshots"]
            held = {x["SnapshotId"] for x in locks if x["LockState"] != "expired"}
            for sid in ids:
                assert said[(region, sid)] == (sid in held), "the report says %s is %slocked in %s\n%s" % (
                    sid, "" if said[(region, sid)] else "NOT ", region, why)

    def _missing(self, ids, region):
        if not ids:
            return set()
        found = set()
        for s in self._ec2(region).describe_snapshots(
                OwnerIds=["self"], Filters=[{"Name": "snapshot-id", "Values": sorted(ids)}])["Snapshots"]:
            found.add(s["SnapshotId"])
        return set(ids) - found

    def _states(self, ids, region):
        if not ids:
            return {}
        r = self._ec2(region).describe_instances(Filters=[{"Name": "instance-id", "Values": list(ids)}])
        return {i["InstanceId"]: i["State"]["Name"] for res in r["Reservations"] for i in res["Instances"]}


def _value_of(args, flag):
    for i, a in enumerate(args):
        if a == flag and i + 1 < len(args):
            return args[i + 1]
        if a.startswith(flag + "="):
            return a.split("=", 1)[1]
    return None


def _text_region(out):
    m = re.match(r"s3snapshot (?:dry run |run |audit )\S+ in (\S+)", out)
    return m.group(1) if m else None
