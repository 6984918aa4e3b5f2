"""Hostile and careless clients: each case was reproduced against the real
dockerd before its fix, and each test fails without it.

- form values from a multipart body (Go's FormValue parses them on a GET);
- boolean query parameters read as dockerd reads them (docker-py sends
  stream=False);
- filter constraints that hold for the set dockerd returns (ORed values,
  false in the object form).
"""

import json
import os
import socket
import time
import urllib.parse

import docker
import pytest

from conftest import DOCKER_SOCK, direct, get


def multipart_get(path, fields):
    boundary = b"sockwardboundary"
    body = b""
    for k, v in fields.items():
        body += (b"--" + boundary + b"\r\nContent-Disposition: form-data; "
                 b"name=\"" + k.encode() + b"\"\r\n\r\n" + v.encode() + b"\r\n")
    body += b"--" + boundary + b"--\r\n"
    return (b"GET " + path.encode() + b" HTTP/1.1\r\nHost: docker\r\n"
            b"Content-Type: multipart/form-data; boundary=" + boundary +
            b"\r\nContent-Length: %d\r\n\r\n" % len(body) + body)


def test_multipart_form_values_refused(sockward, running_container):
    path = "/v1.41/containers/%s/json" % running_container.id
    # dockerd itself takes size=1 from the multipart body of a GET
    r = direct(multipart_get(path, {"size": "1"}))
    assert r.status == 200 and "SizeRw" in r.json(), r
    sw = sockward("--profile", "none", "--allow",
                  "GET /containers/{id}/json query size=false")
    assert sw.get(path).status == 200
    r = sw.request(multipart_get(path, {"size": "1"}))
    assert r.status == 415, r
    assert "multipart" in r.json()["message"], r.body
    # any spelling Go's media-type parsing lowercases and trims
    for ctype in (b"Multipart/Form-Data; boundary=x", b"  MULTIPART/form-data",
                  b"application/X-WWW-Form-Urlencoded"):
        raw = (b"GET " + path.encode() + b" HTTP/1.1\r\nHost: d\r\n"
               b"Content-Type: " + ctype + b"\r\nContent-Length: 6\r\n\r\nsize=1")
        assert sw.request(raw).status == 415, ctype
    assert sw.alive()


def test_boolean_query_as_dockerd_reads_it(sockward, running_container):
    """`require stream=false` admits docker-py's stream=False (dockerd reads
    it as false) and refuses stream=yes / a missing stream (true)."""
    sw = sockward("--profile", "none", "--allow", "GET,HEAD /_ping",
                  "--allow", "GET /version",
                  "--allow", "GET /containers/{id}/stats require stream=false")
    c = docker.APIClient(base_url=sw.url.replace("tcp://", "http://"), version="1.41",
                         timeout=20)
    stats = c.stats(running_container.id, stream=False)   # sends stream=False
    assert "read" in stats, stats
    base = "/v1.41/containers/%s/stats" % running_container.id
    for q in ("stream=0", "stream=no", "stream=NONE", "stream=+false+",
              "stream=%C2%A0false"):
        assert sw.get(base + "?" + q).status == 200, q
    for q in ("stream=1", "stream=yes", "", "stream=false&stream=1"):
        r = sw.get(base + ("?" + q if q else ""))
        assert r.status == 403, (q, r.status)


def _filters(obj):
    return "filters=" + urllib.parse.quote(json.dumps(obj, separators=(",", ":")))


