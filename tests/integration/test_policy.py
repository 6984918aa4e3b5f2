"""Policies from a config file and the environment, against the real dockerd:
several listeners with their own policies, client admission (CIDR and
SO_PEERCRED), audit mode and its learned rules, reload with SIGHUP under an
open /events stream, `check`, `explain --listener`, env-only configuration,
deny rules with reasons."""
import json
import os
import signal
import socket
import subprocess
import time

import pytest

from conftest import (REPO, SOCKWARD_BIN, Conn, LogWaiter, assert_denied,
                      free_port, get, request)


class Daemon(LogWaiter):
    """sockward started with an exact argv and environment (no --listen
    added), for config-file and environment tests."""

    def __init__(self, tmp_path, args=(), env=None, wait=None):
        self.log_path = str(tmp_path / ("sw-%d.log" % time.monotonic_ns()))
        self._log = open(self.log_path, "wb")
        # Drop the caller's policy environment; keep the test harness's
        # own switches (SOCKWARD_SANDBOX=0 under valgrind).
        e = {k: v for k, v in os.environ.items()
             if not k.startswith("SOCKWARD_") or k == "SOCKWARD_SANDBOX"}
        e.update(env or {})
        e.setdefault("SOCKWARD_USER", "0")     # see conftest.py
        self.proc = subprocess.Popen([SOCKWARD_BIN] + list(args), env=e,
                                     stdin=subprocess.DEVNULL,
                                     stdout=self._log, stderr=self._log)
        for w in wait or []:
            self.wait_ready(w)

    def wait_ready(self, addr):
        deadline = time.time() + 5
        while time.time() < deadline:
            assert self.proc.poll() is None, self.log()
            try:
                if isinstance(addr, str):
                    s = socket.socket(socket.AF_UNIX)
                    s.connect(addr)
                else:
                    s = socket.create_connection(addr, timeout=1)
                s.close()
                return
            except OSError:
                time.sleep(0.02)
        raise AssertionError("not listening on %s:\n%s" % (addr, self.log()))

    def log(self):
        with open(self.log_path, "rb") as f:
            return f.read().decode("utf-8", "replace")


    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            self.proc.wait(5)
        self._log.close()
        assert "AddressSanitizer" not in self.log()


@pytest.fixture
def daemon(tmp_path):
    started = []

    def start(*args, env=None, wait=None):
        d = Daemon(tmp_path, args, env, wait)
        started.append(d)
        return d

    yield start
    for d in started:
        d.stop()


def assert_stream_open(conn):
    """The stream may be delivering events (other containers come and go):
    open means no EOF and no reset within a short wait."""
    conn.sock.settimeout(0.3)
    try:
        data = conn.sock.recv(65536)
        assert data != b"", "stream was closed"
    except socket.timeout:
        pass
    finally:
        conn.sock.settimeout(conn.timeout)


def write_conf(tmp_path, text, name="sockward.conf"):
    p = tmp_path / name
    p.write_text(text)
    return str(p)


def two_listener_conf(tmp_path, p1, sock, extra1="", extra2=""):
    return write_conf(tmp_path, """
# two clients, two policies
listener "traefik" {
	listen "tcp://127.0.0.1:%d"
	profile traefik
%s
}
listener "monitor" {
	listen "unix://%s"
	deny GET /containers/{id}/json reason "inspect leaks environment variables"
	allow GET /info
	allow GET,HEAD /_ping
%s
}
""" % (p1, extra1, sock, extra2))


