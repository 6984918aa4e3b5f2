#!/usr/bin/env python3
"""Generate the adversarial corpus: NNN-name.req (raw bytes, sent as is) and
NNN-name.expect (what must happen).  See README.md in this directory.

The generated files are committed; this script only documents how they were
made and re-creates them (`python3 tests/adversarial/gen_corpus.py`).  It
removes every NNN-*.req / NNN-*.expect first, so numbering stays dense.
"""

import glob
import os
import re

HERE = os.path.dirname(os.path.abspath(__file__))

H = b"Host: docker\r\n"
CANARY = "sockward-adv-canary"          # harness 2 runs a container of this name
WAIT = "--profile traefik --allow 'POST /containers/{id}/wait'"
ATTACH = "--allow 'POST /containers/{id}/attach'"
READONLY = "--profile readonly"
QSIZE = "--profile none --allow 'GET,HEAD /_ping' --allow 'GET /containers/json query size=false'"

CASES = []


def case(cat, name, req, *outcomes, args=None, close=None, live=None,
         sentinel=None, body=None, note=None):
    if isinstance(req, str):
        req = req.encode()
    CASES.append(dict(cat=cat, name=name, req=req, outcomes=list(outcomes),
                      args=args, close=close, live=live, sentinel=sentinel,
                      body=body, note=note))


def g(target, method=b"GET", extra=b"", ver=b"HTTP/1.1", host=H):
    if isinstance(target, str):
        target = target.encode()
    if isinstance(method, str):
        method = method.encode()
    return method + b" " + target + b" " + ver + b"\r\n" + host + extra + b"\r\n"


def fwd(line):
    return "forward " + line + " HTTP/1.1"


def post(target, body, ctype=b"application/json", extra=b"", method=b"POST"):
    if isinstance(body, str):
        body = body.encode()
    if isinstance(target, str):
        target = target.encode()
    return (method + b" " + target + b" HTTP/1.1\r\n" + H +
            (b"Content-Type: " + ctype + b"\r\n" if ctype else b"") + extra +
            b"Content-Length: %d\r\n\r\n" % len(body) + body)


def chunked(target, chunks, extra=b"", method=b"POST"):
    if isinstance(target, str):
        target = target.encode()
    return (method + b" " + target + b" HTTP/1.1\r\n" + H +
            b"Content-Type: application/json\r\n" + extra +
            b"Transfer-Encoding: chunked\r\n\r\n" + chunks)


DENY = "deny"


def R(n):
    return "reject %d" % n


WAITP = "/v1.41/containers/sockward-adv-nonexistent/wait"   # 404 on dockerd, never blocks
WAITL = "POST " + WAITP

# ---------------------------------------------------------------- baseline
c = "baseline"
case(c, "ping", g("/_ping"), fwd("GET /_ping"))
case(c, "head-ping", g("/_ping", b"HEAD"), fwd("HEAD /_ping"))
case(c, "version-prefixed", g("/v1.41/version"), fwd("GET /v1.41/version"))
case(c, "containers-json-query", g("/v1.24/containers/json?all=1&limit=2"),
     fwd("GET /v1.24/containers/json?all=1&limit=2"))
case(c, "container-inspect", g("/v1.41/containers/%s/json" % CANARY),
     fwd("GET /v1.41/containers/%s/json" % CANARY))
case(c, "events-bounded", g("/v1.41/events?since=0&until=1"),
     fwd("GET /v1.41/events?since=0&until=1"))
case(c, "networks-filter", g('/v1.41/networks?filters=%7B%22scope%22%3A%7B%22swarm%22%3Atrue%7D%7D'),
     fwd('GET /v1.41/networks?filters=%7B%22scope%22%3A%7B%22swarm%22%3Atrue%7D%7D'))
case(c, "info-denied", g("/info"), DENY)
case(c, "create-denied", post("/v1.41/containers/create", '{"Image":"sockward-testbox:test","Labels":{"sockward-adv":"1"}}'),
     DENY, close=True)
case(c, "delete-canary-denied", g("/v1.41/containers/%s?force=1" % CANARY, b"DELETE"), DENY)
case(c, "kill-canary-denied", g("/v1.41/containers/%s/kill" % CANARY, b"POST"), DENY)
case(c, "root-denied", g("/"), DENY)

# ---------------------------------------------------------------- encoding
c = "encoding"
# every character of an allowed path, encoded one at a time (lower and upper hex)
base = "/v1.41/containers/json"
for i, ch in enumerate("containers/json"):
    if ch == "/":
        continue
    pos = len("/v1.41/") + i
    enc = base[:pos] + "%%%02x" % ord(ch) + base[pos + 1:]
    case(c, "allowed-enc-%s-%d" % (ch, i), g(enc), fwd("GET " + base))
case(c, "allowed-enc-upper-hex", g("/v1.41/containers/%6A%73%6F%6E"), fwd("GET /v1.41/containers/json"))
case(c, "enc-uppercase-letters", g("/v1.41/containers/%4Aso%4E"), DENY,
     note="%4A is 'J' and %4E 'N': /containers/JsoN is another (unknown) path, routes are case-sensitive")
case(c, "allowed-enc-mixed-hex", g("/v1.41/%63%6F%6e%74%61%69%6E%65%72%73/json"),
     fwd("GET /v1.41/containers/json"))
case(c, "allowed-enc-all", g("/" + "".join("%%%02X" % ord(x) for x in "_ping")), fwd("GET /_ping"))
case(c, "allowed-enc-version-v", g("/%761.41/_ping"), fwd("GET /v1.41/_ping"))
case(c, "allowed-enc-version-digit", g("/v%31.41/_ping"), fwd("GET /v1.41/_ping"))
case(c, "allowed-enc-version-dot", g("/v1%2e41/_ping"), fwd("GET /v1.41/_ping"))
case(c, "allowed-enc-id", g("/containers/%73ockward-adv-canary/json"),
     fwd("GET /containers/%s/json" % CANARY))
case(c, "allowed-enc-utf8-id", g("/containers/%c3%a9/json"), fwd("GET /containers/%C3%A9/json"))
case(c, "allowed-raw-tilde", g("/containers/a~b/json"), fwd("GET /containers/a~b/json"))
case(c, "allowed-enc-tilde", g("/containers/a%7eb/json"), fwd("GET /containers/a~b/json"))
# every character of a forbidden path
for i, ch in enumerate("info"):
    enc = "/v1.41/" + "info"[:i] + "%%%02x" % ord(ch) + "info"[i + 1:]
    case(c, "forbidden-enc-%s" % ch, g(enc), DENY)
case(c, "forbidden-enc-all-info", g("/%69%6E%66%6F"), DENY)
case(c, "forbidden-enc-kill", g("/containers/%s/%%6b%%69%%6c%%6c" % CANARY, b"POST"), DENY)
case(c, "forbidden-enc-create", g("/v1.41/%63ontainers/%63reate", b"POST"), DENY)
case(c, "forbidden-enc-delete", g("/v1.41/%63ontainers/%73ockward-adv-canary?force=1", b"DELETE"), DENY)
case(c, "forbidden-enc-logs", g("/containers/%s/%%6cogs?stdout=1" % CANARY), DENY)
# slashes
case(c, "enc-slash-upper", g("/containers%2Fjson"), R(400))
case(c, "enc-slash-lower", g("/v1.41/containers%2fjson"), R(400))
case(c, "enc-slash-info", g("/_ping%2F..%2Finfo"), R(400))
case(c, "enc-slash-leading", g("/%2Fcontainers/json"), R(400))
# double encoding
case(c, "double-enc-dot", g("/containers/%252e%252e/info"), R(400))
case(c, "double-enc-slash", g("/containers%252Fjson"), R(400))
case(c, "double-enc-letter", g("/%2569nfo"), R(400))
case(c, "double-enc-pct25-allowed", g("/_ping%25"), R(400))
case(c, "triple-enc", g("/%25252e%25252e/info"), R(400))
# overlong UTF-8 and invalid UTF-8
case(c, "overlong-dot-2", g("/containers/%c0%ae%c0%ae/info"), R(400))
case(c, "overlong-dot-3", g("/containers/%e0%80%ae%e0%80%ae/info"), R(400))
case(c, "overlong-dot-4", g("/containers/%f0%80%80%ae/json"), R(400))
case(c, "overlong-slash", g("/containers%c0%afjson"), R(400))
case(c, "overlong-slash-3", g("/containers%e0%80%afjson"), R(400))
case(c, "overlong-letter", g("/%c1%a9nfo"), R(400))
case(c, "invalid-utf8-ff", g("/containers/%ff/json"), R(400))
case(c, "invalid-utf8-cont", g("/containers/%80/json"), R(400))
case(c, "invalid-utf8-trunc", g("/containers/%e2%82/json"), R(400))
case(c, "surrogate", g("/containers/%ed%a0%80/json"), R(400))
case(c, "above-max-codepoint", g("/containers/%f4%90%80%80/json"), R(400))
case(c, "raw-utf8", g(b"/containers/\xc3\xa9/json"), R(400))
case(c, "raw-high-byte", g(b"/containers/\xff/json"), R(400))
# NUL, controls, spaces
case(c, "enc-nul", g("/_ping%00"), R(400))
case(c, "enc-nul-mid", g("/info%00/../_ping"), R(400))
case(c, "raw-nul", g(b"/_ping\x00"), R(400))
case(c, "enc-crlf", g("/_ping%0d%0aX-Injected:%201"), R(400))
case(c, "enc-lf", g("/_ping%0a"), R(400))
case(c, "enc-space", g("/containers/a%20b/json"), R(400))
case(c, "enc-tab", g("/containers/a%09/json"), R(400))
case(c, "enc-del", g("/containers/a%7f/json"), R(400))
case(c, "enc-c1-control", g("/containers/a%c2%85/json"), fwd("GET /containers/a%C2%85/json"),
     note="U+0085 is valid UTF-8, not a control byte: forwarded re-encoded, dockerd routes the same path")
