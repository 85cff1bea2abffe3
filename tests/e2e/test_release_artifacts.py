"""The CLI release artifacts: cmake --install, the .deb and the source tarball."""
import os
import subprocess
import tarfile

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
BUILD = os.environ.get("S3SNAPSHOT_BUILD_DIR", os.path.join(ROOT, "build"))
# Debian's name for the architecture the build is for (S3SNAPSHOT_ARCH=arm64: a cross build).
DEB_ARCH = {"arm64": "arm64"}.get(os.environ.get("S3SNAPSHOT_ARCH", ""), "amd64")


def test_cmake_install(tmp_path):
    r = subprocess.run(["cmake", "--install", BUILD, "--prefix", str(tmp_path / "usr")],
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    binary = tmp_path / "usr" / "bin" / "s3snapshot"
    out = subprocess.run([str(binary), "--version"], capture_output=True, text=True)
    assert out.returncode == 0 and out.stdout.startswith("s3snapshot ")
    assert (tmp_path / "usr" / "share" / "doc" / "s3snapshot" / "README.md").exists()
    for schema in ("filter.schema.json", "report.schema.json"):
        assert (tmp_path / "usr" / "share" / "s3snapshot" / schema).exists(), schema


def test_deb_and_source_tarball(tmp_path):
    r = subprocess.run(["cpack", "-G", "DEB", "-B", str(tmp_path)], cwd=BUILD, capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr
    debs = [f for f in os.listdir(tmp_path) if f.endswith(".deb")]
    assert len(debs) == 1 and debs[0].startswith("s3snapshot_")
    info = subprocess.run(["dpkg-deb", "-I", str(tmp_path / debs[0])], capture_output=True, text=True).stdout
    assert "libcurl4" in info and "Package: s3snapshot" in info
    files = subprocess.run(["dpkg-deb", "-c", str(tmp_path / debs[0])], capture_output=True, text=True).stdout
    assert "./usr/bin/s3snapshot" in files
    assert "./usr/share/s3snapshot/report.schema.json" in files and "./usr/share/s3snapshot/filter.schema.json" in files
    for must in ("./usr/share/man/man1/s3snapshot.1.gz", "./usr/share/bash-completion/completions/s3snapshot",
                 "./usr/share/zsh/vendor-completions/_s3snapshot", "./usr/lib/systemd/system/s3snapshot@.service",
                 "./usr/lib/systemd/system/s3snapshot@.timer", "./usr/share/doc/s3snapshot/copyright",
                 "./usr/share/doc/s3snapshot/changelog.gz"):
        assert must in files, must
    unit = subprocess.run("dpkg-deb --fsys-tarfile %s | tar -xO ./usr/lib/systemd/system/s3snapshot@.service"
                          % (tmp_path / debs[0]), shell=True, capture_output=True, text=True).stdout
    assert "ExecStart=/usr/bin/s3snapshot " in unit, "the unit runs the packaged binary"
    # Debian's package checker: no errors and no warnings (the informational
    # tags kept are listed in the README).
    lint = subprocess.run(["lintian", "--tag-display-limit", "0", str(tmp_path / debs[0])], capture_output=True,
                          text=True)
    bad = [line for line in lint.stdout.splitlines() if line[:2] in ("E:", "W:")]
    assert bad == [], lint.stdout + lint.stderr
    version = open(os.path.join(ROOT, "packaging", "changelog")).readline().split("(")[1].split(")")[0]
    assert debs[0] == "s3snapshot_%s_%s.deb" % (version, DEB_ARCH), "packaging/changelog names this version"
    assert "Architecture: %s" % DEB_ARCH in info

    r = subprocess.run(["cpack", "--config", "CPackSourceConfig.cmake", "-B", str(tmp_path)], cwd=BUILD,
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr
    (tgz,) = [f for f in os.listdir(tmp_path) if f.endswith(".tar.gz")]
    assert tgz.startswith("s3snapshot-") and tgz.endswith(".tar.gz")
    names = tarfile.open(tmp_path / tgz).getnames()
    top = tgz[:-len(".tar.gz")]
    for must in ("CMakeLists.txt", "src/core/sigv4.cc", "testdata/aws-sigv4-test-suite/LICENSE", "README.md"):
        assert top + "/" + must in names, must
    assert not any("/build/" in n or "/.git/" in n for n in names)