def test_two_listeners_two_policies(daemon, tmp_path):
    p1 = free_port()
    sock = str(tmp_path / "mon.sock")
    conf = two_listener_conf(tmp_path, p1, sock)
    d = daemon("--config", conf, wait=[("127.0.0.1", p1), sock])
    tcp = ("127.0.0.1", p1)
    # traefik listener: containers/json yes, info no
    assert request(tcp, get("/v1.41/containers/json")).status == 200
    r = request(tcp, get("/v1.41/info"))
    assert_denied(r, "GET", "/info", profile="traefik")
    # monitor listener: info yes, containers/json no
    assert request(sock, get("/v1.41/info")).status == 200
    r = request(sock, get("/containers/json"))
    assert_denied(r, "GET", "/containers/json", profile="monitor")
    # the deny rule's reason reaches the client
    r = request(sock, get("/containers/abc/json"))
    assert r.status == 403
    assert r.json()["message"] == ("sockward: GET /containers/abc/json is not "
                                   "allowed (policy monitor): inspect leaks "
                                   "environment variables")
    assert "listener monitor" in d.log() and "listener traefik" in d.log()
    assert oct(os.stat(sock).st_mode & 0o777) == "0o660"


def test_cidr_admission_refuses_and_admits(daemon, tmp_path):
    p1, p2 = free_port(), free_port()
    conf = write_conf(tmp_path, """
listener "outsiders" {
	listen "tcp://127.0.0.1:%d"
	clients 10.0.0.0/8 fd00::/8
	profile traefik
}
listener "local" {
	listen "tcp://127.0.0.1:%d"
	clients 127.0.0.0/8
	profile traefik
}
""" % (p1, p2))
    d = daemon("--config", conf, wait=[("127.0.0.1", p1), ("127.0.0.1", p2)])
    r = request(("127.0.0.1", p1), get("/_ping"))
    assert r.status == 403
    assert "not admitted on listener outsiders" in r.json()["message"]
    assert d.wait_log("refused client 127.0.0.1")
    assert request(("127.0.0.1", p2), get("/_ping")).status == 200


def test_peer_credentials_admission(daemon, tmp_path):
    bad, good = str(tmp_path / "bad.sock"), str(tmp_path / "good.sock")
    uid = os.getuid()
    conf = write_conf(tmp_path, """
listener "other-uid" {
	listen "unix://%s"
	peer-uid %d
	profile traefik
}
listener "my-uid" {
	listen "unix://%s"
	peer-uid %d
	profile traefik
}
""" % (bad, uid + 4242, good, uid))
    d = daemon("--config", conf, wait=[bad, good])
    r = request(bad, get("/_ping"))
    assert r.status == 403 and "not admitted" in r.json()["message"]
    assert d.wait_log("refused client unix peer uid %d" % uid)
    assert request(good, get("/_ping")).status == 200


def test_audit_mode_forwards_logs_and_learns(daemon, tmp_path):
    p = free_port()
    conf = write_conf(tmp_path, """
listener "learner" {
	listen "tcp://127.0.0.1:%d"
	allow GET,HEAD /_ping
	mode audit
}
""" % p)
    d = daemon("--config", conf, "--log-format", "json",
               wait=[("127.0.0.1", p)])
    addr = ("127.0.0.1", p)
    r = request(addr, get("/v1.41/version"))
    assert r.status == 200          # would be denied, but audit forwards
    cid = "0123456789abcdef" * 4
    r = request(addr, get("/v1.41/containers/%s/json" % cid))
    assert r.status == 404          # dockerd's answer, not sockward's 403
    request(addr, get("/_ping", method="HEAD"), method="HEAD")
    assert d.wait_log('"verdict":"would_deny"')
    assert d.wait_log('"path":"/_ping"')   # the log line follows the reply
    lines = [json.loads(l) for l in d.log().splitlines() if l.startswith("{")]
    acc = [l for l in lines if l.get("msg") == "access"]
    v = [l for l in acc if l["path"] == "/version"][0]
    assert v["verdict"] == "would_deny" and v["rule"] == "default deny"
    assert [l for l in acc if l["path"] == "/_ping"][0]["verdict"] == "allow"
    d.proc.send_signal(signal.SIGUSR1)
    assert d.wait_log("learned on learner: allow GET /version")
    learned = [l["msg"].split(": ", 1)[1] for l in
               (json.loads(x) for x in d.log().splitlines() if x.startswith("{"))
               if l["msg"].startswith("learned on")]
    assert learned == ["allow HEAD /_ping", "allow GET /containers/{id}/json",
                       "allow GET /version"]


