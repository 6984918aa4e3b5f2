"""Upstream failures, listeners, the command line and `explain`."""

import os
import signal
import socket
import subprocess
import time
import uuid

import pytest

from conftest import (DOCKER_SOCK, SOCKWARD_BIN, Conn, assert_denied,
                      assert_sockward_error, free_port, get)


def _tmp_sock(tag):
    return "/tmp/sw-%s-%s.sock" % (tag, uuid.uuid4().hex[:8])


@pytest.fixture
def socat_forwarder():
    procs = []

    def start(path):
        p = subprocess.Popen(["socat", "UNIX-LISTEN:%s,fork" % path,
                              "UNIX-CONNECT:" + DOCKER_SOCK],
                             stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL, start_new_session=True)
        procs.append(p)
        deadline = time.time() + 5
        while not os.path.exists(path) and time.time() < deadline:
            time.sleep(0.02)
        assert os.path.exists(path), "socat did not start"
        return p

    def stop(p):
        if p.poll() is None:
            os.killpg(p.pid, signal.SIGTERM)   # socat and its forked children
            p.wait(5)

    start.stop = stop
    yield start
    for p in procs:
        stop(p)


def test_upstream_missing_then_recovers(sockward, socat_forwarder):
    path = _tmp_sock("up")
    try:
        sw = sockward(upstream=path)
        for _ in range(2):
            r = sw.get("/_ping")
            assert_sockward_error(r, 502)
        assert sw.alive()
        fwd = socat_forwarder(path)
        r = sw.get("/_ping")
        assert (r.status, r.body) == (200, b"OK"), r
        r = sw.get("/v1.41/version")
        assert r.status == 200 and r.json()["ApiVersion"] == "1.41"
        # upstream goes away again: 502 again, still running
        socat_forwarder.stop(fwd)
        if os.path.exists(path):
            os.unlink(path)
        assert_sockward_error(sw.get("/_ping"), 502)
        assert sw.alive()
        # a denied request is still 403, not 502
        assert_denied(sw.get("/info"), "GET", "/info")
    finally:
        if os.path.exists(path):
            os.unlink(path)


def test_upstream_refuses_connection(sockward):
    path = _tmp_sock("dead")
    s = socket.socket(socket.AF_UNIX)
    s.bind(path)          # a socket file nobody listens on
    s.close()
    try:
        sw = sockward(upstream=path)
        with sw.conn() as c:
            c.send(get("/_ping"))
            assert_sockward_error(c.read_response(), 502)
        assert sw.alive()
    finally:
        os.unlink(path)


def test_unix_listener_curl_and_cli(sockward, tmp_path, request):
    path = _tmp_sock("listen")
    sw = sockward(listen="unix://" + path)
    request.addfinalizer(lambda: os.path.exists(path) and os.unlink(path))
    r = subprocess.run(["curl", "-sS", "--max-time", "5", "--unix-socket", path,
                        "http://localhost/_ping"], capture_output=True, timeout=10)
    assert r.returncode == 0 and r.stdout == b"OK", r
    r = subprocess.run(["curl", "-sS", "--max-time", "5", "-o", "/dev/null", "-w", "%{http_code}",
                        "--unix-socket", path, "http://localhost/v1.41/info"],
                       capture_output=True, timeout=10)
    assert r.stdout == b"403", r
    assert sw.wait_log("/v1.41/info"), sw.log()
    env = {k: v for k, v in os.environ.items() if not k.startswith("DOCKER_")}
    env["DOCKER_HOST"] = "unix://" + path
    env["DOCKER_CONFIG"] = str(tmp_path)
    r = subprocess.run(["docker", "version", "--format", "{{.Server.APIVersion}}"],
                       env=env, capture_output=True, timeout=20)
    assert r.returncode == 0 and r.stdout.strip() == b"1.41", r
    r = subprocess.run(["docker", "images"], env=env, capture_output=True, timeout=20)
    assert r.returncode != 0 and b"sockward: GET /images/json is not allowed" in r.stderr, r


