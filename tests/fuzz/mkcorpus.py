#!/usr/bin/env python3
"""mkcorpus.py - (re)write the seed corpora in tests/fuzz/corpus/<target>/.

The seeds are realistic inputs (Traefik, the docker CLI, hijacked attach
and exec, dockerd responses, chunked bodies, example config, autoheal
filters) plus known-nasty ones (request smuggling, path tricks).  Run from
anywhere: python3 tests/fuzz/mkcorpus.py.  Files are named after what they
hold; rerunning rewrites them identically.
"""
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
UA_CLI = b"User-Agent: Docker-Client/24.0.7 (linux)\r\n"
UA_GO = b"User-Agent: Go-http-client/1.1\r\n"
DOCKERD = (b"Api-Version: 1.43\r\nDocker-Experimental: false\r\n"
           b"Ostype: linux\r\nServer: Docker/24.0.7 (linux)\r\n"
           b"Date: Mon, 04 Mar 2024 10:00:00 GMT\r\n")


def req(line, *hdrs, body=b""):
    return line.encode() + b"\r\n" + b"".join(
        h if isinstance(h, bytes) else h.encode() + b"\r\n"
        for h in hdrs) + b"\r\n" + body


HTTP_REQ = {
    # Traefik's docker provider.
    "traefik_ping": req("HEAD /_ping HTTP/1.1", "Host: docker", UA_GO),
    "traefik_version": req("GET /v1.24/version HTTP/1.1", "Host: docker",
                           UA_GO, "Accept-Encoding: gzip"),
    "traefik_containers": req(
        "GET /v1.24/containers/json?limit=0 HTTP/1.1", "Host: docker",
        UA_GO, "Accept-Encoding: gzip"),
    "traefik_inspect": req(
        "GET /v1.24/containers/3f4e5a6b7c8d/json HTTP/1.1", "Host: docker",
        UA_GO, "Accept-Encoding: gzip"),
    "traefik_events": req(
        "GET /v1.24/events?filters=%7B%22type%22%3A%7B%22container%22%3A"
        "true%7D%7D HTTP/1.1", "Host: docker", UA_GO,
        "Accept-Encoding: gzip"),
    # docker CLI.
    "cli_ping": req("HEAD /_ping HTTP/1.1", "Host: api.moby.localhost",
                    UA_CLI),
    "cli_ps": req("GET /v1.43/containers/json HTTP/1.1",
                  "Host: api.moby.localhost", UA_CLI),
    "cli_create": req(
        "POST /v1.43/containers/create?name=web HTTP/1.1",
        "Host: api.moby.localhost", UA_CLI,
        "Content-Type: application/json", "Content-Length: 41",
        body=b'{"Image":"nginx:alpine","Cmd":["nginx"]}\n'),
    "cli_rm": req("DELETE /v1.43/containers/web?force=1&v=1 HTTP/1.1",
                  "Host: api.moby.localhost", UA_CLI),
    "cli_image_inspect": req(
        "GET /v1.43/images/registry:5000/group/app:1.2/json HTTP/1.1",
        "Host: api.moby.localhost", UA_CLI),
    "cli_build_chunked": req(
        "POST /v1.43/build?t=app&dockerfile=Dockerfile HTTP/1.1",
        "Host: api.moby.localhost", UA_CLI,
        "Content-Type: application/x-tar", "Transfer-Encoding: chunked",
        body=b"5\r\nhello\r\n0\r\n\r\n"),
    "cli_expect": req("PUT /v1.43/containers/web/archive?path=/tmp HTTP/1.1",
                      "Host: api.moby.localhost", UA_CLI,
                      "Content-Type: application/x-tar",
                      "Content-Length: 10240", "Expect: 100-continue"),
    # Hijacking requests.
    "hijack_attach": req(
        "POST /v1.43/containers/web/attach?stream=1&stdin=1&stdout=1"
        "&stderr=1 HTTP/1.1", "Host: api.moby.localhost", UA_CLI,
        "Content-Length: 0", "Connection: Upgrade", "Upgrade: tcp"),
    "hijack_exec_start": req(
        "POST /v1.43/exec/0123abcd/start HTTP/1.1",
        "Host: api.moby.localhost", UA_CLI,
        "Content-Type: application/json", "Connection: Upgrade",
        "Upgrade: tcp", "Content-Length: 27",
        body=b'{"Detach":false,"Tty":true}'),
    "hijack_attach_ws": req(
        "GET /v1.43/containers/web/attach/ws?stream=1 HTTP/1.1",
        "Host: localhost:2375", "Connection: Upgrade",
        "Upgrade: websocket", "Sec-WebSocket-Version: 13",
        "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ=="),
    "http10_no_host": req("GET /containers/json HTTP/1.0",
                          "Connection: keep-alive"),
    "conn_lists_field": req("GET /info HTTP/1.1", "Host: docker",
                            "Connection: close, X-Secret", "X-Secret: 1",
                            "X-Keep: 2"),
    "pipelined": req("GET /_ping HTTP/1.1", "Host: docker") +
    req("GET /version HTTP/1.1", "Host: docker"),
    # Nasty: smuggling and path tricks.
    "nasty_cl_te": req("POST /containers/create HTTP/1.1", "Host: docker",
                       "Content-Length: 4", "Transfer-Encoding: chunked",
                       body=b"0\r\n\r\n"),
    "nasty_te_cl": req("POST /containers/create HTTP/1.1", "Host: docker",
                       "Transfer-Encoding: chunked", "Content-Length: 4"),
    "nasty_dup_cl": req("POST /x HTTP/1.1", "Host: docker",
                        "Content-Length: 4", "Content-Length: 5"),
    "nasty_cl_list": req("POST /x HTTP/1.1", "Host: docker",
                         "Content-Length: 4, 4"),
    "nasty_cl_plus": req("POST /x HTTP/1.1", "Host: docker",
                         "Content-Length: +4"),
    "nasty_te_identity": req("POST /x HTTP/1.1", "Host: docker",
                             "Transfer-Encoding: identity, chunked"),
    "nasty_te_space": b"POST /x HTTP/1.1\r\nHost: docker\r\n"
                      b"Transfer-Encoding : chunked\r\n\r\n",
    "nasty_te_http10": req("POST /x HTTP/1.0", "Transfer-Encoding: chunked"),
    "nasty_obs_fold": b"GET /x HTTP/1.1\r\nHost: docker\r\nX-A: 1\r\n"
                      b" folded\r\n\r\n",
    "nasty_bare_lf": b"GET /x HTTP/1.1\nHost: docker\n\n",
    "nasty_bare_cr": b"GET /x HTTP/1.1\r\nHost: docker\rX: y\r\n\r\n",
    "nasty_nul": b"GET /x HTTP/1.1\r\nHost: docker\r\nX: a\x00b\r\n\r\n",
    "nasty_dotdot": req("GET /v1.24/containers/../secrets HTTP/1.1",
                        "Host: docker"),
    "nasty_enc_dot": req("GET /v1.24/containers/%2e%2e/secrets HTTP/1.1",
                         "Host: docker"),
    "nasty_enc_slash": req("GET /containers%2Fjson HTTP/1.1", "Host: docker"),
    "nasty_double_pct": req("GET /containers/%252e%252e/x HTTP/1.1",
                            "Host: docker"),
    "nasty_overlong": req("GET /containers/%C0%AE%C0%AE/x HTTP/1.1",
                          "Host: docker"),
    "nasty_double_slash": req("GET /v1.24//containers/json HTTP/1.1",
                              "Host: docker"),
    "nasty_abs_form": req("GET http://docker/containers/json HTTP/1.1",
                          "Host: docker"),
    "nasty_method_override": req("GET /containers/json HTTP/1.1",
                                 "Host: docker",
                                 "X-HTTP-Method-Override: DELETE"),
    "nasty_dup_host": req("GET /x HTTP/1.1", "Host: a", "Host: b"),
    "nasty_host_at": req("GET /x HTTP/1.1", "Host: evil@docker"),
    "nasty_version_prefix": req("GET /v1.24x/containers/json HTTP/1.1",
                                "Host: docker"),
    "nasty_enc_version": req("GET /%761.41/containers/json HTTP/1.1",
                             "Host: docker"),
    "nasty_reencode": req("GET /containers/%22%3C%3E%5B%5D%5E%60%7B%7C%7D"
                          "/json?x=%22 HTTP/1.1", "Host: docker"),
    "nasty_upgrade_http10": req("GET /x HTTP/1.0", "Connection: Upgrade",
                                "Upgrade: tcp"),
    "nasty_http2": req("GET /x HTTP/2.0", "Host: docker"),
    "nasty_lowercase_method": req("get /x HTTP/1.1", "Host: docker"),
    "nasty_many_headers": req("GET /x HTTP/1.1", "Host: docker",
                              *["X-H%d: %d" % (i, i) for i in range(64)]),
    "nasty_long_target": req("GET /" + "a" * 8200 + " HTTP/1.1",
                             "Host: docker"),
}

