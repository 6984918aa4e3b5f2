"""Zero-copy relaying: a unix-socket client gets bulk response bodies by
splice(2) (upstream -> pipe -> client).  Every framing that can be spliced
must arrive byte for byte, in order with the responses around it, whatever
the sizes of the upstream's writes and chunks; and a pipe must really be
used for a unix client, never for a TCP one (measured slower there)."""

import hashlib
import os
import random
import socket
import subprocess
import time

import pytest

from conftest import DOCKER_SOCK, TEST_IMAGE, Conn, get

ALLOW = ("--allow", "GET /containers/{id}/export",
         "--allow", "POST /containers/{id}/attach")


@pytest.fixture
def unix_sw(sockward, recorder, tmp_path):
    sw = sockward(*ALLOW, listen="unix://%s" % (tmp_path / "sw.sock"),
                  upstream=recorder.path)
    return sw, recorder


def _pipes(pid):
    n = 0
    for fd in os.listdir("/proc/%d/fd" % pid):
        try:
            if os.readlink("/proc/%d/fd/%s" % (pid, fd)).startswith("pipe:"):
                n += 1
        except OSError:
            pass
    return n


def _sendall_pieces(c, data, rng):
    """Write data in random-sized pieces so framing lands at every offset
    of the reads on the other side."""
    off = 0
    while off < len(data):
        n = rng.choice((1, 7, 100, 4096, 65536, 300000))
        c.sendall(data[off:off + n])
        off += n


def _chunked(payload, rng, ext=False):
    out, off = [], 0
    while off < len(payload):
        n = rng.choice((1, 5, 1000, 16384, 32768, 70000, 200000))
        piece = payload[off:off + n]
        off += len(piece)
        out.append(b"%x%s\r\n%s\r\n" % (len(piece), b";x=1" if ext and rng.random() < 0.3 else b"", piece))
    return b"".join(out) + b"0\r\nX-Trailer: t\r\n\r\n"


def test_length_body_spliced_in_order(unix_sw):
    sw, up = unix_sw
    payload = os.urandom(6 * 1024 * 1024)
    head = b"HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nContent-Length: %d\r\n\r\n" % len(payload)
    rng = random.Random(1)
    up.respond = lambda c, h: _sendall_pieces(c, head + payload, rng)
    with sw.conn(timeout=20) as c:
        # Two big bodies and a small one pipelined: each must end exactly
        # where its length says, with nothing spliced past it.
        c.send(get("/containers/x/export") * 2 + get("/version"))
        for _ in range(3):
            r = c.read_response()
            assert r.status == 200
            assert hashlib.sha256(r.body).digest() == hashlib.sha256(payload).digest()
        c.assert_open()


@pytest.mark.parametrize("seed", [2, 3, 4])
def test_chunked_body_spliced_byte_for_byte(unix_sw, seed):
    """The client receives exactly the upstream's chunked bytes (framing
    included), whatever the chunk and write sizes, then the next response."""
    sw, up = unix_sw
    rng = random.Random(seed)
    payload = os.urandom(5 * 1024 * 1024)
    body = _chunked(payload, rng, ext=True)
    head = b"HTTP/1.1 200 OK\r\nContent-Type: application/x-tar\r\nTransfer-Encoding: chunked\r\n\r\n"
    up.respond = lambda c, h: _sendall_pieces(c, head + body, rng)
    with sw.conn(timeout=20) as c:
        c.send(get("/containers/x/export") + get("/containers/x/export"))
        for _ in range(2):
            r = c.read_head()
            assert r.status == 200 and "chunked" in r.header("Transfer-Encoding").lower()
            raw = c.read_exact(len(body))
            assert raw == body
        c.assert_open()


def test_close_delimited_bulk_body(unix_sw):
    sw, up = unix_sw
    payload = os.urandom(4 * 1024 * 1024)

    def respond(c, h):
        c.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\n\r\n")
        _sendall_pieces(c, payload, random.Random(5))
        return "close"
    up.respond = respond
    with sw.conn(timeout=20) as c:
        c.send(get("/containers/x/export"))
        r = c.read_head()
        assert r.status == 200
        assert r.header("Content-Length") is None
        body = c.read_until_eof(10)
        assert hashlib.sha256(body).digest() == hashlib.sha256(payload).digest()


def test_hijacked_bulk_output(unix_sw):
    """An attach that streams a lot of output (docker logs -f, attach to a
    chatty container): all of it arrives, then the half-close."""
    sw, up = unix_sw
    payload = os.urandom(4 * 1024 * 1024)

    def respond(c, h):
        c.sendall(b"HTTP/1.1 101 UPGRADED\r\nContent-Type: application/vnd.docker.raw-stream\r\n"
                  b"Connection: Upgrade\r\nUpgrade: tcp\r\n\r\n")
        _sendall_pieces(c, payload, random.Random(6))
        c.shutdown(socket.SHUT_WR)
        time.sleep(0.5)
        return "close"
    up.respond = respond
    with sw.conn(timeout=20) as c:
        c.send(b"POST /containers/x/attach?stream=1&stdout=1 HTTP/1.1\r\nHost: docker\r\n"
               b"Connection: Upgrade\r\nUpgrade: tcp\r\nContent-Length: 0\r\n\r\n")
        r = c.read_head()
        assert r.status == 101
        body = c.read_until_eof(10)
        assert hashlib.sha256(body).digest() == hashlib.sha256(payload).digest()