case(c, "raw-ctrl", g(b"/_ping\x01"), R(400))
case(c, "raw-del", g(b"/_ping\x7f"), R(400))
# malformed escapes
case(c, "bad-escape-g", g("/_pin%g"), R(400))
case(c, "bad-escape-trunc", g("/_ping%2"), R(400))
case(c, "bad-escape-end", g("/_ping%"), R(400))
case(c, "bad-escape-unicode", g("/%u0069nfo"), R(400))
case(c, "bad-escape-query", g("/_ping?a=%zz"), R(400))
case(c, "bad-escape-query-trunc", g("/_ping?a=%2"), R(400))
# encoded ? # \
case(c, "enc-qmark", g("/containers/json%3Fx=/../../info"), R(400))
case(c, "enc-qmark-upper", g("/info%3F/_ping"), R(400))
case(c, "enc-hash", g("/_ping%23"), R(400))
case(c, "enc-backslash", g("/containers%5Cjson"), R(400))
case(c, "enc-backslash-lower", g("/containers/x%5c..%5c..%5cinfo/json"), R(400))
case(c, "raw-backslash", g("/containers\\json"), R(400))
case(c, "raw-backslash-dots", g("/containers/x\\..\\..\\info/json"), R(400))

# ---------------------------------------------------------------- dot segments, slashes
c = "dots-slashes"
case(c, "dotdot", g("/containers/../info"), R(400))
case(c, "dotdot-version", g("/v1.41/../info"), R(400))
case(c, "dotdot-allowed-result", g("/info/../_ping"), R(400))
case(c, "dotdot-leading", g("/../_ping"), R(400))
case(c, "dotdot-end", g("/_ping/.."), R(400))
case(c, "dot", g("/containers/./json"), R(400))
case(c, "dot-leading", g("/./_ping"), R(400))
case(c, "dot-end", g("/_ping/."), R(400))
case(c, "enc-dotdot", g("/%2e%2e/info"), R(400))
case(c, "enc-dotdot-upper", g("/containers/%2E%2E/info"), R(400))
case(c, "enc-dotdot-half", g("/containers/.%2e/info"), R(400))
case(c, "enc-dotdot-half2", g("/containers/%2e./info"), R(400))
case(c, "enc-dot", g("/containers/%2e/json"), R(400))
case(c, "dotdot-kill", g("/containers/%s/json/../kill" % CANARY, b"POST"), R(400))
case(c, "dotdot-query", g("/info?/../_ping"), DENY)
case(c, "dots-three", g("/containers/.../json"), fwd("GET /containers/.../json"),
     note="'...' is an ordinary segment for sockward, path.Clean and gorilla/mux alike")
case(c, "dots-suffix", g("/containers/json.."), DENY)
case(c, "double-slash-leading", g("//_ping"), R(400))
case(c, "double-slash-inner", g("/containers//json"), R(400))
case(c, "double-slash-version", g("/v1.41//_ping"), R(400))
case(c, "double-slash-authority", g("//docker/_ping"), R(400))
case(c, "trailing-slash", g("/containers/json/"), R(400))
case(c, "trailing-slash-ping", g("/_ping/"), R(400))
case(c, "version-trailing-slash", g("/v1.41/"), R(400))
case(c, "version-only", g("/v1.41"), R(400))
case(c, "triple-slash", g("///info"), R(400))

# ---------------------------------------------------------------- version prefix
c = "version-prefix"
case(c, "double-version", g("/v1.41/v1.41/_ping"), DENY)
case(c, "double-version-info", g("/v1.41/v1.41/info"), DENY)
case(c, "v1-no-minor", g("/v1/_ping"), R(400))
case(c, "uppercase-v", g("/V1.41/_ping"), DENY)
case(c, "four-parts", g("/v1.41.0.0/_ping"), R(400))
case(c, "three-parts", g("/v1.41.0/_ping"), R(400))
case(c, "v-letter", g("/vX/_ping"), DENY)
case(c, "v-letter-dot", g("/v1.x/_ping"), R(400))
case(c, "v-empty-major", g("/v.41/_ping"), R(400))
case(c, "v-empty-minor", g("/v1./_ping"), R(400))
case(c, "v-too-long", g("/v1234.1/_ping"), R(400))
case(c, "v-leading-zeros", g("/v001.041/_ping"), fwd("GET /v001.041/_ping"))
case(c, "v-high", g("/v99.99/_ping"), fwd("GET /v99.99/_ping"))
case(c, "v-low", g("/v1.12/version"), fwd("GET /v1.12/version"))
case(c, "v-negative", g("/v-1.41/_ping"), DENY)
case(c, "v-plus", g("/v+1.41/_ping"), DENY)
case(c, "v-enc-info", g("/v%31.41/info"), DENY)
case(c, "v-only-v", g("/v/_ping"), DENY)

# ---------------------------------------------------------------- path params, fragments, query
c = "params-fragments-query"
case(c, "semicolon-param", g("/_ping;jsessionid=1"), DENY)
case(c, "semicolon-segment", g("/containers;x/json"), DENY)
case(c, "semicolon-dotdot", g("/info;/../_ping"), R(400))
case(c, "semicolon-id", g("/containers/%s;x/json" % CANARY), fwd("GET /containers/%s;x/json" % CANARY))
case(c, "enc-semicolon", g("/_ping%3b"), DENY)
case(c, "fragment", g("/_ping#frag"), R(400))
case(c, "fragment-dotdot", g("/info#/../_ping"), R(400))
case(c, "fragment-in-query", g("/_ping?a#b"), R(400))
case(c, "query-dotdot", g("/_ping?../../info"), fwd("GET /_ping?../../info"))
case(c, "query-enc-qmark", g("/_ping?a=%3F"), fwd("GET /_ping?a=%3F"))
case(c, "query-enc-slash", g("/_ping?a=%2F"), fwd("GET /_ping?a=%2F"))
case(c, "query-double-qmark", g("/_ping??a"), fwd("GET /_ping??a"))
case(c, "query-empty", g("/_ping?"), fwd("GET /_ping?"))
case(c, "query-dup-param", g("/containers/json?all=1&all=0"), fwd("GET /containers/json?all=1&all=0"))
case(c, "query-method-param", g("/containers/%s/json?_method=DELETE" % CANARY),
     fwd("GET /containers/%s/json?_method=DELETE" % CANARY))
case(c, "qmark-in-path-forbidden", g("/info?/_ping"), DENY)
case(c, "query-space", b"GET /_ping?a b HTTP/1.1\r\n" + H + b"\r\n", R(400))
case(c, "constraint-ok", g("/containers/json?size=0"), fwd("GET /containers/json?size=0"), args=QSIZE)
case(c, "constraint-violated", g("/containers/json?size=1"), DENY, args=QSIZE)
case(c, "constraint-dup", g("/containers/json?size=0&size=1"), DENY, args=QSIZE)
case(c, "constraint-dup-rev", g("/containers/json?size=1&size=0"), DENY, args=QSIZE)
case(c, "constraint-enc-key", g("/containers/json?%73ize=1"), DENY, args=QSIZE)
case(c, "constraint-plus-value", g("/containers/json?size=1+"), DENY, args=QSIZE)
case(c, "constraint-semicolon", g("/containers/json?size=0;size=1"), DENY, args=QSIZE)
case(c, "constraint-enc-amp", g("/containers/json?size=0%26size=1"), DENY, args=QSIZE)
case(c, "constraint-case-key", g("/containers/json?Size=1"), fwd("GET /containers/json?Size=1"), args=QSIZE,
     note="dockerd's form keys are case-sensitive: Size is not size")

# ---------------------------------------------------------------- methods
c = "methods"
case(c, "lowercase-get", b"get /_ping HTTP/1.1\r\n" + H + b"\r\n", R(501))
case(c, "mixedcase-get", b"Get /_ping HTTP/1.1\r\n" + H + b"\r\n", R(501))
case(c, "lowercase-delete", b"delete /containers/%s HTTP/1.1\r\n" % CANARY.encode() + H + b"\r\n", R(501))
case(c, "unknown-brew", b"BREW /_ping HTTP/1.1\r\n" + H + b"\r\n", R(501))
case(c, "trace", b"TRACE /_ping HTTP/1.1\r\n" + H + b"\r\n", R(501))
case(c, "propfind", b"PROPFIND /_ping HTTP/1.1\r\n" + H + b"\r\n", R(501))
case(c, "getx", b"GETX /_ping HTTP/1.1\r\n" + H + b"\r\n", R(501))
case(c, "method-bad-char", b"GE(T /_ping HTTP/1.1\r\n" + H + b"\r\n", R(400))
case(c, "options-path", g("/_ping", b"OPTIONS"), DENY)
case(c, "head-version", g("/version", b"HEAD"), DENY)
case(c, "head-info", g("/info", b"HEAD"), DENY)
case(c, "put-archive", g("/containers/%s/archive?path=/" % CANARY, b"PUT"), DENY)
case(c, "patch", g("/containers/%s/json" % CANARY, b"PATCH"), DENY)
case(c, "post-json", g("/containers/%s/json" % CANARY, b"POST"), DENY)
case(c, "delete-json", g("/containers/%s/json" % CANARY, b"DELETE"), DENY)
case(c, "override-delete", g("/containers/%s/json" % CANARY, extra=b"X-HTTP-Method-Override: DELETE\r\n"),
     fwd("GET /containers/%s/json" % CANARY))
