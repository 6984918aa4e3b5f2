"""TLS in the connection layer (issue 14): conn.c and tls.c.

A tls:// listener in front of the real dockerd: handshake, keep-alive, TLS
1.2 and 1.3, a large response, a pipelined burst and a large upload (both
larger than sockward's buffer, so decrypted bytes wait inside the session),
a stream, hijacks with the docker CLI over --tlsverify, certificates
refused before any HTTP, certificate names picking the listener block, and
a client stalling in the handshake.

A tls:// upstream: a private dockerd --tlsverify on 127.0.0.1:2376 in a
network namespace of its own (a dockerd with --bridge=none would delete
the host's docker0).  sockward joins that namespace with nsenter and
listens on a unix socket, which the tests reach from outside.
"""

import hashlib
import io
import json
import os
import re
import shutil
import signal
import socket
import ssl
import subprocess
import tarfile
import time
import urllib.parse
import uuid

import docker
import pytest

from conftest import (HIJACK_ALLOW, SOCKWARD_BIN, TEST_IMAGE, Conn, LogWaiter,
                      Sockward, demux, direct, free_port, get, make_container)
import tlsutil

ARCHIVE_ALLOW = ["--allow", "GET /containers/{id}/archive",
                 "--allow", "PUT /containers/{id}/archive"]
VIS = "sockward-tls-visible=1"


# --------------------------------------------------------------------------
# Certificates and TLS clients
# --------------------------------------------------------------------------

class PKI:
    pass


@pytest.fixture(scope="module")
def pki(tmp_path_factory):
    d = tmp_path_factory.mktemp("pki")
    p = PKI()
    p.ca = tlsutil.make_ca(d)
    p.server = tlsutil.server_cert(p.ca, "sockward", dns=["localhost"],
                                   ips=["127.0.0.1", "::1"])
    p.client = tlsutil.client_cert(p.ca, "traefik", dns=["traefik.internal"])
    p.ci = tlsutil.client_cert(p.ca, "ci")
    p.nobody = tlsutil.client_cert(p.ca, "nobody")
    p.expired = tlsutil.client_cert(p.ca, "traefik", expired=True)
    p.other_ca = tlsutil.make_ca(d, "other-ca")
    p.stranger = tlsutil.client_cert(p.other_ca, "traefik")
    # the private dockerd's own, and sockward's certificate for it
    p.daemon = tlsutil.server_cert(p.ca, "dockerd", ips=["127.0.0.1"])
    p.up_client = tlsutil.client_cert(p.ca, "sockward-upstream")
    return p


def tls_ctx(pki, cert=None, minv=None, maxv=None, ciphers=None):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.load_verify_locations(pki.ca.cert)
    if cert is not None:
        ctx.load_cert_chain(cert.cert, cert.key)
    if minv is not None:
        ctx.minimum_version = minv
    if maxv is not None:
        ctx.maximum_version = maxv
    if ciphers is not None:
        ctx.set_ciphers(ciphers)
    return ctx


class TLSConn(Conn):
    """conftest.Conn over TLS: the handshake happens here."""

    def __init__(self, addr, ctx, timeout=5.0):
        Conn.__init__(self, addr, timeout)
        self.local_port = self.sock.getsockname()[1]
        self.sock = ctx.wrap_socket(self.sock, server_hostname=addr[0])


def tconn(sw, pki, cert="client", timeout=5.0, **kw):
    return TLSConn(sw.addr, tls_ctx(pki, getattr(pki, cert), **kw), timeout)


def access_lines(sw, needle):
    return [ln for ln in sw.log().splitlines() if " access " in ln and needle in ln]


def wait_for(pred, timeout=3.0):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if pred():
            return True
        time.sleep(0.05)
    return pred()


def docker_cli(env, *args, stdin=None, timeout=30):
    e = {k: v for k, v in os.environ.items() if not k.startswith("DOCKER_")}
    e.update(env)
    return subprocess.run(["docker"] + list(args), env=e, input=stdin,
                          capture_output=True, timeout=timeout)


def tar_of(name, data):
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as t:
        info = tarfile.TarInfo(name)
        info.size = len(data)
        info.mode = 0o644
        t.addfile(info, io.BytesIO(data))
    return buf.getvalue()