def test_multiple_listeners(sockward, request):
    path = _tmp_sock("multi")
    request.addfinalizer(lambda: os.path.exists(path) and os.unlink(path))
    port6 = free_port()
    sw = sockward("--listen", "unix://" + path, "--listen", "tcp://[::1]:%d" % port6)
    for addr in [sw.addr, path, ("::1", port6)]:
        r = Conn(addr).__enter__()
        try:
            r.send(get("/_ping"))
            assert r.read_response().body == b"OK"
        finally:
            r.close()


def test_listen_all_interfaces(sockward):
    port = free_port()
    sw = sockward(listen="tcp://0.0.0.0:%d" % port)
    assert sw.get("/_ping").status == 200


def test_version_and_help():
    r = subprocess.run([SOCKWARD_BIN, "--version"], capture_output=True, timeout=5)
    assert r.returncode == 0, r
    assert b"0.1.0" in r.stdout + r.stderr, r
    r = subprocess.run([SOCKWARD_BIN, "--help"], capture_output=True, timeout=5)
    assert r.returncode == 0, r
    out = r.stdout + r.stderr
    for flag in [b"--listen", b"--upstream", b"--profile", b"--allow"]:
        assert flag in out, out


@pytest.mark.parametrize("args", [
    ["--profile", "nosuchprofile"],
    ["--allow", "FETCH /_ping"],
    ["--allow", "GET no-leading-slash"],
    ["--listen", "bogus://x"],
    ["--log-format", "xml"],
    ["--log-level", "loud"],
    ["--no-such-flag"],
], ids=lambda a: " ".join(a))
def test_bad_command_line_exits_nonzero(args):
    r = subprocess.run([SOCKWARD_BIN, "--listen", "tcp://127.0.0.1:%d" % free_port()] + args,
                       capture_output=True, timeout=5)
    assert r.returncode != 0, r


def explain(*args):
    return subprocess.run([SOCKWARD_BIN, "explain"] + list(args), capture_output=True, timeout=5)


def test_explain_allowed():
    r = explain("GET", "/v1.24/containers/json")
    assert r.returncode == 0, r
    assert b"GET /containers/json" in r.stdout, r


def test_explain_denied():
    r = explain("POST", "/containers/create")
    assert r.returncode == 1, r
    assert r.stdout.strip(), r


def test_explain_allow_rule():
    r = explain("POST", "/v1.41/containers/abc/exec", "--allow", "POST /containers/{id}/exec")
    assert r.returncode == 0, r
    assert b"POST /containers/{id}/exec" in r.stdout, r
    r = explain("POST", "/containers/abc/exec")
    assert r.returncode == 1, r


def test_allow_flag_body_clause(tmp_path):
    """--allow '... body off' names a policy for that rule, as a config
    file's rule does (it was parsed and then ignored on the command line);
    a policy only a config file can define is refused at start."""
    body = tmp_path / "b.json"
    body.write_text('{"Image":"i","HostConfig":{"Privileged":true}}')
    rule = "POST /containers/create"
    r = explain("--profile", "none", "--allow", rule, "--body", str(body),
                "POST", "/v1.41/containers/create")
    assert r.returncode == 1 and b"HostConfig.Privileged" in r.stdout, r
    r = explain("--profile", "none", "--allow", rule + " body off", "--body",
                str(body), "POST", "/v1.41/containers/create")
    assert r.returncode == 0, r
    r = explain("--profile", "none", "--body-policy", "off", "--allow",
                rule + " body no-host-escape", "--body", str(body),
                "POST", "/v1.41/containers/create")
    assert r.returncode == 1 and b"HostConfig.Privileged" in r.stdout, r
    r = explain("--profile", "none", "--allow", rule + " body mine",
                "POST", "/v1.41/containers/create")
    assert r.returncode == 2 and b"config file" in r.stderr, r


