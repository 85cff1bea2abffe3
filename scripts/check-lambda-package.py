#!/usr/bin/env python3
"""Checks a Lambda zip for the provided.al2023 runtime (glibc 2.34, gcc 11's libgcc_s):
- `bootstrap` at the root, executable;
- no ELF file needs a GLIBC symbol version above 2.34, a libgcc_s (GCC_) version
  above 11, nor libstdc++'s GLIBCXX/CXXABI (libstdc++ is linked in statically);
- every shared library an ELF file needs is glibc's, libgcc_s, or in the zip's lib/;
- the TLS roots of Amazon Linux (/etc/pki/tls/certs/ca-bundle.crt) are among the
  CA bundle locations the binary looks for.
Exit status 0 when it passes; prints what it checked."""
import os
import re
import subprocess
import sys
import tempfile
import zipfile

MAX_GLIBC = (2, 34)
MAX_GCC = (11, 0)
GLIBC_LIBS = re.compile(r"^(ld-linux-x86-64|ld-linux-aarch64|libc|libm|libdl|libpthread|librt|libresolv|libutil|libanl|libnss_\w+|libgcc_s)\.so")
AMAZON_LINUX_CA = b"/etc/pki/tls/certs/ca-bundle.crt"


def needed_versions(path):
    """The symbol versions the file needs (its .gnu.version_r), by readelf,
    which reads ELF files of any architecture (x86_64 and arm64 alike)."""
    out = subprocess.run(["readelf", "-V", "-W", path], capture_output=True, text=True, check=True).stdout
    versions = set()
    needs = out.split("Version needs section")[1] if "Version needs section" in out else ""
    for m in re.finditer(r"Name: (GLIBC|GLIBCXX|CXXABI|GCC)_([0-9.]+)", needs):
        versions.add((m.group(1), tuple(int(x) for x in m.group(2).split("."))))
    return versions


def machine(path):
    out = subprocess.run(["readelf", "-h", path], capture_output=True, text=True, check=True).stdout
    m = re.search(r"Machine:\s+(.*)", out)
    return m.group(1).strip() if m else "?"


def needed_libs(path):
    out = subprocess.run(["readelf", "-d", path], capture_output=True, text=True, check=True).stdout
    return re.findall(r"\(NEEDED\)\s+Shared library: \[([^\]]+)\]", out)


def main(zip_path):
    problems = []
    with tempfile.TemporaryDirectory() as d:
        with zipfile.ZipFile(zip_path) as z:
            names = z.namelist()
            z.extractall(d)
            modes = {i.filename: (i.external_attr >> 16) for i in z.infolist()}
        if "bootstrap" not in names:
            problems.append("no bootstrap at the root")
        elif not modes["bootstrap"] & 0o111:
            problems.append("bootstrap is not executable")
        bundled = set(os.listdir(os.path.join(d, "lib"))) if os.path.isdir(os.path.join(d, "lib")) else set()
        elves = []
        for root, _, files in os.walk(d):
            for f in files:
                p = os.path.join(root, f)
                with open(p, "rb") as fh:
                    if fh.read(4) == b"\x7fELF":
                        elves.append(p)
        highest = (0, 0)
        for p in elves:
            rel = os.path.relpath(p, d)
            for kind, v in needed_versions(p):
                if kind == "GLIBC":
                    highest = max(highest, v)
                    if v > MAX_GLIBC:
                        problems.append("%s needs GLIBC_%s" % (rel, ".".join(map(str, v))))
                elif kind == "GCC":
                    if v > MAX_GCC:
                        problems.append("%s needs GCC_%s from libgcc_s" % (rel, ".".join(map(str, v))))
                else:
                    problems.append("%s needs %s_%s (bundle or link libstdc++ statically)" %
                                    (rel, kind, ".".join(map(str, v))))
            for lib in needed_libs(p):
                if not GLIBC_LIBS.match(lib) and lib not in bundled:
                    problems.append("%s needs %s, which is not in lib/" % (rel, lib))
        boot = os.path.join(d, "bootstrap")
        if os.path.exists(boot):
            dyn = subprocess.run(["readelf", "-d", boot], capture_output=True, text=True).stdout
            m = re.search(r"\((?:RPATH|RUNPATH)\)\s+Library r(?:un)?path: \[([^\]]*)\]", dyn)
            if not m or m.group(1) != "$ORIGIN/lib":
                problems.append("bootstrap's rpath should be exactly $ORIGIN/lib, not %r" % (m and m.group(1)))
        if os.path.exists(boot) and AMAZON_LINUX_CA not in open(boot, "rb").read():
            problems.append("bootstrap does not look for Amazon Linux's CA bundle " + AMAZON_LINUX_CA.decode())
        machines = sorted({machine(p) for p in elves})
        if len(machines) > 1:
            problems.append("ELF files of several machines: %s" % ", ".join(machines))
        print("%s: %d ELF files for %s, %d bundled libraries, highest GLIBC needed %s (limit %s)" % (
            zip_path, len(elves), "/".join(machines), len(bundled), ".".join(map(str, highest)),
            ".".join(map(str, MAX_GLIBC))))
    for p in problems:
        print("  problem: " + p)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
