"""The README, --help and the settings table cannot drift apart: --help is
generated from the table, and the README's usage block and its table of
document keys are checked against the binary here."""
import json
import os
import re
import subprocess

from conftest import binary

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))


def readme():
    """The README and the docs/ pages (helpers.DOC_PAGES)."""
    from helpers import docs_text
    return docs_text()


def help_text():
    r = subprocess.run([binary(), "--help"], capture_output=True, text=True)
    assert r.returncode == 0
    return r.stdout


def document_keys_in_help():
    flat = " ".join(help_text().split())
    m = re.search(r"Keys: (.*?)\. Instances and tags", flat)
    assert m, flat
    return [k.strip() for k in m.group(1).split(",")]


def readme_key_rows():
    text = readme()
    start = text.index("| key | type | meaning |")
    rows = text[start:text.index("\n\n", start)].splitlines()[2:]
    out = {}
    for row in rows:
        cells = [c.strip() for c in row.strip("|").split("|")]
        out[cells[0].strip("`")] = cells[1]
    return out


def test_readme_usage_block_is_the_help_output():
    text = readme()
    start = text.index("## Usage\n\n```\n") + len("## Usage\n\n```\n")
    block = text[start:text.index("```", start)]
    assert block == help_text(), "regenerate the README's usage block from `s3snapshot --help`"


def test_readme_document_keys_are_the_tables():
    assert sorted(readme_key_rows()) == sorted(document_keys_in_help())


def test_readme_integer_bounds_are_the_ones_enforced(run, recording):
    for key, kind in readme_key_rows().items():
        m = re.match(r"integer (\d+)–(\d+)$", kind)
        if not kind.startswith("integer"):
            continue
        assert m, (key, kind)
        lo, hi = int(m.group(1)), int(m.group(2))
        base = {"instances": ["i-abcdef12"]}
        for bad in (lo - 1, hi + 1):
            r = run(["--filter", json.dumps(dict(base, **{key: bad}))])
            assert r.returncode == 2, (key, bad, r.stderr)
            assert "is not a whole number from %d to %d" % (lo, hi) in r.stderr, (key, r.stderr)
        r = run(["--dry-run", "--filter", json.dumps(dict(base, **{key: hi}))])
        assert "is not a whole number" not in r.stderr, (key, r.stderr)
    assert [a for a in recording.actions() if not a.startswith("Describe")] == []


def test_readme_metric_table_is_what_the_runs_write(run, tmp_path, ec2):
    """The README's metric table (name, unit, runs, meaning) against the
    Prometheus files of a snapshot run, an audit and a drill: the same
    figures, and the meaning is the file's HELP text."""
    from conftest import make_fleet
    text = readme()
    start = text.index("| metric | unit | runs | meaning |")
    rows = {}
    for row in text[start:text.index("\n\n", start)].splitlines()[2:]:
        cells = [c.strip() for c in row.strip("|").split("|")]
        rows[cells[0].strip("`")] = cells[1:]
    ids = make_fleet(ec2, count=1, volumes=1)
    seen = {}
    for command in ("snapshot", "audit", "drill"):
        path = tmp_path / (command + ".prom")
        args = ([] if command == "snapshot" else [command]) + ["--filter", json.dumps({"instances": ids})]
        r = run(args + ["--metrics-file", str(path)])
        assert r.returncode == 0, r.stderr
        for line in path.read_text().splitlines():
            m = re.match(r"# HELP s3snapshot_(\w+) (.*)", line)
            if m and not m.group(1).startswith("last_"):
                seen.setdefault(m.group(1), (m.group(2), set()))[1].add(command)
    snake = {re.sub(r"(?<!^)(?=[A-Z])", "_", k).lower(): k for k in rows}
    assert sorted(snake) == sorted(seen)
    for s, (help_text, commands) in seen.items():
        unit, runs, meaning = rows[snake[s]]
        assert help_text == meaning + (" (seconds)" if unit == "Seconds" else ""), s
        assert runs == ", ".join(c for c in ("snapshot", "audit", "drill") if c in commands), s


def test_the_architecture_map_is_the_tree():
    """docs/development.md's map names every unit of src/ under its layer,
    and nothing that is not there: it cannot go stale."""
    with open(os.path.join(ROOT, "docs", "development.md"), encoding="utf-8") as f:
        text = f.read()
    start = text.index("## Architecture\n\n```\n") + len("## Architecture\n\n```\n")
    block = text[start:text.index("```", start)]
    mapped, layer = {}, None
    for line in block.splitlines():
        m = re.match(r"src/(\w+)/\s+(.*)", line)
        if m:
            layer, rest = m.group(1), m.group(2)
        elif line.startswith("tests/"):
            layer, rest = None, ""
        else:
            rest = line.strip()
        if layer is None:
            continue
        names = re.split(r"\s{2,}", rest)[0] if not line.startswith(" " * 20) else ""
        for name in re.split(r",\s*", names):
            if re.fullmatch(r"[a-z_0-9]+", name.strip()):
                mapped.setdefault(layer, set()).add(name.strip())
    tree = {}
    for layer in os.listdir(os.path.join(ROOT, "src")):
        folder = os.path.join(ROOT, "src", layer)
        if not os.path.isdir(folder):
            continue
        for f in os.listdir(folder):
            m = re.fullmatch(r"([a-z_0-9]+?)(_test)?\.(h|cc|h\.in)", f)
            if m and not m.group(2):
                tree.setdefault(layer, set()).add(m.group(1))
    assert sorted(mapped) == sorted(tree)
    for layer in tree:
        assert tree[layer] - mapped[layer] == set(), "missing from the map in src/%s/" % layer
        assert mapped[layer] - tree[layer] == set(), "in the map but not in src/%s/" % layer