def untar_one(raw):
    with tarfile.open(fileobj=io.BytesIO(raw)) as t:
        m = t.getmembers()[0]
        return t.extractfile(m).read()


# --------------------------------------------------------------------------
# A tls:// listener in front of the real dockerd
# --------------------------------------------------------------------------

@pytest.fixture(scope="module")
def tproxy(pki, tmp_path_factory):
    sw = Sockward(HIJACK_ALLOW + ARCHIVE_ALLOW +
                  ["--tls-cert", pki.server.cert, "--tls-key", pki.server.key,
                   "--tls-client-ca", pki.ca.cert, "--header-timeout", "2"],
                  str(tmp_path_factory.mktemp("swtls")),
                  listen="tls://127.0.0.1:%d" % free_port())
    yield sw
    sw.stop()


def test_handshake_ping_keepalive(tproxy, pki):
    with tconn(tproxy, pki) as c:
        assert c.sock.version() == "TLSv1.3", c.sock.version()
        for _ in range(5):
            c.send(get("/_ping"))
            r = c.read_response()
            assert (r.status, r.body) == (200, b"OK"), r
        c.send(get("/v1.41/version"))
        r = c.read_response()
        assert r.status == 200 and r.json()["ApiVersion"], r
        c.assert_open()
    # six exchanges, one connection
    assert wait_for(lambda: len(access_lines(tproxy, "client=127.0.0.1:%d " % c.local_port)) == 6), \
        tproxy.log()[-3000:]


@pytest.mark.parametrize("version", ["TLSv1_2", "TLSv1_3"])
def test_protocol_versions(tproxy, pki, version):
    v = getattr(ssl.TLSVersion, version)
    with tconn(tproxy, pki, minv=v, maxv=v) as c:
        assert c.sock.version() == version.replace("_", "."), c.sock.version()
        cipher = c.sock.cipher()[0]
        # AEAD with forward secrecy only
        assert "GCM" in cipher or "CHACHA20" in cipher, cipher
        if version == "TLSv1_2":
            assert cipher.startswith("ECDHE-"), cipher
        c.send(get("/_ping"))
        assert c.read_response().status == 200


def test_tls12_without_aead_or_ecdhe_refused(tproxy, pki):
    for ciphers in ("ECDHE-ECDSA-AES128-SHA256:ECDHE-ECDSA-AES256-SHA",
                    "AES128-GCM-SHA256:AES256-GCM-SHA384"):
        with pytest.raises(ssl.SSLError):
            tconn(tproxy, pki, maxv=ssl.TLSVersion.TLSv1_2, ciphers=ciphers)


def test_large_response(tproxy, pki, running_container):
    """An archive of the test binary, far larger than the buffer: every
    write of it waits for the client at some point."""
    path = "/v1.41/containers/%s/archive?path=/testbox" % running_container.id
    want = direct(get(path)).body
    assert len(want) > 500000
    with tconn(tproxy, pki, timeout=20) as c:
        for _ in range(2):
            c.send(get(path))
            r = c.read_response()
            assert r.status == 200, r
            assert hashlib.sha256(r.body).digest() == hashlib.sha256(want).digest()
        c.send(get("/_ping"))
        assert c.read_response().body == b"OK"


def test_pipelined_burst(tproxy, pki):
    """2500 requests in one write (90 KB): more than the request buffer
    takes, so the rest waits decrypted inside the TLS session, where epoll
    cannot see it."""
    n = 2500
    req = get("/_ping")
    with tconn(tproxy, pki, timeout=30) as c:
        c.send(req * n)
        for i in range(n):
            r = c.read_response()
            assert (r.status, r.body) == (200, b"OK"), (i, r)
        c.assert_open()


def test_large_upload(tproxy, pki, container_factory, dclient):
    """A 3 MB body through the TLS session: the request buffer fills again
    and again while bytes wait inside the session."""
    ct = container_factory()
    data = os.urandom(3 * 1024 * 1024)
    body = tar_of("sockward-tls-upload.bin", data)
    with tconn(tproxy, pki, timeout=30) as c:
        c.send(b"PUT /v1.41/containers/%s/archive?path=/ HTTP/1.1\r\nHost: docker\r\n"
               b"Content-Type: application/x-tar\r\nContent-Length: %d\r\n\r\n"
               % (ct.id.encode(), len(body)) + body)
        r = c.read_response()
        assert r.status == 200, r
        c.send(get("/_ping"))
        assert c.read_response().status == 200
    stream, _ = dclient.api.get_archive(ct.id, "/sockward-tls-upload.bin")
    assert untar_one(b"".join(stream)) == data


