"""Judged request bodies (issue 12): sockward reads a create body whole,
judges it, and forwards exactly the bytes it judged, framed by
Content-Length, whatever framing the client used.  A recording upstream
shows every byte that reached it.  `--profile watchtower` allows
POST /containers/create; until the real body policy lands, a body holding
'"Privileged":true' is refused (403) and one that is not {...} is
malformed (400)."""

import select
import time

import pytest

from conftest import assert_sockward_error, get

H = b"Host: docker\r\n"
CREATE = (b"POST /v1.41/containers/create?name=web HTTP/1.1\r\n" + H +
          b"Content-Type: application/json\r\n")
BODY = (b'{"Image":"sockward-testbox:test","Cmd":["/testbox","echo","hi"],'
        b'"Labels":{"sockward-test":"1"},"Env":["A=\\u0041"]}')
PRIV = b'{"Image":"sockward-testbox:test","HostConfig":{"Privileged":true}}'
BODY_MAX = 1024 * 1024          # the default body-max


@pytest.fixture
def up_sw(sockward, recorder):
    return sockward("--profile", "watchtower", upstream=recorder.path), recorder


def cl(body, extra=b""):
    return CREATE + extra + b"Content-Length: %d\r\n\r\n" % len(body)


def chunked(body, size=7):
    out = CREATE + b"Transfer-Encoding: chunked\r\n\r\n"
    for i in range(0, len(body), size):
        piece = body[i:i + size]
        out += b"%x\r\n%s\r\n" % (len(piece), piece)
    return out + b"0\r\n\r\n"


def forwarded(up, n=1, timeout=3.0):
    """The first n requests the upstream parsed (head + body)."""
    deadline = time.time() + timeout
    while len(up.requests) < n:
        assert time.time() < deadline, up.received()
        time.sleep(0.02)
    return up.requests[:n]


def split(req):
    head, body = req.split(b"\r\n\r\n", 1)
    lines = head.lower().split(b"\r\n")
    return lines, body


def assert_framed(req, body):
    lines, got = split(req)
    assert lines[0].startswith(b"post /v1.41/containers/create?name=web ")
    assert b"content-length: %d" % len(body) in lines, lines
    assert not any(ln.startswith(b"transfer-encoding") for ln in lines), lines
    assert not any(ln.startswith(b"expect") for ln in lines), lines
    assert got == body


def test_length_body_forwarded_exactly(up_sw):
    sw, up = up_sw
    with sw.conn() as c:
        c.send(cl(BODY) + BODY)
        assert c.read_response().status == 200
        c.assert_open()
    (req,) = forwarded(up)
    assert_framed(req, BODY)
    assert up.received() == req        # nothing else reached it


def test_chunked_body_arrives_with_length(up_sw):
    sw, up = up_sw
    with sw.conn() as c:
        c.send(chunked(BODY))
        assert c.read_response().status == 200
        c.assert_open()
    (req,) = forwarded(up)
    assert_framed(req, BODY)
    assert up.received() == req


def test_body_sent_piecewise(up_sw):
    """Head and body in many small writes: nothing reaches the upstream
    before the last byte, then all of it at once."""
    sw, up = up_sw
    raw = chunked(BODY, size=3)
    with sw.conn() as c:
        last = len(raw) - 5             # inside the final "0\r\n\r\n"
        for i in range(0, last, 40):
            c.send(raw[i:min(i + 40, last)])
            time.sleep(0.01)
        time.sleep(0.2)
        assert up.received() == b"", up.received()
        c.send(raw[last:])
        assert c.read_response().status == 200
    assert_framed(forwarded(up)[0], BODY)


@pytest.mark.parametrize("framing", ["length", "chunked"])
def test_refused_body_never_reaches_upstream(up_sw, framing):
    sw, up = up_sw
    raw = cl(PRIV) + PRIV if framing == "length" else chunked(PRIV)
    with sw.conn() as c:
        c.send(raw)
        r = c.read_response()
        msg = assert_sockward_error(r, 403)
        assert "HostConfig.Privileged=true" in msg, msg
        assert r.header("Connection") == "keep-alive", r
        # the body was read whole: the connection serves the next request
        c.send(get("/v1.41/containers/json"))
        assert c.read_response().status == 200
    (req,) = forwarded(up)
    assert req.startswith(b"GET /v1.41/containers/json ")
    assert b"Privileged" not in up.received()
    assert "/containers/create" in sw.log() and "body" in sw.log()


