"""The container image (Dockerfile, FROM scratch) and `sockward health`.

The module builds the image with scripts/image.sh (make static with musl,
then the legacy builder, offline) and runs it against the real dockerd the
way a user would: the socket mounted read-only, a read-only root
filesystem, no-new-privileges, the port published on 127.0.0.1.  Its
HEALTHCHECK (`/sockward health`) must turn healthy, and unhealthy when the
policy forbids GET /_ping.  `sockward health` is also run on the host
against sockwards started by the tests.

Every container carries sockward-test=1 and this run's label, and is
force-removed when the module ends.
"""

import json
import os
import re
import socket
import ssl
import subprocess
import threading
import time
import uuid

import pytest

from conftest import (REPO, RUN_ID, RUN_LABEL, SOCKWARD_BIN, TEST_LABEL,
                      assert_denied, free_port, get, request)

IMAGE = os.environ.get("SOCKWARD_IMAGE", "sockward:local")
DOCKER_SOCK = "/var/run/docker.sock"
MODULE_LABEL = "sockward-test-image"
MODULE_ID = uuid.uuid4().hex[:12]
LABELS = ["--label", TEST_LABEL + "=1", "--label", RUN_LABEL + "=" + RUN_ID,
          "--label", MODULE_LABEL + "=" + MODULE_ID]
HARDENED = ["-v", DOCKER_SOCK + ":" + DOCKER_SOCK + ":ro", "--read-only",
            "--security-opt", "no-new-privileges=true"]


def docker(*args, check=True, timeout=60):
    env = dict(os.environ)
    env.pop("DOCKER_HOST", None)
    r = subprocess.run(["docker", "-H", "unix://" + DOCKER_SOCK] + list(args),
                       capture_output=True, text=True, timeout=timeout, env=env)
    if check:
        assert r.returncode == 0, "docker %s: %s%s" % (args, r.stdout, r.stderr)
    return r


def remove_ours():
    ids = docker("ps", "-aq", "--filter", "label=%s=%s" % (MODULE_LABEL, MODULE_ID),
                 check=False).stdout.split()
    if ids:
        docker("rm", "-f", *ids, check=False)


@pytest.fixture(scope="module")
def image():
    """Build the image with scripts/image.sh; its output and the size."""
    r = subprocess.run([os.path.join(REPO, "scripts", "image.sh")],
                       capture_output=True, text=True, timeout=900,
                       env=dict(os.environ, SOCKWARD_IMAGE=IMAGE))
    assert r.returncode == 0, "image.sh failed:\n%s%s" % (r.stdout, r.stderr)
    m = re.search(r"^%s: (\d+) bytes" % re.escape(IMAGE), r.stdout, re.M)
    assert m, "image.sh did not print the image size:\n%s" % r.stdout
    yield {"name": IMAGE, "size": int(m.group(1)), "out": r.stdout}
    remove_ours()


class Container:
    def __init__(self, cid, port):
        self.id = cid
        self.port = port

    @property
    def addr(self):
        return ("127.0.0.1", self.port)

    def inspect(self):
        return json.loads(docker("inspect", self.id).stdout)[0]

    def logs(self):
        r = docker("logs", self.id, check=False)
        return r.stdout + r.stderr

    def get(self, path, method="GET", body=None):
        extra = b""
        if body is not None:
            extra = (b"Content-Type: application/json\r\nContent-Length: %d\r\n"
                     % len(body))
        data = get(path, method=method, extra=extra) + (body or b"")
        return request(self.addr, data, method)

    def wait_ready(self, timeout=15):
        """Until GET /_ping gets any answer through the published port (the
        port is published before sockward listens)."""
        deadline = time.time() + timeout
        last = None
        while time.time() < deadline:
            st = self.inspect()["State"]
            if not st["Running"]:
                raise AssertionError("container exited (%s):\n%s" % (
                    st.get("ExitCode"), self.logs()))
            try:
                return self.get("/_ping", method="GET")
            except (OSError, EOFError, AssertionError) as e:
                last = e
                time.sleep(0.1)
        raise AssertionError("sockward in the container never answered (%s):\n%s"
                             % (last, self.logs()))

    def wait_health(self, want, timeout=40):
        deadline = time.time() + timeout
        status = None
        while time.time() < deadline:
            st = self.inspect()["State"]
            status = (st.get("Health") or {}).get("Status")
            if status == want:
                return st["Health"]
            if not st["Running"]:
                break
            time.sleep(0.25)
        raise AssertionError("health is %r, not %r, after %d s; state %s\nlogs:\n%s"
                             % (status, want, timeout, json.dumps(self.inspect()["State"]),
                                self.logs()))