def test_denied_upload_lingers(tproxy, pki):
    """A denied upload answered before its body was read: the connection
    is closed gently (close_notify, then the rest of the body drained), so
    the client reads the 403 instead of a reset."""
    body = os.urandom(4 * 1024 * 1024)
    with tconn(tproxy, pki, timeout=20) as c:
        c.send(b"POST /v1.41/images/load HTTP/1.1\r\nHost: docker\r\n"
               b"Content-Type: application/x-tar\r\nContent-Length: %d\r\n\r\n"
               % len(body) + body)
        r = c.read_response()
        assert r.status == 403, r
        assert c.is_closed(5)


def test_events_stream(tproxy, pki, dclient, testbox_image):
    value = uuid.uuid4().hex
    flt = urllib.parse.quote(json.dumps({"label": ["sockward-tls-ev=" + value]}))
    with tconn(tproxy, pki, timeout=15) as c:
        c.send(get("/v1.41/events?filters=" + flt))
        r = c.read_head()
        assert r.status == 200, r
        ct = make_container(dclient, start=False, labels={"sockward-tls-ev": value})
        try:
            ev = json.loads(c.read_chunk())
            assert ev["Actor"]["ID"] == ct.id and ev["Action"] == "create", ev
            ct.start()
            ev = json.loads(c.read_chunk())
            assert ev["Actor"]["ID"] == ct.id, ev
        finally:
            ct.remove(force=True)


def test_cli_tlsverify_hijack(tproxy, pki, running_container):
    """The docker CLI with --tlsverify: exec (a hijack) with and without
    stdin; the CLI half-closes stdin with a bare TCP FIN."""
    env = tlsutil.docker_tls_env(pki.client, pki.ca, "tcp://127.0.0.1:%d" % tproxy.port)
    r = docker_cli(env, "version", "--format", "{{.Server.APIVersion}}")
    assert r.returncode == 0 and r.stdout.strip() == b"1.41", (r, tproxy.log()[-2000:])
    r = docker_cli(env, "exec", running_container.id, "/testbox", "echo", "over", "tls")
    assert (r.returncode, r.stdout) == (0, b"over tls\n"), (r, tproxy.log()[-2000:])
    data = b"".join(b"line %06d through a TLS hijack\n" % i for i in range(8000))
    r = docker_cli(env, "exec", "-i", running_container.id, "/testbox", "cat", stdin=data)
    assert r.returncode == 0, (r.stderr, tproxy.log()[-2000:])
    assert r.stdout == data
    r = docker_cli(env, "exec", running_container.id, "/testbox", "exit", "5")
    assert r.returncode == 5, r


def _refused(sw, pki, cert, **kw):
    """Connect with cert; the handshake (or the first read, TLS 1.3 checks
    the client's certificate after the client's side is done) fails.
    Returns the local port."""
    c = None
    with pytest.raises((ssl.SSLError, ConnectionResetError, BrokenPipeError, EOFError)):
        c = Conn(sw.addr)
        port = c.sock.getsockname()[1]
        c.sock = tls_ctx(pki, cert, **kw).wrap_socket(c.sock, server_hostname="127.0.0.1")
        c.send(get("/_ping"))
        c.read_response()
    if c is not None:
        c.close()
    return port


@pytest.mark.parametrize("who,why", [
    (None, "the peer sent no certificate"),
    ("stranger", "certificate verify failed: not signed by a trusted CA"),
    ("expired", "certificate verify failed: expired"),
])
def test_refused_before_http(tproxy, pki, who, why):
    # Handshake failures are logged once a second: this one must not fall
    # in the second of an earlier one.
    time.sleep(1.1)
    port = _refused(tproxy, pki, getattr(pki, who) if who else None)
    line = "TLS handshake with 127.0.0.1:%d on tls://127.0.0.1:%d failed: handshake: %s" % (
        port, tproxy.port, why)
    assert tproxy.wait_log(line), tproxy.log()[-3000:]
    assert not access_lines(tproxy, "client=127.0.0.1:%d " % port)


