"""The documentation agrees with the code (issue 16).

- options: every option in `sockward --help` has an entry in sockward(8)
  (in OPTIONS, or for a subcommand's own flag in the tag of its COMMANDS
  entry), and every option of those entries and of the SYNOPSIS is in
  --help; every option the binary accepts (`sockward settings`, plus the
  four main.c adds) and every one in the SYNOPSIS has an entry;
- config keywords: every keyword the parser accepts, in every scope
  (`test_config --keywords`, from the parser's own tables through
  cfg_keyword_at in src/core/config.c), is an entry of sockward.conf(5);
- profiles: docs/PROFILES.md is exactly `sockward profiles --markdown`,
  and each profile `sockward profiles` lists has a section there holding
  every rule line `sockward profiles NAME` prints;
- links: every relative link of every tracked *.md resolves to a file,
  and its #anchor to a heading of that file (GitHub's slugs);
- man pages: `mandoc -T lint -W warning` and `groff -ww -man -z` print
  nothing for either page;
- README: on a fresh `git clone` of this repository (HEAD), the
  <!-- recipe:build-run --> block builds and starts sockward and the
  <!-- recipe:docker-call --> block's docker command works through it;
  the <!-- recipe:test --> block names scripts/test.sh;
- guides: every yaml block marked <!-- compose --> in docs/guides passes
  `docker-compose -f - config`, and every client page has one.

Man pages are read from their source (man(7) markup: a .TP or .TQ line
is followed by its tag; .IP "tag"; mdoc's .It), with the roff escapes
taken out, so that prose that merely mentions a word does not count.
"""

import os
import re
import shutil
import signal
import socket
import subprocess
import time

import pytest

from conftest import REPO, SOCKWARD_BIN, free_port

MAN8 = os.path.join(REPO, "man", "sockward.8")
MAN5 = os.path.join(REPO, "man", "sockward.conf.5")
PROFILES_MD = os.path.join(REPO, "docs", "PROFILES.md")
GUIDES = os.path.join(REPO, "docs", "guides")
# The unit-test binary next to the sockward under test (build/rel or
# build/san): `make integration` builds it.
_BIN_DIR = os.path.dirname(os.path.realpath(SOCKWARD_BIN))
TEST_CONFIG = os.path.join(os.path.join(REPO, "build", "rel")
                           if _BIN_DIR == REPO else _BIN_DIR,
                           "tests", "test_config")
OPTION = re.compile(r"--[a-z][a-z0-9-]*")


def run(args, **kw):
    return subprocess.run(args, capture_output=True, text=True, timeout=30,
                          **kw)


# --------------------------------------------------------------------------
# Man pages, from their source
# --------------------------------------------------------------------------

def roff_text(line):
    """The words of one roff line: no leading macro, font changes,
    quotes or escapes (\\- is a hyphen)."""
    line = re.sub(r"^\.\s*[A-Za-z]+\s*", "", line)
    line = re.sub(r"\\f(\[[^]]*\]|\(..|.)", "", line)
    line = line.replace("\\-", "-").replace("\\&", "").replace("\\e", "\\")
    line = re.sub(r"\\\((..)", "", line)
    line = re.sub(r"\\\[[^]]*\]", "", line)
    line = line.replace('"', "")
    # mdoc: "It Ic listen Ar ADDR", "Fl -config"
    line = re.sub(r"\b(Ic|Cm|Ar|Fl|Op|Oo|Oc|Ns|Pf|Li|Sy|Em|Ql|Dq|Pq|Brq)\b\s*",
                  "", line)
    return line.strip()


def man_sections(path):
    """{SECTION NAME: [source lines]} of a man(7) or mdoc(7) page."""
    out, cur = {}, None
    with open(path, encoding="utf-8") as f:
        for line in f.read().split("\n"):
            m = re.match(r'^\.(SH|Sh)\s+"?(.*?)"?\s*$', line)
            if m:
                cur = roff_text(m.group(2)).upper()
                out[cur] = []
            elif cur is not None:
                out[cur].append(line)
    return out


def man_tags(lines):
    """The tags of the tagged paragraphs in lines (.TP/.TQ + next line,
    .IP "tag", .It tag), as plain text."""
    tags = []
    for i, line in enumerate(lines):
        if re.match(r"^\.(TP|TQ)\b", line):
            j = i + 1
            while j < len(lines) and re.match(r"^\.\\\"", lines[j]):
                j += 1
            if j < len(lines):
                tags.append(roff_text(lines[j]))
        elif re.match(r"^\.IP\s+\S", line):
            m = re.match(r'^\.IP\s+("([^"]*)"|(\S+))', line)
            tags.append(roff_text(m.group(2) or m.group(3)))
        elif re.match(r"^\.It\s", line):
            tags.append(roff_text(line))
    return [t for t in tags if t]