def test_explain_profile_none():
    assert explain("GET", "/_ping", "--profile", "none").returncode == 1
    assert explain("HEAD", "/_ping").returncode == 0
    assert explain("GET", "/_ping", "--profile", "none", "--allow", "GET /_ping").returncode == 0


@pytest.mark.parametrize("args,reason", [
    (["GET", "/containers/../info"], b"dot segment"),
    (["GET", "/containers%2Fjson"], b"encoded slash"),
    (["get", "/_ping"], b"501"),
], ids=["dotdot", "encoded-slash", "lowercase-method"])
def test_explain_rejects(args, reason):
    """A target the proxy would refuse (400/501) is a refusal: exit 1."""
    r = explain(*args)
    assert r.returncode == 1, r
    assert r.stdout.startswith(b"reject ") and reason in r.stdout, r


@pytest.mark.parametrize("args", [["GET"], []], ids=["no-target", "no-args"])
def test_explain_usage_errors(args):
    r = explain(*args)
    assert r.returncode == 2, r


def test_profile_none_and_allow_rules(sockward):
    sw = sockward("--profile", "none")
    assert_denied(sw.get("/_ping"), "GET", "/_ping", profile="none")
    sw = sockward("--profile", "none", "--allow", "GET /containers/**",
                  "--allow", "GET,HEAD /_ping")
    assert sw.get("/v1.41/containers/json").status == 200
    assert sw.get("/_ping", method="HEAD").status == 200
    assert_denied(sw.get("/version"), "GET", "/version", profile="none")
    r = sw.get("/containers/json", method="HEAD")
    assert r.status == 403
    sw = sockward("--allow", "* /info")
    assert sw.get("/info").status == 200
    assert sw.get("/v1.41/containers/json").status == 200    # traefik still applies


def test_sigterm_exits_cleanly(sockward):
    sw = sockward()
    assert sw.get("/_ping").status == 200
    sw.expect_exit = True
    sw.proc.send_signal(signal.SIGTERM)
    assert sw.proc.wait(5) == 0


# One decision, one message: for each request the running proxy and
# `explain` (same flags) give the same verdict and the same 403/400 text.
AGREE_ARGS = ["--profile", "traefik",
              "--deny", 'GET /containers/{id}/logs reason "no logs here"',
              "--allow", "GET /containers/{id}/logs"]
AGREE_CASES = [
    ("GET", "/v1.41/containers/json"),
    ("GET", "/_ping"),
    ("POST", "/v1.41/containers/create"),
    ("GET", "/v1.41/info"),
    ("GET", "/containers/sockward-nonexistent/logs"),
    ("DELETE", "/v1.41/containers/sockward-nonexistent"),
    ("GET", "/containers/%2e%2e/json"),
    ("GET", "/containers%2Fjson"),
    ("GET", "/" + "x" * 3000),
]


@pytest.mark.parametrize("method,target", AGREE_CASES,
                         ids=["list", "ping", "create", "info", "logs-reason",
                              "delete", "dotdot", "encoded-slash", "long"])
def test_proxy_and_explain_agree(sockward, method, target):
    sw = sockward(*AGREE_ARGS)
    r = sw.request(get(target, method=method), method=method)
    e = explain(*(AGREE_ARGS + [method, target]))
    out = e.stdout.decode()
    verdict = out.split(" ", 1)[0]
    if r.status == 403:
        assert verdict == "deny", out
        msg = [l for l in out.splitlines() if l.startswith("  message: ")]
        assert msg == ["  message: " + r.json()["message"]], (out, r.body)
        assert "(policy traefik)" in r.json()["message"]
    elif r.status == 400:
        assert verdict == "reject" and "400" in out, out
    else:
        assert verdict == "allow" and e.returncode == 0, (out, r.status)
    # the access log names the same rule explain names
    rule = [l for l in out.splitlines() if l.startswith("  rule: ")]
    if rule and "none matched" not in rule[0]:
        assert sw.wait_log(rule[0][len("  rule: "):].split(" reason")[0]), sw.log()