def test_enforce_mode_is_default_and_denies(daemon, tmp_path):
    p = free_port()
    d = daemon("--listen", "tcp://127.0.0.1:%d" % p, "--profile", "none",
               "--allow", "GET,HEAD /_ping", wait=[("127.0.0.1", p)])
    assert request(("127.0.0.1", p), get("/version")).status == 403
    assert "would_deny" not in d.log()


def test_reload_keeps_stream_and_applies_new_policy(daemon, tmp_path):
    p = free_port()
    base = """
listener "t" {
	listen "tcp://127.0.0.1:%d"
	profile traefik
%s
}
"""
    conf = write_conf(tmp_path, base % (p, ""))
    d = daemon("--config", conf, wait=[("127.0.0.1", p)])
    addr = ("127.0.0.1", p)
    assert request(addr, get("/info")).status == 403
    stream = Conn(addr, timeout=10)
    stream.send(get("/events"))
    head = stream.read_head()
    assert head.status == 200
    # new policy: /info allowed, /version denied (deny rule first)
    write_conf(tmp_path, (base % (p, "\tallow GET /info\n")).replace(
        "profile traefik\n",
        "deny GET /version reason \"reloaded\"\n\tprofile traefik\n", 1))
    d.proc.send_signal(signal.SIGHUP)
    assert d.wait_log("reloaded %s" % conf)
    assert request(addr, get("/info")).status == 200
    r = request(addr, get("/version"))
    assert r.status == 403 and r.json()["message"].endswith(": reloaded")
    assert_stream_open(stream)
    # an invalid file is refused and the policy in force stays
    write_conf(tmp_path, base % (p, "\tallow GET /info\n\tbogus keyword\n"))
    d.proc.send_signal(signal.SIGHUP)
    assert d.wait_log("reload refused")
    assert "sockward.conf:6" in d.log()
    assert request(addr, get("/info")).status == 200
    assert request(addr, get("/version")).status == 403
    assert_stream_open(stream)
    stream.close()
    assert d.proc.poll() is None


def test_check_command(tmp_path):
    good = write_conf(tmp_path, """
listener "a" {
	listen "tcp://127.0.0.1:2399"
	profile traefik
}
""", "good.conf")
    r = subprocess.run([SOCKWARD_BIN, "check", good], capture_output=True)
    assert r.returncode == 0, r
    out = r.stdout.decode()
    assert "configuration OK" in out
    assert "allow GET /containers/{id}/json" in out
    bad = write_conf(tmp_path, """listener "a" {
	listen "tcp://127.0.0.1:2399"
	allow GET /x
	allow FETCH /y
}
""", "bad.conf")
    r = subprocess.run([SOCKWARD_BIN, "check", bad], capture_output=True)
    assert r.returncode == 1
    assert (bad + ":4:") in r.stderr.decode()


def test_explain_listener(tmp_path):
    sock = str(tmp_path / "m.sock")
    conf = two_listener_conf(tmp_path, 2398, sock)
    r = subprocess.run([SOCKWARD_BIN, "explain", "--config", conf, "--listener",
                        "monitor", "GET", "/v1.41/info"], capture_output=True)
    assert r.returncode == 0 and b"listener: monitor" in r.stdout
    r = subprocess.run([SOCKWARD_BIN, "explain", "--config", conf, "--listener",
                        "traefik", "GET", "/v1.41/info"], capture_output=True)
    assert r.returncode == 1 and b"listener: traefik" in r.stdout