CANON = {
    "plain": b"/containers/json",
    "version": b"/v1.41/containers/json?all=1",
    "root": b"/",
    "ping": b"/_ping",
    "image_deep": b"/v1.43/images/registry:5000/group/sub/app:1.0/json",
    "pct_utf8": b"/containers/caf%C3%A9/json",
    "query_filters": b"/v1.24/events?filters=%7B%22type%22%3A%7B%22"
                     b"container%22%3Atrue%7D%7D",
    "reencode": b"/containers/%22%3C%3E%5B%5D%5E%60%7B%7C%7D/json",
    "sub_delims": b"/a/!$&'()*+,;=:@~-._/b",
    "nasty_dotdot": b"/v1.24/containers/../secrets",
    "nasty_enc_dotdot": b"/containers/%2E%2E/x",
    "nasty_enc_slash": b"/containers%2fjson",
    "nasty_double": b"/containers/%252e/x",
    "nasty_overlong": b"/%C0%AF/x",
    "nasty_surrogate": b"/%ED%A0%80/x",
    "nasty_backslash": b"/containers%5C..%5Cx",
    "nasty_version_only": b"/v1.41",
    "nasty_version_slash": b"/v1.41/",
    "nasty_version_bad": b"/v1.4.1/x",
    "nasty_version_enc": b"/%76%31%2E%34%31/x",
    "nasty_trailing_slash": b"/containers/json/",
    "nasty_query_bad_pct": b"/x?a=%G0",
    "nasty_fragment": b"/x#y",
    "nasty_nul": b"/x%00y",
}

