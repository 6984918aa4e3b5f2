"""Helpers for test_adversarial.py: the corpus reader, a strict recording
upstream, and the per-case runner.  See tests/adversarial/README.md."""

import ast
import glob
import os
import re
import shlex
import socket
import threading
import time

from conftest import Conn, UnixServer

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
CORPUS = os.path.join(REPO, "tests", "adversarial")
DEFAULT_ARGS = ["--profile", "traefik"]

SENTINEL_PATH = "/adversarial-sentinel"
SENTINEL = b"PUT " + SENTINEL_PATH.encode() + b" HTTP/1.1\r\nHost: sentinel\r\n\r\n"

# Request fields that must never reach the upstream (sockward(8), REQUEST HANDLING).
HOP_BY_HOP = {b"connection", b"keep-alive", b"proxy-connection", b"te", b"trailer",
              b"transfer-encoding", b"upgrade", b"proxy-authorization",
              b"proxy-authenticate", b"x-http-method-override", b"x-http-method",
              b"x-method-override", b"expect"}
HIJACK_RE = re.compile(rb"^POST /(v[0-9.]+/)?(containers/[^/]+/attach|exec/[^/]+/start|session|grpc)"
                       rb"|^GET /(v[0-9.]+/)?containers/[^/]+/attach/ws")


# --------------------------------------------------------------------------
# The corpus
# --------------------------------------------------------------------------

class Case:
    def __init__(self, stem):
        self.stem = stem
        self.name = os.path.basename(stem)
        with open(stem + ".req", "rb") as f:
            self.req = f.read()
        self.args = list(DEFAULT_ARGS)
        self.args_text = "--profile traefik"
        self.outcomes = []          # [(kind, arg)]
        self.body = None
        self.close = None           # True, False, "any" or None (derive)
        self.sentinel = True
        self.live = True
        self.category = "?"
        with open(stem + ".expect") as f:
            for ln in f:
                ln = ln.rstrip("\n")
                if not ln.strip() or ln.lstrip().startswith("#"):
                    continue
                key, _, val = ln.partition(":")
                key, val = key.strip(), val.strip()
                if key == "args":
                    self.args = shlex.split(val)
                    self.args_text = val
                elif key == "expect":
                    kind, _, arg = val.partition(" ")
                    assert kind in ("forward", "deny", "reject", "continue", "abort", "any"), ln
                    if kind == "reject":
                        arg = int(arg)
                        assert arg in (400, 414, 415, 417, 431, 501, 505), ln
                    if kind in ("forward", "abort"):
                        assert re.match(r"^[A-Z]+ /\S* HTTP/1\.1$", arg), ln
                    self.outcomes.append((kind, arg))
                elif key == "body":
                    self.body = ast.literal_eval(val)
                elif key == "close":
                    self.close = {"yes": True, "no": False, "any": "any"}[val]
                elif key == "sentinel":
                    self.sentinel = val != "no"
                elif key == "live":
                    self.live = val != "skip"
                elif key == "category":
                    self.category = val
                else:
                    raise AssertionError("%s.expect: unknown key %r" % (stem, key))
        assert self.outcomes, stem
        kinds = [k for k, _ in self.outcomes]
        if self.close is None:
            self.close = kinds[-1] in ("reject", "abort")
        if self.close is True or self.close == "any" or "any" in kinds:
            self.sentinel = False

    @property
    def forwards(self):
        return [a for k, a in self.outcomes if k in ("forward", "abort")]

    def __repr__(self):
        return "<Case %s>" % self.name


def load_corpus():
    stems = sorted(p[:-4] for p in glob.glob(os.path.join(CORPUS, "[0-9][0-9][0-9]-*.req")))
    cases = [Case(s) for s in stems]
    for s in stems:
        assert os.path.exists(s + ".expect"), s
    return cases


# --------------------------------------------------------------------------
# A strict recording upstream
# --------------------------------------------------------------------------

class UpstreamRequest:
    def __init__(self, head, body, raw, framing):
        self.head = head            # bytes, without the final CRLFCRLF
        self.body = body            # de-chunked body
        self.raw = raw              # exactly the bytes this request took
        self.framing = framing      # "none", "length" or "chunked"
        lines = head.split(b"\r\n")
        self.line = lines[0]
        self.fields = []
        for ln in lines[1:]:
            k, _, v = ln.partition(b":")
            self.fields.append((k, v.strip(b" \t")))

    def field_names(self):
        return [k.lower() for k, _ in self.fields]


