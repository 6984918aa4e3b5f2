"""Robustness: resource leaks, crashes on client aborts, Expect, HTTP/1.0
streams, upgrade smuggling, timeouts during long requests, concurrency."""

import json
import os
import socket
import threading
import time

import pytest

from conftest import (HIJACK_ALLOW, Sockward, assert_denied, demux, get,
                      proc_value)

H = b"Host: docker\r\n"


def _settle_fds(sw, limit, timeout=4.0):
    deadline = time.time() + timeout
    while time.time() < deadline:
        n = sw.fd_count()
        if n <= limit:
            return n
        time.sleep(0.1)
    return sw.fd_count()


def test_no_fd_leak_on_keepalive_clients(sockward):
    sw = sockward()
    with sw.conn() as c:
        c.send(get("/_ping"))
        c.read_response()
    time.sleep(0.3)
    base = sw.fd_count()
    for i in range(60):
        c = sw.conn()
        c.send(get("/v1.41/containers/json") if i % 2 else get("/info"))
        if i % 3:
            c.read_response()
        c.close()                 # some before the response arrived
    n = _settle_fds(sw, base + 2)
    assert n <= base + 2, "fds: %d before, %d after 60 closed clients" % (base, n)
    assert sw.get("/_ping").status == 200


def test_aborted_event_streams_release_upstream(sockward, container_factory):
    """Clients that vanish from /events: sockward must close the upstream
    side, and survive writing an event to a dead client (SIGPIPE)."""
    sw = sockward()
    with sw.conn() as c:
        c.send(get("/_ping"))
        c.read_response()
    time.sleep(0.3)
    base = sw.fd_count()
    conns = []
    for _ in range(10):
        c = sw.conn()
        c.send(get("/v1.41/events"))
        assert c.read_head().status == 200
        conns.append(c)
    assert sw.fd_count() >= base + 10
    for c in conns:
        c.sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
        c.close()               # RST
    container_factory()         # an event to write to the dead clients
    n = _settle_fds(sw, base + 2, timeout=5)
    assert n <= base + 2, "fds: %d before, %d after closing 10 event streams" % (base, n)
    assert sw.alive()
    assert sw.get("/_ping").status == 200


def test_aborted_hijack_releases_upstream(dclient, container_factory, tmp_path):
    sw = Sockward(HIJACK_ALLOW, str(tmp_path))
    try:
        ct = container_factory()
        with sw.conn() as c:
            c.send(get("/_ping"))
            c.read_response()
        time.sleep(0.3)
        base = sw.fd_count()
        eids = []
        for _ in range(5):
            eid = dclient.api.exec_create(ct.id, ["/testbox", "cat"], stdin=True)["Id"]
            eids.append(eid)
            body = b'{"Detach":false,"Tty":false}'
            c = sw.conn()
            c.send(b"POST /exec/%s/start HTTP/1.1\r\n" % eid.encode() + H +
                   b"Connection: Upgrade\r\nUpgrade: tcp\r\nContent-Type: application/json\r\n"
                   b"Content-Length: %d\r\n\r\n" % len(body) + body)
            assert c.read_head().status == 101
            c.close()
        n = _settle_fds(sw, base + 2, timeout=5)
        assert n <= base + 2, "fds: %d before, %d after closing 5 hijacked exec" % (base, n)
        # dockerd saw stdin close: every cat has exited
        deadline = time.time() + 5
        while time.time() < deadline and any(dclient.api.exec_inspect(e)["Running"] for e in eids):
            time.sleep(0.1)
        assert not any(dclient.api.exec_inspect(e)["Running"] for e in eids)
    finally:
        sw.stop()