def man8_options():
    """(options with an entry: one of OPTIONS, or in the tag of a COMMANDS
    entry, where a subcommand's own flag is: "profiles [--markdown |
    NAME]"; options in the SYNOPSIS)."""
    sec = man_sections(MAN8)
    assert "OPTIONS" in sec and "SYNOPSIS" in sec, sorted(sec)
    entries = set()
    for tag in man_tags(sec["OPTIONS"]):
        if tag.startswith("-"):
            entries.update(OPTION.findall(tag))
    for tag in man_tags(sec.get("COMMANDS", [])):
        entries.update(OPTION.findall(tag))
    synopsis = set()
    for line in sec["SYNOPSIS"]:
        synopsis.update(OPTION.findall(roff_text(line)))
    return entries, synopsis


def help_options():
    r = run([SOCKWARD_BIN, "--help"])
    assert r.returncode == 0, r
    opts = set(OPTION.findall(r.stdout))
    assert "--help" in opts and "--listen" in opts, r.stdout
    return opts


def accepted_options():
    """What getopt takes: every setting with a flag (sockward settings
    prints "option --X"), and the four main.c adds."""
    r = run([SOCKWARD_BIN, "settings"])
    assert r.returncode == 0, r
    opts = set(re.findall(r"\boption (--[a-z][a-z0-9-]*)", r.stdout))
    assert "--listen" in opts, r.stdout
    return opts | {"--listener", "--body", "--version", "--help"}


def test_help_options_in_man8():
    entries, _ = man8_options()
    missing = sorted(help_options() - entries)
    assert not missing, ("in sockward --help, without an entry in "
                         "sockward.8's OPTIONS or COMMANDS: %s" % missing)


def test_man8_options_in_help():
    entries, synopsis = man8_options()
    assert len(entries) >= 10, entries
    missing = sorted((entries | synopsis) - help_options())
    assert not missing, ("in sockward.8's OPTIONS, COMMANDS or SYNOPSIS, "
                         "not named by sockward --help: %s" % missing)


def test_accepted_options_in_man8():
    entries, synopsis = man8_options()
    missing = sorted((accepted_options() | synopsis) - entries)
    assert not missing, ("sockward accepts these options (or the SYNOPSIS "
                         "shows them), sockward.8's OPTIONS or COMMANDS "
                         "has no entry for them: %s" % missing)


# --------------------------------------------------------------------------
# Config keywords
# --------------------------------------------------------------------------

def parser_keywords():
    assert os.access(TEST_CONFIG, os.X_OK), (
        "%s missing: `make integration` (or make unit) builds it" % TEST_CONFIG)
    r = run([TEST_CONFIG, "--keywords"])
    assert r.returncode == 0, r
    kws = [tuple(l.split(" ", 1)) for l in r.stdout.splitlines()]
    assert len(kws) >= 30 and ("global", "listener") in kws, kws
    return kws


def test_config_keywords_in_man5():
    tags = man_tags([l for lines in man_sections(MAN5).values()
                     for l in lines])
    first = {t.split()[0] for t in tags}
    missing = sorted("%s (%s)" % (kw, scope) for scope, kw in parser_keywords()
                     if kw not in first)
    assert not missing, ("the config parser takes these keywords, "
                         "sockward.conf.5 has no entry for them: %s" % missing)


# --------------------------------------------------------------------------
# Profiles
# --------------------------------------------------------------------------

def test_profiles_md_is_generated():
    r = run([SOCKWARD_BIN, "profiles", "--markdown"])
    assert r.returncode == 0, ("sockward profiles --markdown failed: %s"
                               % (r.stderr or r.stdout)[:300])
    with open(PROFILES_MD, encoding="utf-8") as f:
        committed = f.read()
    assert committed == r.stdout, (
        "docs/PROFILES.md differs from `sockward profiles --markdown`: "
        "run make docs")


def md_lines(text):
    """(line, in_code) for each line of a Markdown text: in_code is true
    for a fenced block's lines, its two fences included."""
    fence = None
    for line in text.split("\n"):
        if fence is None:
            m = re.match(r"^ {0,3}(`{3,}|~{3,})", line)
            if m:
                fence = m.group(1)[0] * 3
            yield line, fence is not None
        else:
            if line.lstrip().startswith(fence):
                fence = None
            yield line, True


