"""docs/THREAT_MODEL.md names the tests that prove each guarantee (its
section 7): every test file, test function and source location it names
must exist, so the table cannot point at tests that were renamed or
removed, and every guarantee of section 4 has a row there."""
import os
import re
import subprocess

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
DOC = os.path.join(REPO, "docs", "THREAT_MODEL.md")


def _text():
    with open(DOC) as f:
        return f.read()


def _tracked():
    out = subprocess.run(["git", "ls-files"], cwd=REPO, capture_output=True,
                         text=True, check=True).stdout.split()
    return set(out)


def _test_names():
    """Every test function or case name defined in tests/ (C and Python)."""
    names = set()
    pat = re.compile(r"^(?:static void\s*\n)?(?:def |static void |void )?"
                     r"(test_\w+)\s*\(", re.M)
    for root, _dirs, files in os.walk(os.path.join(REPO, "tests")):
        for fn in files:
            if fn.endswith((".c", ".py")):
                with open(os.path.join(root, fn), errors="replace") as f:
                    names.update(pat.findall(f.read()))
    return names


def test_named_files_exist():
    tracked = _tracked()
    text = _text()
    paths = set(re.findall(r"`((?:tests|src|bench|scripts)/[\w./-]+)`", text))
    assert paths, "no file named"
    missing = sorted(p for p in paths
                     if p.rstrip("/") not in tracked and
                     not any(t.startswith(p.rstrip("/") + "/") for t in tracked))
    assert not missing, missing
    # short names in the table: test_x.py / test_x.c / fuzz_x.c
    short = set(re.findall(r"`((?:test|fuzz)_\w+\.(?:py|c))`", text))
    base = {os.path.basename(t) for t in tracked}
    assert not sorted(s for s in short if s not in base), short - base


def test_named_tests_exist():
    text = _text()
    named = set(re.findall(r"`(test_\w+)`", text))
    named |= set(re.findall(r"\(`(test_\w+)`", text))
    assert named, "no test named"
    defined = _test_names()
    missing = sorted(n for n in named if n not in defined)
    assert not missing, missing


def test_named_functions_exist():
    """`file.c:name` references point at a function or a macro of that
    file."""
    text = _text()
    refs = set(re.findall(r"`(\w+\.[ch]):(\w+)`", text))
    assert refs
    bad = []
    for fn, func in refs:
        hits = [os.path.join(r, fn) for r, _d, fs in
                os.walk(os.path.join(REPO, "src")) if fn in fs]
        ok = False
        for h in hits:
            with open(h) as f:
                ok |= re.search(r"^(%s\(|#define\s+%s\b)" % (
                    re.escape(func), re.escape(func)), f.read(),
                    re.M) is not None
        if not ok:
            bad.append("%s:%s" % (fn, func))
    assert not bad, bad


def test_every_guarantee_has_a_row():
    text = _text()
    sec4 = text[text.index("## 4."):text.index("## 5.")]
    sec7 = text[text.index("## 7."):]
    guarantees = re.findall(r"^- \*\*(G\d+)\.", sec4, re.M)
    assert guarantees == ["G%d" % i for i in range(1, len(guarantees) + 1)]
    rows = re.findall(r"^\| (G\d+) ", sec7, re.M)
    assert rows == guarantees, (rows, guarantees)