@pytest.fixture
def run(image):
    """Factory: run(*docker_run_args, hardened=True) starts the image
    detached with the port published on 127.0.0.1 and waits for sockward."""
    made = []

    def start(*args, hardened=True):
        port = free_port()
        argv = (["run", "-d"] + LABELS + (HARDENED if hardened else []) +
                ["-p", "127.0.0.1:%d:2375" % port, "--health-interval", "1s"] +
                list(args) + [image["name"]])
        cid = docker(*argv).stdout.strip()
        ct = Container(cid, port)
        made.append(ct)
        ct.wait_ready()
        return ct

    yield start
    for ct in made:
        docker("rm", "-f", ct.id, check=False)


# --------------------------------------------------------------------------
# The image itself
# --------------------------------------------------------------------------

def test_image_small_and_one_layer(image):
    assert re.search(r"^sockward-static: \d+ bytes$", image["out"], re.M), image["out"]
    # With wolfSSL (TLS) linked in: at most 2 MB (HACKING.md, "The TLS library").
    assert image["size"] <= 2 * 1000 * 1000, image
    attrs = json.loads(docker("image", "inspect", image["name"]).stdout)[0]
    assert attrs["Size"] == image["size"]
    assert len(attrs["RootFS"]["Layers"]) == 1, attrs["RootFS"]


def test_image_config(image):
    cfg = json.loads(docker("image", "inspect", image["name"]).stdout)[0]["Config"]
    assert cfg["Entrypoint"] == ["/sockward"]
    assert not cfg.get("Cmd")
    assert "SOCKWARD_LISTEN=tcp://*:2375" in cfg["Env"]
    assert "2375/tcp" in cfg["ExposedPorts"]
    assert cfg["Healthcheck"]["Test"] == ["CMD", "/sockward", "health"]
    assert cfg["User"] in ("", "0", "root")     # sockward drops privileges itself
    labels = cfg["Labels"]
    assert labels["org.opencontainers.image.title"] == "sockward"
    version = subprocess.run([os.path.join(REPO, "sockward-static"), "--version"],
                             capture_output=True, text=True).stdout.split()[1]
    assert labels["org.opencontainers.image.version"] == version


def test_image_has_no_shell(image):
    r = docker("run", "--rm", *LABELS, "--entrypoint", "/bin/sh", image["name"],
               "-c", "true", check=False)
    assert r.returncode != 0, r
    remove_ours()       # a container whose start failed may stay behind


def test_image_version(image):
    r = docker("run", "--rm", *LABELS, image["name"], "--version")
    assert re.fullmatch(r"sockward \d+\.\d+\.\d+\n", r.stdout), r.stdout


def test_image_build_is_idempotent(image):
    before = docker("image", "inspect", "-f", "{{.Id}}", image["name"]).stdout
    r = subprocess.run([os.path.join(REPO, "scripts", "image.sh")],
                       capture_output=True, text=True, timeout=300,
                       env=dict(os.environ, SOCKWARD_IMAGE=image["name"]))
    assert r.returncode == 0, r.stdout + r.stderr
    assert docker("image", "inspect", "-f", "{{.Id}}", image["name"]).stdout == before


# --------------------------------------------------------------------------
# The image running on the real dockerd
# --------------------------------------------------------------------------

def test_container_forwards_and_denies(run):
    ct = run()
    resp = ct.get("/v1.41/version")
    assert resp.status == 200, resp
    assert resp.json()["ApiVersion"], resp
    resp = ct.get("/containers/create", method="POST", body=b"{}")
    assert_denied(resp, "POST", "/containers/create")
    # tcp://*:2375 came up, dual-stack or IPv4 with its log line
    assert re.search(r"listener default on tcp://(\[::\]|0\.0\.0\.0):2375", ct.logs()), ct.logs()


def test_container_turns_healthy(run):
    ct = run()
    health = ct.wait_health("healthy")
    assert health["Log"][-1]["ExitCode"] == 0, health
    r = docker("exec", ct.id, "/sockward", "health")
    assert r.returncode == 0 and r.stderr == "", r