RULE = {
    "allow_simple": b"allow GET /containers/json\nGET /v1.41/containers/json"
                    b"\nHEAD /containers/json\nGET /containers/json/x\n",
    "allow_placeholder": b"allow GET,HEAD /containers/{id}/json\n"
                         b"GET /containers/abc/json\nHEAD /v1.24/containers"
                         b"/abc/json\nGET /containers//json\n",
    "allow_query": b"allow GET /containers/{id}/logs query follow=0|false "
                   b"query tail=*\nGET /containers/a/logs?follow=0&tail=10\n"
                   b"GET /containers/a/logs?follow=1\nGET /containers/a/logs"
                   b"?follow=0&follow=1\nGET /containers/a/logs?follow;=0\n",
    "allow_require": b"allow GET /containers/{name}/stats require "
                     b"stream=false|0\nGET /containers/x/stats?stream=0\n"
                     b"GET /containers/x/stats\n",
    "allow_filter": b"allow GET /containers/json filter health=unhealthy "
                    b"filter label=autoheal=true\nGET /containers/json?filters"
                    b"=%7B%22health%22%3A%5B%22unhealthy%22%5D%2C%22label"
                    b"%22%3A%5B%22autoheal%3Dtrue%22%5D%7D\n",
    "deny_reason": b'deny * /secrets/** reason "no \\"secrets\\" \\\\ here"'
                   b"\nGET /secrets\nDELETE /secrets/a/b\nGET /secretsX\n",
    "deny_rest": b"deny GET,HEAD /containers/{id}/logs reason \"logs\"\n"
                 b"GET /containers/a/logs\n",
    "root": b"allow GET /\nGET /\nGET /x\n",
    "star": b"allow * /images/*/*/json\nGET /images/a/b/json\n"
            b"POST /images/a/json\n",
    "rest_root": b"allow OPTIONS /**\nOPTIONS /\nOPTIONS /a/b/c\n",
    "hijack": b"allow POST /containers/{id}/attach\n"
              b"POST /containers/web/attach\nPOST /exec/x/start\n"
              b"GET /containers/a/b/attach/ws\nPOST /session\n",
    "nasty_deny_query": b"deny GET /x query a=1\nGET /x?a=1\n",
    "nasty_glued_reason": b'allow GET /x reason "a"b\nGET /x\n',
    "nasty_star_in_set": b"allow GET /x query a=1|*\nGET /x?a=*\n",
    "nasty_methods": b"allow get,,HEAD /x\nGET /x\n",
    "nasty_rest_mid": b"allow GET /**/x\nGET /a/x\n",
}