def md_sections(text):
    """[(level, heading text, body)] of a Markdown file, code blocks
    skipped when looking for headings."""
    out = []
    for line, code in md_lines(text):
        m = None if code else re.match(r"^ {0,3}(#{1,6})\s+(.*?)\s*#*\s*$", line)
        if m:
            out.append([len(m.group(1)), m.group(2), ""])
        elif out:
            out[-1][2] += line + "\n"
    return out


def test_profiles_md_has_every_rule():
    r = run([SOCKWARD_BIN, "profiles"])
    assert r.returncode == 0, r
    names = [l.split()[0] for l in r.stdout.splitlines() if l.strip()]
    assert "traefik" in names and "none" in names, names
    with open(PROFILES_MD, encoding="utf-8") as f:
        secs = md_sections(f.read())
    problems = []
    for name in names:
        # The profile's section and its subsections.
        body = None
        for i, (level, head, text) in enumerate(secs):
            words = re.sub(r"[`*]", "", head).split()
            if words and words[0] == name:
                body = text
                for lv, h, t in secs[i + 1:]:
                    if lv <= level:
                        break
                    body += t
                break
        if body is None:
            problems.append("%s: no section" % name)
            continue
        body = body.replace("\\|", "|")
        rp = run([SOCKWARD_BIN, "profiles", name])
        assert rp.returncode == 0, rp
        for rule in rp.stdout.splitlines():
            if rule.startswith("#") or not rule.strip():
                continue
            if rule not in body:
                problems.append("%s: %s" % (name, rule))
    assert not problems, ("docs/PROFILES.md lacks these profiles or rule "
                          "lines (as `sockward profiles NAME` prints them): "
                          + "; ".join(problems[:40])
                          + (" ... (%d in all)" % len(problems)
                             if len(problems) > 40 else ""))


# --------------------------------------------------------------------------
# Links in Markdown
# --------------------------------------------------------------------------

def md_files():
    r = run(["git", "-C", REPO, "ls-files", "*.md"])
    assert r.returncode == 0, r
    files = r.stdout.split()
    assert "README.md" in files, files
    return files


def strip_code(text):
    """text without fenced blocks and inline code spans (links there are
    examples, not links); the lines stay where they were."""
    return "\n".join("" if code else re.sub(r"(`+)(.+?)\1", "", line)
                     for line, code in md_lines(text))


def github_slug(heading):
    """GitHub's anchor for a heading: the rendered text, lower case,
    without punctuation other than - and _, spaces as hyphens."""
    text = re.sub(r"!?\[([^]]*)\]\([^)]*\)", r"\1", heading)   # links
    text = re.sub(r"<[^>]+>", "", text)                         # html
    text = text.replace("`", "").replace("*", "")
    text = text.strip().lower()
    text = re.sub(r"[^\w\- ]", "", text)
    return text.replace(" ", "-")


def anchors(path):
    with open(path, encoding="utf-8") as f:
        text = f.read()
    seen, out = {}, set()
    for _, head, _ in md_sections(text):
        s = github_slug(head)
        n = seen.get(s, 0)
        seen[s] = n + 1
        out.add(s if n == 0 else "%s-%d" % (s, n))
    out.update(re.findall(r'<a\s+(?:name|id)="([^"]+)"', text))
    return out