def test_container_unhealthy_when_policy_forbids_ping(run):
    ct = run("-e", "SOCKWARD_PROFILE=none", "-e", "SOCKWARD_ALLOW=GET /version",
             "--health-retries", "1")
    assert ct.get("/version").status == 200
    assert_denied(ct.get("/_ping"), "GET", "/_ping", profile="none")
    health = ct.wait_health("unhealthy")
    out = health["Log"][-1]["Output"]
    assert health["Log"][-1]["ExitCode"] == 1, health
    assert "403" in out and "does not allow HEAD /_ping" in out, out
    assert out.strip().count("\n") == 0, out


def test_container_tecnativa_env(run):
    ct = run("-e", "CONTAINERS=1")
    resp = ct.get("/containers/json")
    assert resp.status == 200, resp
    assert isinstance(resp.json(), list)
    assert ct.get("/containers/create", method="POST", body=b"{}").status == 403
    ct.wait_health("healthy")


def make_certs(d):
    """A CA, a server certificate for 127.0.0.1 and a client certificate
    (RSA, as `openssl req` makes by default; the client's ECDSA), made with
    the openssl command into directory d, readable by everyone (the
    container reads them as root, a test needs no secrecy)."""
    def ossl(*args):
        r = subprocess.run(["openssl"] + list(args), cwd=d, capture_output=True,
                           text=True, timeout=60)
        assert r.returncode == 0, r
    ossl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key",
         "-out", "ca.pem", "-days", "2", "-subj", "/CN=sockward-test-ca")
    with open(os.path.join(d, "srv.ext"), "w") as f:
        f.write("subjectAltName=IP:127.0.0.1\n")
    ossl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", "srv.key",
         "-out", "srv.csr", "-subj", "/CN=sockward-test-server")
    ossl("x509", "-req", "-in", "srv.csr", "-CA", "ca.pem", "-CAkey", "ca.key",
         "-CAcreateserial", "-out", "srv.pem", "-days", "2", "-extfile", "srv.ext")
    ossl("ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", "cli.key")
    ossl("req", "-new", "-key", "cli.key", "-out", "cli.csr",
         "-subj", "/CN=sockward-test-client")
    # With an extension, so X.509 v3: TLS 1.2 and 1.3 want a v3 client
    # certificate, and the static build's wolfSSL enforces it (Debian's,
    # built with OPENSSL_COMPATIBLE_DEFAULTS, takes a v1 one too).
    with open(os.path.join(d, "cli.ext"), "w") as f:
        f.write("extendedKeyUsage=clientAuth\n")
    ossl("x509", "-req", "-in", "cli.csr", "-CA", "ca.pem", "-CAkey", "ca.key",
         "-CAcreateserial", "-out", "cli.pem", "-days", "2", "-extfile", "cli.ext")
    os.chmod(d, 0o755)
    for n in os.listdir(d):
        os.chmod(os.path.join(d, n), 0o644)


def test_container_serves_tls(image, tmp_path):
    """The static binary in the image has TLS (wolfSSL built by
    scripts/wolfssl-musl.sh): a tls:// listener with client certificates
    answers a client that shows one, over TLS 1.3, and refuses one that
    does not."""
    certs = tmp_path / "certs"
    certs.mkdir()
    make_certs(str(certs))
    port = free_port()
    cid = docker("run", "-d", *LABELS, *HARDENED,
                 "-v", "%s:/certs:ro" % certs,
                 "-e", "SOCKWARD_LISTEN=tls://*:2376",
                 "-e", "SOCKWARD_TLS_CERT=/certs/srv.pem",
                 "-e", "SOCKWARD_TLS_KEY=/certs/srv.key",
                 "-e", "SOCKWARD_TLS_CLIENT_CA=/certs/ca.pem",
                 "-p", "127.0.0.1:%d:2376" % port, image["name"]).stdout.strip()
    ct = Container(cid, port)
    try:
        ctx = ssl.create_default_context(cafile=str(certs / "ca.pem"))
        ctx.load_cert_chain(str(certs / "cli.pem"), str(certs / "cli.key"))
        deadline = time.time() + 15
        while True:
            st = ct.inspect()["State"]
            assert st["Running"], "container exited (%s):\n%s" % (
                st.get("ExitCode"), ct.logs())
            try:
                raw = socket.create_connection(("127.0.0.1", port), timeout=5)
                with ctx.wrap_socket(raw, server_hostname="127.0.0.1") as tls:
                    version = tls.version()
                    tls.sendall(get("/_ping"))
                    answer = b""
                    while b"\r\n\r\n" not in answer or not answer.endswith(b"OK"):
                        chunk = tls.recv(4096)
                        if not chunk:
                            break
                        answer += chunk
                break
            except (OSError, ssl.SSLError) as e:
                # the port is published before sockward listens
                if time.time() > deadline:
                    raise AssertionError("no TLS answer (%s):\n%s" % (e, ct.logs()))
                time.sleep(0.2)
        assert version == "TLSv1.3", version
        assert answer.startswith(b"HTTP/1.1 200 "), answer
        assert answer.endswith(b"\r\n\r\nOK"), answer

        # No client certificate: the handshake fails (TLS 1.3 reports it
        # at the first read).
        bare = ssl.create_default_context(cafile=str(certs / "ca.pem"))
        with pytest.raises((ssl.SSLError, ConnectionError)):
            raw = socket.create_connection(("127.0.0.1", port), timeout=5)
            with bare.wrap_socket(raw, server_hostname="127.0.0.1") as tls:
                tls.sendall(get("/_ping"))
                if not tls.recv(4096):
                    raise ConnectionError("closed without an answer")
    finally:
        docker("rm", "-f", cid, check=False)