def test_slow_reader_gets_everything(unix_sw):
    """A client that reads in small sips keeps the pipe full for a long time
    (the fill stalls, the drain resumes it): nothing is lost or reordered."""
    sw, up = unix_sw
    payload = os.urandom(3 * 1024 * 1024)
    rng = random.Random(7)
    body = _chunked(payload, rng)
    up.respond = lambda c, h: c.sendall(
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" + body)
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    s.settimeout(20)
    s.connect(sw.unix_path)
    s.sendall(get("/containers/x/export") + get("/version"))
    got = b""
    while len(got) < len(body) + 200:
        d = s.recv(rng.choice((1, 100, 3000)))
        if not d:
            break
        got += d
        if rng.random() < 0.01:
            time.sleep(0.01)
    s.close()
    head, rest = got.split(b"\r\n\r\n", 1)
    assert b" 200 " in head.split(b"\r\n")[0]
    assert rest[:len(body)] == body
    assert rest[len(body):].startswith(b"HTTP/1.1 200")


def test_pipe_used_for_unix_client_only(sockward, recorder, tmp_path):
    """Proof that bulk bodies take the splice path on a unix listener (a
    pipe is held) and the copy path on TCP (measured faster there)."""
    payload = b"z" * (2 * 1024 * 1024)
    recorder.respond = lambda c, h: c.sendall(
        b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n" % len(payload) + payload)
    sw_unix = sockward(*ALLOW, listen="unix://%s" % (tmp_path / "u.sock"),
                       upstream=recorder.path)
    sw_tcp = sockward(*ALLOW, upstream=recorder.path)
    for sw, want_pipe in ((sw_unix, True), (sw_tcp, False)):
        pid = sw.proc.pid
        before = _pipes(pid)        # a wrapper (valgrind) may hold its own
        with Conn(sw.addr, timeout=10) as c:
            c.send(get("/containers/x/export"))
            r = c.read_head()
            assert r.status == 200
            c.read_exact(1024 * 1024)            # well into the body
            time.sleep(0.2)
            held = _pipes(pid) - before
            rest = c.read_exact(len(payload) - 1024 * 1024)
            assert rest == payload[1024 * 1024:]
        assert (held > 0) == want_pipe, (sw.url, held)


def test_pipes_held_at_once_are_bounded(sockward, recorder, tmp_path):
    """Pipes are kernel memory: at most 64 are held at once (16 MiB);
    further bulk streams take the copy path and arrive intact all the same."""
    payload = os.urandom(2 * 1024 * 1024)
    recorder.respond = lambda c, h: c.sendall(
        b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n" % len(payload) + payload)
    sw = sockward(*ALLOW, listen="unix://%s" % (tmp_path / "u.sock"),
                  upstream=recorder.path)
    pid = sw.proc.pid
    before = _pipes(pid)
    conns = [Conn(sw.addr, timeout=20) for _ in range(80)]
    try:
        for c in conns:                       # one at a time (the fake
            c.send(get("/containers/x/export"))   # upstream's backlog), each
            assert c.read_head().status == 200    # left mid-body
            c.read_exact(512 * 1024)
        time.sleep(0.3)
        held = (_pipes(pid) - before) // 2
        assert 0 < held <= 64, held
        for c in conns:
            assert c.read_exact(len(payload) - 512 * 1024) == payload[512 * 1024:]
    finally:
        for c in conns:
            c.close()


def _export(addr, path):
    """GET path on addr (unix socket path), the de-chunked body."""
    with Conn(addr, timeout=30) as c:
        c.send(get(path))
        r = c.read_response()
    assert r.status == 200, r
    assert "chunked" in (r.header("Transfer-Encoding") or "").lower()
    return r.body


def test_real_dockerd_export_and_save(sockward, container_factory, tmp_path):
    """Against the real dockerd: `docker export` and `docker save` through a
    unix listener (the spliced path, chunk by chunk) give the very bytes
    that reading dockerd's socket directly gives, by raw HTTP and by the
    docker CLI."""
    ct = container_factory(start=False)
    sw = sockward("--allow", "GET,HEAD /_ping",
                  "--allow", "GET /containers/{id}/export",
                  "--allow", "GET /images/{name}/get",
                  listen="unix://%s" % (tmp_path / "sw.sock"))
    for path in ("/v1.41/containers/%s/export" % ct.id,
                 "/v1.41/images/%s/get" % TEST_IMAGE):
        want = _export(DOCKER_SOCK, path)
        assert len(want) > 256 * 1024
        got = _export(sw.unix_path, path)
        assert hashlib.sha256(got).digest() == hashlib.sha256(want).digest(), path
    env = {k: v for k, v in os.environ.items() if not k.startswith("DOCKER_")}
    env["DOCKER_HOST"] = sw.url
    env["DOCKER_CONFIG"] = str(tmp_path / "dockercfg")
    os.makedirs(env["DOCKER_CONFIG"], exist_ok=True)
    out = tmp_path / "export.tar"
    r = subprocess.run(["docker", "export", "-o", str(out), ct.id], env=env,
                       capture_output=True, timeout=60)
    assert r.returncode == 0, r.stderr
    want = _export(DOCKER_SOCK, "/v1.41/containers/%s/export" % ct.id)
    assert out.read_bytes() == want