def test_handshake_stall_hits_header_timeout(tproxy):
    """Half a ClientHello, then nothing: closed at the header timeout (2 s),
    with no byte in the clear (no 408)."""
    time.sleep(1.1)     # one handshake failure line a second
    with Conn(tproxy.addr, timeout=6) as c:
        port = c.sock.getsockname()[1]
        t = time.monotonic()
        c.send(b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03")
        data = c.read_until_eof(6)
        took = time.monotonic() - t
    assert data == b"", data
    assert 1.5 <= took <= 4.5, took
    assert tproxy.wait_log("TLS handshake with 127.0.0.1:%d on tls://127.0.0.1:%d failed: "
                           "header timeout" % (port, tproxy.port)), tproxy.log()[-2000:]


def test_handshake_then_silence_hits_header_timeout(tproxy, pki):
    """The header timeout counts from accept: a finished handshake and no
    request gets the 408 (over TLS) at the same deadline."""
    with tconn(tproxy, pki, timeout=6) as c:
        t = time.monotonic()
        r = c.read_response()
        took = time.monotonic() - t
    assert r.status == 408, r
    assert 1.5 <= took <= 4.5, took


# --------------------------------------------------------------------------
# Certificate names pick the listener block
# --------------------------------------------------------------------------

class CfgDaemon(LogWaiter):
    def __init__(self, tmp_path, conf_text, port):
        self.port = port
        self.conf = tmp_path / ("sockward-%s.conf" % uuid.uuid4().hex[:6])
        self.conf.write_text(conf_text)
        self.errp = tmp_path / ("sockward-%s.stderr" % uuid.uuid4().hex[:6])
        self._err = open(self.errp, "wb")
        self.proc = subprocess.Popen([SOCKWARD_BIN, "--config", str(self.conf)],
                                     stdin=subprocess.DEVNULL, stdout=self._err,
                                     stderr=self._err)
        deadline = time.time() + 5
        while time.time() < deadline:
            assert self.proc.poll() is None, self.log()
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                return
            except OSError:
                time.sleep(0.02)
        raise AssertionError("sockward did not start: " + self.log())

    @property
    def addr(self):
        return ("127.0.0.1", self.port)

    def log(self):
        return self.errp.read_bytes().decode("utf-8", "replace")

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            self.proc.wait(5)
        self._err.close()
        assert "Sanitizer" not in self.log() and "runtime error:" not in self.log(), self.log()


def test_certificate_picks_listener(pki, tmp_path):
    port = free_port()
    d = CfgDaemon(tmp_path, """
listener traefik {
	listen tls://127.0.0.1:%(port)d
	tls-cert %(cert)s
	tls-key %(key)s
	tls-client-ca %(ca)s
	cert-cn traefik
	profile traefik
}
listener ci {
	listen tls://127.0.0.1:%(port)d
	cert-cn ci
	profile readonly
}
""" % {"port": port, "cert": pki.server.cert, "key": pki.server.key, "ca": pki.ca.cert}, port)
    try:
        with TLSConn(d.addr, tls_ctx(pki, pki.client)) as c:
            c.send(get("/v1.41/images/json"))
            r = c.read_response()
            assert r.status == 403 and "(policy traefik)" in r.json()["message"], r
        with TLSConn(d.addr, tls_ctx(pki, pki.ci)) as c:
            c.send(get("/v1.41/images/json"))
            r = c.read_response()
            assert r.status == 200 and isinstance(r.json(), list), r
        assert wait_for(lambda: "listener=ci " in d.log() and "listener=traefik " in d.log())
        # a certificate of the right CA that no block names: refused
        # after the handshake, before any HTTP is read
        with TLSConn(d.addr, tls_ctx(pki, pki.nobody)) as c:
            port_nobody = c.local_port
            c.send(get("/_ping"))
            with pytest.raises((EOFError, ConnectionResetError, ssl.SSLError)):
                c.read_response()
        assert d.wait_log("refused 127.0.0.1:%d on tls://127.0.0.1:%d: certificate CN=nobody "
                          "not admitted" % (port_nobody, port)), d.log()
        assert "client=127.0.0.1:%d " % port_nobody not in d.log()
    finally:
        d.stop()


def test_reload_keeps_tls_connections_and_revalidates(pki, tmp_path):
    """SIGHUP swaps the listener's TLS context (new sessions use it, open
    ones keep theirs) and judges open connections again by certificate."""
    port = free_port()
    conf = """
listener t {
	listen tls://127.0.0.1:%(port)d
	tls-cert %(cert)s
	tls-key %(key)s
	tls-client-ca %(ca)s
	cert-cn %(cn)s
	profile traefik
}
"""
    args = {"port": port, "cert": pki.server.cert, "key": pki.server.key, "ca": pki.ca.cert}
    d = CfgDaemon(tmp_path, conf % dict(args, cn="traefik ci"), port)
    try:
        keep = TLSConn(d.addr, tls_ctx(pki, pki.client))
        gone = TLSConn(d.addr, tls_ctx(pki, pki.ci))
        for c in (keep, gone):
            c.send(get("/_ping"))
            assert c.read_response().status == 200
        d.conf.write_text(conf % dict(args, cn="traefik"))
        d.proc.send_signal(signal.SIGHUP)
        assert d.wait_log("reloaded "), d.log()
        keep.send(get("/_ping"))
        assert keep.read_response().status == 200, d.log()
        gone.send(get("/_ping"))
        r = gone.read_response()
        assert r.status == 403 and "no longer admitted" in r.json()["message"], r
        with TLSConn(d.addr, tls_ctx(pki, pki.client)) as c:
            c.send(get("/_ping"))
            assert c.read_response().status == 200
        keep.close()
        gone.close()
    finally:
        d.stop()


def test_renegotiation_refused(tproxy, pki):
    """A TLS 1.2 client asking to renegotiate is cut off (openssl s_client's
    R command); the first request went through."""
    script = ("sleep 1; printf 'GET /_ping HTTP/1.1\\r\\nHost: x\\r\\n\\r\\n'; sleep 1; "
              "printf 'R\\n'; sleep 2")
    feed = subprocess.Popen(["sh", "-c", script], stdout=subprocess.PIPE)
    try:
        r = subprocess.run(["openssl", "s_client", "-connect", "127.0.0.1:%d" % tproxy.port,
                            "-tls1_2", "-cert", pki.client.cert, "-key", pki.client.key,
                            "-CAfile", pki.ca.cert],
                           stdin=feed.stdout, capture_output=True, timeout=20)
    finally:
        feed.wait(10)
    out = r.stdout + r.stderr
    assert b"HTTP/1.1 200 OK" in out, out
    assert b"RENEGOTIATING" in out, out
    # the server refused with an alert and closed: no second handshake
    assert b"alert" in out, out


# --------------------------------------------------------------------------
# A tls:// upstream: a private dockerd --tlsverify
# --------------------------------------------------------------------------

class TLSDockerd:
    """dockerd -H tcp://127.0.0.1:2376 --tlsverify, and a unix socket for the
    tests' own setup, under /tmp/swtls-<id>, in its own network namespace."""

    PORT = 2376

    def __init__(self, pki):
        self.id = uuid.uuid4().hex[:8]
        self.dir = "/tmp/swtls-%s" % self.id
        self.sock = os.path.join(self.dir, "docker.sock")
        self.pidfile = os.path.join(self.dir, "docker.pid")
        self.logfile = os.path.join(self.dir, "dockerd.log")
        self.ns = "swtls-" + self.id
        os.makedirs(os.path.join(self.dir, "data"))
        os.makedirs(os.path.join(self.dir, "exec"))
        # /etc/docker/daemon.json may set a data root or hosts that clash.
        self.config = os.path.join(self.dir, "daemon.json")
        with open(self.config, "w") as f:
            f.write("{}\n")
        argv = ["unshare", "--net", "--fork", "--kill-child=SIGKILL", "sh", "-c",
                'ip link set lo up && exec dockerd "$@"', "sh",
                "--config-file", self.config, "-H", "unix://" + self.sock,
                "-H", "tcp://127.0.0.1:%d" % self.PORT, "--tlsverify",
                "--tlscacert", pki.ca.cert, "--tlscert", pki.daemon.cert,
                "--tlskey", pki.daemon.key,
                "--data-root", self.dir + "/data", "--exec-root", self.dir + "/exec",
                "--pidfile", self.pidfile, "--containerd-namespace", self.ns,
                "--containerd-plugins-namespace", self.ns + "-plugins",
                "--bridge=none", "--iptables=false", "--ip6tables=false",
                "--storage-driver", "vfs"]
        log = open(self.logfile, "wb")
        self.proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=log,
                                     stderr=log, start_new_session=True)
        log.close()
        deadline = time.time() + 60
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise AssertionError("private dockerd exited: " + self.log()[-3000:])
            try:
                with Conn(self.sock, timeout=2) as c:
                    c.send(get("/_ping"))
                    if c.read_response().status == 200 and \
                            "API listen on 127.0.0.1:%d" % self.PORT in self.log():
                        break
            except (OSError, EOFError):
                pass
            time.sleep(0.2)
        else:
            raise AssertionError("private dockerd did not start: " + self.log()[-3000:])
        self.pid = int(open(self.pidfile).read().strip())
        self.client = docker.DockerClient(base_url="unix://" + self.sock,
                                          version="1.41", timeout=60)

    def netns(self):
        return ["nsenter", "--net=/proc/%d/ns/net" % self.pid, "--"]

    def log(self):
        try:
            with open(self.logfile, "rb") as f:
                return f.read().decode("utf-8", "replace")
        except OSError:
            return ""

    def stop(self):
        self.client.close()
        try:
            os.kill(self.pid, signal.SIGTERM)
        except OSError:
            pass
        try:
            self.proc.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(5)
        # its containerd and shims, if any outlived it
        mark = (self.dir + "/exec").encode()
        for p in os.listdir("/proc"):
            if not p.isdigit():
                continue
            try:
                with open("/proc/%s/cmdline" % p, "rb") as f:
                    argv = f.read().split(b"\0")
            except OSError:
                continue
            if os.path.basename(argv[0]).startswith(b"containerd") and \
                    any(mark in a or self.ns.encode() in a for a in argv):
                try:
                    os.kill(int(p), signal.SIGKILL)
                except OSError:
                    pass
        shutil.rmtree(self.dir, ignore_errors=True)


