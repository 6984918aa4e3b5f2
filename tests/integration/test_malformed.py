"""Malformed requests, pipelining, HTTP/1.0, timeouts, the access log, and
exactly what reaches the upstream."""

import json
import os
import shutil
import socket
import tempfile
import time

import pytest

from conftest import (RecordingUpstream, Sockward, assert_denied,
                      assert_sockward_error, get)

H = b"Host: docker\r\n"


@pytest.fixture(scope="module")
def rec(tmp_path_factory):
    d = tempfile.mkdtemp(prefix="swrec")
    up = RecordingUpstream(os.path.join(d, "up.sock"))
    sw = Sockward([], str(tmp_path_factory.mktemp("swrec")), upstream=up.path)
    sw.upstream = up
    yield sw
    sw.stop()
    up.close()
    shutil.rmtree(d, ignore_errors=True)


MALFORMED = [
    ("cl-and-te", b"GET /_ping HTTP/1.1\r\n" + H +
     b"Content-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", {400}),
    ("te-and-cl", b"GET /_ping HTTP/1.1\r\n" + H +
     b"Transfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n0\r\n\r\n", {400}),
    ("dup-cl-same", b"GET /_ping HTTP/1.1\r\n" + H +
     b"Content-Length: 0\r\nContent-Length: 0\r\n\r\n", {400}),
    ("dup-cl-diff", b"GET /_ping HTTP/1.1\r\n" + H +
     b"Content-Length: 0\r\nContent-Length: 3\r\n\r\nabc", {400}),
    ("cl-not-number", b"GET /_ping HTTP/1.1\r\n" + H + b"Content-Length: abc\r\n\r\n", {400}),
    ("cl-negative", b"GET /_ping HTTP/1.1\r\n" + H + b"Content-Length: -1\r\n\r\n", {400}),
    ("cl-plus", b"GET /_ping HTTP/1.1\r\n" + H + b"Content-Length: +0\r\n\r\n", {400}),
    ("te-gzip", b"GET /_ping HTTP/1.1\r\n" + H + b"Transfer-Encoding: gzip\r\n\r\n", {501}),
    ("te-gzip-chunked", b"GET /_ping HTTP/1.1\r\n" + H +
     b"Transfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n", {400, 501}),
    ("obs-fold", b"GET /_ping HTTP/1.1\r\n" + H + b"X-A: a\r\n b\r\n\r\n", {400}),
    ("obs-fold-tab", b"GET /_ping HTTP/1.1\r\n" + H + b"X-A: a\r\n\tb\r\n\r\n", {400}),
    ("bare-lf", b"GET /_ping HTTP/1.1\nHost: docker\n\n", {400}),
    ("bare-lf-header", b"GET /_ping HTTP/1.1\r\nHost: docker\nX-A: b\r\n\r\n", {400}),
    ("bare-cr-header", b"GET /_ping HTTP/1.1\r\nHost: docker\rX-A: b\r\n\r\n", {400}),
    ("space-before-colon", b"GET /_ping HTTP/1.1\r\nHost : docker\r\n\r\n", {400}),
    ("header-name-space", b"GET /_ping HTTP/1.1\r\n" + H + b"X A: b\r\n\r\n", {400}),
    ("no-colon", b"GET /_ping HTTP/1.1\r\n" + H + b"XA\r\n\r\n", {400}),
    ("double-space", b"GET  /_ping HTTP/1.1\r\n" + H + b"\r\n", {400}),
    ("absolute-form", b"GET http://docker/_ping HTTP/1.1\r\n" + H + b"\r\n", {400}),
    ("connect", b"CONNECT 127.0.0.1:2375 HTTP/1.1\r\nHost: 127.0.0.1:2375\r\n\r\n", {501}),
    ("http09", b"GET /_ping\r\n", {400}),
    ("http2-preface", b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", {505}),
    ("http-1.2", b"GET /_ping HTTP/1.2\r\n" + H + b"\r\n", {505}),
    ("http-2.0", b"GET /_ping HTTP/2.0\r\n" + H + b"\r\n", {505}),
    ("head-too-big", b"GET /_ping HTTP/1.1\r\n" + H + b"X-Big: " + b"a" * 17000 + b"\r\n\r\n", {431}),
    ("too-many-headers", b"GET /_ping HTTP/1.1\r\n" + H +
     b"".join(b"X-H%d: v\r\n" % i for i in range(70)) + b"\r\n", {431}),
    ("target-too-long", b"GET /_ping?" + b"a" * 9000 + b" HTTP/1.1\r\n" + H + b"\r\n", {414}),
    ("encoded-slash", get("/containers%2Fjson"), {400}),
    ("encoded-slash-lower", get("/v1.41/containers%2fjson"), {400}),
    ("double-encoded-dot", get("/containers/%252e%252e/info"), {400}),
    ("double-encoded-slash", get("/containers%252Fjson"), {400}),
    ("encoded-dotdot", get("/containers/%2e%2e/info"), {400}),
    ("encoded-backslash", get("/containers%5Cjson"), {400}),
    ("encoded-nul", get("/_ping%00"), {400}),
    ("bad-escape", get("/_pin%g"), {400}),
    ("dotdot", get("/containers/../info"), {400}),
    ("dotdot-version", get("/v1.41/../_ping"), {400}),
    ("dot", get("/containers/./json"), {400}),
    ("double-slash", get("//containers/json"), {400}),
    ("inner-double-slash", get("/containers//json"), {400}),
    ("trailing-slash", get("/containers/json/"), {400}),
    ("bad-version-v1", get("/v1/_ping"), {400}),
    ("bad-version-3-parts", get("/v1.41.0/_ping"), {400}),
    ("version-only", get("/v1.41"), {400}),
    ("version-slash-only", get("/v1.41/"), {400}),
    ("overlong-utf8", get("/containers/%C0%AF/json"), {400}),
    ("invalid-utf8", get("/containers/%ff/json"), {400}),
    ("raw-high-byte", get(b"/containers/\xc3\xa9/json"), {400}),
    ("query-bad-escape", get("/_ping?a=%zz"), {400}),
    ("query-truncated-escape", get("/_ping?a=%2"), {400}),
    ("fragment", get("/_ping#frag"), {400}),
    ("space-in-target", b"GET /_ping?a b HTTP/1.1\r\n" + H + b"\r\n", {400}),
    ("lowercase-method", b"get /_ping HTTP/1.1\r\n" + H + b"\r\n", {501}),
    ("unknown-method", b"BREW /_ping HTTP/1.1\r\n" + H + b"\r\n", {501}),
    ("trace", b"TRACE /_ping HTTP/1.1\r\n" + H + b"\r\n", {501}),
]


def _check_rejected(sw, data, statuses):
    sw.upstream.reset()
    with sw.conn(timeout=4) as c:
        c.send(data)
        r = c.read_response()
        assert r.status in statuses, r
        assert_sockward_error(r, r.status)
        assert c.is_closed(2), "connection not closed after %d" % r.status
    time.sleep(0.05)
    assert sw.upstream.received() == b"", "malformed request reached upstream"
    assert sw.alive()
    return r


@pytest.mark.parametrize("name,data,statuses", MALFORMED, ids=[m[0] for m in MALFORMED])
def test_malformed_rejected(rec, name, data, statuses):
    _check_rejected(rec, data, statuses)


def test_malformed_after_good_request_on_same_connection(rec):
    rec.upstream.reset()
    with rec.conn(timeout=4) as c:
        c.send(get("/_ping") + b"GET /_ping HTTP/1.1\r\nHost : x\r\n\r\n")
        assert c.read_response().status == 200
        r = c.read_response()
        assert_sockward_error(r, 400)
        assert c.is_closed(2)
    time.sleep(0.05)
    assert len(rec.upstream.requests) == 1


def test_double_version_prefix_is_denied(rec):
    rec.upstream.reset()
    r = rec.get("/v1.41/v1.41/_ping")
    assert_denied(r, "GET", "/v1.41/_ping")
    assert rec.upstream.received() == b""


def test_denied_never_reaches_upstream(rec):
    rec.upstream.reset()
    for target in ["/info", "/v1.41/images/json", "/containers/abc/logs?stdout=1"]:
        with rec.conn(timeout=3) as c:
            c.send(get(target))
            r = c.read_response()
            assert r.status == 403, r
    with rec.conn(timeout=3) as c:
        c.send(b"POST /containers/create HTTP/1.1\r\n" + H +
               b"Content-Type: application/json\r\nContent-Length: 2\r\n\r\n{}")
        assert_denied(c.read_response(), "POST", "/containers/create")
        assert c.is_closed(2)
    time.sleep(0.05)
    assert rec.upstream.received() == b""


# -- what the upstream receives ---------------------------------------------

def _head_lines(raw):
    head = raw.split(b"\r\n\r\n", 1)[0]
    return head.split(b"\r\n")


def _hdrs(lines):
    out = {}
    for ln in lines[1:]:
        k, _, v = ln.partition(b":")
        out.setdefault(k.strip().lower(), []).append(v.strip())
    return out


def test_upstream_gets_canonical_request(rec):
    rec.upstream.reset()
    r = rec.request(b"GET /v1.41/%63ontainers/json?all=1 HTTP/1.1\r\nHost: example\r\n"
                    b"X-HTTP-Method-Override: POST\r\nX-Custom: keep\r\n\r\n")
    assert r.status == 200, r
    time.sleep(0.05)
    assert len(rec.upstream.requests) == 1, rec.upstream.received()
    raw = rec.upstream.requests[0]
    assert raw.startswith(b"GET /v1.41/containers/json?all=1 HTTP/1.1\r\n"), raw
    assert raw.endswith(b"\r\n\r\n"), raw
    lines = _head_lines(raw)
    hdrs = _hdrs(lines)
    assert b"x-http-method-override" not in hdrs, raw
    assert hdrs.get(b"x-custom") == [b"keep"], raw
    assert len(hdrs.get(b"host", [])) == 1, raw


def test_upstream_gets_reencoded_utf8_path(rec):
    rec.upstream.reset()
    assert rec.get("/v1.24/containers/%c3%a9/json").status == 200
    time.sleep(0.05)
    line = rec.upstream.requests[0].split(b"\r\n")[0]
    assert line.upper() == b"GET /V1.24/CONTAINERS/%C3%A9/JSON HTTP/1.1", line


def test_upstream_gets_unprefixed_path_unchanged(rec):
    rec.upstream.reset()
    assert rec.get("/containers/json?filters=%7B%22a%22%3A1%7D").status == 200
    time.sleep(0.05)
    assert rec.upstream.requests[0].startswith(
        b"GET /containers/json?filters=%7B%22a%22%3A1%7D HTTP/1.1\r\n"), rec.upstream.requests


def test_upstream_gets_hop_by_hop_headers_stripped(rec):
    """Hop-by-hop headers from the client are not passed on."""
    rec.upstream.reset()
    r = rec.request(b"GET /version HTTP/1.1\r\nHost: x\r\nConnection: keep-alive, X-Drop\r\n"
                    b"X-Drop: 1\r\nKeep-Alive: timeout=5\r\n\r\n")
    assert r.status == 200, r
    time.sleep(0.05)
    hdrs = _hdrs(_head_lines(rec.upstream.requests[0]))
    assert b"x-drop" not in hdrs, rec.upstream.requests[0]
    assert b"keep-alive" not in hdrs, rec.upstream.requests[0]


def test_method_override_ignored(proxy):
    r = proxy.request(get("/_ping", extra=b"X-HTTP-Method-Override: POST\r\n"))
    assert r.status == 200 and r.body == b"OK", r
    r = proxy.request(get("/containers/create", method="POST",
                          extra=b"X-HTTP-Method-Override: GET\r\n"))
    assert_denied(r, "POST", "/containers/create")
    r = proxy.request(get("/info", extra=b"X-HTTP-Method-Override: GET\r\n"
                          b"X-Original-URL: /_ping\r\nX-Rewrite-URL: /_ping\r\n"))
    assert_denied(r, "GET", "/info")


# -- keep-alive and pipelining (real dockerd) -------------------------------

def test_pipelined_allowed(proxy):
    with proxy.conn(timeout=4) as c:
        c.send(get("/_ping") + get("/v1.41/version") + get("/_ping", method="HEAD") + get("/_ping"))
        r1 = c.read_response()
        r2 = c.read_response()
        r3 = c.read_response("HEAD")
        r4 = c.read_response()
        assert (r1.status, r1.body) == (200, b"OK")
        assert r2.status == 200 and r2.json()["ApiVersion"] == "1.41"
        assert r3.status == 200
        assert (r4.status, r4.body) == (200, b"OK"), r4
        c.assert_open()


def test_pipelined_forbidden_after_allowed(proxy):
    with proxy.conn(timeout=4) as c:
        c.send(get("/_ping") + get("/info") + get("/v1.41/version"))
        assert c.read_response().status == 200
        assert_denied(c.read_response(), "GET", "/info")
        r = c.read_response()
        assert r.status == 200 and "ApiVersion" in r.json(), r
        c.assert_open()


def test_denied_without_body_keeps_connection(proxy):
    with proxy.conn(timeout=4) as c:
        for _ in range(3):
            c.send(get("/v1.41/info"))
            assert_denied(c.read_response(), "GET", "/info")
        c.send(get("/_ping"))
        assert c.read_response().status == 200


def test_denied_with_body_closes_connection(rec):
    rec.upstream.reset()
    with rec.conn(timeout=4) as c:
        c.send(get("/_ping") +
               b"POST /v1.41/containers/create HTTP/1.1\r\n" + H +
               b"Content-Type: application/json\r\nContent-Length: 13\r\n\r\n{\"Image\":\"x\"}" +
               get("/version"))
        assert c.read_response().status == 200
        assert_denied(c.read_response(), "POST", "/containers/create")
        assert c.is_closed(2)
    time.sleep(0.05)
    assert len(rec.upstream.requests) == 1
    assert rec.upstream.requests[0].startswith(b"GET /_ping HTTP/1.1\r\n")


def test_denied_with_chunked_body_closes_connection(rec):
    rec.upstream.reset()
    with rec.conn(timeout=4) as c:
        c.send(b"POST /containers/create HTTP/1.1\r\n" + H +
               b"Transfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n" + get("/_ping"))
        assert_denied(c.read_response(), "POST", "/containers/create")
        assert c.is_closed(2)
    time.sleep(0.05)
    assert rec.upstream.received() == b""


def test_http10_closes(proxy):
    with proxy.conn(timeout=4) as c:
        c.send(b"GET /_ping HTTP/1.0\r\n\r\n")
        r = c.read_response()
        assert (r.status, r.body) == (200, b"OK"), r
        assert c.is_closed(2)


def test_http10_keep_alive(proxy):
    with proxy.conn(timeout=4) as c:
        c.send(b"GET /_ping HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
        r = c.read_response()
        assert (r.status, r.body) == (200, b"OK"), r
        assert r.header("Content-Length") == "2", r
        c.assert_open()
        c.send(b"GET /v1.41/version HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
        r = c.read_response()
        assert r.status == 200 and r.json()["ApiVersion"] == "1.41", r


def test_http10_denied(proxy):
    with proxy.conn(timeout=4) as c:
        c.send(b"GET /info HTTP/1.0\r\n\r\n")
        assert_denied(c.read_response(), "GET", "/info")
        assert c.is_closed(2)


def test_http11_connection_close(proxy):
    with proxy.conn(timeout=4) as c:
        c.send(get("/_ping", extra=b"Connection: close\r\n"))
        r = c.read_response()
        assert r.status == 200, r
        assert c.is_closed(2)


# -- timeouts -----------------------------------------------------------------

def _wait_eof(c, limit):
    """Seconds until the peer closes c (ignoring any bytes it sends, e.g. a
    408), or None if it stays open for limit seconds."""
    t0 = time.time()
    c.sock.settimeout(0.1)
    while time.time() - t0 < limit:
        try:
            d = c.sock.recv(65536)
        except socket.timeout:
            continue
        except ConnectionResetError:
            return time.time() - t0
        if not d:
            return time.time() - t0
    return None


def test_header_timeout_incomplete_head(sockward, recorder):
    sw = sockward("--header-timeout", "1", upstream=recorder.path)
    with sw.conn() as c:
        c.send(b"GET /_ping HTTP/1.1\r\nHost: x\r\n")
        t = _wait_eof(c, 5)
        assert t is not None, "incomplete head not cut after --header-timeout 1"
        assert 0.7 <= t <= 3.5, t
    assert recorder.received() == b""


def test_header_timeout_slow_drip(sockward, recorder):
    """A head that keeps trickling in is still cut at the deadline."""
    sw = sockward("--header-timeout", "2", upstream=recorder.path)
    with sw.conn() as c:
        c.send(b"GET /_ping HTTP/1.1\r\n")
        t0 = time.time()
        closed = False
        while time.time() - t0 < 6:
            try:
                c.send(b"X-Slow: 1\r\n")
            except (BrokenPipeError, ConnectionResetError):
                closed = True
                break
            if _wait_eof(c, 0.4) is not None:
                closed = True
                break
        elapsed = time.time() - t0
        assert closed, "slow head never cut"
        assert 1.5 <= elapsed <= 4.5, elapsed
    assert recorder.received() == b""


def test_header_timeout_default_not_tiny(sockward, recorder):
    sw = sockward(upstream=recorder.path)
    with sw.conn() as c:
        c.send(b"GET /_ping HTTP/1.1\r\nHost: x\r\n")
        time.sleep(1.5)
        c.send(b"\r\n")
        assert c.read_response().status == 200


def test_idle_timeout(sockward, recorder):
    sw = sockward("--idle-timeout", "1", upstream=recorder.path)
    with sw.conn() as c:
        c.send(get("/_ping"))
        assert c.read_response().status == 200
        c.assert_open(0.4)
        c.send(get("/_ping"))
        assert c.read_response().status == 200
        t = _wait_eof(c, 5)
        assert t is not None, "idle keep-alive connection not reaped"
        assert 0.6 <= t <= 3.5, t


# -- the access log and log injection ---------------------------------------

ACCESS_KEYS = {"time", "level", "msg", "client", "method", "target", "path",
               "status", "bytes", "duration_ms", "verdict", "rule"}


def _json_lines(sw):
    out = []
    for ln in sw.log_bytes().split(b"\n"):
        if ln.strip():
            out.append(json.loads(ln))   # every line must be one JSON object
    return out


def _access(lines):
    return [o for o in lines if "status" in o and "method" in o]


def test_json_access_log(sockward):
    sw = sockward("--log-format", "json")
    assert sw.get("/v1.41/containers/json?all=1").status == 200
    assert sw.get("/info").status == 403
    assert sw.request(get("/containers/../info")).status == 400
    time.sleep(0.2)
    acc = _access(_json_lines(sw))
    assert len(acc) == 3, acc
    for o in acc:
        assert ACCESS_KEYS <= set(o), o
    ok, deny, bad = acc
    assert (ok["method"], ok["path"], ok["status"], ok["verdict"]) == (
        "GET", "/containers/json", 200, "allow"), ok
    assert ok["target"] == "/v1.41/containers/json?all=1", ok
    assert "/containers/json" in ok["rule"], ok
    assert ok["bytes"] > 0
    assert (deny["method"], deny["path"], deny["status"], deny["verdict"]) == (
        "GET", "/info", 403, "deny"), deny
    assert (bad["status"], bad["verdict"]) == (400, "reject"), bad


def test_text_access_log(sockward):
    sw = sockward("--log-format", "text")
    assert sw.get("/v1.41/version").status == 200
    assert sw.get("/info").status == 403
    time.sleep(0.2)
    lines = [ln for ln in sw.log().splitlines() if "status=" in ln]
    assert len(lines) == 2, sw.log()
    assert "status=200" in lines[0] and "/version" in lines[0], lines
    assert "status=403" in lines[1] and "/info" in lines[1], lines


def test_log_level_error_hides_access(sockward):
    quiet = sockward("--log-level", "error")
    loud = sockward("--log-level", "debug")
    for sw in (quiet, loud):
        assert sw.get("/_ping?lvl").status == 200
    time.sleep(0.2)
    assert "/_ping?lvl" not in quiet.log()
    assert "/_ping?lvl" in loud.log()


INJECT = [
    b"GET /_ping%0d%0aFORGED%20line HTTP/1.1\r\n" + H + b"\r\n",
    b"GET /_ping?q=%0d%0aFORGED HTTP/1.1\r\n" + H + b"\r\n",
    b'GET /_ping?a=","forged":"1 HTTP/1.1\r\n' + H + b"\r\n",
    b'GET /_ping\\"forged HTTP/1.1\r\n' + H + b"\r\n",
    b"GET /_ping HTTP/1.1\r\n" + H + b"User-Agent: a\x1b[31mred\rFORGED x=1\r\n\r\n",
    b"GET /_ping HTTP/1.1\r\n" + H + b"User-Agent: \x00\x7f\xff\r\n\r\n",
    b"G\x1bET /_ping HTTP/1.1\r\n" + H + b"\r\n",
    b"GET /\xff\xfe\x1b\x07 HTTP/1.1\r\n" + H + b"\r\n",
    b"GET /_ping\rFORGED HTTP/1.1\r\n" + H + b"\r\n",
    b"GET /_ping\x0bFORGED HTTP/1.1\r\n" + H + b"\r\n",
    b"GET /_ping%1b%5b31m HTTP/1.1\r\n" + H + b"\r\n",
]


def _send_all_inject(sw):
    for data in INJECT:
        with sw.conn(timeout=3) as c:
            c.send(data)
            try:
                c.read_response()
            except (EOFError, ConnectionResetError):
                pass
    time.sleep(0.3)


def _no_control_bytes(raw):
    bad = [b for b in raw if (b < 0x20 and b != 0x0a) or b == 0x7f]
    assert not bad, "raw control bytes in log: %r" % raw


@pytest.mark.parametrize("fmt", ["text", "json"])
def test_log_injection(sockward, recorder, fmt):
    sw = sockward("--log-format", fmt, upstream=recorder.path)
    _send_all_inject(sw)
    raw = sw.log_bytes()
    _no_control_bytes(raw)
    for ln in raw.split(b"\n"):
        assert not ln.lstrip().lower().startswith(b"forged"), raw
    if fmt == "json":
        lines = _json_lines(sw)
        for o in lines:
            assert "forged" not in o, o
        acc = _access(lines)
        assert len(acc) >= len(INJECT) - 2, lines
        q = [o for o in acc if o.get("target") == "/_ping?q=%0d%0aFORGED"]
        assert len(q) == 1, acc
    else:
        n = len([ln for ln in raw.split(b"\n") if b"status=" in ln])
        assert n >= len(INJECT) - 2, raw



def _upload_then_read(addr, path, total):
    """Send a POST head announcing `total` body bytes and keep sending the
    body from a thread while reading the answer until EOF.  Returns (answer
    bytes, read error, bytes the writer sent, write error)."""
    import threading
    s = socket.create_connection(addr, timeout=10)
    s.sendall(("POST %s HTTP/1.1\r\nHost: d\r\nContent-Type: "
               "application/x-tar\r\nContent-Length: %d\r\n\r\n"
               % (path, total)).encode())
    state = {"sent": 0, "err": None}

    def pump():
        chunk = b"x" * 65536
        try:
            while state["sent"] < total:
                s.sendall(chunk)
                state["sent"] += len(chunk)
        except OSError as e:
            state["err"] = e
    t = threading.Thread(target=pump, daemon=True)
    t.start()
    got, err = b"", None
    try:
        while True:
            b = s.recv(65536)
            if not b:
                break
            got += b
    except OSError as e:
        err = e
    t.join(10)
    s.close()
    return got, err, state["sent"], state["err"]


def test_denied_upload_is_drained_not_reset(proxy):
    """A denied request whose client keeps sending its body (docker build
    sending its context, docker load an image): after the 403 sockward
    half-closes and reads the rest for a while instead of resetting the
    connection, so a client that writes before it reads (Go's transport
    reports "broken pipe" when its write fails first) gets the answer.
    Here 4 MiB of body after the answer are taken without an error, and
    the answer ends with a clean EOF."""
    total = 4 * 1024 * 1024
    got, err, sent, werr = _upload_then_read(proxy.addr, "/v1.41/build",
                                             total)
    assert b" 403 " in got.split(b"\r\n", 1)[0], (got[:200], err)
    assert b"sockward: POST /build is not allowed" in got, got
    assert err is None, err
    assert werr is None and sent >= total, (sent, werr)