def test_malformed_body_400(up_sw):
    sw, up = up_sw
    with sw.conn() as c:
        c.send(cl(b"[1,2]") + b"[1,2]")
        msg = assert_sockward_error(c.read_response(), 400)
        assert "request body refused" in msg, msg
        c.assert_open()
    assert up.received() == b""


def test_413_by_content_length_without_continue(up_sw):
    sw, up = up_sw
    with sw.conn() as c:
        c.send(cl(b"x" * (BODY_MAX + 1), extra=b"Expect: 100-continue\r\n"))
        r = c.read_response()
        # no 100 Continue first: the client never sends the body
        msg = assert_sockward_error(r, 413)
        assert msg == ("sockward: request body larger than %d bytes "
                       "(body-max)" % BODY_MAX), msg
        assert c.is_closed()
    assert up.received() == b""


def test_body_of_exactly_body_max_passes(up_sw):
    sw, up = up_sw
    body = b'{"Image":"' + b"a" * (BODY_MAX - 12) + b'"}'
    assert len(body) == BODY_MAX
    with sw.conn(timeout=10) as c:
        c.send(cl(body) + body)
        assert c.read_response().status == 200
    assert_framed(forwarded(up)[0], body)


def test_413_chunked_growth(up_sw):
    sw, up = up_sw
    piece = b"a" * 65536
    with sw.conn(timeout=10) as c:
        c.send(CREATE + b"Transfer-Encoding: chunked\r\n\r\n")
        try:
            for _ in range(BODY_MAX // len(piece) + 2):
                c.send(b"%x\r\n%s\r\n" % (len(piece), piece))
        except (BrokenPipeError, ConnectionResetError):
            pass        # sockward answered and closed while we wrote
        r = c.read_response()
        assert_sockward_error(r, 413)
        assert r.header("Connection") == "close"
    assert up.received() == b""


def test_drip_fed_body_408(sockward, recorder):
    """The body timeout bounds the whole judged body from the end of the
    head: bytes arriving every 0.2 s do not stretch it."""
    sw = sockward("--profile", "watchtower", "--body-timeout", "1",
                  upstream=recorder.path)
    with sw.conn(timeout=6) as c:
        c.send(cl(BODY))
        t0 = time.monotonic()
        r = None
        for b in BODY:
            try:
                c.send(bytes([b]))
            except (BrokenPipeError, ConnectionResetError):
                break
            # The answer may come while sockward still drains what the
            # client sends (a gentle close): stop dripping once it does.
            if select.select([c.sock], [], [], 0.2)[0]:
                break
            if time.monotonic() - t0 > 3:
                break
        r = c.read_response()
        waited = time.monotonic() - t0
        msg = assert_sockward_error(r, 408)
        assert "request body" in msg
        assert 0.8 < waited < 2.5, waited
        assert c.is_closed()
    assert recorder.received() == b""


def test_expect_continue(up_sw):
    sw, up = up_sw
    with sw.conn() as c:
        c.send(cl(BODY, extra=b"Expect: 100-continue\r\n"))
        r = c.read_head()
        assert r.status == 100, r
        time.sleep(0.1)
        assert up.received() == b""
        c.send(BODY)
        assert c.read_response().status == 200
    assert_framed(forwarded(up)[0], BODY)


@pytest.mark.parametrize("framing", ["length", "chunked"])
def test_pipelined_request_after_body(up_sw, framing):
    sw, up = up_sw
    first = cl(BODY) + BODY if framing == "length" else chunked(BODY)
    with sw.conn() as c:
        c.send(first + get("/v1.41/containers/json") + cl(PRIV) + PRIV +
               get("/_ping"))
        assert c.read_response().status == 200
        assert c.read_response().status == 200
        assert c.read_response().status == 403
        assert c.read_response().status == 200
        c.assert_open()
    reqs = forwarded(up, 3)
    assert_framed(reqs[0], BODY)
    assert reqs[1].startswith(b"GET /v1.41/containers/json ")
    assert reqs[2].startswith(b"GET /_ping ")
    assert b"Privileged" not in up.received()