@pytest.fixture(scope="module")
def tlsd(pki, dclient, testbox_image):
    d = TLSDockerd(pki)
    try:
        # the test image, from the shared daemon
        img = b"".join(dclient.api.get_image(testbox_image))
        d.client.images.load(img)
        yield d
    finally:
        d.stop()


def up_sockward(tlsd, pki, tmp_path, *args, ca=None, cert="up_client", port=None):
    sock = os.path.join(tlsd.dir, "sw-%s.sock" % uuid.uuid4().hex[:6])
    base = ["--upstream-ca", (ca or pki.ca).cert]
    if cert is not None:
        base += ["--upstream-cert", getattr(pki, cert).cert,
                 "--upstream-key", getattr(pki, cert).key]
    return Sockward(base + list(args), str(tmp_path), listen="unix://" + sock,
                    upstream="tls://127.0.0.1:%d" % (port or tlsd.PORT),
                    prefix=tlsd.netns())


@pytest.fixture(scope="module")
def upworld(tlsd):
    """A visible and a hidden container on the private dockerd."""
    made = []
    for labels in ({"sockward-tls-visible": "1"}, {}):
        ct = tlsd.client.containers.create(TEST_IMAGE, ["/testbox"], labels=labels,
                                           network_mode="none")
        ct.start()
        made.append(ct)
    yield made
    for ct in made:
        try:
            ct.remove(force=True)
        except docker.errors.APIError:
            pass


