#!/usr/bin/env python3
"""The bounds that keep the house livable, for scripts/check-style.sh:
  - no function in src/ longer than MAX_LINES lines, except the data tables
    named in DATA_TABLES (a table of settings is long by nature);
  - control flow nested at most MAX_DEPTH deep (the function body counts as
    1; each if/else/for/while/do/switch/try/catch block adds one; a lambda's
    body is counted from its own line, as a function of its own);
  - the run's orchestrator (src/job/snapshot_job.cc) under MAX_ORCHESTRATOR
    lines;
  - one definition of each class: two headers of a namespace defining a
    struct or class of the same name is an ODR violation the linker does
    not report (it merges their inline code: memory corruption only
    AddressSanitizer sees).
A rough C++ reader, not a parser: it follows braces outside strings,
characters and comments, which is what these bounds need.
Usage: scripts/check-bounds.py FILE... (exit 1 with each offence listed)."""
import re
import sys

MAX_LINES = 120
MAX_DEPTH = 5
MAX_ORCHESTRATOR = 400  # lines, exclusive
ORCHESTRATOR = "src/job/snapshot_job.cc"
DATA_TABLES = {"MakeSettings"}
CONTROL = re.compile(r"^(if|else|for|while|do|switch|try|catch)\b")
FUNCTION = re.compile(r"([A-Za-z_][A-Za-z0-9_:~<>]*)\s*\([^;]*\)\s*(const\s*)?(noexcept\s*)?(override\s*)?"
                      r"(->\s*[^{;]+)?\{\s*$")
LAMBDA = re.compile(r"\]\s*(\([^)]*\))?\s*(mutable\s*)?(->\s*[^{]+)?\{\s*$")


def code_only(text):
    """The text with comments, strings and character literals blanked (newlines kept)."""
    out, i, n = [], 0, len(text)
    while i < n:
        c = text[i]
        if text.startswith("//", i):
            j = text.find("\n", i)
            j = n if j < 0 else j
            out.append(" " * (j - i))
            i = j
        elif text.startswith("/*", i):
            j = text.find("*/", i + 2)
            j = n if j < 0 else j + 2
            out.append("".join(ch if ch == "\n" else " " for ch in text[i:j]))
            i = j
        elif text.startswith('R"', i):
            m = re.match(r'R"([^(]*)\(', text[i:])
            end = text.find(")" + m.group(1) + '"', i) if m else -1
            j = n if end < 0 else end + len(m.group(1)) + 2
            out.append('""' + "".join(ch if ch == "\n" else " " for ch in text[i + 2:j]))
            i = j
        elif c in "\"'":
            j = i + 1
            while j < n and text[j] != c:
                j += 2 if text[j] == "\\" else 1
            out.append(c + " " * (j - i - 1) + c)
            i = j + 1
        else:
            out.append(c)
            i += 1
    return "".join(out)


def check(path):
    with open(path, encoding="utf-8") as f:
        raw = f.read()
    problems = []
    lines = code_only(raw).split("\n")
    if path.endswith(ORCHESTRATOR) and len(lines) - 1 >= MAX_ORCHESTRATOR:
        problems.append("%s: %d lines; the orchestrator stays under %d" % (path, len(lines) - 1, MAX_ORCHESTRATOR))
    # A stack of open braces: (kind, name, start line, depth) where kind is
    # "function", "lambda", "control" or "other". `head` is the code since
    # the last ; { or } (a signature or a condition may span lines).
    stack, head, number, parens = [], "", 1, 0
    for ch in "\n".join(lines):
        if ch == "\n":
            number += 1
        parens += {"(": 1, ")": -1}.get(ch, 0)
        if ch not in "{};" or (ch == ";" and parens > 0):  # for (;;)
            head += ch
            continue
        if ch == ";":
            head = ""
            continue
        if ch == "}":
            if stack:
                kind, name, start, _ = stack.pop()
                if kind == "function" and number - start + 1 > MAX_LINES and name not in DATA_TABLES:
                    problems.append("%s:%d: %s is %d lines (at most %d outside data tables)" %
                                    (path, start, name, number - start + 1, MAX_LINES))
            head = ""
            continue
        text = " ".join(head.split()) + " {"
        head = ""
        inside = [b for b in stack if b[0] in ("function", "lambda")]
        if inside and LAMBDA.search(text):
            stack.append(("lambda", "lambda", number, 1))
        elif inside and (CONTROL.match(text) or text in ("else {", "do {", "try {")):
            depth = next(b[3] for b in reversed(stack) if b[0] in ("function", "lambda", "control")) + 1
            stack.append(("control", "", number, depth))
            if depth > MAX_DEPTH:
                fn = next(b for b in reversed(stack) if b[0] == "function") if any(
                    b[0] == "function" for b in stack) else inside[-1]
                problems.append("%s:%d: control flow %d deep in %s (at most %d)" %
                                (path, number, depth, fn[1], MAX_DEPTH))
        elif not inside and FUNCTION.search(text) and not re.match(r"^(namespace|class|struct|enum|union)\b", text):
            name = FUNCTION.search(text).group(1).split("::")[-1]
            stack.append(("function", name, number, 1))
        else:
            stack.append(("other", "", number, stack[-1][3] if stack else 0))
    return problems


TYPE = re.compile(r"^(?:struct|class)\s+(?:[A-Z_]+\([^)]*\)\s+)*([A-Za-z_][A-Za-z0-9_]*)\s*(?::[^;{]*)?\{")
NAMESPACE = re.compile(r"^namespace\s+([A-Za-z0-9_:]+)\s*\{")


def one_definition(paths):
    """Types defined at namespace scope in headers, by namespace: each once."""
    seen, problems = {}, []
    for p in paths:
        if not (p.startswith("src/") and p.endswith(".h")):
            continue
        namespace = ""
        for n, line in enumerate(open(p, encoding="utf-8"), 1):
            m = NAMESPACE.match(line)
            if m:
                namespace = m.group(1)
                continue
            m = TYPE.match(line)
            if not m or not namespace:
                continue
            key = namespace + "::" + m.group(1)
            if key in seen and seen[key][0] != p:
                problems.append("%s:%d: %s is also defined in %s:%d (one definition per class)" % (
                    p, n, key, seen[key][0], seen[key][1]))
            seen.setdefault(key, (p, n))
    return problems


def main(paths):
    problems = one_definition(paths)
    for p in paths:
        if p.startswith("src/") and p.endswith((".cc", ".h")) and "/testing/" not in p and not p.endswith("_test.cc"):
            problems += check(p)
    for p in problems:
        print("check-bounds: " + p)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