class StrictRecorder(UnixServer):
    """Unix-socket upstream that logs every byte, parses requests strictly
    (Content-Length or chunked) and answers each with an empty 200.  Bytes it
    cannot parse are kept in `garbage`: any garbage is a test failure."""

    RESPONSE = b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"

    def __init__(self, path):
        self.path = path
        self.lock = threading.Lock()
        self.raw = []
        self.requests = []
        self.garbage = []
        UnixServer.__init__(self, path)

    @staticmethod
    def _parse(buf):
        """One request from buf: (UpstreamRequest, rest), None for more, or
        raise ValueError for bytes that are not a valid request."""
        if b"\r\n\r\n" not in buf:
            if len(buf) > 70000:
                raise ValueError("head too long")
            return None
        head, rest = buf.split(b"\r\n\r\n", 1)
        lines = head.split(b"\r\n")
        if not re.match(rb"^[A-Z]+ /\S* HTTP/1\.1$", lines[0]):
            raise ValueError("bad request line %r" % lines[0][:200])
        cl = te = None
        for ln in lines[1:]:
            if not re.match(rb"^[!#$%&'*+\-.^_`|~0-9A-Za-z]+:[ \t]*[^\x00-\x08\x0a-\x1f\x7f]*$", ln):
                raise ValueError("bad field line %r" % ln[:200])
            k, _, v = ln.partition(b":")
            k = k.lower()
            if k == b"content-length":
                if cl is not None or not re.match(rb"^[0-9]+$", v.strip()):
                    raise ValueError("bad/duplicate Content-Length")
                cl = int(v.strip())
            elif k == b"transfer-encoding":
                if te is not None or v.strip() != b"chunked":
                    raise ValueError("bad/duplicate Transfer-Encoding %r" % v)
                te = v
        if cl is not None and te is not None:
            raise ValueError("both Content-Length and Transfer-Encoding")
        consumed = len(head) + 4
        if te is not None:
            body = b""
            pos = 0
            while True:
                i = rest.find(b"\r\n", pos)
                if i < 0:
                    return None
                size = rest[pos:i]
                if not re.match(rb"^[0-9a-fA-F]{1,16}$", size):
                    raise ValueError("bad chunk size %r" % size[:40])
                n = int(size, 16)
                if n == 0:
                    if len(rest) < i + 4:
                        return None
                    if rest[i + 2:i + 4] != b"\r\n":
                        raise ValueError("trailer section or bad last chunk")
                    pos = i + 4
                    break
                if len(rest) < i + 2 + n + 2:
                    return None
                if rest[i + 2 + n:i + 4 + n] != b"\r\n":
                    raise ValueError("bad chunk end")
                body += rest[i + 2:i + 2 + n]
                pos = i + 4 + n
            consumed += pos
            return UpstreamRequest(head, body, buf[:consumed], "chunked"), buf[consumed:]
        n = cl or 0
        if len(rest) < n:
            return None
        consumed += n
        return (UpstreamRequest(head, rest[:n], buf[:consumed], "length" if cl is not None else "none"),
                buf[consumed:])

    def _handle(self, c):
        c.settimeout(30)
        buf = b""
        try:
            while True:
                d = c.recv(65536)
                if not d:
                    break
                with self.lock:
                    self.raw.append(d)
                buf += d
                while buf:
                    try:
                        got = self._parse(buf)
                    except ValueError as e:
                        with self.lock:
                            self.garbage.append((str(e), buf))
                        buf = b""
                        break
                    if got is None:
                        break
                    req, buf = got
                    with self.lock:
                        self.requests.append(req)
                    if HIJACK_RE.match(req.line):
                        # answer like dockerd's raw-stream hijack, then close
                        c.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/vnd.docker.raw-stream\r\n\r\n")
                        return
                    c.sendall(self.RESPONSE)
            if buf:
                with self.lock:
                    self.garbage.append(("incomplete at close", buf))
        except OSError:
            pass
        finally:
            try:
                c.close()
            except OSError:
                pass

    def snapshot(self):
        with self.lock:
            return b"".join(self.raw), list(self.requests), list(self.garbage)

    def reset(self):
        with self.lock:
            self.raw = []
            self.requests = []
            self.garbage = []

    def close(self):
        UnixServer.close(self, close_conns=True)


# --------------------------------------------------------------------------
# Running one case against a sockward
# --------------------------------------------------------------------------

def outcome_method(case, kind, arg, index):
    """The method to read the index-th response with (HEAD has no body)."""
    if kind in ("forward", "abort"):
        return arg.split(" ", 1)[0]
    if index == 0 and case.req.startswith(b"HEAD "):
        return "HEAD"
    return "GET"


def is_sockward_error(r, status):
    if r.status != status:
        return False
    if not (r.header("Content-Type") or "").startswith("application/json"):
        return False
    if not r.body and r.header("Content-Length") not in (None, "0"):
        return True     # the answer to a HEAD request
    try:
        return r.json()["message"].startswith("sockward: ")
    except (ValueError, KeyError):
        return False


def read_response_or_none(conn, method):
    try:
        return conn.read_response(method)
    except (EOFError, ConnectionResetError, socket.timeout, BrokenPipeError) as e:
        return e


def peer_closed(conn, timeout=2.0):
    try:
        return conn.is_closed(timeout)
    except AssertionError:
        return False