def test_http10_event_stream_is_dechunked(proxy, container_factory):
    with proxy.conn(timeout=10) as c:
        c.send(b"GET /v1.41/events HTTP/1.0\r\n\r\n")
        r = c.read_head()
        assert r.status == 200, r
        assert r.header("Transfer-Encoding") is None, r
        ct = container_factory(start=False)
        deadline = time.time() + 10
        while ct.id.encode() not in c.buf and time.time() < deadline:
            c._fill()
        ev = json.loads(c.buf.split(b"\n")[0])
        assert ev["id"] == ct.id and ev["Action"] == "create", c.buf


def test_upgrade_on_plain_endpoint_does_not_tunnel(proxy):
    """An Upgrade header on an endpoint that never hijacks must not turn the
    connection into a tunnel that skips the policy."""
    with proxy.conn(timeout=4) as c:
        c.send(get("/v1.41/version", extra=b"Connection: Upgrade\r\nUpgrade: tcp\r\n"))
        r = c.read_response()
        assert r.status in (200, 400), r
        if r.status == 200:
            assert "ApiVersion" in r.json()
            c.send(get("/info"))
            assert_denied(c.read_response(), "GET", "/info")


def test_expect_continue_allowed(tmp_path, container_factory):
    sw = Sockward(HIJACK_ALLOW, str(tmp_path))
    try:
        ct = container_factory()
        body = json.dumps({"AttachStdout": True, "Cmd": ["/testbox", "echo", "x"]}).encode()
        with sw.conn(timeout=5) as c:
            c.send(b"POST /v1.41/containers/%s/exec HTTP/1.1\r\n" % ct.id.encode() + H +
                   b"Content-Type: application/json\r\nExpect: 100-continue\r\n"
                   b"Content-Length: %d\r\n\r\n" % len(body))
            r = c.read_head()
            assert r.status == 100, r
            c.send(body)
            r = c.read_response()
            assert r.status == 201 and "Id" in r.json(), r
            c.send(get("/_ping"))
            assert c.read_response().status == 200
    finally:
        sw.stop()


def test_expect_continue_denied(proxy):
    with proxy.conn(timeout=3) as c:
        c.send(b"POST /containers/create HTTP/1.1\r\n" + H +
               b"Content-Type: application/json\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\n")
        r = c.read_response()       # without sending the body
        assert_denied(r, "POST", "/containers/create")


def test_chunked_request_body_forwarded(tmp_path, container_factory):
    sw = Sockward(HIJACK_ALLOW, str(tmp_path))
    try:
        ct = container_factory()
        body = json.dumps({"AttachStdout": True, "Cmd": ["/testbox", "echo", "x"]}).encode()
        chunked = b"".join(b"%x\r\n%s\r\n" % (len(body[i:i + 7]), body[i:i + 7])
                           for i in range(0, len(body), 7)) + b"0\r\n\r\n"
        with sw.conn(timeout=5) as c:
            c.send(b"POST /containers/%s/exec HTTP/1.1\r\n" % ct.id.encode() + H +
                   b"Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n" +
                   chunked + get("/_ping"))
            r = c.read_response()
            assert r.status == 201, r
            assert c.read_response().status == 200
    finally:
        sw.stop()


def test_body_on_allowed_get_keeps_framing(rec_sw):
    sw, up = rec_sw
    with sw.conn(timeout=4) as c:
        body = b"GET /info HTTP/1.1\r\nX: y\r\n\r\n"
        c.send(b"GET /_ping HTTP/1.1\r\n" + H + b"Content-Length: %d\r\n\r\n" % len(body) +
               body + get("/version"))
        assert c.read_response().status == 200
        assert c.read_response().status == 200
        c.assert_open()
    time.sleep(0.05)
    assert len(up.requests) == 2, up.requests
    assert up.requests[0].endswith(b"\r\n\r\nGET /info HTTP/1.1\r\nX: y\r\n\r\n")
    assert up.requests[1].startswith(b"GET /version HTTP/1.1\r\n")


