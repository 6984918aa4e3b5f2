"""The deploying guide's TLS recipe, run as it is written.

docs/guides/deploying.md, "Remote hosts: TLS with client certificates" and
"sockward in front of a remote dockerd with --tlsverify", marks its shell
blocks with <!-- recipe:NAME --> ... <!-- /recipe -->.  These tests take
them out and run them:

- recipe:tls-pki, with `sh -e` in a temporary directory (its two
  parameter lines HOST= and ADDR= set to localhost and 127.0.0.1, the
  name and address the clients below use): a CA, the server's
  certificate, and the clients traefik and ci in directories of their
  own;
- recipe:tls-run, the `docker run` line of the image: sockward is started
  from the same binary the image holds, with the environment of its -e
  options, the mounted directory mapped to the temporary one and its two
  listen addresses to free loopback ports, as root with only the
  capabilities the recipe keeps (setpriv), so that it reads the key and
  then drops to uid 65534 as in the image; its keeper holds no more than
  those capabilities; its health check finds the plain loopback address;
- recipe:tls-client, with `sh -e`, the docker CLI (/usr/local/bin/docker)
  pointed at the tls:// port: `docker version` must show the real
  dockerd's server version, once with the files named on the command line
  and once through DOCKER_CERT_PATH;
- a client without a certificate, and one whose certificate comes from
  the recipe's CA but is not named in SOCKWARD_CERT_CN, get no HTTP
  answer, and the log says why;
- recipe:tls-upstream-pki and recipe:tls-upstream-run: the daemon's CA
  and certificates verify, and `sockward check` with the recipe's
  options (the address mapped to loopback) builds the TLS upstream's
  context from them.

A change to the recipe that breaks it, or to sockward that breaks the
recipe, fails here.
"""

import os
import re
import shlex
import socket
import ssl
import subprocess
import time

import pytest

from conftest import REPO, SOCKWARD_BIN, LogWaiter, free_port

GUIDE = os.path.join(REPO, "docs", "guides", "deploying.md")
DOCKER = "/usr/local/bin/docker"
# The directory the recipe installs the server's files in and mounts.
TLS_DIR = "/etc/sockward/tls"


def recipe(name):
    """The shell text of the guide's block recipe:name."""
    with open(GUIDE) as f:
        text = f.read()
    m = re.search(r"<!-- recipe:%s -->\n```sh\n(.*?)```\n<!-- /recipe -->"
                  % re.escape(name), text, re.S)
    assert m, "docs/guides/deploying.md has no <!-- recipe:%s --> block" % name
    return m.group(1)


def set_params(script, **values):
    """Replace the recipe's parameter lines NAME=... with NAME=value; each
    must be there, once."""
    for k, v in values.items():
        script, n = re.subn(r"(?m)^%s=\S+" % k, "%s=%s" % (k, v), script)
        assert n == 1, "recipe lost its %s= line" % k
    return script


def run_sh(script, cwd, env=None, timeout=60):
    r = subprocess.run(["/bin/sh", "-e", "-c", script], cwd=cwd, env=env,
                       capture_output=True, timeout=timeout)
    assert r.returncode == 0, (script, r.stdout.decode(), r.stderr.decode())
    return r


def words(script):
    """The one command of a block, continuation lines joined, as argv."""
    return shlex.split(script.replace("\\\n", " "), comments=True)