def exchange(addr, case, timeout=4.0, connect=Conn):
    """Send the case's bytes and read the responses the manifest announces.
    connect(addr, timeout) opens the client connection (a Conn; a TLSConn
    for the corpus over TLS).  Returns (responses, errors): responses is a
    list of (outcome, Response or exception); errors lists every mismatch
    on the client side."""
    errors = []
    got = []
    with connect(addr, timeout) as c:
        try:
            c.send(case.req)
        except (BrokenPipeError, ConnectionResetError) as e:
            errors.append("send failed: %r" % e)
            return got, errors
        for kind, arg in case.outcomes:
            method = outcome_method(case, kind, arg, len(got))
            r = read_response_or_none(c, method)
            got.append(((kind, arg), r))
            if kind == "abort":
                # the head was judged allowed and forwarded; the body was bad:
                # either a sockward 400 or nothing, then the connection ends.
                if not isinstance(r, Exception) and not is_sockward_error(r, 400):
                    errors.append("abort: expected a sockward 400 or a close, got %r" % r)
                break
            if isinstance(r, Exception):
                errors.append("%s %s: no response (%r)" % (kind, arg, r))
                return got, errors
            if kind == "any":
                break
            if kind == "continue":
                if r.status != 100:
                    errors.append("expected 100 Continue, got %r" % r)
                    return got, errors
            elif kind == "forward":
                if r.status != 200 or (r.header("Content-Length") not in ("0", None)) or \
                        (r.body or b"") != b"" or r.raw_head.count(b"sockward"):
                    errors.append("forward %s: expected the upstream's empty 200, got %r" % (arg, r))
            elif kind == "deny":
                if not is_sockward_error(r, 403):
                    errors.append("expected deny (403), got %r" % r)
            elif kind == "reject":
                if not is_sockward_error(r, arg):
                    errors.append("expected reject %d, got %r" % (arg, r))
        if errors:
            return got, errors
        if case.close is True:
            if not peer_closed(c, 2.0):
                errors.append("connection should be closed, but stays open")
        elif case.sentinel:
            try:
                c.send(SENTINEL)
                r = c.read_response()
                if not (is_sockward_error(r, 403) and SENTINEL_PATH in r.json()["message"]):
                    errors.append("connection out of sync: sentinel got %r" % r)
            except (EOFError, OSError, socket.timeout) as e:
                errors.append("connection should stay open; sentinel failed: %r" % e)
    return got, errors


def check_upstream(case, recorder, settle=0.03):
    """The recording upstream got exactly the requests the manifest says
    were judged allowed, each in canonical form."""
    errors = []
    want = case.forwards
    deadline = time.time() + 1.5
    while time.time() < deadline:
        raw, reqs, garbage = recorder.snapshot()
        if len(reqs) >= len(want) and (not want or case.outcomes[-1][0] != "abort"):
            break
        if want and case.outcomes[-1][0] == "abort" and len(reqs) + len(garbage) >= len(want):
            break
        time.sleep(0.01)
    time.sleep(settle)
    raw, reqs, garbage = recorder.snapshot()
    kinds = [k for k, _ in case.outcomes]
    if "abort" in kinds:
        # a truncated/malformed body: the judged head (only) may be pending
        # in the upstream's parser; nothing after it may be another request.
        heads = [g[1].split(b"\r\n", 1)[0] for g in garbage] + [r.line for r in reqs]
        for h in heads:
            if h.decode("latin-1") not in want:
                errors.append("upstream got an unjudged request line %r" % h)
        if len(reqs) > len(want):
            errors.append("upstream got %d requests, %d allowed" % (len(reqs), len(want)))
        return reqs, errors
    if "any" in kinds:
        for r in reqs:
            if r.line != b"GET /_ping HTTP/1.1":
                errors.append("upstream got %r" % r.line)
        return reqs, errors
    if garbage:
        errors.append("upstream got unparsable bytes: %r" % [(m, b[:300]) for m, b in garbage])
    if len(reqs) != len(want):
        errors.append("upstream got %d requests, expected %d: %r" % (
            len(reqs), len(want), [r.line for r in reqs]))
    if b"".join(r.raw for r in reqs) != raw:
        errors.append("upstream bytes are not exactly the parsed requests")
    for req, line in zip(reqs, want):
        if req.line.decode("latin-1") != line:
            errors.append("upstream request line %r, expected %r" % (req.line, line))
        names = req.field_names()
        bad = sorted(set(names) & HOP_BY_HOP - ({b"upgrade", b"connection"}
                                                if HIJACK_RE.match(req.line) else set())
                     - {b"transfer-encoding"})
        if bad:
            errors.append("upstream got hop-by-hop/override fields %r" % bad)
        if names.count(b"host") != 1:
            errors.append("upstream got %d Host fields" % names.count(b"host"))
        if names.count(b"content-type") > 1:
            errors.append("upstream got several Content-Type fields")
        for k, v in req.fields:
            if k.lower() == b"content-type" and b"x-www-form-urlencoded" in v.lower():
                errors.append("form-encoded body reached upstream")
    # bodies: the announced body for the (first) forwarded request with one
    if case.body is not None and reqs:
        with_body = [r for r in reqs if r.body] or reqs
        if with_body[0].body != case.body:
            errors.append("upstream body %r, expected %r" % (with_body[0].body[:200], case.body[:200]))
    elif reqs:
        for r in reqs:
            if r.body:
                errors.append("upstream got an unexpected body %r" % r.body[:200])
    return reqs, errors