LINK = re.compile(r"!?\[(?:[^]\\]|\\.)*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
REFDEF = re.compile(r"^ {0,3}\[[^]]+\]:\s*<?(\S+?)>?(?:\s|$)", re.M)


HTMLREF = re.compile(r'<(?:a|img)\s[^>]*?\b(?:href|src)="([^"]+)"', re.I)


def md_links(text):
    text = strip_code(text)
    return LINK.findall(text) + REFDEF.findall(text) + HTMLREF.findall(text)


def broken_links(root, files):
    bad = []
    for rel in files:
        path = os.path.join(root, rel)
        with open(path, encoding="utf-8") as f:
            links = md_links(f.read())
        for target in links:
            if re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*:", target):
                continue                        # http:, mailto:, ...
            file_part, _, anchor = target.partition("#")
            if file_part.startswith("/"):
                dest = os.path.join(root, file_part.lstrip("/"))
            elif file_part:
                dest = os.path.normpath(os.path.join(os.path.dirname(path),
                                                     file_part))
            else:
                dest = path
            if not os.path.exists(dest):
                bad.append("%s: %s (no such file)" % (rel, target))
                continue
            if anchor and dest.endswith(".md"):
                if anchor not in anchors(dest):
                    bad.append("%s: %s (no such heading)" % (rel, target))
            elif anchor and os.path.isfile(dest) and not re.match(r"^L\d+(-L\d+)?$", anchor):
                bad.append("%s: %s (an anchor into a file that is not "
                           "Markdown)" % (rel, target))
    return bad


def test_markdown_links_resolve():
    files = md_files()
    bad = list(dict.fromkeys(broken_links(REPO, files)))
    assert not bad, "broken relative links:\n  " + "\n  ".join(bad)


def test_link_checker_sees_breakage(tmp_path):
    """The checker itself: a missing file, a missing heading and a
    duplicate heading's suffix are told apart."""
    (tmp_path / "a.md").write_text(
        "# Top\n## Use it: `now`!\n## Use it: `now`!\n"
        "[ok](#use-it-now) [ok2](#use-it-now-1) [ok3](b.md#x-y)\n"
        "[bad](#nope) [bad2](c.md) `[code](c.md)`\n"
        "```\n[fenced](d.md)\n```\n[ref]: b.md#zz\n"
        '<img src="e.svg"> <a href="b.md#x-y">b</a>\n')
    (tmp_path / "b.md").write_text("# X y\n")
    bad = broken_links(str(tmp_path), ["a.md"])
    assert bad == ["a.md: #nope (no such heading)",
                   "a.md: c.md (no such file)",
                   "a.md: b.md#zz (no such heading)",
                   "a.md: e.svg (no such file)"], bad


# --------------------------------------------------------------------------
# Man pages render without warnings
# --------------------------------------------------------------------------

@pytest.mark.parametrize("page", [MAN8, MAN5], ids=["sockward.8",
                                                    "sockward.conf.5"])
def test_man_page_lint(page):
    for tool in ("mandoc", "groff"):
        assert shutil.which(tool), "%s is not installed (scripts/test.sh " \
            "installs it)" % tool
    r = run(["mandoc", "-T", "lint", "-W", "warning", page])
    out = (r.stdout + r.stderr).strip()
    assert out == "", "mandoc -T lint -W warning:\n" + out
    r = run(["groff", "-ww", "-man", "-z", page])
    out = (r.stdout + r.stderr).strip()
    assert out == "" and r.returncode == 0, "groff -ww -man -z:\n" + out


# --------------------------------------------------------------------------
# README recipes, run as written on a fresh clone
# --------------------------------------------------------------------------

def recipe(text, name):
    m = re.search(r"<!-- recipe:%s -->\s*\n```(?:sh|console|bash)?\n(.*?)```"
                  % re.escape(name), text, re.S)
    assert m, "README.md has no <!-- recipe:%s --> block with a ```sh " \
        "block after it" % name
    return m.group(1)


def readme():
    with open(os.path.join(REPO, "README.md"), encoding="utf-8") as f:
        return f.read()


def port_free(port):
    s = socket.socket()
    try:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind(("127.0.0.1", port))
        return True
    except OSError:
        return False
    finally:
        s.close()


def test_readme_test_recipe_names_test_sh():
    block = recipe(readme(), "test")
    assert re.search(r"(^|\s)(\./)?scripts/test\.sh\b", block), block


def test_readme_build_run_and_docker_call(tmp_path):
    text = readme()
    build_run = recipe(text, "build-run")
    call = recipe(text, "docker-call")
    assert re.search(r"^\s*(\w+=\S*\s+)*docker\s", call, re.M), call
    # The port the recipe listens on; another one only when it is taken
    # here (the same number replaced in both blocks).
    m = re.search(r"tcp://127\.0\.0\.1:(\d+)", build_run)
    assert m, "the build-run block names no tcp://127.0.0.1:PORT"
    port = int(m.group(1))
    assert ":%d" % port in call, "the docker call does not go to port %d" \
        % port
    if not port_free(port):
        new = free_port()
        build_run = build_run.replace(":%d" % port, ":%d" % new)
        call = call.replace(":%d" % port, ":%d" % new)
        port = new

    clone = tmp_path / "clone"
    head = run(["git", "-C", REPO, "rev-parse", "HEAD"]).stdout.strip()
    r = run(["git", "clone", "-q", "--no-checkout", REPO, str(clone)])
    assert r.returncode == 0, r
    r = run(["git", "-C", str(clone), "checkout", "-q", head])
    assert r.returncode == 0, r

    # As a reader's shell would have it: no DOCKER_HOST, no SOCKWARD_USER
    # (conftest's 0: started as root, it switches to uid 65534 as the
    # README says), none of make's variables (SANITIZE=1 from `make
    # SANITIZE=1 integration` would build another binary).
    env = {k: v for k, v in os.environ.items()
           if k in ("PATH", "HOME", "USER", "LOGNAME", "LANG", "LC_ALL",
                    "TERM", "SHELL", "TMPDIR")}
    env["MAKEFLAGS"] = "-j%d" % (os.cpu_count() or 1)  # same commands, faster
    env["DOCKER_CONFIG"] = str(tmp_path / "dockercfg")
    os.makedirs(env["DOCKER_CONFIG"])
    # Appended to by the block's processes, read through its own opens.
    log_path = tmp_path / "build-run.log"
    log = open(log_path, "a")
    # Its own session: what the block starts in the background is in its
    # process group, and is stopped with it.
    p = subprocess.Popen(["bash", "-e", "-c", build_run], cwd=clone, env=env,
                         stdout=log, stderr=subprocess.STDOUT,
                         start_new_session=True)
    try:
        rc = p.wait(timeout=45)
        assert rc == 0, "build-run block failed:\n" \
            + log_path.read_text()[-3000:]
        deadline = time.time() + 10
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), 1).close()
                break
            except OSError:
                assert time.time() < deadline, \
                    "nothing listens on %d after the build-run block:\n%s" \
                    % (port, log_path.read_text()[-3000:])
                time.sleep(0.1)
        before = len(log_path.read_text())
        r = subprocess.run(["bash", "-e", "-c", call], cwd=clone, env=env,
                           capture_output=True, text=True, timeout=20)
        assert r.returncode == 0, "docker-call block failed: %s" % r
        # It went through sockward: access lines of allowed calls.
        time.sleep(0.2)
        logged = log_path.read_text()
        assert re.search(r"\baccess\b.* verdict=allow", logged[before:]), \
            "sockward logged no allowed request of the docker call (%s); " \
            "its output:\n%s" % (r, logged[-3000:])
    finally:
        stop_group(p)
        log.close()