def client_env():
    """An environment for the docker CLI that names no other daemon."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("DOCKER_")}
    env["PATH"] = "/usr/local/bin:" + env.get("PATH", "/usr/bin:/bin")
    env["HOME"] = env.get("HOME", "/root")
    return env


@pytest.fixture(scope="module")
def pki(tmp_path_factory):
    """recipe:tls-pki run in a fresh directory."""
    d = str(tmp_path_factory.mktemp("pki"))
    run_sh(set_params(recipe("tls-pki"), HOST="localhost", ADDR="127.0.0.1"),
           d)
    return d


class Daemon(LogWaiter):
    wait_timeout = 5.0

    def __init__(self, proc, log_path, tls_port, plain_port, env):
        self.proc = proc
        self.log_path = log_path
        self.tls_port = tls_port
        self.plain_port = plain_port
        self.env = env

    def log(self):
        with open(self.log_path, "rb") as f:
            return f.read().decode("utf-8", "replace")



def run_env(tls_port, plain_port, pki_dir):
    """The environment of recipe:tls-run's `docker run`, mapped to this
    machine: the mounted directory to pki_dir, the published port and the
    plain loopback address to free ports; and the capabilities the
    container keeps (--cap-drop, --cap-add), as a setpriv bounding set."""
    argv = words(recipe("tls-run"))
    assert argv[:2] == ["docker", "run"], argv
    assert argv[-1] == "sockward:local", \
        "the recipe passes arguments after the image, which the image's " \
        "health check would not see: %r" % argv
    env, mounts, ports, drop, add = {}, [], [], [], []
    i = 2
    while i < len(argv) - 1:
        a = argv[i]
        if a in ("-e", "-v", "-p", "--name", "--restart", "--security-opt",
                 "--cap-drop", "--cap-add"):
            v = argv[i + 1]
            if a == "-e":
                k, _, val = v.partition("=")
                env[k] = val
            elif a == "-v":
                mounts.append(v)
            elif a == "-p":
                ports.append(v)
            elif a == "--cap-drop":
                drop.append(v.lower())
            elif a == "--cap-add":
                add.append(v.lower())
            i += 2
            continue
        i += 1
    assert "%s:%s:ro" % (TLS_DIR, TLS_DIR) in mounts, mounts
    assert "/var/run/docker.sock:/var/run/docker.sock" in mounts, mounts
    listen = env["SOCKWARD_LISTEN"]
    addrs = [a.strip() for a in listen.split(",")]
    tls = [a for a in addrs if a.startswith("tls://")]
    plain = [a for a in addrs if a.startswith("tcp://127.0.0.1:")]
    assert len(tls) == 1 and len(plain) == 1, listen
    port = tls[0].rsplit(":", 1)[1]
    assert "%s:%s" % (port, port) in ports, (ports, listen)
    env["SOCKWARD_LISTEN"] = "tls://127.0.0.1:%d,tcp://127.0.0.1:%d" % (
        tls_port, plain_port)
    for k, v in env.items():
        if v.startswith(TLS_DIR + "/"):
            env[k] = os.path.join(pki_dir, v[len(TLS_DIR) + 1:])
            assert os.path.exists(env[k]), (k, v)
    for k in ("SOCKWARD_TLS_CERT", "SOCKWARD_TLS_KEY",
              "SOCKWARD_TLS_CLIENT_CA", "SOCKWARD_CERT_CN"):
        assert k in env, (k, env)
    assert drop == ["all"], drop
    return env, ",".join(["-all"] + ["+" + c for c in add])


@pytest.fixture(scope="module")
def daemon(pki, tmp_path_factory):
    """sockward as recipe:tls-run starts it, as root with the default
    switch to uid 65534."""
    tls_port, plain_port = free_port(), free_port()
    while plain_port == tls_port:
        plain_port = free_port()
    env = dict(os.environ)
    env.pop("SOCKWARD_USER", None)  # conftest's default: keep the switch
    renv, bounding = run_env(tls_port, plain_port, pki)
    env.update(renv)
    log_path = str(tmp_path_factory.mktemp("log") / "sockward.log")
    # As in the container: root with only the capabilities the recipe
    # keeps, and no_new_privs (--security-opt no-new-privileges).
    argv = ["setpriv", "--bounding-set=" + bounding, "--inh-caps=-all",
            "--no-new-privs", "--", SOCKWARD_BIN]
    with open(log_path, "wb") as err:
        proc = subprocess.Popen(argv, env=env, stdin=subprocess.DEVNULL,
                                stdout=err, stderr=err)
    d = Daemon(proc, log_path, tls_port, plain_port, env)
    deadline = time.time() + 5
    while True:
        assert proc.poll() is None, "sockward exited: %s" % d.log()
        try:
            socket.create_connection(("127.0.0.1", plain_port), 1).close()
            break
        except OSError:
            assert time.time() < deadline, "not listening: %s" % d.log()
            time.sleep(0.05)
    # Listening comes before the keeper and the switch of user.
    assert d.wait_log("forwarding allowed requests"), d.log()
    yield d
    proc.terminate()
    try:
        proc.wait(5)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(5)
    log = d.log()
    for marker in ("ERROR: AddressSanitizer", "runtime error:",
                   "seccomp: refused system call"):
        assert marker not in log, log[-4000:]
    assert proc.returncode == 0, log[-3000:]


def server_version():
    """The real dockerd's version, asked directly."""
    r = subprocess.run([DOCKER, "-H", "unix:///var/run/docker.sock",
                        "version", "--format", "{{.Server.Version}}"],
                       env=client_env(), capture_output=True, timeout=30)
    assert r.returncode == 0, r
    return r.stdout.decode().strip()


def accesses(d):
    return [l for l in d.log().splitlines() if " access " in l]