QUERY = {
    "autoheal_filter": b"filter label=autoheal=true\nfilters=%7B%22health%22"
                       b"%3A%5B%22unhealthy%22%5D%2C%22label%22%3A%5B%22"
                       b"autoheal%3Dtrue%22%5D%7D",
    "autoheal_json": b'filter label=autoheal=true\n{"health":["unhealthy"],'
                     b'"label":["autoheal=true"]}',
    "filter_new_shape": b'filter type=container\n{"type":{"container":true}'
                        b',"event":{"start":true,"die":true}}',
    "query_all": b"query all=1|true\nall=1&limit=5&size=false",
    "require_stream": b"require stream=false|0\nstream=0&stream=false",
    "query_star": b"query tail=*\ntail=100&follow=0",
    "plus_space": b"query name=a b\nname=a+b",
    "nasty_semicolon": b"query all=1\nall=1;all=0",
    "nasty_bad_pct": b"require all=1\nall=%ZZ",
    "nasty_two_filters": b'filter label=a\n{"label":["a"]}',
    "nasty_dup_key": b'filter label=a\n{"label":["a"],"label":["b"]}',
    "nasty_mixed_shape": b'filter label=a\n{"label":["a"],"x":{"y":true}}',
    "nasty_unicode": b'filter label=\xc3\xa9\n{"label":["\\u00e9",'
                     b'"\\ud83d\\ude00","\\ud800"]}',
    "nasty_deep": b"query a=1\n" + b"[" * 20 + b"]" * 20,
    "nasty_numbers": b'filter x=1\n{"x":[1,-0.5e+10,true,null,"1"]}',
    "nasty_trailing": b'filter x=1\n{"x":["1"]} {}',
}

CHUNK = {
    # byte 0: number of split sizes k; bytes 1..k: sizes; then the body.
    "simple": b"\x00" + b"5\r\nhello\r\n0\r\n\r\n",
    "split": b"\x03\x01\x04\x02" + b"5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n",
    "events": b"\x02\x10\x40" + b"9e\r\n" + b'{"status":"start","id":"3f4e",'
              b'"from":"nginx:alpine","Type":"container","Action":"start",'
              b'"Actor":{"ID":"3f4e","Attributes":{"name":"web"}},'
              b'"scope":"local","time":1709546400}\n'[:158] + b"\r\n",
    "upper_hex": b"\x00" + b"A\r\n0123456789\r\n0\r\n\r\n",
    "leading_zeros": b"\x00" + b"0000000000000005\r\nhello\r\n0\r\n\r\n",
    "extension": b"\x01\x03" + b"5;name=val\r\nhello\r\n0\r\n\r\n",
    "bws_ext": b"\x00" + b"5 \t;x\r\nhello\r\n0\r\n\r\n",
    "trailer": b"\x00" + b"5\r\nhello\r\n0\r\nX-Trailer: 1\r\n\r\n",
    "pipelined": b"\x00" + b"0\r\n\r\nGET / HTTP/1.1\r\n\r\n",
    "nasty_17_digits": b"\x00" + b"00000000000000005\r\nhello\r\n0\r\n\r\n",
    "nasty_huge": b"\x00" + b"ffffffffffffffff\r\nabc",
    "nasty_bare_lf": b"\x00" + b"5\nhello\n0\n\n",
    "nasty_no_crlf_after_data": b"\x00" + b"5\r\nhelloX0\r\n\r\n",
    "nasty_negative": b"\x00" + b"-5\r\nhello\r\n0\r\n\r\n",
    "nasty_0x": b"\x00" + b"0x5\r\nhello\r\n0\r\n\r\n",
    "nasty_ext_lf": b"\x00" + b"5;a\nb\r\nhello\r\n0\r\n\r\n",
    "nasty_trailer_bare_lf": b"\x00" + b"0\r\nX: 1\n\r\n",
    "nasty_empty_splits": b"\x04\x00\x00\x00\x00" + b"1\r\na\r\n0\r\n\r\n",
}