def test_percent_encoded_allowed_path(rec_sw):
    sw, up = rec_sw
    assert sw.get("/v1.41/%5Fping").status == 200
    assert sw.get("/containers/abc%2Ddef/json").status == 200
    time.sleep(0.05)
    assert up.requests[0].startswith(b"GET /v1.41/_ping HTTP/1.1\r\n"), up.requests
    assert up.requests[1].startswith(b"GET /containers/abc-def/json HTTP/1.1\r\n"), up.requests


@pytest.fixture
def rec_sw(sockward, recorder):
    return sockward(upstream=recorder.path), recorder


def test_idle_timeout_does_not_cut_pending_request(sockward, container_factory):
    sw = sockward("--idle-timeout", "1", "--allow", "POST /containers/{id}/wait")
    ct = container_factory()
    with sw.conn(timeout=10) as c:
        c.send(get("/containers/%s/wait" % ct.id, method="POST"))
        time.sleep(2.5)
        ct.stop(timeout=5)
        r = c.read_response()
        assert r.status == 200, r
        assert r.json()["StatusCode"] == 0, r


def test_idle_timeout_does_not_cut_hijack(sockward, dclient, container_factory):
    sw = sockward("--idle-timeout", "1", *HIJACK_ALLOW)
    ct = container_factory()
    eid = dclient.api.exec_create(ct.id, ["/testbox", "cat"], stdin=True)["Id"]
    body = b'{"Detach":false,"Tty":false}'
    with sw.conn(timeout=10) as c:
        c.send(b"POST /exec/%s/start HTTP/1.1\r\n" % eid.encode() + H +
               b"Content-Type: application/json\r\nContent-Length: %d\r\n\r\n" % len(body) + body)
        assert c.read_head().status == 200
        time.sleep(2.5)
        c.send(b"late\n")
        c.sock.shutdown(socket.SHUT_WR)
        out = c.read_until_eof(10)
    assert demux(out)[0] == b"late\n"


def test_concurrent_clients(proxy):
    errors = []

    def worker(i):
        try:
            with proxy.conn(timeout=10) as c:
                for _ in range(5):
                    c.send(get("/v1.41/containers/json?all=1") if i % 2 else get("/images/json"))
                    r = c.read_response()
                    assert r.status == (200 if i % 2 else 403), r
        except Exception as e:       # noqa: BLE001 - collected for the assert
            errors.append(repr(e))

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(40)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert not errors, errors[:5]


def test_client_closes_before_upstream_answers(proxy):
    for _ in range(20):
        c = proxy.conn()
        c.send(get("/v1.41/containers/json?all=1") + get("/version"))
        c.sock.shutdown(socket.SHUT_WR)
        c.close()
    time.sleep(0.3)
    assert proxy.alive()
    assert proxy.get("/_ping").status == 200


def test_half_closed_client_still_gets_response(proxy):
    with proxy.conn(timeout=4) as c:
        c.send(get("/_ping"))
        c.sock.shutdown(socket.SHUT_WR)
        r = c.read_response()
        assert (r.status, r.body) == (200, b"OK"), r


def test_hijack_bytes_sent_with_the_head(sockward, dclient, container_factory):
    """A client that sends stdin right behind the exec start request, before
    the 101, must not lose those bytes."""
    sw = sockward(*HIJACK_ALLOW)
    ct = container_factory()
    eid = dclient.api.exec_create(ct.id, ["/testbox", "cat"], stdin=True)["Id"]
    body = b'{"Detach":false,"Tty":false}'
    with sw.conn(timeout=10) as c:
        c.send(b"POST /exec/%s/start HTTP/1.1\r\n" % eid.encode() + H +
               b"Connection: Upgrade\r\nUpgrade: tcp\r\nContent-Type: application/json\r\n"
               b"Content-Length: %d\r\n\r\n" % len(body) + body + b"early bytes\n")
        assert c.read_head().status == 101
        c.sock.shutdown(socket.SHUT_WR)
        out = c.read_until_eof(10)
    assert demux(out)[0] == b"early bytes\n"