def test_env_only_configuration(daemon, tmp_path):
    p = free_port()
    d = daemon(env={"SOCKWARD_LISTEN": "tcp://127.0.0.1:%d" % p,
                    "SOCKWARD_PROFILE": "traefik,prometheus",
                    "SOCKWARD_ALLOW": "GET /info; GET /volumes",
                    "SOCKWARD_DENY": "GET /networks reason \"not today\"",
                    "SOCKWARD_LOG_FORMAT": "json"},
               wait=[("127.0.0.1", p)])
    addr = ("127.0.0.1", p)
    assert request(addr, get("/info")).status == 200
    assert request(addr, get("/volumes")).status == 200
    r = request(addr, get("/networks"))
    assert r.status == 403 and r.json()["message"].endswith("not today")
    r = request(addr, get("/images/json"))
    assert_denied(r, "GET", "/images/json", profile="traefik+prometheus")
    assert d.log().lstrip().startswith("{")


def test_flags_override_env(daemon, tmp_path):
    p, q = free_port(), free_port()
    d = daemon("--listen", "tcp://127.0.0.1:%d" % p, "--profile", "none",
               "--allow", "GET /info",
               env={"SOCKWARD_LISTEN": "tcp://127.0.0.1:%d" % q,
                    "SOCKWARD_PROFILE": "traefik"},
               wait=[("127.0.0.1", p)])
    assert request(("127.0.0.1", p), get("/info")).status == 200
    assert request(("127.0.0.1", p), get("/version")).status == 403
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", q), timeout=1).close()


def test_policy_flags_conflict_with_config_file(tmp_path):
    conf = write_conf(tmp_path, """
listener "a" {
	listen "tcp://127.0.0.1:2397"
	profile traefik
}
""")
    r = subprocess.run([SOCKWARD_BIN, "--config", conf, "--allow", "GET /info"],
                       capture_output=True, timeout=5)
    assert r.returncode == 2 and b"config file" in r.stderr


def test_profiles_command():
    r = subprocess.run([SOCKWARD_BIN, "profiles"], capture_output=True)
    names = [l.split()[0] for l in r.stdout.decode().splitlines()]
    for n in ("traefik", "readonly", "homepage", "portainer-readonly", "dozzle",
              "watchtower", "deploy", "diun", "autoheal", "uptime-kuma", "prometheus",
              "crowdsec", "netdata", "cadvisor"):
        assert n in names
    r = subprocess.run([SOCKWARD_BIN, "profiles", "traefik"], capture_output=True)
    assert r.returncode == 0
    assert "allow GET,HEAD /_ping" in r.stdout.decode()


def test_profiles_markdown():
    """`profiles --markdown` prints docs/PROFILES.md (make docs writes it,
    make docs-check compares it); it takes no NAME and goes with no other
    command."""
    r = subprocess.run([SOCKWARD_BIN, "profiles", "--markdown"],
                       capture_output=True, timeout=5)
    assert r.returncode == 0, r.stderr
    out = r.stdout.decode()
    assert out.startswith("# Built-in profiles\n")
    for name in subprocess.run([SOCKWARD_BIN, "profiles"], capture_output=True,
                               timeout=5).stdout.decode().split("\n"):
        if name:
            assert "\n## %s\n" % name.split()[0] in out
    with open(os.path.join(REPO, "docs", "PROFILES.md")) as f:
        assert f.read() == out, "docs/PROFILES.md is stale: run make docs"
    for args in (["profiles", "--markdown", "traefik"], ["--markdown"],
                 ["check", "--markdown"]):
        r = subprocess.run([SOCKWARD_BIN] + args, capture_output=True,
                           timeout=5)
        assert r.returncode == 2, (args, r)
        assert b"--markdown" in r.stderr, (args, r.stderr)


# ---- check runs the start-up path: what it refuses does not start, what
# it accepts starts ----

def run_sw(args, env=None, timeout=5):
    """sockward with exactly args and the harness's environment minus any
    SOCKWARD_* policy; returns the CompletedProcess (a start that works
    would not return: callers expect it to fail)."""
    e = {k: v for k, v in os.environ.items()
         if not k.startswith("SOCKWARD_") or k == "SOCKWARD_SANDBOX"}
    e.setdefault("SOCKWARD_USER", "0")
    e.update(env or {})
    return subprocess.run([SOCKWARD_BIN] + list(args), env=e,
                          capture_output=True, timeout=timeout)