@pytest.fixture(scope="module")
def uproxy(tlsd, pki, tmp_path_factory):
    sw = up_sockward(tlsd, pki, tmp_path_factory.mktemp("swup"),
                     "--profile", "none", "--allow", "* /** body off",
                     "--visible-label", VIS)
    yield sw
    sw.stop()


def test_upstream_tls_ping_keepalive(uproxy):
    with uproxy.conn() as c:
        for path in ("/_ping", "/v1.41/version", "/_ping"):
            c.send(get(path))
            r = c.read_response()
            assert r.status == 200, (r, uproxy.log()[-2000:])
        c.assert_open()
    log = uproxy.log()
    assert "forwarding allowed requests to tls://127.0.0.1:2376" in log
    # With the sandbox on (not under ASan or valgrind), it let exactly this
    # through: TCP sockets, a connect to the upstream's port, /dev/urandom.
    m = re.search(r"landlock: ABI (\d+)", log)
    if m and int(m.group(1)) >= 4:
        assert "read /dev/urandom (TLS); no TCP bind, TCP connect only to port 2376 " \
            "(upstream)" in log, log
    if "seccomp: allowlist" in log:
        assert "socket only AF_UNIX, AF_INET and AF_INET6 stream" in log, log


def test_upstream_tls_filter_and_probe(uproxy, upworld):
    vis, hid = upworld
    r = uproxy.get("/v1.41/containers/json")
    assert r.status == 200, r
    ids = [c["Id"] for c in r.json()]
    assert vis.id in ids and hid.id not in ids, ids
    # exec on the hidden one: sockward asks dockerd (a probe, over TLS)
    # and answers dockerd's own 404
    body = json.dumps({"Cmd": ["/testbox", "echo", "x"]}).encode()
    req = (b"POST /v1.41/containers/%s/exec HTTP/1.1\r\nHost: docker\r\n"
           b"Content-Type: application/json\r\nContent-Length: %d\r\n\r\n")
    r = uproxy.request(req % (hid.id.encode(), len(body)) + body)
    assert r.status == 404 and "No such container" in r.json()["message"], r
    r = uproxy.request(req % (vis.id.encode(), len(body)) + body)
    assert r.status == 201, r