def test_filter_holds_for_what_dockerd_returns(sockward, container_factory):
    """autoheal's `filter health=unhealthy`: ORed values or a false in the
    object form would list healthy containers; refused."""
    healthy = container_factory(labels={"autoheal": "true"},
                                healthcheck={"test": ["CMD", "/testbox", "exit", "0"],
                                             "interval": 100000000})
    deadline = time.time() + 20
    while time.time() < deadline:
        healthy.reload()
        if healthy.attrs["State"].get("Health", {}).get("Status") == "healthy":
            break
        time.sleep(0.1)
    assert healthy.attrs["State"]["Health"]["Status"] == "healthy"
    sw = sockward("--profile", "autoheal")
    ok = {"health": ["unhealthy"], "label": ["autoheal=true"]}
    allowed = sw.get("/v1.41/containers/json?" + _filters(ok))
    assert allowed.status == 200, allowed
    widening = [
        {"health": ["unhealthy", "healthy"], "label": ["autoheal=true"]},
        {"health": {"unhealthy": False, "healthy": True}, "label": {"autoheal=true": True}},
        {"health": {"unhealthy": True, "starting": True}, "label": {"autoheal=true": True}},
        {"health": [], "label": ["autoheal=true"]},
    ]
    for f in widening:
        q = "/v1.41/containers/json?" + _filters(f)
        r = sw.get(q)
        assert r.status == 403, (f, r.status)
    # the allowed filter does not list the healthy container...
    assert healthy.id not in [c["Id"] for c in allowed.json()]
    # ...but dockerd itself lists it for the first two refused filters:
    # they were real ways to read more than the profile grants
    for f in widening[:2]:
        ids = [c["Id"] for c in direct(get("/v1.41/containers/json?" +
                                           _filters(f))).json()]
        assert healthy.id in ids, f