def error_lines(stderr):
    return [l for l in stderr.decode().splitlines()
            if l.startswith("sockward: ") or ": " in l and ".conf:" in l]


# The three cases of issue 10 (they passed check and failed at start),
# and more collisions.
REFUSED_LISTEN = [
    (["tcp://localhost:2375"], "listen host must be a numeric address, "
     "[IPv6] or * (sockward resolves no names): tcp://localhost:2375"),
    (["tcp://127.0.0.1:99999"],
     "listen port must be from 1 to 65535: tcp://127.0.0.1:99999"),
    (["tcp://*:{p}", "tcp://[::]:{p}"], "overlap"),
    (["tcp://0.0.0.0:{p}", "tcp://0.0.0.0:{p}"], "the same address twice"),
    (["tcp://0.0.0.0:{p}", "tcp://127.0.0.1:{p}"],
     "0.0.0.0 takes the port on every IPv4 address"),
    (["tcp://[::1]:{p}", "tcp://*:{p}"], "* takes the port"),
]


@pytest.mark.parametrize("addrs,msg", REFUSED_LISTEN,
                         ids=lambda x: x if isinstance(x, str) else " ".join(x))
@pytest.mark.parametrize("source", ["flags", "env", "file"])
def test_check_refuses_what_start_cannot_bind(tmp_path, addrs, msg, source):
    p = free_port()
    addrs = [a.format(p=p) for a in addrs]
    env, args = {}, []
    if source == "flags":
        for a in addrs:
            args += ["--listen", a]
    elif source == "env":
        env["SOCKWARD_LISTEN"] = ",".join(addrs)
    else:
        conf = write_conf(tmp_path, "listener a {\n%s\tprofile traefik\n}\n"
                          % "".join('\tlisten "%s"\n' % a for a in addrs))
        args = ["--config", conf]
    chk = run_sw(["check"] + args, env)
    start = run_sw(args, env)
    want_rc = 1 if source == "file" else 2
    assert chk.returncode == want_rc, chk
    assert msg in chk.stderr.decode(), chk.stderr
    # start-up refuses with the same message and status, before binding
    assert start.returncode == want_rc, start
    assert error_lines(start.stderr) == error_lines(chk.stderr), (start, chk)
    assert b"listener default on" not in start.stderr
    assert b" on tcp://" not in start.stderr


ACCEPTED_LISTEN = [
    ["tcp://127.0.0.1:{p}", "tcp://127.0.0.2:{p}"],
    ["tcp://*:{p}", "tcp://127.0.0.1:{q}"],
    ["tcp://0.0.0.0:{p}", "tcp://[::1]:{p}"],
    ["tcp://127.0.0.1:{p}", "unix://{sock}"],
]


def has_ipv6_loopback():
    try:
        s = socket.socket(socket.AF_INET6)
        s.bind(("::1", 0))
        s.close()
        return True
    except OSError:
        return False


@pytest.mark.parametrize("addrs", ACCEPTED_LISTEN, ids=" ".join)
def test_what_check_accepts_starts(daemon, tmp_path, addrs):
    if any("::" in a for a in addrs) and not has_ipv6_loopback():
        pytest.skip("no IPv6 loopback on this host")
    p, q = free_port(), free_port()
    sock = str(tmp_path / "s.sock")
    addrs = [a.format(p=p, q=q, sock=sock) for a in addrs]
    args = []
    for a in addrs:
        args += ["--listen", a]
    chk = run_sw(["check"] + args)
    assert chk.returncode == 0, chk
    waits = []
    for a in addrs:
        if a.startswith("unix://"):
            waits.append(a[7:])
        else:
            host, port = a[6:].rsplit(":", 1)
            host = {"*": "127.0.0.1", "0.0.0.0": "127.0.0.1",
                    "[::1]": "::1"}.get(host, host)
            waits.append((host, int(port)))
    d = daemon(*args, wait=waits)
    assert request(waits[0], get("/_ping")).status == 200
    assert "error" not in d.log()


