#!/usr/bin/env python3
"""Start or stop moto_server for the end-to-end tests (a CTest fixture).

  moto_ctl.py start STATE_FILE   picks a free loopback port, starts moto_server
                                 (with what the suite needs and moto lacks: moto_plus.py),
                                 waits until it answers, writes {"port", "pid", ...}
  moto_ctl.py stop STATE_FILE    stops it (and is harmless when it is not running)
"""
import json
import os
import signal
import subprocess
import sys
import time
import urllib.request


from helpers import free_port  # noqa: E402


def start(state_file):
    stop(state_file)
    port = free_port()
    # Beside the state file, named after it: moto.json has moto-server.log and
    # moto-recording.jsonl, so two servers can share a folder.
    stem = os.path.splitext(os.path.abspath(state_file))[0]
    recording = stem + "-recording.jsonl"
    env = dict(os.environ)
    env.update({
        "MOTO_EC2_LOAD_DEFAULT_AMIS": "false",
        # The seed README's SNS ARNs name account 100000000000: make it moto's.
        "MOTO_ACCOUNT_ID": "100000000000",
        "MOTO_ENABLE_RECORDING": "true",
        "MOTO_RECORDER_FILEPATH": recording,
    })
    log = open(stem + "-server.log", "w")
    # moto_server with what moto lacks: snapshot lock, accounts of assumed roles (moto_plus.py).
    here = os.path.dirname(os.path.abspath(__file__))
    proc = subprocess.Popen([sys.executable, os.path.join(here, "moto_plus.py"), "-H", "127.0.0.1", "-p", str(port)],
                            stdout=log, stderr=subprocess.STDOUT, env=env,
                            start_new_session=True)
    url = "http://127.0.0.1:%d" % port
    deadline = time.time() + 60
    while time.time() < deadline:
        if proc.poll() is not None:
            sys.exit("moto_server exited with %s; see %s" % (proc.returncode, log.name))
        try:
            urllib.request.urlopen(url + "/moto-api/", timeout=2).read()
            break
        except OSError:
            time.sleep(0.2)
    else:
        proc.kill()
        sys.exit("moto_server did not answer on %s within 60 s" % url)
    with open(state_file, "w") as f:
        json.dump({"port": port, "pid": proc.pid, "url": url, "recording": recording}, f)
    print("moto_server pid %d on %s" % (proc.pid, url))


def stop(state_file):
    try:
        with open(state_file) as f:
            state = json.load(f)
    except (OSError, ValueError):
        return
    try:
        os.killpg(state["pid"], signal.SIGTERM)
        for _ in range(50):
            os.kill(state["pid"], 0)
            time.sleep(0.1)
        os.killpg(state["pid"], signal.SIGKILL)
    except ProcessLookupError:
        pass
    os.remove(state_file)
    print("moto_server stopped")


if __name__ == "__main__":
    if len(sys.argv) != 3 or sys.argv[1] not in ("start", "stop"):
        sys.exit(__doc__)
    {"start": start, "stop": stop}[sys.argv[1]](sys.argv[2])