def test_unix_listener_born_with_final_mode_owner_without_links(tmp_path):
    """The socket file is created with its final mode (umask around bind,
    never chmod'ed) and its owner is set without following links."""
    import grp
    import os
    import signal
    import subprocess
    from conftest import SOCKWARD_BIN
    sock = str(tmp_path / "m.sock")
    gid = os.stat(DOCKER_SOCK).st_gid
    conf = tmp_path / "sw.conf"
    conf.write_text('listener "m" {\n\tlisten "unix://%s"\n\tsocket-mode 0640\n'
                    '\tsocket-owner 65534:%d\n\tprofile traefik\n}\n' % (sock, gid))
    trace = str(tmp_path / "strace.out")
    p = subprocess.Popen(["strace", "-f", "-o", trace, "-e",
                          "trace=umask,bind,chmod,fchmod,fchmodat,chown,lchown,"
                          "fchown,fchownat", SOCKWARD_BIN, "--config", str(conf)],
                         stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.time() + 10
        while not os.path.exists(sock) and time.time() < deadline:
            time.sleep(0.05)
        time.sleep(0.3)
        st = os.lstat(sock)
        assert oct(st.st_mode & 0o777) == "0o640"
        assert (st.st_uid, st.st_gid) == (65534, gid)
    finally:
        # SIGTERM to sockward itself (strace would only detach); strace
        # then ends with it
        with open("/proc/%d/task/%d/children" % (p.pid, p.pid)) as f:
            for child in f.read().split():
                os.kill(int(child), signal.SIGTERM)
        p.wait(10)
    calls = open(trace).read()
    bind_at = calls.index('bind(')
    assert "umask(0137)" in calls[:bind_at], calls
    assert "chmod(" not in calls, calls          # no chmod, fchmodat
    owner = [l for l in calls.splitlines() if "chown" in l and sock in l]
    assert owner and all("AT_SYMLINK_NOFOLLOW" in l for l in owner), calls
    assert grp.getgrgid(gid)


def test_stalled_log_pipe_does_not_stall_traffic(tmp_path):
    """A log reader that stops reading (docker's log driver under
    pressure) must not freeze the proxy: lines wait in a bounded buffer,
    the overflow is dropped and counted, and the count is logged once the
    pipe drains."""
    import fcntl
    import os
    import select
    import signal
    import subprocess
    from conftest import SOCKWARD_BIN, Conn, free_port
    port = free_port()
    rfd, wfd = os.pipe()
    try:
        fcntl.fcntl(wfd, 1031, 4096)      # F_SETPIPE_SZ: a small pipe
    except OSError:
        pass
    p = subprocess.Popen([SOCKWARD_BIN, "--listen", "tcp://127.0.0.1:%d" % port],
                         stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                         stderr=wfd)
    os.close(wfd)
    try:
        deadline = time.time() + 5
        while True:
            try:
                c = Conn(("127.0.0.1", port), 5)
                break
            except OSError:
                assert time.time() < deadline, "sockward did not start"
                time.sleep(0.05)
        # ~2,000 access lines (~400 KB) into a pipe nobody reads: every
        # request must still be answered promptly
        t0 = time.time()
        for i in range(2000):
            c.send(get("/_ping?n=%d" % i))
            r = c.read_response()
            assert r.status == 200, (i, r)
        assert time.time() - t0 < 20
        c.close()
        # now read the pipe; the drop count arrives once it drains
        out = b""
        deadline = time.time() + 10
        while b"lines dropped while the log output was blocked" not in out:
            assert time.time() < deadline, out[-2000:]
            if select.select([rfd], [], [], 0.2)[0]:
                out += os.read(rfd, 65536)
        assert p.poll() is None
        # whole lines, in order: every line starts with a timestamp
        for line in out.decode("utf-8", "replace").splitlines():
            assert line[:2] == "20", line
    finally:
        p.send_signal(signal.SIGTERM)
        try:
            while select.select([rfd], [], [], 0.1)[0] and os.read(rfd, 65536):
                pass
        except OSError:
            pass
        p.wait(10)
        os.close(rfd)


def test_body_content_type_allowlist_per_route(sockward, running_container, dclient):
    """JSON routes take application/json (or untyped) bodies, as dockerd's
    CheckForJSON does; bodiless routes take untyped/JSON/text bodies only."""
    from conftest import daemon_state
    sw = sockward("--profile", "watchtower")
    body = b'{"Image":"sockward-testbox:test"}'
    before = daemon_state(dclient)
    raw = (b"POST /v1.41/containers/create HTTP/1.1\r\nHost: d\r\n"
           b"Content-Type: text/plain\r\nContent-Length: %d\r\n\r\n" % len(body) + body)
    r = sw.request(raw)
    assert r.status == 415 and "JSON request body" in r.json()["message"], r
    assert daemon_state(dclient) == before
    # a bodiless route: Portainer-style "{}" as JSON passes, a tar does not
    path = "/v1.41/containers/%s/start" % running_container.id
    ok = (b"POST " + path.encode() + b" HTTP/1.1\r\nHost: d\r\n"
          b"Content-Type: application/json\r\nContent-Length: 2\r\n\r\n{}")
    assert sw.request(ok).status in (204, 304), "start of a running container"
    bad = ok.replace(b"application/json", b"application/x-tar")
    r = sw.request(bad)
    assert r.status == 415 and "reads no request body" in r.json()["message"], r


# ---- issue 11: in-flight requests time out ----------------------------------

def _fds(sw):
    return len(os.listdir("/proc/%d/fd" % sw.proc.pid))


def _settle(sw, limit, timeout=5.0):
    deadline = time.time() + timeout
    while _fds(sw) > limit and time.time() < deadline:
        time.sleep(0.05)
    return _fds(sw)


def test_body_timeout_408_releases_upstream(sockward):
    """A client announces Content-Length: 10, sends 3 bytes and stops:
    --body-timeout 1 answers 408 and closes, and the upstream connection
    to the real dockerd is released (descriptors back).  A route whose
    body is not judged, so it streams; a judged body (a create) is read
    whole first, within the timeout in total (test_body_framing.py)."""
    sw = sockward("--body-timeout", "1", "--allow", "POST /networks/create")
    assert sw.get("/_ping").status == 200
    base = _settle(sw, 0, timeout=0.5)
    c = sw.conn(timeout=6)
    c.send(b"POST /v1.41/networks/create HTTP/1.1\r\nHost: d\r\n"
           b"Content-Type: application/json\r\nContent-Length: 10\r\n\r\n{\"I")
    time.sleep(0.3)
    assert _fds(sw) >= base + 2      # the client and its upstream
    t0 = time.monotonic()
    r = c.read_response()
    waited = time.monotonic() - t0
    assert r.status == 408, r
    assert "request body" in r.json()["message"]
    assert c.is_closed(2.0)
    assert 0.5 < waited < 4, waited
    assert _settle(sw, base) <= base
    # a body that keeps coming, slower than the timeout in total, is fine
    c = sw.conn(timeout=6)
    c.send(b"POST /v1.41/networks/create HTTP/1.1\r\nHost: d\r\n"
           b"Content-Type: application/json\r\nContent-Length: 19\r\n\r\n")
    # no Name: dockerd refuses it (400 "invalid name"), nothing is created
    for piece in (b'{"Image"', b':"none-', b'x"}\n'):
        time.sleep(0.6)
        c.send(piece)
    r = c.read_response()
    assert r.status in (400, 500), r     # dockerd's answer, not ours
    assert "invalid name" in r.body.decode(), r.body
    c.close()