case(c, "override-x-http-method", g("/_ping", extra=b"X-HTTP-Method: POST\r\n"), fwd("GET /_ping"))
case(c, "override-x-method", g("/_ping", extra=b"X-Method-Override: PUT\r\n"), fwd("GET /_ping"))
case(c, "override-all-three", g("/containers/json", extra=b"x-http-method-override: DELETE\r\n"
                                b"X-HTTP-METHOD: DELETE\r\nX-Method-Override: DELETE\r\n"),
     fwd("GET /containers/json"))
case(c, "override-on-denied", g("/info", extra=b"X-HTTP-Method-Override: GET\r\n"), DENY)
case(c, "override-post-to-get", g("/containers/create", b"POST", extra=b"X-HTTP-Method-Override: GET\r\n"), DENY)
case(c, "rewrite-headers", g("/info", extra=b"X-Original-URL: /_ping\r\nX-Rewrite-URL: /_ping\r\n"), DENY)

# ---------------------------------------------------------------- request target forms
c = "target-form"
case(c, "absolute-form", g("http://docker/_ping"), R(400))
case(c, "absolute-form-info", g("http://docker/info"), R(400))
case(c, "absolute-form-https", g("https://docker/_ping"), R(400))
case(c, "absolute-form-unix", g("unix:///var/run/docker.sock/_ping"), R(400))
case(c, "authority-form-get", g("docker:2375"), R(400))
case(c, "connect", b"CONNECT docker:2375 HTTP/1.1\r\nHost: docker:2375\r\n\r\n", R(501))
case(c, "connect-path", b"CONNECT /_ping HTTP/1.1\r\n" + H + b"\r\n", R(501))
case(c, "options-star", b"OPTIONS * HTTP/1.1\r\n" + H + b"\r\n", R(400))
case(c, "get-star", g("*"), R(400))
case(c, "empty-target", b"GET  HTTP/1.1\r\n" + H + b"\r\n", R(400))
case(c, "relative-target", g("_ping"), R(400))

# ---------------------------------------------------------------- HTTP versions
c = "http-version"
case(c, "http09", b"GET /_ping\r\n", R(400))
case(c, "http09-blank", b"GET /_ping\r\n\r\n", R(400))
case(c, "http10-no-host", b"GET /_ping HTTP/1.0\r\n\r\n", fwd("GET /_ping"), close=True)
case(c, "http10-host", b"GET /v1.41/version HTTP/1.0\r\n" + H + b"\r\n", fwd("GET /v1.41/version"), close=True)
case(c, "http10-keepalive", b"GET /_ping HTTP/1.0\r\nConnection: keep-alive\r\n\r\n", fwd("GET /_ping"),
     close="any", sentinel=False)
case(c, "http10-denied", b"GET /info HTTP/1.0\r\n\r\n", DENY, close=True)
case(c, "http10-pipeline", b"GET /_ping HTTP/1.0\r\n\r\nGET /_ping HTTP/1.0\r\n\r\n", fwd("GET /_ping"), close=True)
case(c, "http10-te", b"POST %s HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n" % WAITP.encode(),
     R(400), args=WAIT)