def test_pki_recipe_makes_a_ca_server_and_client_certificates(pki):
    for f in ("ca.pem", "ca-key.pem", "server-cert.pem", "server-key.pem",
              "traefik/ca.pem", "traefik/cert.pem", "traefik/key.pem",
              "ci/ca.pem", "ci/cert.pem", "ci/key.pem"):
        assert os.path.exists(os.path.join(pki, f)), f
        # umask 077: no key, nor anything else, readable by others
        assert os.stat(os.path.join(pki, f)).st_mode & 0o077 == 0, f
    r = subprocess.run(["openssl", "verify", "-CAfile", "ca.pem",
                        "server-cert.pem", "traefik/cert.pem", "ci/cert.pem"],
                       cwd=pki, capture_output=True, timeout=30)
    assert r.returncode == 0, r
    text = subprocess.run(["openssl", "x509", "-noout", "-text", "-in",
                           "server-cert.pem"], cwd=pki, capture_output=True,
                          timeout=30).stdout.decode()
    assert "DNS:localhost, IP Address:127.0.0.1" in text, text
    assert "prime256v1" in text or "P-256" in text, text
    for name in ("traefik", "ci"):
        subj = subprocess.run(["openssl", "x509", "-noout", "-subject",
                               "-in", "%s/cert.pem" % name], cwd=pki,
                              capture_output=True, timeout=30).stdout.decode()
        assert re.search(r"CN\s*=\s*%s\b" % name, subj), subj


def test_run_recipe_starts_and_drops_root_and_health_probes_the_plain_address(
        daemon):
    log = daemon.log()
    assert "listener default on tls://127.0.0.1:%d" % daemon.tls_port in log
    m = re.search(r"keeper: process (\d+) keeps the right to read the 3 TLS "
                  r"files", log)
    assert m, log
    status = open("/proc/%d/status" % daemon.proc.pid).read()
    assert re.search(r"(?m)^Uid:\s+65534\s+65534\s+65534\s+65534$",
                     status), status
    assert re.search(r"(?m)^CapEff:\s+0+$", status), status
    # The keeper holds at most CAP_DAC_READ_SEARCH (bit 2), which the
    # recipe's container does not give: so none, and cannot gain any.
    keeper = open("/proc/%s/status" % m.group(1)).read()
    for key in ("CapEff", "CapPrm"):
        caps = int(re.search(r"(?m)^%s:\s+(\w+)$" % key,
                             keeper).group(1), 16)
        assert caps == 0, keeper
    assert re.search(r"(?m)^NoNewPrivs:\s+1$", keeper), keeper
    # The image's HEALTHCHECK: `sockward health` with the same
    # environment, no arguments: it skips tls:// for the plain address.
    r = subprocess.run([SOCKWARD_BIN, "health"], env=daemon.env,
                       capture_output=True, timeout=15)
    assert r.returncode == 0, r
    assert daemon.wait_log('target="/_ping"'), daemon.log()


def test_client_recipe_docker_cli_through_tls(daemon, pki):
    script = recipe("tls-client")
    script, n = re.subn(r"docker\.example\.org:2376",
                        "127.0.0.1:%d" % daemon.tls_port, script)
    assert n == 2, script
    before = len(accesses(daemon))
    r = run_sh(script, pki, env=client_env())
    out = r.stdout.decode()
    version = server_version()
    # Two `docker version` runs (traefik's files named, then ci's through
    # DOCKER_CERT_PATH), each showing the real daemon behind sockward.
    assert out.count("Server:") == 2, out
    assert len(re.findall(r"(?m)^\s+Version:\s+%s$" % re.escape(version),
                          out)) >= 2, (version, out)
    lines = accesses(daemon)[before:]
    assert sum('path="/version"' in l and "status=200" in l
               for l in lines) == 2, lines
    assert all("verdict=allow" in l for l in lines), lines


def refused(daemon, ctx):
    """Connect with ctx, send a request, return what came back (never an
    HTTP answer for a refused client)."""
    got = b""
    s = socket.create_connection(("127.0.0.1", daemon.tls_port), 5)
    try:
        t = ctx.wrap_socket(s, server_hostname="127.0.0.1")
        t.settimeout(5)
        t.sendall(b"GET /_ping HTTP/1.1\r\nHost: docker\r\n\r\n")
        while True:
            d = t.recv(4096)
            if not d:
                break
            got += d
    except (ssl.SSLError, ConnectionError, socket.timeout, OSError):
        pass
    finally:
        s.close()
    return got