RESP = {
    "ok_json": b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n" +
               DOCKERD + b"Content-Length: 2\r\n\r\n[]",
    "ping": b"HTTP/1.1 200 OK\r\nApi-Version: 1.43\r\nBuilder-Version: 2\r\n"
            b"Cache-Control: no-cache, no-store, must-revalidate\r\n"
            b"Content-Length: 2\r\nContent-Type: text/plain; charset=utf-8\r\n"
            b"Docker-Experimental: false\r\nOstype: linux\r\nPragma: no-cache"
            b"\r\nServer: Docker/24.0.7 (linux)\r\n\r\nOK",
    "upgraded_101": b"HTTP/1.1 101 UPGRADED\r\nContent-Type: application/"
                    b"vnd.docker.raw-stream\r\nConnection: Upgrade\r\n"
                    b"Upgrade: tcp\r\n" + DOCKERD + b"\r\n",
    "raw_stream_200": b"HTTP/1.1 200 OK\r\nContent-Type: application/vnd."
                      b"docker.multiplexed-stream\r\n" + DOCKERD + b"\r\n",
    "events_chunked": b"HTTP/1.1 200 OK\r\n" + DOCKERD +
                      b"Content-Type: application/json\r\n"
                      b"Transfer-Encoding: chunked\r\n\r\n",
    "no_content_204": b"HTTP/1.1 204 No Content\r\n" + DOCKERD + b"\r\n",
    "not_modified_304": b"HTTP/1.1 304 Not Modified\r\n" + DOCKERD + b"\r\n",
    "not_found_404": b"HTTP/1.1 404 Not Found\r\nContent-Type: application/"
                     b"json\r\n" + DOCKERD + b"Content-Length: 47\r\n\r\n"
                     b'{"message":"No such container: web"}\n',
    "continue_100": b"HTTP/1.1 100 Continue\r\n\r\n",
    "http10_close": b"HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\nhi",
    "http10_keepalive": b"HTTP/1.0 200 OK\r\nConnection: keep-alive\r\n"
                        b"Content-Length: 0\r\n\r\n",
    "conn_close": b"HTTP/1.1 500 Internal Server Error\r\nConnection: close"
                  b"\r\nContent-Length: 0\r\n\r\n",
    "no_reason": b"HTTP/1.1 200\r\nContent-Length: 0\r\n\r\n",
    "nasty_cl_te": b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n"
                   b"Transfer-Encoding: chunked\r\n\r\n",
    "nasty_dup_cl_same": b"HTTP/1.1 200 OK\r\nContent-Length: 3\r\n"
                         b"Content-Length: 3\r\n\r\n",
    "nasty_dup_cl_diff": b"HTTP/1.1 200 OK\r\nContent-Length: 3\r\n"
                         b"Content-Length: 4\r\n\r\n",
    "nasty_te_gzip_last": b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked, "
                          b"gzip\r\n\r\n",
    "nasty_te_two_fields": b"HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n"
                           b"Transfer-Encoding: chunked\r\n\r\n",
    "nasty_101_no_upgrade": b"HTTP/1.1 101 Switching Protocols\r\n\r\n",
    "nasty_status_600": b"HTTP/1.1 600 X\r\n\r\n",
    "nasty_obs_fold": b"HTTP/1.1 200 OK\r\nX: a\r\n b\r\n\r\n",
    "nasty_http2": b"HTTP/2 200\r\n\r\n",
}


def config_seeds():
    seeds = {}
    with open(os.path.join(ROOT, "examples", "sockward.conf"), "rb") as f:
        seeds["example_sockward_conf"] = f.read()
    seeds["minimal"] = (b'listener a {\n\tlisten "tcp://127.0.0.1:2375"\n'
                        b"\tallow GET /_ping\n}\n")
    seeds["profiles"] = (
        b"upstream unix:///var/run/docker.sock\nlog-level debug\n"
        b"listener traefik {\n\tlisten tcp://0.0.0.0:2375\n"
        b"\tlisten unix:///run/sockward/traefik.sock\n"
        b"\tclients 172.16.0.0/12 fd00::/8 ::1 10.1.2.3\n"
        b"\tpeer-uid 0 1000\n\tsocket-owner 1000\n\tmode enforce\n"
        b"\tprofile traefik,readonly\n\tprofile autoheal\n}\n"
        b"listener b {\r\n\tlisten tcp://[::1]:2376\r\n"
        b"\tallow GET /containers/json filter label=autoheal=true "
        b'reason "a \\"q\\" # not a comment"  # comment\r\n}\r\n')
    seeds["all_profiles"] = b"listener p {\n\tlisten tcp://:1\n" + b"".join(
        b"\tprofile %s\n" % p for p in (
            b"traefik", b"readonly", b"portainer-readonly", b"watchtower",
            b"dozzle", b"homepage", b"diun", b"autoheal", b"uptime-kuma",
            b"prometheus", b"crowdsec", b"netdata", b"cadvisor")) + b"}\n"
    seeds["nasty_unclosed"] = b"listener a {\n\tlisten tcp://:1\n"
    seeds["nasty_only_deny"] = (b"listener a {\n\tlisten tcp://:1\n"
                                b"\tdeny * /**\n}\n")
    seeds["nasty_quote_in_word"] = (b"listener a {\n\tlisten tcp://:1\n"
                                    b'\tallow GET /a"b\n}\n')
    seeds["nasty_dup_listen"] = (b"listener a {\n\tlisten tcp://:1\n"
                                 b"\tallow GET /\n}\nlistener b {\n"
                                 b"\tlisten tcp://:1\n\tallow GET /\n}\n")
    seeds["nasty_host_bits"] = (b"listener a {\n\tlisten tcp://:1\n"
                                b"\tclients 10.1.2.3/8\n\tallow GET /\n}\n")
    # Issue 13: visible labels, redact, a rule's redact clause; auto
    # redaction off by a profile (watchtower) must survive the dump.
    seeds["responses"] = (
        b"listener w {\n\tlisten tcp://127.0.0.1:2375\n"
        b"\tprofile watchtower\n"
        b'\tvisible-label com.example.vis=1 "team=web ops"\n}\n'
        b"listener r {\n\tlisten unix:///run/sockward/r.sock\n"
        b"\tredact on\n\tvisible-label app\n"
        b"\tallow GET /containers/{name}/json require size=1 "
        b"redact Config.Labels,HostConfig.Binds\n"
        b"\tallow GET /volumes redact off\n\tprofile readonly\n}\n")
    return seeds


