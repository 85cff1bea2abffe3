"""EC2's real clock in front of moto, which completes every snapshot, stop
and copy at once. An HTTP proxy (loopback only) that rewrites moto's answers
so that, per test and with times compressed to seconds:

- a snapshot (CreateSnapshots, CreateSnapshot) stays `pending` with a rising
  `progress` for `snapshot_seconds` after moto made it, a copy (CopySnapshot)
  for `copy_seconds` in its destination, then reads `completed`;
- a chosen snapshot or copy ends in `error` (with a StateMessage) instead,
  after its pending time: by source volume (`fail_volumes`), by the source of
  a copy (`fail_copies_of`), or by id (`fail_ids`, also settable later);
- an instance passes through `stopping` for `stop_seconds` after
  StopInstances and through `pending` for `start_seconds` after
  StartInstances; a StartInstances for an instance still `stopping` is
  refused with IncorrectInstanceState, as EC2 does (moto accepts it);
- a chosen snapshot is made older: `aged[snapshot id] = seconds` moves its
  StartTime back in DescribeSnapshots answers (moto has no time travel);
- a volume (CreateVolume) stays `creating` for `volume_seconds`, then reads
  `available` -- or `error` when made from a snapshot in
  `fail_volume_snapshots`; an attachment reads `attaching` for
  `attach_seconds`, then `attached`;
- the checks EC2 makes and moto does not: AttachVolume of a volume not
  `available` (IncorrectState), at a device the instance already uses
  (InvalidParameterValue), or across Availability Zones
  (InvalidVolume.ZoneMismatch); DetachVolume of the root volume of an
  instance that is not stopped (IncorrectState).

Chain it behind FaultProxy for lost answers and throttling. `seen` lists the
actions it forwarded; `state(id)` is what it currently makes EC2 say."""
import datetime
import http.server
import re
import threading
import time
import urllib.parse
import xml.etree.ElementTree as ET

from helpers import forward_post, send_reply

NS = "http://ec2.amazonaws.com/doc/2016-11-15"
ET.register_namespace("", NS)


def q(tag):
    return "{%s}%s" % (NS, tag)