def test_check_prints_each_setting_and_its_source(tmp_path):
    conf = write_conf(tmp_path, """
log-level debug
header-timeout 7
listener a {
	listen "tcp://127.0.0.1:2396"
	profile traefik
}
""")
    r = run_sw(["check", conf, "--idle-timeout", "33"],
               {"SOCKWARD_LOG_LEVEL": "warn"})
    assert r.returncode == 0, r
    out = r.stdout.decode()
    assert "# setting log-level = warn (SOCKWARD_LOG_LEVEL)\n" in out
    assert "# setting header-timeout = 7 (config file)\n" in out
    assert "# setting idle-timeout = 33 (--idle-timeout)\n" in out
    assert "# setting upstream = /var/run/docker.sock (default)\n" in out
    r = run_sw(["check", "--user", "nobody"])
    assert r.returncode == 2
    assert b"--user must be a numeric uid" in r.stderr


# ---- reload: restart-only settings are logged, reloadable ones applied ----

def test_reload_logs_restart_only_settings(daemon, tmp_path):
    p = free_port()
    sock = str(tmp_path / "r.sock")
    base = """
upstream "/var/run/docker.sock"
header-timeout 10
idle-timeout 20
%s
listener "t" {
	listen "tcp://127.0.0.1:%d"
	listen "unix://%s"
	socket-mode %s
	profile traefik
%s
}
"""
    conf = write_conf(tmp_path, base % ("", p, sock, "0660", ""))
    # --idle-timeout on the command line outranks the file: no line for it
    d = daemon("--config", conf, "--idle-timeout", "30",
               wait=[("127.0.0.1", p), sock])
    addr = ("127.0.0.1", p)
    assert request(addr, get("/info")).status == 403
    other = str(tmp_path / "other.sock")
    write_conf(tmp_path, (base % (
        "log-format json\nlog-level debug\n", p, sock, "0600",
        "\tallow GET /info\n")).replace(
        "/var/run/docker.sock", other).replace(
        "header-timeout 10", "header-timeout 5").replace(
        "idle-timeout 20", "idle-timeout 99"))
    d.proc.send_signal(signal.SIGHUP)
    assert d.wait_log("reloaded %s" % conf), d.log()
    log = d.log()
    for line in [
            "reload: upstream changed from /var/run/docker.sock to %s; "
            "takes effect after a restart" % other,
            "reload: log-format changed from text to json; takes effect "
            "after a restart",
            "reload: header-timeout changed from 10 to 5; takes effect "
            "after a restart",
            "reload: listener t socket-mode changed from 0660 to 0600; "
            "takes effect after a restart",
            "reload: log-level changed from info to debug"]:
        assert line in log, log
    assert "idle-timeout changed" not in log
    # the policy is reloaded; the upstream and socket mode are not
    assert request(addr, get("/info")).status == 200
    assert request(addr, get("/version")).status == 200
    assert os.stat(sock).st_mode & 0o777 == 0o660
    # the new log level applies, the log format stays text
    n = d.log().count("forwarding")
    assert request(addr, get("/_ping")).status == 200
    assert d.wait_log("forwarding") and d.log().count("forwarding") > n
    assert not d.log().splitlines()[-1].lstrip().startswith("{")
    # still pending at the next reload: said again
    d.proc.send_signal(signal.SIGHUP)
    deadline = time.time() + 3
    while d.log().count("reload: upstream changed") < 2:
        assert time.time() < deadline, d.log()
        time.sleep(0.05)
    # a changed listen address is refused, naming it
    write_conf(tmp_path, base % ("", p + 1 if p < 65535 else p - 1, sock,
                                 "0660", ""))
    d.proc.send_signal(signal.SIGHUP)
    assert d.wait_log("listen changed from tcp://127.0.0.1:%d" % p), d.log()
    assert "reload refused" in d.log()
    assert request(addr, get("/info")).status == 200


# ---- the settings table and the man page ----

MAN8 = os.path.join(os.path.dirname(__file__), "..", "..", "man",
                    "sockward.8")


