"""Where SREs run it: the man page renders without groff warnings and lists
every option of --help; bash completion answers as a shell would ask it; the
zsh completion parses; the systemd units verify, and a failing run fails
the unit."""
import os
import re
import shutil
import subprocess

import pytest

from conftest import binary

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))


def help_flags():
    """Every option either command's --help lists (the lines that start with one)."""
    flags = set()
    for command in ([], ["audit"], ["restore"], ["drill"]):
        out = subprocess.run([binary()] + command + ["--help"], capture_output=True, text=True).stdout
        for line in out.splitlines():
            m = re.match(r"  ((?:--?[a-z][a-z-]*)(?:, --?[a-z][a-z-]*)*)", line)
            if m:
                flags.update(f.strip() for f in m.group(1).split(","))
    assert "--stop" in flags and "--max-age" in flags
    return sorted(flags)


def test_man_page_renders_without_warnings_and_has_every_option():
    page = os.path.join(ROOT, "man", "s3snapshot.1")
    r = subprocess.run(["man", "--warnings", "-l", page], capture_output=True, text=True,
                       env={"PATH": "/usr/bin:/bin", "MANWIDTH": "80", "LANG": "C.UTF-8"})
    assert r.returncode == 0, r.stderr
    assert r.stderr == "", "groff warnings: " + r.stderr
    text = re.sub(r".\x08", "", r.stdout)
    for flag in help_flags():
        assert re.search(r"(^|[ ,])%s([ ,]|$)" % re.escape(flag), text, re.M), flag
    for section in ("NAME", "SYNOPSIS", "DESCRIPTION", "COMMANDS", "OPTIONS", "EXIT STATUS", "ENVIRONMENT",
                    "FILES", "EXAMPLES", "SEE ALSO"):
        assert re.search(r"^%s$" % section, text, re.M), section


def complete(*words):
    """COMPREPLY for the words typed so far (the last one being completed),
    from a non-interactive bash that sourced the completion."""
    script = ('source "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(( ${#COMP_WORDS[@]} - 1 )); '
              'COMPREPLY=(); complete -p s3snapshot >/dev/null && _s3snapshot; printf "%s\\n" "${COMPREPLY[@]}"')
    r = subprocess.run(["bash", "-c", script, "bash", os.path.join(ROOT, "completions", "s3snapshot.bash"),
                        "s3snapshot"] + list(words), capture_output=True, text=True, cwd=ROOT)
    assert r.returncode == 0, r.stderr
    return [w for w in r.stdout.splitlines() if w]


def test_bash_completion_answers():
    assert complete("--out") == ["--output"]
    assert complete("--output", "") == ["text", "json"]
    assert "all" in complete("--region", "") and "us-gov-west-1" in complete("--region", "")
    assert complete("--region", "us-east-1,eu-we") == ["us-east-1,eu-west-1", "us-east-1,eu-west-2",
                                                      "us-east-1,eu-west-3"]
    assert complete("au") == ["audit"]
    assert sorted(complete("audit", "--max")) == ["--max-age", "--max-drill-age", "--max-pending"]
    assert complete("dr") == ["drill"]
    assert sorted(complete("drill", "--check")) == ["--check-command", "--check-instance", "--check-timeout"]
    assert "--keep" not in complete("drill", "--k"), "a snapshot run's option is not offered to a drill"
    assert complete("--max") == [], "an audit option is not offered to a snapshot run"
    assert "--stop" not in complete("audit", "--st") and "--stop" in complete("--st")
    assert complete("--filter", "@tests/e2e/test_packaging_d") == ["@tests/e2e/test_packaging_docs.py"]
    assert complete("--label", "") == []
    every = set(complete("-")) | set(complete("audit", "-")) | set(complete("restore", "-")) | set(
        complete("drill", "-"))
    assert every == set(help_flags()), set(help_flags()) ^ every


def test_zsh_completion_parses():
    if not shutil.which("zsh"):
        pytest.fail("zsh is not installed (scripts/setup.sh installs it)")
    r = subprocess.run(["zsh", "-n", os.path.join(ROOT, "completions", "_s3snapshot")], capture_output=True,
                       text=True)
    assert r.returncode == 0, r.stderr


def unit_copy(tmp_path, name, instance):
    """The unit as the package installs it, with ExecStart pointing at the
    built binary (systemd-analyze verify checks that it exists)."""
    src = open(os.path.join(ROOT, "systemd", name)).read()
    src = src.replace("/usr/bin/s3snapshot", binary())
    out = tmp_path / name.replace("@.", "@%s." % instance)
    out.write_text(src)
    return out


def test_systemd_units_verify(tmp_path):
    service = unit_copy(tmp_path, "s3snapshot@.service", "daily")
    timer = unit_copy(tmp_path, "s3snapshot@.timer", "daily")
    r = subprocess.run(["systemd-analyze", "verify", "--man=no", str(service), str(timer)], capture_output=True,
                       text=True, env={"PATH": "/usr/bin:/bin", "SYSTEMD_LOG_LEVEL": "warning"})
    assert r.returncode == 0 and r.stderr.strip() == "", r.stdout + r.stderr
    text = open(os.path.join(ROOT, "systemd", "s3snapshot@.service")).read()
    for must in ("DynamicUser=yes", "ProtectSystem=strict", "NoNewPrivileges=yes", "Type=oneshot",
                 "ExecStart=/usr/bin/s3snapshot --filter @/etc/s3snapshot/%i.json --output json",
                 "EnvironmentFile=-/etc/s3snapshot/%i.env", "TimeoutStopSec="):
        assert must in text, must
    assert "SuccessExitStatus" not in text, "exit status 1 must fail the unit"
    t = open(os.path.join(ROOT, "systemd", "s3snapshot@.timer")).read()
    for must in ("OnCalendar=daily", "Persistent=true", "RandomizedDelaySec="):
        assert must in t, must