def stop_group(p):
    """SIGTERM to p's process group (the block's shell and what it left
    running), SIGKILL to what is left of it after 5 s."""
    try:
        os.killpg(p.pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    try:
        p.wait(timeout=5)
    except subprocess.TimeoutExpired:
        pass
    deadline = time.time() + 5
    try:
        while time.time() < deadline:
            os.killpg(p.pid, 0)
            time.sleep(0.1)
        os.killpg(p.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


# --------------------------------------------------------------------------
# Compose snippets in the guides
# --------------------------------------------------------------------------

COMPOSE = re.compile(r"<!-- compose -->\s*\n```ya?ml\n(.*?)```", re.S)


def compose_blocks():
    out = []
    for dirpath, _, files in os.walk(GUIDES):
        for fn in sorted(files):
            if fn.endswith(".md"):
                path = os.path.join(dirpath, fn)
                with open(path, encoding="utf-8") as f:
                    for i, m in enumerate(COMPOSE.finditer(f.read())):
                        out.append((os.path.relpath(path, REPO), i, m.group(1)))
    return out


def test_every_client_guide_has_a_compose_block():
    clients = os.path.join(GUIDES, "clients")
    assert os.path.isdir(clients), "docs/guides/clients/ does not exist"
    pages = sorted(f for f in os.listdir(clients) if f.endswith(".md"))
    assert pages, "docs/guides/clients/ has no pages"
    have = {os.path.basename(p) for p, _, _ in compose_blocks()}
    missing = [p for p in pages if p not in have]
    assert not missing, "client guides without a <!-- compose --> " \
        "```yaml block: %s" % missing


def test_compose_blocks_are_valid():
    blocks = compose_blocks()
    assert blocks, "no <!-- compose --> ```yaml block in docs/guides"
    assert shutil.which("docker-compose"), "docker-compose is not installed"
    bad = []
    for path, i, yml in blocks:
        r = subprocess.run(["docker-compose", "-f", "-", "config", "-q"],
                           input=yml, capture_output=True, text=True,
                           timeout=30, cwd=os.path.dirname(os.path.join(REPO, path)))
        if r.returncode != 0:
            bad.append("%s block %d: %s" % (path, i + 1, r.stderr.strip()[-500:]))
    assert not bad, "\n".join(bad)