class Ec2Clock:
    def __init__(self, upstream_port, snapshot_seconds=0.0, copy_seconds=0.0, stop_seconds=0.0,
                 start_seconds=0.0, fail_volumes=(), fail_copies_of=(), fail_ids=(), volume_seconds=0.0,
                 attach_seconds=0.0, fail_volume_snapshots=(), detach_seconds=0.0):
        self.upstream_port = upstream_port
        self.snapshot_seconds, self.copy_seconds = snapshot_seconds, copy_seconds
        self.stop_seconds, self.start_seconds = stop_seconds, start_seconds
        self.fail_volumes, self.fail_copies_of = set(fail_volumes), set(fail_copies_of)
        self.fail_ids = set(fail_ids)
        self.aged = {}  # snapshot id -> seconds its StartTime is moved back
        self.volume_seconds, self.attach_seconds = volume_seconds, attach_seconds
        self.fail_volume_snapshots = set(fail_volume_snapshots)
        self.volumes = {}  # volume id -> (made at, snapshot id)
        self.attaching = {}  # volume id -> until
        self.detach_seconds = detach_seconds
        self.detaching = {}  # volume id -> (until, instance, device)
        self.aged_volumes = {}  # volume id -> seconds its CreateTime is moved back
        self.lock = threading.Lock()
        self.snapshots = {}  # id -> (made at, seconds pending, volume, copy of)
        self.stopping = {}   # instance id -> until
        self.starting = {}   # instance id -> until
        self.seen = []
        self.times = []  # (monotonic time, action) of every request
        clock = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *a):
                pass

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                params = {k: v[0] for k, v in urllib.parse.parse_qs(body.decode("utf-8", "replace")).items()}
                action = params.get("Action", "")
                with clock.lock:
                    clock.seen.append(action)
                    clock.times.append((time.monotonic(), action))
                refused = clock._refuse(action, params)
                if refused:
                    return self._send(400, refused)
                wanted = None
                if action == "DescribeSnapshots":
                    # moto would filter on its own 'completed': filter here,
                    # on the states this clock gives.
                    body, wanted = clock._take_status_filter(params)
                status, headers, data = clock._forward(self.path, self.headers, body)
                if status == 200:
                    data = clock._rewrite(action, params, data, wanted)
                self._send(status, data, headers.get("Content-Type", "text/xml"))

            def _send(self, status, data, ctype="text/xml"):
                send_reply(self, status, data, ctype)

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.url = "http://127.0.0.1:%d" % self.port
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    # -- what EC2 says now ------------------------------------------------
    def state(self, snapshot_id):
        """(state, progress percent) of a snapshot the clock has seen made."""
        with self.lock:
            made, seconds, volume, copy_of = self.snapshots[snapshot_id]
        left = made + seconds - time.monotonic()
        if left > 0:
            return "pending", int(99 * (1 - left / seconds)) if seconds else 99
        failed = snapshot_id in self.fail_ids or volume in self.fail_volumes or copy_of in self.fail_copies_of
        return ("error", 0) if failed else ("completed", 100)

    def instance_state(self, instance_id, moto_state):
        now = time.monotonic()
        with self.lock:
            if self.stopping.get(instance_id, 0) > now:
                return "stopping", 64
            if self.starting.get(instance_id, 0) > now:
                return "pending", 0
        return moto_state, None

    def volume_state(self, volume_id, moto_state):
        with self.lock:
            made = self.volumes.get(volume_id)
        if made is None:
            return moto_state
        if time.monotonic() < made[0] + self.volume_seconds:
            return "creating"
        if made[1] in self.fail_volume_snapshots:
            return "error"
        return moto_state

    def _upstream(self):
        import boto3
        return boto3.client("ec2", endpoint_url="http://127.0.0.1:%d" % self.upstream_port, region_name="us-east-1",
                            aws_access_key_id="testing", aws_secret_access_key="testing")

    @staticmethod
    def _error(code, message):
        return ("<Response><Errors><Error><Code>%s</Code><Message>%s</Message></Error></Errors>"
                "<RequestID>ec2clock-refused</RequestID></Response>" % (code, message)).encode()

    def _refuse_volume(self, action, params):
        ec2 = self._upstream()
        if action == "AttachVolume":
            vol = ec2.describe_volumes(VolumeIds=[params.get("VolumeId", "")])["Volumes"][0]
            inst = ec2.describe_instances(InstanceIds=[params.get("InstanceId", "")])["Reservations"][0]["Instances"][0]
            state = self.volume_state(vol["VolumeId"], vol["State"])
            if state != "available":
                return self._error("IncorrectState", "vol '%s' is not 'available'." % vol["VolumeId"])
            bare = lambda d: d.replace("/dev/", "").replace("xvd", "sd")
            if any(bare(m["DeviceName"]) == bare(params.get("Device", "")) for m in inst["BlockDeviceMappings"]):
                return self._error("InvalidParameterValue",
                                   "Attachment point %s is already in use" % params.get("Device"))
            if vol["AvailabilityZone"] != inst["Placement"]["AvailabilityZone"]:
                return self._error("InvalidVolume.ZoneMismatch", "The volume '%s' is not in the same availability "
                                   "zone as instance '%s'" % (vol["VolumeId"], inst["InstanceId"]))
        if action == "CreateVolume" and "Size" in params and params.get("SnapshotId"):
            snap = ec2.describe_snapshots(SnapshotIds=[params["SnapshotId"]])["Snapshots"][0]
            if int(params["Size"]) < snap["VolumeSize"]:
                return self._error("InvalidParameterValue", "Volume of %s GiB is too small; minimum is %d GiB."
                                   % (params["Size"], snap["VolumeSize"]))
        if action == "DeleteVolume":
            vid = params.get("VolumeId", "")
            found = ec2.describe_volumes(Filters=[{"Name": "volume-id", "Values": [vid]}])["Volumes"]
            if found:
                state = self.volume_state(vid, found[0]["State"])
                with self.lock:
                    detaching = self.detaching.get(vid, (0,))[0] > time.monotonic()
                if state == "creating":
                    return self._error("IncorrectState", "The volume '%s' is 'creating'." % vid)
                if found[0].get("Attachments") or detaching:
                    return self._error("VolumeInUse", "Volume %s is currently attached to %s" % (
                        vid, (found[0].get("Attachments") or [{"InstanceId": "an instance"}])[0]["InstanceId"]))
        if action == "DetachVolume":
            vol = ec2.describe_volumes(VolumeIds=[params.get("VolumeId", "")])["Volumes"][0]
            for a in vol.get("Attachments", []):
                inst = ec2.describe_instances(InstanceIds=[a["InstanceId"]])["Reservations"][0]["Instances"][0]
                if a["Device"] == inst.get("RootDeviceName") and inst["State"]["Name"] != "stopped":
                    return self._error("IncorrectState", "Unable to detach root volume '%s' from instance '%s'"
                                       % (vol["VolumeId"], inst["InstanceId"]))
        return None

    def _refuse(self, action, params):
        if action in ("AttachVolume", "DetachVolume", "CreateVolume", "DeleteVolume"):
            return self._refuse_volume(action, params)
        if action != "StartInstances":
            return None
        ids = [v for k, v in params.items() if k.startswith("InstanceId.")]
        for iid in ids:
            if self.instance_state(iid, "")[0] == "stopping":
                return ("<Response><Errors><Error><Code>IncorrectInstanceState</Code><Message>The instance '%s' "
                        "is not in a state from which it can be started.</Message></Error></Errors>"
                        "<RequestID>ec2clock-start</RequestID></Response>" % iid).encode()
        return None

    @staticmethod
    def _take_status_filter(params):
        """The request body without its `status` filter, and that filter's values (or None)."""
        wanted, drop = None, None
        for k, v in params.items():
            m = re.fullmatch(r"Filter\.(\d+)\.Name", k)
            if m and v == "status":
                drop = m.group(1)
        if drop is not None:
            prefix = "Filter.%s." % drop
            wanted = {v for k, v in params.items() if k.startswith(prefix + "Value.")}
            params = {k: v for k, v in params.items() if not k.startswith(prefix)}
        return urllib.parse.urlencode(params).encode(), wanted

    def _rewrite(self, action, params, data, wanted=None):
        now = time.monotonic()
        if action in ("CreateSnapshots", "CreateSnapshot", "CopySnapshot"):
            root = ET.fromstring(data)
            made = []
            if action == "CreateSnapshots":
                for item in root.iter(q("item")):
                    sid, vol = item.find(q("snapshotId")), item.find(q("volumeId"))
                    if sid is not None:
                        made.append((sid.text, vol.text if vol is not None else "", None))
                        self._set(item, "progress", "0%")
                        self._set(item, "state", "pending")
            else:
                sid = root.find(q("snapshotId"))
                if action == "CreateSnapshot":
                    made.append((sid.text, params.get("VolumeId", ""), None))
                else:
                    made.append((sid.text, "", params.get("SourceSnapshotId")))
            with self.lock:
                for sid, vol, copy_of in made:
                    seconds = self.copy_seconds if copy_of else self.snapshot_seconds
                    self.snapshots[sid] = (now, seconds, vol, copy_of)
            return self._dump(root)
        if action in ("StopInstances", "StartInstances"):
            until, seconds = ((self.stopping, self.stop_seconds) if action == "StopInstances"
                              else (self.starting, self.start_seconds))
            with self.lock:
                for k, v in params.items():
                    if k.startswith("InstanceId."):
                        until[v] = now + seconds
            return data
        if action == "DescribeSnapshots":
            root = ET.fromstring(data)
            snapshot_set = root.find(q("snapshotSet"))
            for item in list(snapshot_set) if snapshot_set is not None else []:
                sid = item.find(q("snapshotId")).text
                with self.lock:
                    known = sid in self.snapshots
                if sid in self.aged:
                    el = item.find(q("startTime"))
                    t = datetime.datetime.fromisoformat(el.text.replace("Z", "+00:00"))
                    t -= datetime.timedelta(seconds=self.aged[sid])
                    el.text = t.strftime("%Y-%m-%dT%H:%M:%S.000Z")
                if known:
                    st, pct = self.state(sid)
                    self._set(item, "status", st)
                    self._set(item, "progress", "%d%%" % pct)
                    if st == "error":
                        self._set(item, "statusMessage", "injected by ec2_clock: the snapshot failed")
                if wanted is not None and item.find(q("status")).text not in wanted:
                    snapshot_set.remove(item)
            return self._dump(root)
        if action == "CreateVolume":
            root = ET.fromstring(data)
            vid = root.find(q("volumeId")).text
            with self.lock:
                self.volumes[vid] = (now, params.get("SnapshotId", ""))
            if self.volume_seconds > 0:
                self._set(root, "status", "creating")
            return self._dump(root)
        if action == "AttachVolume":
            with self.lock:
                self.attaching[params.get("VolumeId", "")] = now + self.attach_seconds
            if self.attach_seconds > 0:
                root = ET.fromstring(data)
                self._set(root, "status", "attaching")
                return self._dump(root)
            return data
        if action == "DetachVolume":
            with self.lock:
                self.detaching[params.get("VolumeId", "")] = (now + self.detach_seconds, params.get("InstanceId", ""),
                                                              params.get("Device", ""))
            return data
        if action == "DescribeVolumes":
            root = ET.fromstring(data)
            volume_set = root.find(q("volumeSet"))
            for item in list(volume_set) if volume_set is not None else []:
                vid = item.find(q("volumeId")).text
                self._set(item, "status", self.volume_state(vid, item.find(q("status")).text))
                if vid in self.aged_volumes and item.find(q("createTime")) is not None:
                    el = item.find(q("createTime"))
                    t = datetime.datetime.fromisoformat(el.text.replace("Z", "+00:00"))
                    t -= datetime.timedelta(seconds=self.aged_volumes[vid])
                    el.text = t.strftime("%Y-%m-%dT%H:%M:%S.000Z")
                with self.lock:
                    detach = self.detaching.get(vid)
                if detach and detach[0] > now and item.find(q("attachmentSet")) is not None \
                        and not list(item.find(q("attachmentSet"))):
                    # Still detaching: in-use, the attachment 'detaching'.
                    self._set(item, "status", "in-use")
                    att = ET.SubElement(item.find(q("attachmentSet")), q("item"))
                    for tag, text in (("volumeId", vid), ("instanceId", detach[1]), ("device", detach[2]),
                                      ("status", "detaching")):
                        self._set(att, tag, text)
                with self.lock:
                    until = self.attaching.get(vid, 0)
                if until > now:
                    for att in item.iter(q("item")):
                        if att.find(q("device")) is not None:
                            self._set(att, "status", "attaching")
            return self._dump(root)
        if action == "DescribeInstances":
            root = ET.fromstring(data)
            for inst in root.iter(q("instancesSet")):
                for item in inst:
                    iid = item.find(q("instanceId")).text
                    st = item.find(q("instanceState"))
                    name, code = self.instance_state(iid, st.find(q("name")).text)
                    if code is not None:
                        st.find(q("name")).text = name
                        st.find(q("code")).text = str(code)
            return self._dump(root)
        return data

    @staticmethod
    def _set(item, tag, text):
        el = item.find(q(tag))
        if el is None:
            el = ET.SubElement(item, q(tag))
        el.text = text

    @staticmethod
    def _dump(root):
        return b'<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode").encode()

    def _forward(self, path, headers, body):
        return forward_post(self.upstream_port, path, headers, body)

    def first(self, action):
        """When the first `action` request came (monotonic), or None."""
        with self.lock:
            return next((t for t, a in self.times if a == action), None)

    def count(self, action):
        with self.lock:
            return sum(1 for a in self.seen if a == action)

    def close(self):
        self.server.shutdown()
        self.server.server_close()

