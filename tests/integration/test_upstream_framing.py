"""Relaying the upstream's responses: every framing dockerd may use, and an
upstream that misbehaves.  Uses a scripted upstream instead of dockerd."""

import hashlib
import time

import pytest

from conftest import assert_sockward_error, get

H = b"Host: docker\r\n"


@pytest.fixture
def up_sw(sockward, recorder):
    return sockward(upstream=recorder.path), recorder


def _send(body):
    def respond(c, head):
        c.sendall(body)
    return respond


def test_large_length_body(up_sw):
    sw, up = up_sw
    payload = bytes(range(256)) * (16 * 1024)          # 4 MiB
    up.respond = _send(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                       b"Content-Length: %d\r\n\r\n" % len(payload) + payload)
    with sw.conn(timeout=10) as c:
        c.send(get("/version") + get("/version"))
        for _ in range(2):
            r = c.read_response()
            assert r.status == 200
            assert hashlib.sha256(r.body).digest() == hashlib.sha256(payload).digest()
        c.assert_open()


def test_chunked_body_with_extensions_and_trailers(up_sw):
    sw, up = up_sw
    chunks = [b"a" * 10, b"b" * 3000, b"c"]
    raw = b"".join(b"%x;ext=1\r\n%s\r\n" % (len(x), x) for x in chunks) + b"0\r\nX-Trailer: t\r\n\r\n"
    up.respond = _send(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" + raw)
    with sw.conn(timeout=5) as c:
        c.send(get("/networks") + get("/version"))
        r = c.read_response()
        assert r.status == 200 and r.body == b"".join(chunks), r
        r = c.read_response()          # framing kept: the next response follows
        assert r.status == 200 and r.body == b"".join(chunks), r


def test_chunked_body_to_http10_client(up_sw):
    sw, up = up_sw
    up.respond = _send(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                       b"5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n")
    with sw.conn(timeout=5) as c:
        c.send(b"GET /version HTTP/1.0\r\n\r\n")
        r = c.read_head()
        assert r.status == 200
        assert r.header("Transfer-Encoding") is None, r
        body = c.read_until_eof(3)
        if r.header("Content-Length") is not None:
            body = body[:int(r.header("Content-Length"))]
        assert body == b"hello world"


def test_close_delimited_body(up_sw):
    sw, up = up_sw

    def respond(c, head):
        c.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\nuntil the end")
        return "close"
    up.respond = respond
    with sw.conn(timeout=5) as c:
        c.send(get("/version"))
        r = c.read_response()
        assert r.status == 200 and r.body == b"until the end", r
        if r.header("Transfer-Encoding") is None and r.header("Content-Length") is None:
            return            # close-delimited for the client too (EOF seen)
        # re-framed for the client: the connection stays usable
        up.respond = None
        c.send(get("/_ping"))
        assert c.read_response().status == 200


def test_head_response_with_length_but_no_body(up_sw):
    """HEAD answers carry Content-Length of the GET body but no body:
    sockward must not wait for it (Traefik's HEAD /_ping)."""
    sw, up = up_sw
    up.respond = _send(b"HTTP/1.1 200 OK\r\nApi-Version: 1.41\r\nContent-Length: 2\r\n\r\n")
    with sw.conn(timeout=2) as c:
        for target in ["/_ping", "/v1.41/_ping"]:
            c.send(get(target, method="HEAD"))
            r = c.read_head()
            assert r.status == 200 and r.header("Api-Version") == "1.41", r
        c.assert_open(0.3)
        up.respond = None
        c.send(get("/_ping"))
        assert c.read_response().status == 200


@pytest.mark.parametrize("status", [204, 304])
def test_bodyless_statuses(up_sw, status):
    sw, up = up_sw
    up.respond = _send(b"HTTP/1.1 %d X\r\n\r\n" % status)
    with sw.conn(timeout=2) as c:
        c.send(get("/version"))
        assert c.read_head().status == status
        up.respond = None
        c.send(get("/_ping"))
        assert c.read_response().status == 200


def test_upstream_dies_mid_body(up_sw):
    sw, up = up_sw

    def respond(c, head):
        c.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nonly part")
        return "close"
    up.respond = respond
    with sw.conn(timeout=4) as c:
        c.send(get("/version"))
        r = c.read_head()
        assert r.status == 200
        got = c.read_until_eof(3)
        assert got == b"only part", got         # then the client sees EOF
    assert sw.alive()


@pytest.mark.parametrize("resp", [
    b"garbage\r\n\r\n",
    b"HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab",
    b"HTTP/1.1 200 OK\r\nX: " + b"a" * 20000 + b"\r\n\r\n",
], ids=["garbage", "dup-length", "huge-head"])
def test_bad_upstream_response_is_502(up_sw, resp):
    sw, up = up_sw

    def respond(c, head):
        c.sendall(resp)
        return "close"
    up.respond = respond
    with sw.conn(timeout=4) as c:
        c.send(get("/version"))
        assert_sockward_error(c.read_response(), 502)
    assert sw.alive()


def test_upstream_101_on_plain_request_is_not_a_tunnel(up_sw):
    """A 101 to a request on an endpoint that never hijacks must not open
    a tunnel past the policy."""
    sw, up = up_sw

    def respond(c, head):
        c.sendall(b"HTTP/1.1 101 UPGRADED\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\n")
        time.sleep(1)
        return "close"
    up.respond = respond
    with sw.conn(timeout=4) as c:
        c.send(get("/version"))
        r = c.read_head()
        assert r.status != 101, r
    up.reset()
    up.respond = None
    time.sleep(0.2)
    assert sw.alive()


def test_upstream_closes_keepalive_between_requests(up_sw):
    """dockerd may close an idle upstream connection; the next request must
    still be served."""
    sw, up = up_sw

    def respond(c, head):
        c.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nOK")
        return "close"
    up.respond = respond
    with sw.conn(timeout=4) as c:
        for _ in range(3):
            c.send(get("/_ping"))
            r = c.read_response()
            assert (r.status, r.body) == (200, b"OK"), r
            time.sleep(0.1)