def test_man_page_settings_section_is_generated():
    r = subprocess.run([SOCKWARD_BIN, "settings", "man"], capture_output=True,
                       timeout=5)
    assert r.returncode == 0, r
    with open(MAN8) as f:
        man = f.read()
    begin = '.\\" BEGIN sockward settings man\n'
    end = '.\\" END sockward settings man\n'
    assert begin in man and end in man
    section = man[man.index(begin) + len(begin):man.index(end)]
    assert section == r.stdout.decode(), \
        "man/sockward.8 SETTINGS is stale: regenerate with " \
        "'sockward settings man'"


def test_settings_command_lists_every_setting():
    r = subprocess.run([SOCKWARD_BIN, "settings"], capture_output=True,
                       timeout=5)
    assert r.returncode == 0, r
    out = r.stdout.decode()
    names = [l.split()[0] for l in out.splitlines() if not l.startswith(" ")]
    for n in ("config", "listen", "upstream", "profile", "allow", "deny",
              "mode", "clients", "peer-uid", "peer-gid", "socket-mode",
              "socket-owner", "log-format", "log-level", "header-timeout",
              "idle-timeout", "user", "sandbox", "compat"):
        assert n in names, out
    assert "restart only" in out and "reloadable" in out
    # every option of --help is in the table
    h = subprocess.run([SOCKWARD_BIN, "--help"], capture_output=True,
                       timeout=5).stdout.decode()
    import re
    for flag in set(re.findall(r"^  (--[a-z-]+)", h, re.M)):
        if flag not in ("--version", "--help", "--listener", "--body"):
            assert "option %s;" % flag in out or \
                "option %s\n" % flag in out, flag
    r = subprocess.run([SOCKWARD_BIN, "settings", "bogus"],
                       capture_output=True, timeout=5)
    assert r.returncode == 2


def test_reload_revokes_narrowed_clients(daemon, tmp_path):
    """Issue 11: a SIGHUP that narrows `clients` revokes what the old
    policy admitted: an open /events stream from 127.0.0.1 is closed at
    once; a keep-alive connection's next request gets 403 (no longer
    admitted) and the connection closes; a client still admitted keeps
    its stream."""
    p = free_port()
    base = """
listener "t" {
	listen "tcp://127.0.0.1:%d"
	profile traefik
	clients %s
}
"""
    conf = write_conf(tmp_path, base % (p, "127.0.0.0/8"))
    d = daemon("--config", conf, wait=[("127.0.0.1", p)])
    addr = ("127.0.0.1", p)
    stream = Conn(addr, timeout=10)
    stream.send(get("/events"))
    assert stream.read_head().status == 200
    keep = Conn(addr, timeout=10)
    keep.send(get("/_ping"))
    assert keep.read_response().status == 200
    # 127.0.0.2 stays admitted
    s2 = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s2.bind(("127.0.0.2", 0))
    s2.settimeout(10)
    s2.connect(addr)
    other = Conn.__new__(Conn)
    other.sock, other.timeout, other.buf = s2, 10, b""
    other.send(get("/events"))
    assert other.read_head().status == 200
    write_conf(tmp_path, base % (p, "127.0.0.2/32"))
    d.proc.send_signal(signal.SIGHUP)
    assert d.wait_log("reloaded %s" % conf)
    # the stream ends now (events that were under way may come first)
    deadline = time.time() + 3
    closed = False
    while time.time() < deadline and not closed:
        try:
            stream.sock.settimeout(deadline - time.time())
            closed = stream.sock.recv(65536) == b""
        except ConnectionResetError:
            closed = True
        except socket.timeout:
            break
    assert closed, "the revoked stream was kept"
    keep.send(get("/_ping"))
    r = keep.read_response()
    assert r.status == 403, r
    assert "no longer admitted" in r.json()["message"], r.body
    assert keep.is_closed(2.0)
    assert request(addr, get("/_ping")).status == 403      # new: refused at the door
    assert_stream_open(other)
    other.close()
    assert "no longer admitted" in d.log()