def test_upstream_tls_large_response(uproxy, upworld, tlsd):
    vis = upworld[0]
    path = "/v1.41/containers/%s/archive?path=/testbox" % vis.id
    want = b"".join(tlsd.client.api.get_archive(vis.id, "/testbox")[0])
    assert len(want) > 500000
    with uproxy.conn(timeout=20) as c:
        for _ in range(2):
            c.send(get(path))
            r = c.read_response()
            assert r.status == 200, r
            assert hashlib.sha256(r.body).digest() == hashlib.sha256(want).digest()


def test_upstream_tls_cli_hijack(uproxy, upworld):
    env = {"DOCKER_HOST": uproxy.url}
    vis = upworld[0]
    r = docker_cli(env, "exec", vis.id, "/testbox", "echo", "via", "tls")
    assert (r.returncode, r.stdout) == (0, b"via tls\n"), (r, uproxy.log()[-2000:])
    data = b"".join(b"stdin line %06d to a TLS upstream\n" % i for i in range(8000))
    r = docker_cli(env, "exec", "-i", vis.id, "/testbox", "cat", stdin=data)
    assert r.returncode == 0 and r.stdout == data, (r.stderr, uproxy.log()[-2000:])


@pytest.mark.parametrize("case,want", [
    ("other-ca", "handshake: certificate verify failed: not signed by a trusted CA"),
    # dockerd (Go 1.19) answers a missing client certificate with
    # bad_certificate; newer Go with certificate_required
    ("no-client-cert", "read: the peer refused it with alert "),
    ("server-name", "handshake: the daemon's certificate does not name other.example"),
    ("ip-mismatch", "handshake: the daemon's certificate has no IP address SAN 127.0.0.2"),
    ("refused", "Connection refused"),
])
def test_upstream_tls_failure_is_502(tlsd, pki, tmp_path, case, want):
    kw, args = {}, []
    if case == "other-ca":
        kw["ca"] = pki.other_ca
    elif case == "no-client-cert":
        kw["cert"] = None
    elif case == "server-name":
        args = ["--upstream-server-name", "other.example"]
    elif case == "ip-mismatch":
        args = ["--upstream-server-name", "127.0.0.2"]
    else:
        kw["port"] = 2377
    sw = up_sockward(tlsd, pki, tmp_path, *args, **kw)
    try:
        r = sw.get("/_ping")
        assert r.status == 502, (r, sw.log()[-2000:])
        msg = r.json()["message"]
        assert msg.startswith("sockward: cannot reach the Docker daemon at "
                              "tls://127.0.0.1:%d: " % (kw.get("port") or tlsd.PORT)), msg
        assert want in msg, msg
        # and again on the next request: nothing hangs
        assert sw.get("/_ping").status == 502
    finally:
        sw.stop()