def _echo_request_line(c, head):
    line = head.split(b"\r\n")[0]
    c.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n" % len(line) + line)


def test_many_pipelined_requests_in_order(rec_sw):
    sw, up = rec_sw
    up.respond = _echo_request_line
    n = 200
    with sw.conn(timeout=10) as c:
        # A route whose answers pass as they come (not JSON here).
        c.send(b"".join(get("/networks?n=%d" % i) for i in range(n)))
        for i in range(n):
            r = c.read_response()
            assert r.body == b"GET /networks?n=%d HTTP/1.1" % i, (i, r)
        c.assert_open()


def test_many_pipelined_local_answers(rec_sw):
    """Requests answered by sockward itself (403) need no upstream event to
    move on: a long pipeline of them must not stall after the per-event
    share (16 exchanges), and the connection stays usable."""
    sw, up = rec_sw
    n = 300
    with sw.conn(timeout=10) as c:
        c.send(get("/secrets") * n + get("/version"))
        for i in range(n):
            assert_denied(c.read_response(), "GET", "/secrets")
        assert c.read_response().status == 200
        c.assert_open()
    assert len(up.requests) == 1


def test_access_lines_written_in_batches(rec_sw):
    """Access lines go out with one write per event-loop pass, not one per
    request: 200 pipelined answers cost their 200 response writes and a
    handful of log writes (with a write per line it would be 400)."""
    sw, up = rec_sw
    if "valgrind" in os.readlink("/proc/%d/exe" % sw.proc.pid):
        pytest.skip("under valgrind the count includes valgrind's own writes")
    n = 200
    before = proc_value(sw.proc.pid, "io", "syscw")
    with sw.conn(timeout=10) as c:
        c.send(get("/secrets") * n)
        for _ in range(n):
            assert c.read_response().status == 403
    deadline = time.time() + 3
    while True:
        lines = [ln for ln in sw.log().splitlines() if "status=403" in ln]
        if len(lines) >= n or time.time() > deadline:
            break
        time.sleep(0.05)
    writes = proc_value(sw.proc.pid, "io", "syscw") - before
    assert n <= writes <= n + 40, writes
    # every line is there and whole
    assert len(lines) == n
    assert all(" info access " in ln and ln.endswith('"') for ln in lines)


def test_large_request_body_forwarded(rec_sw):
    sw, up = rec_sw
    body = bytes(range(256)) * 8192            # 2 MiB
    with sw.conn(timeout=10) as c:
        c.send(b"GET /version HTTP/1.1\r\n" + H + b"Content-Length: %d\r\n\r\n" % len(body) + body)
        assert c.read_response().status == 200
    time.sleep(0.1)
    assert len(up.requests) == 1
    assert up.requests[0].split(b"\r\n\r\n", 1)[1] == body


def test_slow_body_not_cut_by_header_timeout(sockward, recorder):
    sw = sockward("--header-timeout", "1", upstream=recorder.path)
    with sw.conn(timeout=10) as c:
        c.send(b"GET /version HTTP/1.1\r\n" + H + b"Content-Length: 6\r\n\r\n")
        for b in b"abcdef":
            time.sleep(0.4)
            c.send(bytes([b]))
        assert c.read_response().status == 200
    assert recorder.requests[0].endswith(b"\r\n\r\nabcdef")


def test_head_just_under_limits_is_accepted(rec_sw):
    sw, up = rec_sw
    # 63 extra fields + Host = 64 fields; a head of about 15 KiB
    extra = b"".join(b"X-F%02d: %s\r\n" % (i, b"v" * 200) for i in range(63))
    data = b"GET /version HTTP/1.1\r\n" + H + extra + b"\r\n"
    assert len(data) < 16384
    assert sw.request(data).status == 200
    # a long but legal target
    assert sw.get("/containers/json?filters=" + "a" * 8000).status == 200