case(c, "http2-preface", b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", R(505))
case(c, "http2-version", g("/_ping", ver=b"HTTP/2.0"), R(505))
case(c, "http2-short", g("/_ping", ver=b"HTTP/2"), R(400))
case(c, "http12", g("/_ping", ver=b"HTTP/1.2"), R(505))
case(c, "http11-lowercase", g("/_ping", ver=b"http/1.1"), R(400))
case(c, "http11-leading-zero", g("/_ping", ver=b"HTTP/01.1"), R(400))
case(c, "http11-suffix", g("/_ping", ver=b"HTTP/1.1x"), R(400))
case(c, "http11-trailing-space", g("/_ping", ver=b"HTTP/1.1 "), R(400))
case(c, "http-no-version", b"GET /_ping \r\n" + H + b"\r\n", R(400))
case(c, "http3", g("/_ping", ver=b"HTTP/3.0"), R(505))

# ---------------------------------------------------------------- request line
c = "request-line"
case(c, "tabs", b"GET\t/_ping\tHTTP/1.1\r\n" + H + b"\r\n", R(400))
case(c, "double-space", b"GET  /_ping HTTP/1.1\r\n" + H + b"\r\n", R(400))
case(c, "double-space-2", b"GET /_ping  HTTP/1.1\r\n" + H + b"\r\n", R(400))
case(c, "leading-space", b" GET /_ping HTTP/1.1\r\n" + H + b"\r\n", R(400))
case(c, "leading-crlf", b"\r\nGET /_ping HTTP/1.1\r\n" + H + b"\r\n", R(400))
case(c, "extra-token", b"GET /_ping HTTP/1.1 extra\r\n" + H + b"\r\n", R(400))
case(c, "space-in-path", b"GET /info /_ping HTTP/1.1\r\n" + H + b"\r\n", R(400))
case(c, "bare-lf", b"GET /_ping HTTP/1.1\nHost: docker\n\n", R(400))
case(c, "bare-cr", b"GET /_ping HTTP/1.1\rHost: docker\r\n\r\n", R(400))
case(c, "nul-in-line", b"GET /_ping\x00 HTTP/1.1\r\n" + H + b"\r\n", R(400))
case(c, "target-too-long", b"GET /_ping?" + b"a" * 8200 + b" HTTP/1.1\r\n" + H + b"\r\n", R(414))
case(c, "target-8192", b"GET /_ping?" + b"a" * (8192 - 7) + b" HTTP/1.1\r\n" + H + b"\r\n",
     fwd("GET /_ping?" + "a" * (8192 - 7)))
case(c, "path-4096", g("/containers/" + "a" * 4090 + "/json"), R(400))
case(c, "path-65-segments", g("/" + "/".join(["a"] * 65)), R(400))

# ---------------------------------------------------------------- Content-Length / Transfer-Encoding
c = "framing"
case(c, "cl-te", b"POST %s HTTP/1.1\r\n" % WAITP.encode() + H +
     b"Content-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", R(400), args=WAIT)
case(c, "te-cl", b"POST %s HTTP/1.1\r\n" % WAITP.encode() + H +
     b"Transfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n0\r\n\r\n", R(400), args=WAIT)
case(c, "cl-te-denied", b"POST /containers/create HTTP/1.1\r\n" + H +
     b"Content-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nGET /info HTTP/1.1\r\n" + H + b"\r\n", R(400))
case(c, "dup-cl-equal", g("/_ping", extra=b"Content-Length: 0\r\nContent-Length: 0\r\n"), R(400))
case(c, "dup-cl-diff", g("/_ping", extra=b"Content-Length: 0\r\nContent-Length: 3\r\n") + b"abc", R(400))
case(c, "cl-list", g("/_ping", extra=b"Content-Length: 0, 0\r\n"), R(400))
case(c, "cl-comma", g("/_ping", extra=b"Content-Length: 0,\r\n"), R(400))
case(c, "cl-plus", g("/_ping", extra=b"Content-Length: +0\r\n"), R(400))
case(c, "cl-minus", g("/_ping", extra=b"Content-Length: -1\r\n"), R(400))
case(c, "cl-hex", g("/_ping", extra=b"Content-Length: 0x0\r\n"), R(400))
case(c, "cl-space-inside", g("/_ping", extra=b"Content-Length: 1 0\r\n") + b"x" * 10, R(400))
case(c, "cl-empty", g("/_ping", extra=b"Content-Length: \r\n"), R(400))
case(c, "cl-decimal", g("/_ping", extra=b"Content-Length: 0.0\r\n"), R(400))
case(c, "cl-huge", g("/_ping", extra=b"Content-Length: 99999999999999999999999\r\n"), R(400))
case(c, "cl-2pow53-plus", g("/_ping", extra=b"Content-Length: 9007199254740993\r\n"), R(400))
case(c, "cl-ows", g("/_ping", extra=b"Content-Length:  0  \r\n"), fwd("GET /_ping"))
case(c, "cl-leading-zero", post(WAITP, b"", extra=b"").replace(b"Content-Length: 0", b"Content-Length: 000"),
     fwd(WAITL), args=WAIT)
case(c, "cl-space-before-colon", g("/_ping", extra=b"Content-Length : 0\r\n"), R(400))
case(c, "cl-underscore-name", g("/_ping", extra=b"Content_Length: 5\r\n") + g("/info"), fwd("GET /_ping"), DENY,
     note="Content_Length is an ordinary (unknown) field: the body is empty, GET /info is a second request")
case(c, "te-chunked-identity", chunked(WAITP, b"0\r\n\r\n").replace(b"chunked\r\n", b"chunked, identity\r\n"),
     R(501), args=WAIT)
case(c, "te-identity", g("/_ping", extra=b"Transfer-Encoding: identity\r\n"), R(501))
case(c, "te-identity-chunked", chunked(WAITP, b"0\r\n\r\n").replace(b"chunked\r\n", b"identity, chunked\r\n"),
     R(501), args=WAIT)
case(c, "te-gzip-chunked", chunked(WAITP, b"0\r\n\r\n").replace(b"chunked\r\n", b"gzip, chunked\r\n"),
     R(501), args=WAIT)
case(c, "te-chunked-chunked", chunked(WAITP, b"0\r\n\r\n").replace(b"chunked\r\n", b"chunked, chunked\r\n"),
     R(501), args=WAIT)
case(c, "te-dup", chunked(WAITP, b"0\r\n\r\n").replace(b"Transfer-Encoding: chunked\r\n",
                                                       b"Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n"),
     R(400), args=WAIT)
case(c, "te-case", chunked(WAITP, b"2\r\n{}\r\n0\r\n\r\n").replace(b"chunked\r\n", b"Chunked\r\n"),
     fwd(WAITL), args=WAIT, body=b"{}",
     note="transfer-coding names are case-insensitive (RFC 9112 7); dockerd (Go) agrees")
case(c, "te-leading-space-value", chunked(WAITP, b"2\r\n{}\r\n0\r\n\r\n").replace(b": chunked\r\n", b":   chunked\r\n"),
     fwd(WAITL), args=WAIT, body=b"{}")
case(c, "te-xchunked", g("/_ping", extra=b"Transfer-Encoding: xchunked\r\n"), R(501))
case(c, "te-chunked-suffix", g("/_ping", extra=b"Transfer-Encoding: chunked-false\r\n"), R(501))
case(c, "te-obs-fold", b"POST %s HTTP/1.1\r\n" % WAITP.encode() + H +
     b"Transfer-Encoding:\r\n chunked\r\nContent-Length: 2\r\n\r\n{}", R(400), args=WAIT)
case(c, "te-leading-space-line", b"POST %s HTTP/1.1\r\n" % WAITP.encode() + H +
     b" Transfer-Encoding: chunked\r\nContent-Length: 2\r\n\r\n{}", R(400), args=WAIT)
case(c, "te-space-before-colon", b"POST %s HTTP/1.1\r\n" % WAITP.encode() + H +
     b"Transfer-Encoding : chunked\r\nContent-Length: 2\r\n\r\n{}", R(400), args=WAIT)
case(c, "te-tab-value", chunked(WAITP, b"2\r\n{}\r\n0\r\n\r\n").replace(b": chunked\r\n", b":\tchunked\r\n"),
     fwd(WAITL), args=WAIT, body=b"{}")
case(c, "te-vertical-tab", g("/_ping", extra=b"Transfer-Encoding: \x0bchunked\r\n"), R(400))
case(c, "te-empty", g("/_ping", extra=b"Transfer-Encoding: \r\n"), R(501))
case(c, "te-underscore-name", g("/_ping", extra=b"Transfer_Encoding: chunked\r\n") + g("/info"), fwd("GET /_ping"), DENY)
case(c, "cl-body-reframed", post(WAITP, b'{"a":1}'), fwd(WAITL), args=WAIT, body=b'{"a":1}')
case(c, "chunked-reframed", chunked(WAITP, b"3\r\n{\"a\r\n4\r\n\":1}\r\n0\r\n\r\n"), fwd(WAITL), args=WAIT,
     body=b'{"a":1}')
case(c, "chunked-leading-zeros", chunked(WAITP, b"0002\r\n{}\r\n000\r\n\r\n"), fwd(WAITL), args=WAIT, body=b"{}")
case(c, "chunked-upper-hex", chunked(WAITP, b"A\r\n0123456789\r\n0\r\n\r\n"), fwd(WAITL), args=WAIT,
     body=b"0123456789")
case(c, "get-with-cl-body", g("/_ping", extra=b"Content-Length: 5\r\n") + b"hello", fwd("GET /_ping"), body=b"hello")

# chunk-size tricks on an allowed endpoint: the head was judged and may be
# forwarded; the malformed body then closes both connections.
c = "chunk-tricks"
BADCHUNKS = [
    ("huge", b"fffffffffffffffff\r\n"),            # 17 hex digits
    ("overflow-16", b"ffffffffffffffff\r\nab\r\n"),  # 2^64-1: never completes; client gives up
    ("negative", b"-5\r\nhello\r\n0\r\n\r\n"),
    ("extension", b"5;ext=1\r\nhello\r\n0\r\n\r\n"),
    ("extension-bare", b"5;\r\nhello\r\n0\r\n\r\n"),
    ("missing-crlf-after-data", b"5\r\nhelloX0\r\n\r\n"),
    ("bare-lf-size", b"5\nhello\r\n0\r\n\r\n"),
    ("bare-lf-data", b"5\r\nhello\n0\r\n\r\n"),
    ("trailer", b"0\r\nX-Trailer: 1\r\n\r\n"),
    ("space-after-size", b"5 \r\nhello\r\n0\r\n\r\n"),
    ("hex-prefix", b"0x5\r\nhello\r\n0\r\n\r\n"),
    ("empty-size", b"\r\nhello\r\n0\r\n\r\n"),
    ("no-last-chunk-crlf", b"0\r\nGET /info HTTP/1.1\r\n" + H + b"\r\n"),
]
for nm, body in BADCHUNKS:
    if nm == "overflow-16":
        continue
    case(c, "chunk-" + nm, chunked(WAITP, body), R(400), args=WAIT)
    case(c, "chunk-" + nm + "-denied", chunked("/containers/create", body), DENY, close=True)

# ---------------------------------------------------------------- smuggling and pipelining
c = "smuggling-pipelining"
SMUG = b"GET /info HTTP/1.1\r\n" + H + b"\r\n"
case(c, "smuggle-in-cl-body", post(WAITP, SMUG), fwd(WAITL), args=WAIT, body=SMUG)
case(c, "smuggle-in-chunked-body", chunked(WAITP, b"%x\r\n" % len(SMUG) + SMUG + b"\r\n0\r\n\r\n"),
     fwd(WAITL), args=WAIT, body=SMUG)
case(c, "smuggle-cl0-then-denied", post(WAITP, b"") + SMUG, fwd(WAITL), DENY, args=WAIT)
case(c, "smuggle-short-cl", post(WAITP, b"{}").replace(b"Content-Length: 2", b"Content-Length: 1") ,
     fwd(WAITL), R(400), args=WAIT, body=b"{",
     note="CL 1: the body is '{' and '}' starts the next request line, which is malformed")
case(c, "smuggle-get-body", g("/_ping", extra=b"Content-Length: %d\r\n" % len(SMUG)) + SMUG,
     fwd("GET /_ping"), body=SMUG)
case(c, "pipeline-allowed-allowed", g("/_ping") + g("/v1.41/version"), fwd("GET /_ping"), fwd("GET /v1.41/version"))
case(c, "pipeline-allowed-denied", g("/_ping") + g("/info"), fwd("GET /_ping"), DENY)
case(c, "pipeline-denied-allowed", g("/info") + g("/_ping"), DENY, fwd("GET /_ping"))
case(c, "pipeline-denied-denied-allowed", g("/info") + g("/images/json") + g("/version"),
     DENY, DENY, fwd("GET /version"))
case(c, "pipeline-denied-body-closes", post("/containers/create", '{"Image":"x"}') + g("/_ping"), DENY, close=True)
case(c, "pipeline-denied-chunked-closes", chunked("/containers/create", b"2\r\n{}\r\n0\r\n\r\n") + g("/_ping"),
     DENY, close=True)
case(c, "pipeline-denied-body-hides-request", post("/containers/create", SMUG) + g("/_ping"), DENY, close=True)
case(c, "pipeline-rejected-closes", b"get /_ping HTTP/1.1\r\n" + H + b"\r\n" + g("/_ping"), R(501))
case(c, "pipeline-allowed-rejected", g("/_ping") + b"GET /_ping HTTP/1.1\r\nHost : x\r\n\r\n" + g("/_ping"),
     fwd("GET /_ping"), R(400))
case(c, "pipeline-allowed-body-then-denied", post(WAITP, b"{}") + g("/info") + g("/_ping"),
     fwd(WAITL), DENY, fwd("GET /_ping"), args=WAIT, body=b"{}")
case(c, "pipeline-chunked-then-denied", chunked(WAITP, b"2\r\n{}\r\n0\r\n\r\n") + SMUG, fwd(WAITL), DENY,
     args=WAIT, body=b"{}")
case(c, "pipeline-close-then-more", g("/_ping", extra=b"Connection: close\r\n") + g("/_ping"),
     fwd("GET /_ping"), close=True)
case(c, "pipeline-head-then-get", g("/_ping", b"HEAD") + g("/_ping"), fwd("HEAD /_ping"), fwd("GET /_ping"))
case(c, "pipeline-five", g("/_ping") * 5, *([fwd("GET /_ping")] * 5))

# ---------------------------------------------------------------- Upgrade, Expect, Connection
c = "upgrade-expect-connection"
case(c, "upgrade-websocket-ping", g("/_ping", extra=b"Connection: Upgrade\r\nUpgrade: websocket\r\n"
                                    b"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"),
     fwd("GET /_ping"))
case(c, "upgrade-h2c", g("/_ping", extra=b"Connection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\n"
                         b"HTTP2-Settings: AAMAAABkAARAAAAAAAIAAAAA\r\n"), fwd("GET /_ping"))
case(c, "upgrade-tcp-events", g("/events?since=0&until=1", extra=b"Connection: Upgrade\r\nUpgrade: tcp\r\n"),
     fwd("GET /events?since=0&until=1"))
case(c, "upgrade-no-connection", g("/_ping", extra=b"Upgrade: tcp\r\n"), fwd("GET /_ping"))
case(c, "upgrade-tcp-wait", post(WAITP, b"", extra=b"Connection: Upgrade\r\nUpgrade: tcp\r\n"), fwd(WAITL), args=WAIT)
case(c, "upgrade-dup", g("/_ping", extra=b"Upgrade: tcp\r\nUpgrade: tcp\r\n"), R(400))
case(c, "upgrade-denied", g("/containers/%s/attach?stream=1&stdin=1" % CANARY, b"POST",
                            extra=b"Connection: Upgrade\r\nUpgrade: tcp\r\n"), DENY)
case(c, "expect-100-allowed", post(WAITP, b"{}", extra=b"Expect: 100-continue\r\n"),
     "continue", fwd(WAITL), args=WAIT, body=b"{}")
case(c, "expect-100-case", post(WAITP, b"{}", extra=b"Expect: 100-Continue\r\n"),
     "continue", fwd(WAITL), args=WAIT, body=b"{}")
case(c, "expect-100-denied", post("/containers/create", b"{}", extra=b"Expect: 100-continue\r\n"), DENY, close=True)
case(c, "expect-100-get", g("/_ping", extra=b"Expect: 100-continue\r\n"), fwd("GET /_ping"))
case(c, "expect-unknown", post(WAITP, b"{}", extra=b"Expect: 200-ok\r\n"), R(417), args=WAIT)
case(c, "expect-unknown-get", g("/_ping", extra=b"Expect: foo\r\n"), R(417))
case(c, "expect-100-list", post(WAITP, b"{}", extra=b"Expect: 100-continue, foo\r\n"), R(417), args=WAIT)
case(c, "connection-close", g("/_ping", extra=b"Connection: close\r\n"), fwd("GET /_ping"), close=True)
case(c, "connection-keepalive-hop", g("/_ping", extra=b"Connection: keep-alive, X-Drop\r\nX-Drop: 1\r\n"
                                      b"Keep-Alive: timeout=5\r\nProxy-Connection: keep-alive\r\nTE: trailers\r\n"
                                      b"Trailer: X-T\r\nProxy-Authorization: Basic eDp5\r\n"),
     fwd("GET /_ping"))
case(c, "connection-names-host", g("/_ping", extra=b"Connection: Host\r\n"), fwd("GET /_ping"), sentinel=False,
     note="Host named in Connection: whatever happens to Host, the request line is what was judged")
case(c, "connection-names-cl", post(WAITP, b"{}", extra=b"Connection: Content-Length\r\n"), fwd(WAITL),
     args=WAIT, body=b"{}")
case(c, "connection-non-token", g("/_ping", extra=b"Connection: a b\r\n"), R(400))
case(c, "connection-names-override", g("/_ping", extra=b"Connection: X-HTTP-Method-Override\r\n"
                                       b"X-HTTP-Method-Override: DELETE\r\n"), fwd("GET /_ping"))

# ---------------------------------------------------------------- header syntax
c = "headers"
case(c, "nul-in-value", g("/_ping", extra=b"X-A: a\x00b\r\n"), R(400))
case(c, "cr-in-value", g("/_ping", extra=b"X-A: a\rb\r\n"), R(400))
case(c, "lf-in-value", g("/_ping", extra=b"X-A: a\nX-B: b\r\n"), R(400))
case(c, "ctrl-in-value", g("/_ping", extra=b"X-A: a\x01b\r\n"), R(400))
case(c, "del-in-value", g("/_ping", extra=b"X-A: a\x7fb\r\n"), R(400))
case(c, "obs-text-value", g("/_ping", extra=b"X-A: caf\xc3\xa9\r\n"), fwd("GET /_ping"))
case(c, "obs-fold-space", g("/_ping", extra=b"X-A: a\r\n b\r\n"), R(400))
case(c, "obs-fold-tab", g("/_ping", extra=b"X-A: a\r\n\tb\r\n"), R(400))
case(c, "first-header-folded", b"GET /_ping HTTP/1.1\r\n Host: docker\r\n\r\n", R(400))
case(c, "space-before-colon", b"GET /_ping HTTP/1.1\r\nHost : docker\r\n\r\n", R(400))
case(c, "tab-before-colon", b"GET /_ping HTTP/1.1\r\nHost\t: docker\r\n\r\n", R(400))
case(c, "empty-name", g("/_ping", extra=b": x\r\n"), R(400))
case(c, "name-with-space", g("/_ping", extra=b"X A: b\r\n"), R(400))
case(c, "name-with-paren", g("/_ping", extra=b"X(A): b\r\n"), R(400))
case(c, "name-high-byte", g("/_ping", extra=b"X\xc3\xa9: b\r\n"), R(400))
case(c, "no-colon", g("/_ping", extra=b"XA\r\n"), R(400))
case(c, "cr-cr-lf-end", b"GET /_ping HTTP/1.1\r\n" + H + b"\r\r\n", R(400))
case(c, "crlf-cr-x-end", b"GET /_ping HTTP/1.1\r\n" + H + b"\rXGET /info HTTP/1.1\r\n" + H + b"\r\n", R(400),
     note="CVE-2025-23167 (llhttp): \\r\\n\\rX taken as the end of the head")
case(c, "cr-garbage-after-request", b"GET /_ping HTTP/1.1\r\n" + H + b"\r\n\rX", fwd("GET /_ping"), R(400))
case(c, "lf-end", b"GET /_ping HTTP/1.1\r\n" + H + b"\n", R(400))
case(c, "64-fields", g("/_ping", extra=b"".join(b"X-H%d: v\r\n" % i for i in range(63))), fwd("GET /_ping"))
case(c, "65-fields", g("/_ping", extra=b"".join(b"X-H%d: v\r\n" % i for i in range(64))), R(431))
case(c, "1000-fields", g("/_ping", extra=b"".join(b"X-H%d: v\r\n" % i for i in range(1000))), R(431))
case(c, "head-16k", g("/_ping", extra=b"X-Big: " + b"a" * 16300 + b"\r\n"), fwd("GET /_ping"))
case(c, "head-too-big", g("/_ping", extra=b"X-Big: " + b"a" * 17000 + b"\r\n"), R(431))
case(c, "head-too-big-many", g("/_ping", extra=b"".join(b"X-H%d: %s\r\n" % (i, b"b" * 400) for i in range(50))),
     R(431))
case(c, "empty-value", g("/_ping", extra=b"X-Empty:\r\n"), fwd("GET /_ping"))
case(c, "form-urlencoded-post", post(WAITP, b"condition=removed", ctype=b"application/x-www-form-urlencoded"),
     R(415), args=WAIT)
case(c, "form-urlencoded-get", g("/containers/json", extra=b"Content-Type: application/x-www-form-urlencoded\r\n"),
     R(415))
case(c, "form-urlencoded-case", post(WAITP, b"condition=removed", ctype=b"Application/X-WWW-Form-URLEncoded"),
     R(415), args=WAIT)
case(c, "form-urlencoded-params", post(WAITP, b"condition=removed",
                                       ctype=b"application/x-www-form-urlencoded; charset=utf-8"), R(415), args=WAIT)
case(c, "form-urlencoded-ows", post(WAITP, b"condition=removed",
                                    ctype=b"application/x-www-form-urlencoded ;charset=utf-8"), R(415), args=WAIT)
case(c, "form-urlencoded-second-ct", post(WAITP, b"condition=removed",
                                          extra=b"Content-Type: application/x-www-form-urlencoded\r\n"), R(415),
     args=WAIT, note="two Content-Type fields: refuse rather than guess which one dockerd reads")
case(c, "form-urlencoded-first-ct", post(WAITP, b"condition=removed", ctype=b"application/x-www-form-urlencoded",
                                         extra=b"Content-Type: application/json\r\n"), R(415), args=WAIT)
case(c, "form-query-override", post("/containers/json", b"size=1", ctype=b"application/x-www-form-urlencoded",
                                    method=b"GET"), R(415), args=QSIZE)

# ---------------------------------------------------------------- Host oddities
c = "host"
case(c, "missing-host", b"GET /_ping HTTP/1.1\r\n\r\n", R(400))
case(c, "dup-host", b"GET /_ping HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", R(400))
case(c, "host-space", b"GET /_ping HTTP/1.1\r\nHost: a b\r\n\r\n", R(400))
case(c, "host-at", b"GET /_ping HTTP/1.1\r\nHost: user@evil\r\n\r\n", R(400))
case(c, "host-slash", b"GET /_ping HTTP/1.1\r\nHost: docker/info\r\n\r\n", R(400))
case(c, "host-port", b"GET /_ping HTTP/1.1\r\nHost: docker:2375\r\n\r\n", fwd("GET /_ping"))
case(c, "host-ipv6", b"GET /_ping HTTP/1.1\r\nHost: [::1]:2375\r\n\r\n", fwd("GET /_ping"))
case(c, "host-nul", b"GET /_ping HTTP/1.1\r\nHost: docker\x00\r\n\r\n", R(400))
case(c, "host-case-dup", b"GET /_ping HTTP/1.1\r\nHost: a\r\nhOST: b\r\n\r\n", R(400))
case(c, "host-empty-value", b"GET /_ping HTTP/1.1\r\nHost: \r\n\r\n", "any",
     note="RFC 9112 allows an empty Host; either outcome is safe")
case(c, "host-http10-dup", b"GET /_ping HTTP/1.0\r\nHost: a\r\nHost: b\r\n\r\n", R(400))

# ---------------------------------------------------------------- hijack endpoints
c = "hijack"
case(c, "attach-upgrade-allowed", g("/v1.41/containers/%s/attach?stream=1&stdout=1" % CANARY, b"POST",
                                    extra=b"Connection: Upgrade\r\nUpgrade: tcp\r\n"),
     fwd("POST /v1.41/containers/%s/attach?stream=1&stdout=1" % CANARY), args=ATTACH, live="skip", sentinel=False)
case(c, "attach-enc-allowed", g("/v1.41/containers/%s/%%61ttach?stream=0" % CANARY, b"POST"),
     fwd("POST /v1.41/containers/%s/attach?stream=0" % CANARY), args=ATTACH, live="skip", sentinel=False)
case(c, "exec-start-denied", g("/exec/abc/start", b"POST", extra=b"Connection: Upgrade\r\nUpgrade: tcp\r\n"), DENY)
case(c, "session-denied", g("/session", b"POST", extra=b"Connection: Upgrade\r\nUpgrade: h2c\r\n"), DENY)
case(c, "grpc-denied", g("/grpc", b"POST", extra=b"Connection: Upgrade\r\nUpgrade: h2c\r\n"), DENY)
case(c, "attach-ws-denied", g("/containers/%s/attach/ws" % CANARY, extra=b"Connection: Upgrade\r\nUpgrade: websocket\r\n"), DENY)

# ---------------------------------------------------------------- readonly profile (permissive variant)
c = "readonly-profile"
case(c, "ro-info", g("/v1.41/info"), fwd("GET /v1.41/info"), args=READONLY)
case(c, "ro-images", g("/images/json"), fwd("GET /images/json"), args=READONLY)
case(c, "ro-logs", g("/containers/%s/logs?stdout=1" % CANARY), DENY, args=READONLY)
case(c, "ro-logs-enc", g("/containers/%s/%%6Cogs?stdout=1" % CANARY), DENY, args=READONLY)
case(c, "ro-logs-version", g("/v1.41/containers/%s/logs?stdout=1" % CANARY), DENY, args=READONLY)
case(c, "ro-logs-double-version", g("/v1.41/v1.41/containers/%s/logs?stdout=1" % CANARY),
     fwd("GET /v1.41/v1.41/containers/%s/logs?stdout=1" % CANARY), args=READONLY,
     note="allowed by GET /**, and dockerd does not route it (404): differential checks that")
case(c, "ro-logs-upper", g("/containers/%s/LOGS?stdout=1" % CANARY),
     fwd("GET /containers/%s/LOGS?stdout=1" % CANARY), args=READONLY)
case(c, "ro-logs-semicolon", g("/containers/%s/logs;x?stdout=1" % CANARY),
     fwd("GET /containers/%s/logs;x?stdout=1" % CANARY), args=READONLY)
case(c, "ro-logs-slash-name", g("/containers/a/b/logs?stdout=1"), DENY, args=READONLY)
case(c, "ro-logs-dotdot", g("/containers/x/../%s/logs" % CANARY), R(400), args=READONLY)
case(c, "ro-logs-head", g("/containers/%s/logs" % CANARY, b"HEAD"), DENY, args=READONLY)
case(c, "ro-export", g("/containers/%s/export" % CANARY), DENY, args=READONLY)
case(c, "ro-archive-head", g("/containers/%s/archive?path=/" % CANARY, b"HEAD"), DENY, args=READONLY)
case(c, "ro-image-get", g("/images/sockward-testbox:test/get"), DENY, args=READONLY)
case(c, "ro-image-get-slashes", g("/images/a/b/c/get"), DENY, args=READONLY)
case(c, "ro-image-get-enc", g("/images/get?names=sockward-testbox%3Atest"), DENY, args=READONLY)
case(c, "ro-kill", g("/containers/%s/kill" % CANARY, b"POST"), DENY, args=READONLY)
case(c, "ro-kill-override", g("/containers/%s/kill" % CANARY, extra=b"X-HTTP-Method-Override: POST\r\n"),
     fwd("GET /containers/%s/kill" % CANARY), args=READONLY)
case(c, "ro-delete-lower", b"delete /containers/%s?force=1 HTTP/1.1\r\n" % CANARY.encode() + H + b"\r\n",
     R(501), args=READONLY)
case(c, "ro-delete-override", g("/containers/%s?force=1" % CANARY, extra=b"X-HTTP-Method: DELETE\r\n"),
     fwd("GET /containers/%s?force=1" % CANARY), args=READONLY)
case(c, "ro-prune-form", g("/containers/prune", extra=b"Content-Type: application/x-www-form-urlencoded\r\n"
                           b"Content-Length: 0\r\n"), R(415), args=READONLY)
case(c, "ro-debug", g("/debug/pprof/"), R(400), args=READONLY)
case(c, "ro-debug-enc", g("/%64ebug/pprof/goroutine"), DENY, args=READONLY)
case(c, "ro-unlockkey", g("/swarm/unlockkey"), DENY, args=READONLY)
case(c, "ro-deep", g("/" + "/".join(["a"] * 12)), DENY, args=READONLY)
case(c, "ro-post-smuggle", g("/_ping", extra=b"Content-Length: %d\r\n" %
                              len(b"POST /containers/%s/kill HTTP/1.1\r\n" % CANARY.encode() + H + b"\r\n")) +
     b"POST /containers/%s/kill HTTP/1.1\r\n" % CANARY.encode() + H + b"\r\n", fwd("GET /_ping"), args=READONLY,
     body=b"POST /containers/%s/kill HTTP/1.1\r\n" % CANARY.encode() + H + b"\r\n")
case(c, "ro-pipeline-kill", g("/_ping") + g("/containers/%s/kill" % CANARY, b"POST") + g("/_ping"),
     fwd("GET /_ping"), DENY, fwd("GET /_ping"), args=READONLY)

# ---------------------------------------------------------------- placeholders bind like dockerd's router
# dockerd routes "/containers/{name:.*}/exec", "/images/{name:.*}/get": a
# name may span segments (legacy link names "web/db", registry images).  A
# "{id}" rule binds the same way (src/core/engine_api.c), so a deny holds.
# This script keeps no list of hijacking or spanning routes of its own: the
# table is src/core/engine_api.c, printed in docs/PROFILES.md (make docs).
# A denied request with a body closes the connection (as pipeline-denied-
# body-closes).
c = "engine-api"
DENY_EXEC = ("--profile none --deny 'POST /containers/{id}/exec' "
             "--allow 'POST /containers/**'")
EXEC_BODY = '{"Cmd":["/testbox"]}'
case(c, "deny-exec-link-name", post("/containers/%s/x/exec" % CANARY, EXEC_BODY),
     DENY, close=True, args=DENY_EXEC)
case(c, "deny-exec-link-name-version", post("/v1.41/containers/%s/x/exec" % CANARY, EXEC_BODY),
     DENY, close=True, args=DENY_EXEC)
case(c, "deny-exec-deep-name", post("/containers/a/b/c/d/exec", EXEC_BODY),
     DENY, close=True, args=DENY_EXEC)
case(c, "deny-exec-enc-name", post("/containers/%s/x/%%65xec" % CANARY, EXEC_BODY),
     DENY, close=True, args=DENY_EXEC)
case(c, "ro-image-get-registry", g("/images/reg:5000/org/app:1/get"), DENY, args=READONLY)
case(c, "ro-image-get-deep", g("/images/a/b/c/d/e/f/g/h/i/get"), DENY, args=READONLY)
case(c, "attach-allow-not-exec", post("/containers/%s/x/exec" % CANARY, EXEC_BODY),
     DENY, close=True, args=ATTACH)

# issue 11: booleans as dockerd reads them, sized container lists, ping and
# version in every profile, watchtower --monitor-only --no-pull
c = "profiles"
case(c, "constraint-bool-caps", g("/containers/json?size=False"),
     fwd("GET /containers/json?size=False"), args=QSIZE,
     note="dockerd's BoolValue: False is false, as docker-py spells it")
case(c, "constraint-bool-empty", g("/containers/json?size="),
     fwd("GET /containers/json?size="), args=QSIZE)
case(c, "constraint-bool-yes", g("/containers/json?size=yes"), DENY, args=QSIZE)
case(c, "constraint-bool-enc-true", g("/containers/json?size=%54rue"), DENY, args=QSIZE)
case(c, "ro-size-denied", g("/containers/json?size=1"), DENY, args=READONLY)
case(c, "ro-size-version-denied", g("/v1.41/containers/json?all=1&size=True"), DENY,
     args=READONLY)
case(c, "ro-size-false-allowed", g("/containers/json?all=1&size=0"),
     fwd("GET /containers/json?all=1&size=0"), args=READONLY)
case(c, "dozzle-size-denied", g("/v1.41/containers/json?all=1&size=1"), DENY,
     args="--profile dozzle")
case(c, "dozzle-get-ping", g("/v1.41/_ping"), fwd("GET /v1.41/_ping"),
     args="--profile dozzle")
case(c, "homepage-version", g("/version"), fwd("GET /version"),
     args="--profile homepage")
case(c, "homepage-stats-false", g("/containers/%s/stats?stream=False" % CANARY),
     fwd("GET /containers/%s/stats?stream=False" % CANARY), args="--profile homepage")
case(c, "homepage-stats-true", g("/containers/%s/stats?stream=True" % CANARY), DENY,
     args="--profile homepage")
case(c, "watchtower-ro-pull", g("/v1.25/images/create?fromImage=alpine&tag=latest", b"POST"),
     DENY, args="--profile watchtower-readonly")
case(c, "watchtower-ro-list", g("/v1.25/containers/json"),
     fwd("GET /v1.25/containers/json"), args="--profile watchtower-readonly")


# ---------------------------------------------------------------- Podman's libpod API (issue 15)
# A libpod path ("/libpod/..." after an optional version prefix) is only
# granted by a rule whose pattern starts with the literal "libpod": the
# catch-all reads of readonly (GET,HEAD /**) never reach it.  The three-part
# version prefix ("/v4.3.1") is only for libpod paths; any other malformed
# prefix is a 400.  Harness 2 runs these against dockerd (which routes no
# libpod path) and against a private podman service, where PODCANARY (a
# running container whose Env and CreateCommand hold a secret token),
# PODLOGS (an exited container that printed it), PODSECRET and PODPOD exist.
c = "libpod"
PRO = "--profile podman-readonly"
LP = "/v4.3.1/libpod"
PODLOGS = CANARY + "-logs"
PODSECRET = "sockward-adv-secret"
PODPOD = "sockward-adv-pod"
PODIMAGE = "localhost/sockward-testbox:test"
UPG = b"Connection: Upgrade\r\nUpgrade: tcp\r\n"
CREATE_PRIV = ('{"image":"%s","name":"sockward-adv-new","privileged":true,'
               '"mounts":[{"destination":"/host","source":"/","type":"bind"}],'
               '"command":["/testbox"]}' % PODIMAGE)
KUBE = ("apiVersion: v1\nkind: Pod\nmetadata:\n  name: sockward-adv-kube\nspec:\n  containers:\n"
        "  - name: c\n    image: %s\n    securityContext:\n      privileged: true\n" % PODIMAGE)
for prof, pre, args in (("ro", READONLY, READONLY), ("traefik", "traefik", None)):
    p = prof + "-libpod-"
    case(c, p + "export", g(LP + "/containers/%s/export" % CANARY), DENY, args=args)
    case(c, p + "logs", g(LP + "/containers/%s/logs?stdout=true&stderr=true" % PODLOGS), DENY, args=args)
    case(c, p + "secret-showsecret", g(LP + "/secrets/%s/json?showsecret=true" % PODSECRET), DENY, args=args)
    case(c, p + "unversioned-export", g("/libpod/containers/%s/export" % CANARY), DENY, args=args)
    case(c, p + "unversioned-ping", g("/libpod/_ping"), DENY, args=args)
    case(c, p + "containers-json", g(LP + "/containers/json?all=true"), DENY, args=args)
case(c, "ro-libpod-generate-kube", g(LP + "/generate/kube?names=%s" % CANARY), DENY, args=READONLY)
case(c, "ro-libpod-kube-generate", g(LP + "/kube/generate?names=%s" % CANARY), DENY, args=READONLY)
case(c, "ro-libpod-generate-systemd", g(LP + "/generate/%s/systemd" % CANARY), DENY, args=READONLY)
case(c, "ro-libpod-archive", g(LP + "/containers/%s/archive?path=/" % CANARY), DENY, args=READONLY)
case(c, "ro-libpod-inspect", g(LP + "/containers/%s/json" % CANARY), DENY, args=READONLY,
     note="CreateCommand holds the token: readonly grants no libpod read")
case(c, "ro-libpod-image-get", g(LP + "/images/%s/get" % PODIMAGE.replace("/", "%2F")), DENY, args=READONLY,
     note="%2F is decoded below /libpod/ (podman's client escapes image names' slashes)")
case(c, "ro-libpod-images-export", g(LP + "/images/export?references=%s" % PODIMAGE), DENY, args=READONLY)
case(c, "ro-libpod-quadlets", g(LP + "/quadlets/json"), DENY, args=READONLY)
case(c, "ro-libpod-unversioned-logs", g("/libpod/containers/%s/logs?stdout=true" % PODLOGS), DENY, args=READONLY)
case(c, "ro-libpod-unversioned-secret", g("/libpod/secrets/%s/json?showsecret=true" % PODSECRET), DENY,
     args=READONLY)
# encodings and prefixes
case(c, "ro-libpod-enc-l", g("/v4.3.1/%%6cibpod/containers/%s/export" % CANARY), DENY, args=READONLY)
case(c, "ro-libpod-enc-all", g("/%6C%69%62%70%6F%64/containers/" + PODLOGS + "/logs?stdout=true"), DENY,
     args=READONLY)
case(c, "ro-libpod-enc-unversioned-l", g("/%%6cibpod/containers/%s/export" % CANARY), DENY, args=READONLY)
case(c, "ro-libpod-enc-export", g(LP + "/containers/%s/%%65xport" % CANARY), DENY, args=READONLY)
case(c, "ro-libpod-enc-version", g("/v4%2e3%2e1/libpod/containers/" + CANARY + "/export"), DENY, args=READONLY)
case(c, "ro-libpod-upper-versioned", g("/v4.3.1/LIBPOD/containers/%s/export" % CANARY), R(400), args=READONLY,
     note="the three-part prefix is only for the libpod family, and LIBPOD is not it")
case(c, "ro-libpod-upper", g("/LIBPOD/containers/%s/export" % CANARY),
     fwd("GET /LIBPOD/containers/%s/export" % CANARY), args=READONLY,
     note="not a libpod path; podman's router is case-sensitive (404): the differential checks that")
case(c, "ro-libpod-upper-v2", g("/v4.3/LIBPOD/containers/%s/export" % CANARY),
     fwd("GET /v4.3/LIBPOD/containers/%s/export" % CANARY), args=READONLY)
case(c, "ro-libpod-dotdot", g(LP + "/../containers/json"), R(400), args=READONLY)
case(c, "ro-libpod-dotdot-into", g("/v1.41/containers/../../libpod/containers/%s/export" % CANARY), R(400),
     args=READONLY)
case(c, "ro-libpod-double-slash", g("//libpod/_ping"), R(400), args=READONLY)
case(c, "ro-libpod-double-slash-versioned", g("/v4.3.1//libpod/containers/%s/export" % CANARY), R(400),
     args=READONLY)
case(c, "ro-libpod-four-part", g("/v4.3.1.1/libpod/_ping"), R(400), args=READONLY)
case(c, "ro-libpod-four-part-export", g("/v4.3.1.1/libpod/containers/%s/export" % CANARY), R(400),
     args=READONLY)
case(c, "ro-libpod-two-part", g("/v4.3/libpod/containers/%s/export" % CANARY), DENY, args=READONLY)
case(c, "ro-libpod-leading-zero", g("/v04.3.1/libpod/containers/%s/export" % CANARY), DENY, args=READONLY)
case(c, "ro-libpod-long-part", g("/v4.3.1000/libpod/_ping"), R(400), args=READONLY)
case(c, "ro-libpod-empty-part", g("/v4..1/libpod/_ping"), R(400), args=READONLY)
case(c, "ro-libpod-double-version", g("/v4.3.1/v4.3.1/libpod/containers/%s/export" % CANARY), R(400),
     args=READONLY)
case(c, "ro-libpod-three-part-docker", g("/v4.3.1/containers/json"), R(400), args=READONLY)
case(c, "traefik-three-part-docker", g("/v4.3.1/containers/json"), R(400))
case(c, "traefik-three-part-ping", g("/v1.41.0/_ping"), R(400))
case(c, "ro-libpod-semicolon", g("/libpod;x/containers/%s/export" % CANARY),
     fwd("GET /libpod;x/containers/%s/export" % CANARY), args=READONLY,
     note="'libpod;x' is not the libpod segment, and podman does not route it (404)")
case(c, "ro-libpod-trailing-slash", g(LP + "/containers/%s/export/" % CANARY), R(400), args=READONLY)
case(c, "ro-libpod-query-trick", g("/_ping?/libpod/containers/%s/export" % CANARY),
     fwd("GET /_ping?/libpod/containers/%s/export" % CANARY), args=READONLY)
case(c, "ro-libpod-pipeline", g("/_ping") + g(LP + "/containers/%s/export" % CANARY) + g("/_ping"),
     fwd("GET /_ping"), DENY, fwd("GET /_ping"), args=READONLY)
case(c, "ro-libpod-head-export", g(LP + "/containers/%s/export" % CANARY, b"HEAD"), DENY, args=READONLY)
# writes: create, delete, kill, rename, hijacks, pods, prune, kube, secrets
for prof, args in (("ro", READONLY), ("pro", PRO)):
    p = prof + "-libpod-"
    case(c, p + "create-privileged", post(LP + "/containers/create", CREATE_PRIV), DENY, close=True, args=args)
    case(c, p + "delete-canary", g(LP + "/containers/%s?force=true&v=true" % CANARY, b"DELETE"), DENY, args=args)
    case(c, p + "kill-canary", g(LP + "/containers/%s/kill?signal=KILL" % CANARY, b"POST"), DENY, args=args)
    case(c, p + "rename-canary", g(LP + "/containers/%s/rename?name=sockward-adv-renamed" % CANARY, b"POST"),
         DENY, args=args)
    case(c, p + "attach-hijack", g(LP + "/containers/%s/attach?stream=true&stdout=true" % CANARY, b"POST",
                                   extra=UPG), DENY, args=args)
    case(c, p + "exec-create", post(LP + "/containers/%s/exec" % CANARY,
                                    '{"Cmd":["/testbox","echo","x"],"AttachStdout":true}'),
         DENY, close=True, args=args)
    case(c, p + "exec-start-hijack", post(LP + "/exec/abc/start", '{"Detach":false}', extra=UPG), DENY,
         close=True, args=args)
    case(c, p + "pod-kill", g(LP + "/pods/%s/kill" % PODPOD, b"POST"), DENY, args=args)
    case(c, p + "pod-rm", g(LP + "/pods/%s?force=true" % PODPOD, b"DELETE"), DENY, args=args)
    case(c, p + "system-prune", g(LP + "/system/prune?all=true&volumes=true", b"POST"), DENY, args=args)
    case(c, p + "play-kube", post(LP + "/play/kube", KUBE, ctype=b"application/yaml"), DENY, close=True,
         args=args)
    case(c, p + "kube-play", post(LP + "/kube/play", KUBE, ctype=b"application/yaml"), DENY, close=True,
         args=args)
    case(c, p + "secret-create", post(LP + "/secrets/create?name=sockward-adv-new", "x",
                                      ctype=b"application/octet-stream"), DENY, close=True, args=args)
    case(c, p + "volume-rm", g(LP + "/volumes/%s?force=true" % CANARY, b"DELETE"), DENY, args=args)
    case(c, p + "image-rm", g(LP + "/images/%s?force=true" % "sockward-testbox:test", b"DELETE"), DENY,
         args=args)
    case(c, p + "unversioned-kill", g("/libpod/containers/%s/kill" % CANARY, b"POST"), DENY, args=args)
    case(c, p + "enc-kill", g(LP + "/containers/%s/%%6bill" % CANARY, b"POST"), DENY, args=args)
    case(c, p + "override-delete", g(LP + "/containers/%s/exists" % CANARY,
                                     extra=b"X-HTTP-Method-Override: DELETE\r\n"),
         fwd("GET %s/containers/%s/exists" % (LP, CANARY)) if prof == "pro" else DENY, args=args)
# podman-readonly: the reads `podman --remote ps/inspect/images` need, and
# no exfiltration route
case(c, "pro-ping", g(LP + "/_ping"), fwd("GET %s/_ping" % LP), args=PRO)
case(c, "pro-ping-unversioned", g("/libpod/_ping"), fwd("GET /libpod/_ping"), args=PRO)
case(c, "pro-docker-ping", g("/_ping"), fwd("GET /_ping"), args=PRO)
case(c, "pro-version", g(LP + "/version"), fwd("GET %s/version" % LP), args=PRO)
case(c, "pro-containers-json", g(LP + "/containers/json?all=true"), fwd("GET %s/containers/json?all=true" % LP),
     args=PRO)
case(c, "pro-containers-json-size", g(LP + "/containers/json?all=true&size=true"), DENY, args=PRO)
case(c, "pro-inspect", g(LP + "/containers/%s/json" % CANARY), fwd("GET %s/containers/%s/json" % (LP, CANARY)),
     args=PRO, note="answered with Config.Env and Config.CreateCommand redacted: harness 2 looks for the token")
case(c, "pro-inspect-enc", g(LP + "/containers/%73ockward-adv-canary/json"),
     fwd("GET %s/containers/%s/json" % (LP, CANARY)), args=PRO)
case(c, "pro-exists", g(LP + "/containers/%s/exists" % CANARY), fwd("GET %s/containers/%s/exists" % (LP, CANARY)),
     args=PRO)
case(c, "pro-images-json", g(LP + "/images/json"), fwd("GET %s/images/json" % LP), args=PRO)
case(c, "pro-volumes-json", g(LP + "/volumes/json"), fwd("GET %s/volumes/json" % LP), args=PRO)
case(c, "pro-pods-json", g(LP + "/pods/json"), fwd("GET %s/pods/json" % LP), args=PRO)
case(c, "pro-export", g(LP + "/containers/%s/export" % CANARY), DENY, args=PRO)
case(c, "pro-logs", g(LP + "/containers/%s/logs?stdout=true" % PODLOGS), DENY, args=PRO)
case(c, "pro-logs-unversioned", g("/libpod/containers/%s/logs?stdout=true" % PODLOGS), DENY, args=PRO)
case(c, "pro-docker-logs", g("/containers/%s/logs?stdout=1" % PODLOGS), DENY, args=PRO)
case(c, "pro-archive", g(LP + "/containers/%s/archive?path=/" % CANARY), DENY, args=PRO)
case(c, "pro-top", g(LP + "/containers/%s/top" % CANARY), DENY, args=PRO)
case(c, "pro-images-export", g(LP + "/images/export?references=%s" % PODIMAGE), DENY, args=PRO)
case(c, "pro-image-get", g(LP + "/images/sockward-testbox:test/get"), DENY, args=PRO)
case(c, "pro-generate-kube", g(LP + "/generate/kube?names=%s" % CANARY), DENY, args=PRO)
case(c, "pro-generate-systemd", g(LP + "/generate/%s/systemd" % CANARY), DENY, args=PRO)
case(c, "pro-secret-inspect", g(LP + "/secrets/%s/json?showsecret=true" % PODSECRET), DENY, args=PRO)
case(c, "pro-secrets-json", g(LP + "/secrets/json"), DENY, args=PRO)
case(c, "pro-enc-export", g(LP + "/containers/%s/%%65xport" % CANARY), DENY, args=PRO)
case(c, "pro-enc-libpod-logs", g("/v4.3.1/%%6cibpod/containers/%s/logs?stdout=true" % PODLOGS), DENY, args=PRO)
case(c, "pro-two-part-export", g("/v4.3/libpod/containers/%s/export" % CANARY), DENY, args=PRO)
case(c, "pro-quadlets", g(LP + "/quadlets/json"), DENY, args=PRO)
case(c, "pro-four-part", g("/v4.3.1.1/libpod/containers/json"), R(400), args=PRO)
case(c, "pro-pipeline-export", g(LP + "/_ping") + g(LP + "/containers/%s/export" % CANARY) + g(LP + "/_ping"),
     fwd("GET %s/_ping" % LP), DENY, fwd("GET %s/_ping" % LP), args=PRO)
case(c, "pro-smuggle-export", g(LP + "/_ping", extra=b"Content-Length: %d\r\n" %
                                len(g(LP + "/containers/%s/export" % CANARY))) +
     g(LP + "/containers/%s/export" % CANARY), fwd("GET %s/_ping" % LP), args=PRO,
     body=g(LP + "/containers/%s/export" % CANARY))
# %2F below /libpod/: decoded, judged and forwarded decoded (podman routes
# the path as sent, so it routes what was judged)
ENCIMG = PODIMAGE.replace("/", "%2F")
case(c, "pro-enc-slash-image-inspect", g(LP + "/images/%s/json" % ENCIMG),
     fwd("GET %s/images/%s/json" % (LP, PODIMAGE)), args=PRO)
case(c, "pro-enc-slash-image-exists-unversioned", g("/libpod/images/%s/exists" % ENCIMG),
     fwd("GET /libpod/images/%s/exists" % PODIMAGE), args=PRO)
case(c, "pro-enc-slash-image-get", g(LP + "/images/%s/get" % ENCIMG), DENY, args=PRO)
case(c, "pro-enc-slash-export", g(LP + "/containers/%s%%2Fexport" % CANARY), DENY, args=PRO)
case(c, "pro-enc-slash-export-json", g(LP + "/containers/%s%%2Fexport/json" % CANARY), DENY, args=PRO)
case(c, "pro-enc-slash-logs-lower", g(LP + "/containers/%s%%2flogs?stdout=true" % PODLOGS), DENY, args=PRO)
case(c, "pro-enc-slash-libpod-segment", g("/v4.3.1/libpod%2Fcontainers/json"), R(400), args=PRO)
case(c, "pro-enc-slash-before-libpod", g("/v4.3.1%2Flibpod/_ping"), R(400), args=PRO)
case(c, "pro-enc-slash-dotdot", g(LP + "/images/a%2F..%2F..%2Fcontainers/json"), R(400), args=PRO)
case(c, "pro-enc-slash-dot", g(LP + "/containers/%s%%2F.%%2Fexport" % CANARY), R(400), args=PRO)
case(c, "pro-enc-slash-leading", g(LP + "/images/%2Fetc/json"), R(400), args=PRO)
case(c, "pro-enc-slash-trailing", g(LP + "/images/a%2F/json"), R(400), args=PRO)
case(c, "pro-double-enc-slash", g(LP + "/images/a%252Fb/json"), R(400), args=PRO)
case(c, "pro-enc-slash-docker-path", g("/v1.41/images/%s/json" % ENCIMG), R(400), args=PRO)
case(c, "ro-enc-slash-export", g(LP + "/containers/%s%%2Fexport" % CANARY), DENY, args=READONLY)
case(c, "pro-pod-inspect", g(LP + "/pods/%s/json" % PODPOD), fwd("GET %s/pods/%s/json" % (LP, PODPOD)), args=PRO,
     note="CreateCommand redacted: harness 2 on podman looks for the token")
case(c, "pro-volume-inspect", g(LP + "/volumes/%s/json" % CANARY), fwd("GET %s/volumes/%s/json" % (LP, CANARY)),
     args=PRO, note="Options redacted: harness 2 on podman looks for the token")


def write():
    for f in glob.glob(os.path.join(HERE, "[0-9][0-9][0-9]-*.req")) + \
            glob.glob(os.path.join(HERE, "[0-9][0-9][0-9]-*.expect")):
        os.unlink(f)
    seen = set()
    for i, cs in enumerate(CASES, 1):
        assert re.match(r"^[a-z0-9][a-z0-9-]*$", cs["name"]), cs["name"]
        assert cs["name"] not in seen, cs["name"]
        seen.add(cs["name"])
        stem = "%03d-%s" % (i, cs["name"])
        with open(os.path.join(HERE, stem + ".req"), "wb") as f:
            f.write(cs["req"])
        lines = ["category: " + cs["cat"]]
        if cs["note"]:
            lines.append("# " + cs["note"])
        if cs["args"]:
            lines.append("args: " + cs["args"])
        for o in cs["outcomes"]:
            lines.append("expect: " + o)
        if cs["body"] is not None:
            lines.append("body: " + repr(cs["body"]))
        if cs["close"] is not None:
            lines.append("close: " + ({True: "yes", False: "no"}.get(cs["close"], cs["close"])))
        if cs["sentinel"] is False:
            lines.append("sentinel: no")
        if cs["live"]:
            lines.append("live: " + cs["live"])
        with open(os.path.join(HERE, stem + ".expect"), "w") as f:
            f.write("\n".join(lines) + "\n")
    print("%d cases" % len(CASES))


if __name__ == "__main__":
    write()