# --------------------------------------------------------------------------
# `sockward health` on the host
# --------------------------------------------------------------------------

def health(*args, env=None, timeout=15):
    e = {k: v for k, v in os.environ.items()
         if not k.startswith("SOCKWARD_") or k in ("SOCKWARD_BIN",)}
    e.update(env or {})
    t0 = time.time()
    r = subprocess.run([SOCKWARD_BIN, "health"] + list(args), capture_output=True,
                       text=True, env=e, timeout=timeout)
    r.elapsed = time.time() - t0
    return r


def assert_unhealthy(r, *needles):
    assert r.returncode == 1, r
    assert r.stdout == "", r
    line = r.stderr
    assert line.endswith("\n") and line.count("\n") == 1, "not one line: %r" % line
    for n in needles:
        assert n in line, line
    return line


def test_health_ok(sockward):
    sw = sockward()
    r = health(sw.url)
    assert r.returncode == 0 and r.stderr == "" and r.stdout == "", r


def test_health_default_addr_from_config(sockward):
    sw = sockward()
    r = health(env={"SOCKWARD_LISTEN": sw.url})
    assert r.returncode == 0, r
    r = health("--listen", sw.url)
    assert r.returncode == 0, r
    # the first of several addresses
    r = health("--listen", sw.url, "--listen", "tcp://127.0.0.1:%d" % free_port())
    assert r.returncode == 0, r


def test_health_wildcard_and_unix(sockward, tmp_path):
    sw = sockward(listen="tcp://*:%d" % free_port())
    for addr in ("tcp://*:%d", "tcp://0.0.0.0:%d", "tcp://:%d"):
        r = health(addr % sw.port)
        assert r.returncode == 0, (addr, r)
    path = str(tmp_path / "sw.sock")
    sockward(listen="unix://" + path)
    r = health("unix://" + path)
    assert r.returncode == 0, r


def test_health_upstream_missing_is_502(sockward, tmp_path):
    sw = sockward(upstream=str(tmp_path / "missing.sock"))
    assert_unhealthy(health(sw.url), "502", "dockerd")


def test_health_ping_not_allowed_is_403(sockward):
    sw = sockward("--profile", "none", "--allow", "GET /version")
    assert_unhealthy(health(sw.url), "403", "does not allow HEAD /_ping")


def test_health_nothing_listening(tmp_path):
    assert_unhealthy(health("tcp://127.0.0.1:%d" % free_port()), "refused")
    assert_unhealthy(health("unix://" + str(tmp_path / "none.sock")),
                     "No such file")


def test_health_times_out():
    """A peer that accepts and never answers: 1 within about 5 s."""
    srv = socket.socket()
    srv.bind(("127.0.0.1", 0))
    srv.listen(4)
    held = []
    t = threading.Thread(target=lambda: held.append(srv.accept()), daemon=True)
    t.start()
    try:
        r = health("tcp://127.0.0.1:%d" % srv.getsockname()[1])
        assert_unhealthy(r, "timeout")
        assert 4.5 <= r.elapsed < 7, r.elapsed
    finally:
        for c, _ in held:
            c.close()
        srv.close()


def test_health_refuses_names_and_bad_addresses():
    for addr in ("tcp://localhost:2375", "http://127.0.0.1:2375", "tcp://127.0.0.1",
                 "tcp://127.0.0.1:0", "unix://relative.sock", "tcp://[::1]"):
        assert_unhealthy(health(addr), "bad address")
