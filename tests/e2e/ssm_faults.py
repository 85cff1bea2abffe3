"""SSM Run Command as it behaves on real hosts, in front of moto, whose every
invocation is `Success` at once (../shared/MOTO.md). An HTTP proxy (loopback
only) that matches `X-Amz-Target` and, per script stage ("pre-script" or
"post-script", from the command's Comment or its `command` parameter) and
optionally per instance:

- `in_progress[stage]` seconds: GetCommandInvocation says `InProgress` (and
  ResponseCode -1) for that long after SendCommand;
- `final[stage]` or `final[(stage, instance)]`: the status it then ends in
  (`Failed`, `TimedOut`, ...) with `exit_code`;
- `lose[stage]` = n: the next n SendCommand of that stage are carried out by
  moto but their answers are lost (the connection is closed unanswered);
- `hidden[stage]`: GetCommandInvocation answers InvocationDoesNotExist, as
  SSM does for a moment after SendCommand (here: always).

Everything else (EC2's Query requests too) is forwarded untouched. `events`
lists (monotonic time, what, stage or action, instance ids) in arrival order:
"send" for SendCommand, "get" for GetCommandInvocation, and EC2 actions."""
import http.server
import json
import threading
import time
import urllib.parse

from helpers import forward_post, send_reply


class SsmFaults:
    def __init__(self, upstream_port):
        self.upstream_port = upstream_port
        self.in_progress = {}  # stage -> seconds
        self.final = {}        # stage or (stage, instance) -> (status, exit code)
        self.lose = {}         # stage -> answers still to lose
        self.hidden = set()    # stages whose invocations are never shown
        self.lock = threading.Lock()
        self.commands = {}     # command id -> (stage, sent at)
        self.events = []
        faults = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *a):
                pass

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                target = self.headers.get("X-Amz-Target", "")
                if target == "AmazonSSM.SendCommand":
                    return faults._send_command(self, body)
                if target == "AmazonSSM.GetCommandInvocation":
                    return faults._get_invocation(self, body)
                params = {k: v[0] for k, v in urllib.parse.parse_qs(body.decode("utf-8", "replace")).items()}
                action = params.get("Action", target)
                ids = [v for k, v in params.items() if k.startswith("InstanceId") or k == "InstanceSpecification.InstanceId"]
                faults._note(action, "", ids)
                status, headers, data = forward_post(faults.upstream_port, self.path, self.headers, body)
                send_reply(self, status, data, headers.get("Content-Type", "text/xml"))

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.url = "http://127.0.0.1:%d" % self.port
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @staticmethod
    def stage_of(req):
        command = (req.get("Parameters") or {}).get("command")
        if command:
            return command[0]
        return (req.get("Comment") or "").rsplit(" ", 1)[-1]

    def _note(self, what, stage, ids):
        with self.lock:
            self.events.append((time.monotonic(), what, stage, list(ids)))

    def _send_command(self, handler, body):
        req = json.loads(body)
        stage = self.stage_of(req)
        self._note("send", stage, req.get("InstanceIds", []))
        status, headers, data = forward_post(self.upstream_port, handler.path, handler.headers, body)
        if status == 200:
            cid = json.loads(data)["Command"]["CommandId"]
            with self.lock:
                self.commands[cid] = (stage, time.monotonic())
                lose = self.lose.get(stage, 0) > 0
                if lose:
                    self.lose[stage] -= 1
            if lose:
                handler.close_connection = True
                handler.connection.shutdown(2)  # carried out, answer lost
                return
        send_reply(handler, status, data, headers.get("Content-Type", "application/x-amz-json-1.1"))

    def _get_invocation(self, handler, body):
        req = json.loads(body)
        cid, iid = req.get("CommandId", ""), req.get("InstanceId", "")
        with self.lock:
            stage, sent = self.commands.get(cid, ("", 0.0))
        self._note("get", stage, [iid])
        if stage in self.hidden:
            err = json.dumps({"__type": "com.amazonaws.ssm#InvocationDoesNotExist",
                              "message": "An error occurred (InvocationDoesNotExist)"}).encode()
            return send_reply(handler, 400, err, "application/x-amz-json-1.1")
        status, headers, data = forward_post(self.upstream_port, handler.path, handler.headers, body)
        if status == 200 and stage:
            inv = json.loads(data)
            if time.monotonic() - sent < self.in_progress.get(stage, 0):
                inv.update(Status="InProgress", StatusDetails="InProgress", ResponseCode=-1)
            else:
                final = self.final.get((stage, iid)) or self.final.get(stage)
                if final:
                    inv.update(Status=final[0], StatusDetails=final[0], ResponseCode=final[1])
            data = json.dumps(inv).encode()
        send_reply(handler, status, data, headers.get("Content-Type", "application/x-amz-json-1.1"))

    # -- what the tests read ------------------------------------------------
    def sends(self, stage, iid):
        with self.lock:
            return sum(1 for _, what, st, ids in self.events if what == "send" and st == stage and iid in ids)

    def close(self):
        self.server.shutdown()
        self.server.server_close()