def test_client_without_certificate_is_refused_before_http(daemon, pki):
    before = len(accesses(daemon))
    ctx = ssl.create_default_context(cafile=os.path.join(pki, "ca.pem"))
    assert refused(daemon, ctx) == b""
    assert daemon.wait_log("TLS handshake with 127.0.0.1:"), daemon.log()
    line = [l for l in daemon.log().splitlines()
            if "TLS handshake with 127.0.0.1:" in l][-1]
    assert "tls://127.0.0.1:%d" % daemon.tls_port in line, line
    assert "no certificate" in line, line
    # The docker CLI without one is refused too.
    r = subprocess.run([DOCKER, "-H", "tcp://127.0.0.1:%d" % daemon.tls_port,
                        "--tlsverify", "--tlscacert", "ca.pem", "version"],
                       cwd=pki, env=client_env(), capture_output=True,
                       timeout=30)
    assert r.returncode != 0, r
    assert b"Server:" not in r.stdout, r
    assert len(accesses(daemon)) == before, accesses(daemon)[before:]


def test_certificate_of_the_ca_not_named_is_refused_after_handshake(
        daemon, pki):
    # One more client certificate, made as the recipe makes traefik's,
    # whose name SOCKWARD_CERT_CN does not list.
    run_sh("""
        mkdir -p other
        openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
            -keyout other/key.pem -out other.csr -subj /CN=other
        openssl x509 -req -in other.csr -CA ca.pem -CAkey ca-key.pem \
            -CAcreateserial -days 1 -extfile client.ext -out other/cert.pem
        """, pki)
    before = len(accesses(daemon))
    ctx = ssl.create_default_context(cafile=os.path.join(pki, "ca.pem"))
    ctx.load_cert_chain(os.path.join(pki, "other", "cert.pem"),
                        os.path.join(pki, "other", "key.pem"))
    assert refused(daemon, ctx) == b""
    assert daemon.wait_log("certificate CN=other"), daemon.log()
    line = [l for l in daemon.log().splitlines()
            if "certificate CN=other" in l][-1]
    assert "refused 127.0.0.1:" in line and "not admitted" in line, line
    assert len(accesses(daemon)) == before, accesses(daemon)[before:]
    # The same context with traefik's certificate is served.
    ok = ssl.create_default_context(cafile=os.path.join(pki, "ca.pem"))
    ok.load_cert_chain(os.path.join(pki, "traefik", "cert.pem"),
                       os.path.join(pki, "traefik", "key.pem"))
    with socket.create_connection(("127.0.0.1", daemon.tls_port), 5) as s:
        with ok.wrap_socket(s, server_hostname="127.0.0.1") as t:
            t.settimeout(5)
            t.sendall(b"GET /_ping HTTP/1.1\r\nHost: docker\r\n"
                      b"Connection: close\r\n\r\n")
            got = b""
            while True:
                d = t.recv(4096)
                if not d:
                    break
                got += d
    assert got.startswith(b"HTTP/1.1 200 "), got


def test_upstream_recipe_certificates_and_options(tmp_path):
    d = str(tmp_path)
    run_sh(set_params(recipe("tls-upstream-pki"), DAEMON_ADDR="127.0.0.1"),
           d)
    r = subprocess.run(["openssl", "verify", "-CAfile", "docker-ca.pem",
                        "daemon-cert.pem", "client-cert.pem"], cwd=d,
                       capture_output=True, timeout=30)
    assert r.returncode == 0, r
    text = subprocess.run(["openssl", "x509", "-noout", "-text", "-in",
                           "daemon-cert.pem"], cwd=d, capture_output=True,
                          timeout=30).stdout.decode()
    assert "IP Address:127.0.0.1" in text, text
    argv = words(recipe("tls-upstream-run"))
    assert argv[0] == "sockward", argv
    args = []
    for a in argv[1:]:
        a = a.replace("tls://192.0.2.20:", "tls://127.0.0.1:")
        if a.startswith(TLS_DIR + "/"):
            a = os.path.join(d, a[len(TLS_DIR) + 1:])
        if a.startswith("unix:///run/sockward/"):
            a = "unix://" + os.path.join(d, "docker.sock")
        args.append(a)
    assert "tls://127.0.0.1:2376" in args, args
    # check builds the upstream's client context from the files: the
    # key matches the certificate, both are valid, the CA loads.
    r = subprocess.run([SOCKWARD_BIN, "check"] + args, capture_output=True,
                       timeout=30)
    out = r.stdout.decode()
    assert r.returncode == 0, (r, out)
    assert "certificates, keys and CAs OK" in out, out
    # The same options with the daemon's key for sockward's: refused,
    # naming the key.
    bad = [a.replace("client-key.pem", "daemon-key.pem") for a in args]
    r = subprocess.run([SOCKWARD_BIN, "check"] + bad, capture_output=True,
                       timeout=30)
    assert r.returncode == 1, r
    assert b"daemon-key.pem" in r.stderr and b"does not match" in r.stderr, r