# fuzz_exchange: a flags byte, then operations OP N [N data bytes] (see
# fuzz_exchange.c): 0 client sends, 1 upstream sends, 2 client EOF,
# 3 upstream EOF, 4 client reads, 5 upstream reads, 6 splice, 7 drain
# (N even) or header timeout (N odd).
def xop(op, data=b"", n=None):
    if op in (0, 1, 6):
        out = b""
        while True:     # long data as several sends of <= 256 bytes
            part, data = data[:256], data[256:]
            out += bytes([op, len(part) - 1]) + part
            if not data:
                return out
    return bytes([op, (n or 256) - 1])


def exchange_seeds():
    ping = b"GET /_ping HTTP/1.1\r\nHost: d\r\n\r\n"
    ok = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nOK"
    rd = xop(5) + xop(5) + xop(4) + xop(4)
    create = (b"POST /containers/create HTTP/1.1\r\nHost: d\r\n"
              b"Content-Type: application/json\r\n")
    attach = (b"POST /containers/abc/attach?stream=1&stdin=1 HTTP/1.1\r\n"
              b"Host: d\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\n")
    chunked = (b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
               b"5\r\nhello\r\n" + b"4000\r\n" + b"x" * 0x4000 +
               b"\r\n0\r\n\r\n")
    big = b"HTTP/1.1 200 OK\r\nContent-Length: 40000\r\n\r\n" + b"y" * 40000
    body = b'{"Image":"alpine","Cmd":["true"]}'
    priv = b'{"Image":"alpine","HostConfig":{"Privileged":true}}'

    def cl(b):
        return b"Content-Length: %d\r\n\r\n" % len(b)

    def jl(b):
        return (b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n" +
                cl(b) + b)
    lst = (b'[{"Id":"a","Labels":{"a":"b"},"NetworkSettings":{"Networks":'
           b'{"n":{"DriverOpts":{"k":"v"}}}}},{"Id":"b","Labels":{}}]')
    ev = b'{"Type":"container","Actor":{"Attributes":{"a":"b"}}}\n'
    insp = b'{"Id":"c1","Config":{"Env":["A=b"],"Labels":{"a":"b"}}}'

    def chunk(b):
        return (b"Transfer-Encoding: chunked\r\n\r\n%x\r\n" % 5 + b[:5] +
                b"\r\n%x\r\n" % (len(b) - 5) + b[5:] + b"\r\n0\r\n\r\n")
    return {
        "ping": b"\0" + xop(0, ping) + rd + xop(1, ok) + rd,
        "pipelined": b"\0" + xop(0, ping * 3) + rd + xop(1, ok) + rd +
                     xop(1, ok) + rd + xop(1, ok) + rd,
        "denied_body": b"\0" + xop(0, b"POST /secrets/create HTTP/1.1\r\n"
                                   b"Host: d\r\nContent-Length: 3\r\n\r\nabc") + rd,
        "audit_denied": b"\1" + xop(0, b"GET /secrets HTTP/1.1\r\nHost: d\r\n\r\n") +
                        rd + xop(1, ok) + rd,
        "expect_continue": b"\0" + xop(0, create + b"Expect: 100-continue\r\n"
                                       b"Content-Length: 2\r\n\r\n") + rd +
                           xop(0, b"{}") + rd + xop(1, ok) + rd,
        "chunked_request": b"\0" + xop(0, create + b"Transfer-Encoding: "
                                       b"chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n") +
                           rd + xop(1, ok) + rd,
        "http10_dechunk": b"\0" + xop(0, b"GET /events HTTP/1.0\r\n\r\n") +
                          rd + xop(1, chunked) + rd * 80,
        "hijack": b"\0" + xop(0, attach) + rd +
                  xop(1, b"HTTP/1.1 101 UPGRADED\r\nConnection: Upgrade\r\n"
                         b"Upgrade: tcp\r\n\r\nout") + rd +
                  xop(0, b"in") + rd + xop(2) + rd + xop(3) + rd,
        "head": b"\0" + xop(0, b"HEAD /_ping HTTP/1.1\r\nHost: d\r\n\r\n") + rd +
                xop(1, b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n") + rd,
        "interim_then_eof": b"\0" + xop(0, ping) + rd +
                            xop(1, b"HTTP/1.1 102 P\r\n\r\nHTTP/1.1 200 OK\r\n"
                                   b"Content-Length: 9\r\n\r\nabc") + rd +
                            xop(3) + rd,
        "upstream_eof_no_head": b"\0" + xop(0, ping) + rd + xop(3) + rd,
        "upstream_refused": b"\4" + xop(0, ping) + rd,
        "splice_length": b"\2" + xop(0, ping) + rd + xop(1, big[:200]) + rd +
                         xop(6, big[200:]) + rd * 160,
        "splice_chunked": b"\2" + xop(0, ping) + rd + xop(1, chunked[:60]) +
                          rd + xop(6, chunked[60:]) + rd * 80,
        "drain": b"\0" + xop(0, ping) + xop(7, n=2) + rd + xop(1, ok) + rd,
        "header_timeout": b"\0" + xop(0, ping[:10]) + rd + xop(7, n=1),
        # Judged create bodies, read whole before anything goes upstream.
        "collect_refused_then_ping": b"\0" + xop(0, create + cl(priv) + priv +
                                                 ping) + rd + xop(1, ok) + rd,
        "collect_allowed_split": b"\0" + xop(0, create + cl(body)) + rd +
                                 xop(0, body[:7]) + rd + xop(0, body[7:]) +
                                 rd + xop(1, ok) + rd,
        "collect_malformed": b"\0" + xop(0, create + cl(b"nope") + b"nope") +
                             rd + xop(0, ping) + rd + xop(1, ok) + rd,
        "collect_chunked_pipelined": b"\0" + xop(0, create + chunk(body) +
                                                 ping) + rd + xop(1, ok) + rd +
                                     xop(1, ok) + rd,
        "collect_413_length": b"\x10" + xop(0, create + b"Expect: 100-continue"
                                            b"\r\n" + cl(b"x" * 65)) + rd,
        "collect_413_chunked": b"\x10" + xop(0, create + chunk(b"{" + b" " * 70 +
                                                           b"}")) + rd,
        "collect_timeout": b"\0" + xop(0, create + cl(body) + body[:5]) + rd +
                           xop(7, n=1),
        "collect_audit": b"\1" + xop(0, create + cl(priv) + priv) + rd +
                         xop(1, ok) + rd,
        # Filtered responses and visibility probes (flags bit 5).
        "filter_list": b"\x20" + xop(0, b"GET /containers/json HTTP/1.1\r\n"
                                      b"Host: d\r\n\r\n" + ping) + rd +
                       xop(1, jl(lst)) + rd + xop(1, ok) + rd,
        "filter_events": b"\x20" + xop(0, b"GET /events HTTP/1.1\r\n"
                                        b"Host: d\r\n\r\n") + rd +
                         xop(1, b"HTTP/1.1 200 OK\r\nTransfer-Encoding: "
                                b"chunked\r\n\r\n") + rd +
                         xop(1, b"%x\r\n%s\r\n" % (len(ev), ev)) + rd +
                         xop(1, b"0\r\n\r\n") + rd,
        "filter_probe": b"\x20" + xop(0, b"GET /containers/web/json HTTP/1.1"
                                       b"\r\nHost: d\r\n\r\n" + ping) + rd +
                        xop(1, jl(insp)) + rd + xop(1, jl(insp)) + rd +
                        xop(1, ok) + rd,
        "filter_probe_exec": b"\x21" + xop(0, b"POST /exec/e1/start HTTP/1.1"
                                            b"\r\nHost: d\r\nContent-Length:"
                                            b" 2\r\n\r\n{}") + rd +
                             xop(1, jl(b'{"ContainerID":"c1"}')) + rd +
                             xop(1, jl(insp)) + rd + xop(1, ok) + rd,
        "filter_tasks": b"\x20" + xop(0, b"GET /tasks HTTP/1.1\r\nHost: d"
                                       b"\r\n\r\n") + rd +
                        xop(1, jl(b'[{"ID":"s1","Spec":{"Labels":{"a":"b"}}}]'))
                        + rd + xop(1, jl(b'[{"ID":"t","ServiceID":"s1"}]')) + rd,
    }


def write(target, seeds):
    d = os.path.join(HERE, "corpus", target)
    os.makedirs(d, exist_ok=True)
    for name, data in sorted(seeds.items()):
        with open(os.path.join(d, name), "wb") as f:
            f.write(data)


def jrewrite_seeds():
    """fuzz_jrewrite: byte 0 the plan (0 none, 1 container list, 2
    inspect, 3 events, 4 volumes and '*' beside keys, 5 all redacted, 6 a
    redacted list, 7 elements redacted inside) and keep policy (bits 3-4),
    byte 1 the split point, then a dockerd-like payload."""
    import json

    def ctr(i, labels):
        return {
            "Id": "%064x" % i, "Names": ["/c%d" % i], "Image": "busybox",
            "ImageID": "sha256:" + "ab" * 32, "Command": "sh -c 'sleep 1'",
            "Created": 1700000000 + i, "Ports": [], "Labels": labels,
            "State": "running", "Status": "Up 2 hours",
            "HostConfig": {"NetworkMode": "bridge"},
            "NetworkSettings": {"Networks": {"bridge": {
                "IPAMConfig": None, "Links": None, "Aliases": None,
                "NetworkID": "n" * 64, "EndpointID": "e" * 64,
                "Gateway": "172.17.0.1", "IPAddress": "172.17.0.%d" % i,
                "IPPrefixLen": 16, "MacAddress": "02:42:ac:11:00:02",
                "DriverOpts": {"com.example.secret": "s3cr3t"}}}},
            "Mounts": []}

    lst = json.dumps([ctr(1, {"app": "a"}), ctr(2, {}),
                      ctr(3, {"tier": "web", "x": "\u00e9"}),
                      ctr(4, {"e": "\u00e9"})]).encode() + b"\n"
    inspect = json.dumps({
        "Id": "ab" * 32, "Name": "/web",
        "Config": {"Hostname": "h", "Env": ["PATH=/bin", "DB_PASSWORD=x",
                                            "A\u003db", "TOKEN"],
                   "Labels": {"app": "web"}},
        "HostConfig": {"Mounts": [{"Type": "volume", "Source": "v",
                                   "VolumeOptions": {"DriverConfig": {
                                       "Name": "local",
                                       "Options": {"o": "size=1m"}}}}]},
        "NetworkSettings": {"Networks": {"bridge": {"DriverOpts": None}}},
    }, indent=1).encode()
    events = b"".join(json.dumps(e).encode() + b"\n" for e in [
        {"status": "start", "id": "ab", "Type": "container",
         "Action": "start", "Actor": {"ID": "ab", "Attributes": {
             "app": "x", "image": "busybox", "name": "web"}},
         "scope": "local", "time": 1700000000,
         "timeNano": 1700000000000000000},
        {"Type": "network", "Action": "connect", "Actor": {
            "ID": "n1", "Attributes": {"container": "ab"}}},
        {"Type": "container", "Action": "die", "Actor": {
            "ID": "cd", "Attributes": {"tier": "web", "exitCode": "0"}}}])
    volumes = json.dumps({"Volumes": [{"Name": "v", "Driver": "local",
                                       "Options": {"type": "tmpfs",
                                                   "o": "size=1m"}}],
                          "Warnings": None, "a": {"x": 1, "y": [2]},
                          "b": {"x": "s", "y": 3}}).encode()
    nasty = (b'[{"L":{"app":"\\ud83d\\ude00"},"x":[1,-0.5e+3,true,'
             b'{"y":null}]}, {"L":{"\\u0061pp":1}} , [ ] ,"Name=v" ]')
    return {
        "none_list": b"\x00\x80" + lst,
        "list": b"\x01\x40" + lst,
        "list_all": b"\x09\x90" + lst,
        "list_alt": b"\x19\x20" + lst,
        "inspect": b"\x02\x80" + inspect,
        "events": b"\x03\x60" + events,
        "events_none": b"\x13\x60" + events,
        "events_small": b"\x23\x60" + events,
        "volumes": b"\x04\x50" + volumes,
        "redact_all": b"\x05\x50" + inspect,
        "redacted_list": b"\x16\x50" + nasty,
        "inner_redact": b"\x0f\x50" + nasty,
        "stream_numbers": b"\x0b\x30" + b"1 -2.5\n3e4 [0]\t\"s\" 7",
        "deep": b"\x01\x80" + b"[" * 256 + b"]" * 256,
        "too_deep": b"\x01\x80" + b"[" * 257 + b"]" * 257,
    }


def main():
    write("http_req", HTTP_REQ)
    canon = dict(CANON)
    for name, data in HTTP_REQ.items():    # every request's target too
        line = data.split(b"\r\n", 1)[0].split(b" ")
        if len(line) == 3 and len(line[1]) < 1024:
            canon["req_" + name] = line[1]
    write("canon", canon)
    write("rule", RULE)
    write("config", config_seeds())
    write("chunk", CHUNK)
    write("http_resp", RESP)
    write("query", QUERY)
    write("exchange", exchange_seeds())
    write("jrewrite", jrewrite_seeds())
    return 0


if __name__ == "__main__":
    sys.exit(main())
