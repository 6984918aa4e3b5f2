"""Prometheus metrics (issue 14): --metrics ADDR serves GET /metrics on a
listener of its own, against the real dockerd.

What is checked: `promtool check metrics` accepts the output; a scripted
mix of allowed, denied, malformed, body-refused, redacted, hidden and
admission-refused requests moves exactly the counters it should (every
other series stays as it was), cross-checked against the access log for
what the log also says (verdicts, statuses, bytes, filter counts); a 502
from a dead upstream; reload counters; gauges of open connections,
streams and hijacks; a flood of 1000 distinct paths adds no series and
no path ever appears; the metrics listener's own answers, bounds and
timeouts; a unix socket that the sandboxed daemon removes at exit; and a
real Prometheus scraping it.
"""

import json
import os
import re
import signal
import socket
import subprocess
import tempfile
import time
import urllib.request
import uuid

import pytest

from conftest import (SOCKWARD_BIN, Conn, LogWaiter, Sockward, free_port,
                      get, make_container, request)

H = b"Host: docker\r\n"
PROMTOOL = "/usr/bin/promtool"
PROMETHEUS = "/usr/bin/prometheus"
ACCESS_RE = re.compile(
    r" info access client=\S+ listener=(\S+) method=\S+ target=\".*?\" "
    r"path=\".*?\" status=(\d+) bytes=(\d+) duration_ms=\S+ verdict=(\S+) "
    r"rule=\".*?\"(?: filter=redacted:(\d+),dropped:(\d+))?$")


# --------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------

def scrape_raw(addr, path="/metrics", method="GET"):
    return request(addr, get(path, host="metrics", method=method),
                   method=method)


def scrape(addr):
    r = scrape_raw(addr)
    assert r.status == 200, r
    assert r.header("Content-Type") == \
        "text/plain; version=0.0.4; charset=utf-8"
    return r.body.decode()


def samples(text):
    """{'name{labels}': value} of every sample line."""
    out = {}
    for ln in text.splitlines():
        if not ln or ln.startswith("#"):
            continue
        key, val = ln.rsplit(" ", 1)
        assert key not in out, "duplicate series %s" % key
        out[key] = float(val)
    return out


def deltas(a, b):
    return {k: b.get(k, 0) - a.get(k, 0) for k in set(a) | set(b)
            if b.get(k, 0) != a.get(k, 0)}


def S(name, **labels):
    """A series key as sockward renders it: labels in its fixed order."""
    order = ["listener", "verdict", "reason", "rule", "field", "status_class",
             "direction", "le", "result"]
    if name == "sockward_requests_total":
        order = ["listener", "verdict", "status_class"]
    ks = [k for k in order if k in labels]
    assert len(ks) == len(labels), labels
    if not ks:
        return name
    return name + "{" + ",".join('%s="%s"' % (k, labels[k]) for k in ks) + "}"


def promtool_ok(text):
    r = subprocess.run([PROMTOOL, "check", "metrics"], input=text.encode(),
                       capture_output=True, timeout=30)
    assert r.returncode == 0 and r.stdout.strip() == b"" and \
        r.stderr.strip() == b"", r
    return True


def access_lines(log, since=0):
    """(listener, status, bytes, verdict, redacted, dropped) of each access
    line of log[since:]."""
    out = []
    for ln in log[since:].splitlines():
        m = ACCESS_RE.search(ln)
        if m:
            out.append((m.group(1), int(m.group(2)), int(m.group(3)),
                        m.group(4), int(m.group(5) or 0),
                        int(m.group(6) or 0)))
    return out


def wait_for(fn, timeout=5.0, step=0.05):
    deadline = time.time() + timeout
    while True:
        v = fn()
        if v or time.time() > deadline:
            return v
        time.sleep(step)


class Daemon(LogWaiter):
    """sockward started with argv as given (for --config, which Sockward's
    --listen would conflict with); ready once wait_addr accepts."""

    def __init__(self, tmpdir, args, wait_addr, env=None):
        self.err_path = os.path.join(tmpdir, "sw-%s.log" % uuid.uuid4().hex[:6])
        self._err = open(self.err_path, "wb")
        e = dict(os.environ)
        e.update(env or {})
        self.proc = subprocess.Popen([SOCKWARD_BIN] + list(args), env=e,
                                     stdin=subprocess.DEVNULL,
                                     stdout=self._err, stderr=self._err)
        ok = wait_for(lambda: self.proc.poll() is not None or
                      _connects(wait_addr), timeout=5)
        assert ok and self.proc.poll() is None, self.log()

    def log(self):
        with open(self.err_path, "rb") as f:
            return f.read().decode("utf-8", "replace")

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(3)
        self._err.close()
        log = self.log()
        for marker in ("ERROR: AddressSanitizer", "runtime error:"):
            assert marker not in log, log[-4000:]
        assert self.proc.returncode == 0, log[-3000:]


def _connects(addr):
    try:
        if isinstance(addr, str):
            s = socket.socket(socket.AF_UNIX)
        else:
            s = socket.socket()
        s.settimeout(0.5)
        s.connect(addr)
        s.close()
        return True
    except OSError:
        return False


@pytest.fixture
def daemon(tmp_path):
    started = []

    def start(*args, wait_addr, env=None):
        d = Daemon(str(tmp_path), args, wait_addr, env)
        started.append(d)
        return d

    yield start
    for d in started:
        d.stop()


def metrics_sockward(sockward, *args, **kw):
    """A sockward with --metrics on a free loopback port."""
    mp = free_port()
    sw = sockward(*args, "--metrics", "tcp://127.0.0.1:%d" % mp, **kw)
    assert wait_for(lambda: _connects(("127.0.0.1", mp)))
    sw.maddr = ("127.0.0.1", mp)
    return sw


# --------------------------------------------------------------------------
# The scripted mix
# --------------------------------------------------------------------------

@pytest.fixture(scope="module")
def world(dclient, testbox_image):
    h = uuid.uuid4().hex[:10]
    env = ["SECRET_TOKEN=metrics-%s" % h, "PLAIN=plain"]
    vis = make_container(dclient, labels={"sockward-metrics": h},
                         environment=env)
    hid = make_container(dclient, environment=env)

    class W:
        pass
    w = W()
    w.label, w.vis, w.hid = "sockward-metrics=" + h, vis, hid
    yield w
    for ct in (vis, hid):
        try:
            ct.remove(force=True)
        except Exception:
            pass


MIX_ARGS = ["--deny", "GET /images/json", "--allow", "POST /containers/create",
            "--profile", "readonly", "--client-conns", "3"]


def post_json(path, body):
    b = json.dumps(body).encode()
    return (b"POST " + path.encode() + b" HTTP/1.1\r\n" + H +
            b"Content-Type: application/json\r\nContent-Length: " +
            str(len(b)).encode() + b"\r\n\r\n" + b)


def test_scripted_mix_exact_deltas(world, sockward):
    sw = metrics_sockward(sockward, *MIX_ARGS, "--visible-label", world.label)
    L = "default"
    before = samples(scrape(sw.maddr))
    mark = len(sw.log())
    n_req = 0

    def go(data, status):
        nonlocal n_req
        n_req += 1
        r = sw.request(data)
        assert r.status == status, r
        return r

    for _ in range(3):
        go(get("/_ping"), 200)
    go(get("/v1.41/images/json"), 403)                     # deny rule
    go(b"POST /v1.41/networks/create HTTP/1.1\r\n" + H +   # default deny
       b"Content-Length: 0\r\n\r\n", 403)
    go(get("/v1.41/a/../b"), 400)                          # bad target
    go(b"get /_ping HTTP/1.1\r\n" + H + b"\r\n", 501)      # method case
    go(b"GET /_ping HTTP/1.1\r\n" + H + b"Content-Length: x\r\n\r\n", 400)
    go(post_json("/v1.41/containers/create",
                 {"Image": "x", "HostConfig": {"Privileged": True}}), 403)
    go(post_json("/v1.41/containers/create",
                 {"Image": "x", "HostConfig": {"Binds": ["/a:/a",
                                                         "/etc:/x"]}}), 403)
    r = go(get("/v1.41/containers/%s/json" % world.vis.id), 200)
    env = r.json()["Config"]["Env"]
    assert "SECRET_TOKEN=" in env and "PLAIN=" in env, env   # redacted
    go(get("/v1.41/containers/json?all=1"), 200)           # hid dropped
    go(get("/v1.41/containers/%s/json" % world.hid.id), 404)   # hidden
    # Admission: three connections held (the cap), a fourth refused, once
    # sockward has seen every earlier client leave.
    assert wait_for(lambda: samples(scrape(sw.maddr))[
        S("sockward_open_connections", listener=L)] == 0)
    held = [sw.conn() for _ in range(3)]
    time.sleep(0.2)
    extra = sw.conn()
    assert extra.is_closed(2.0)
    extra.close()
    for c in held:
        c.close()

    assert sw.wait_log("listener=default method=GET target=\"/v1.41/"
                       "containers/%s/json\"" % world.hid.id)
    acc = access_lines(sw.log(), mark)
    assert len(acc) == n_req, acc
    after_text = scrape(sw.maddr)
    promtool_ok(after_text)
    after = samples(after_text)
    d = deltas(before, after)

    # What the script says, exactly.
    want = {
        S("sockward_requests_total", listener=L, verdict="allow",
          status_class="2xx"): 5,
        S("sockward_requests_total", listener=L, verdict="deny",
          status_class="4xx"): 4,
        S("sockward_requests_total", listener=L, verdict="reject",
          status_class="4xx"): 2,
        S("sockward_requests_total", listener=L, verdict="reject",
          status_class="5xx"): 1,
        S("sockward_requests_total", listener=L, verdict="hidden",
          status_class="4xx"): 1,
        S("sockward_denials_total", listener=L, verdict="deny",
          reason="rule", rule="--deny #1"): 1,
        S("sockward_denials_total", listener=L, verdict="deny",
          reason="default_deny", rule=""): 1,
        S("sockward_denials_total", listener=L, verdict="reject",
          reason="bad_request", rule=""): 2,
        S("sockward_denials_total", listener=L, verdict="reject",
          reason="method_not_implemented", rule=""): 1,
        S("sockward_denials_total", listener=L, verdict="deny",
          reason="body_field", rule="--allow #1"): 2,
        S("sockward_denials_total", listener=L, verdict="hidden",
          reason="hidden_object", rule=""): 1,
        S("sockward_body_refusals_total", listener=L,
          field="HostConfig.Privileged"): 1,
        S("sockward_body_refusals_total", listener=L,
          field="HostConfig.Binds[]"): 1,
        S("sockward_connections_accepted_total", listener=L): n_req + 3,
        S("sockward_admission_refusals_total", listener=L,
          reason="client_conns"): 1,
    }
    # What the access log says: the same verdicts and statuses, and the
    # bytes, filter counts and answered requests.
    from_log = {}
    for (lst, st, _, verdict, _, _) in acc:
        k = S("sockward_requests_total", listener=lst, verdict=verdict,
              status_class="%dxx" % (st // 100))
        from_log[k] = from_log.get(k, 0) + 1
    assert from_log == {k: v for k, v in want.items()
                        if k.startswith("sockward_requests_total")}
    redacted = sum(a[4] for a in acc)
    dropped = sum(a[5] for a in acc)
    assert redacted >= 2 and dropped >= 1, acc
    want[S("sockward_redactions_total", listener=L)] = redacted
    want[S("sockward_hidden_elements_total", listener=L)] = dropped
    want[S("sockward_bytes_total", listener=L, direction="to_client")] = \
        sum(a[2] for a in acc)
    want[S("sockward_request_duration_seconds_count", listener=L)] = n_req
    want[S("sockward_request_duration_seconds_bucket", listener=L,
           le="+Inf")] = n_req
    for k, v in want.items():
        assert d.get(k, 0) == v, (k, d.get(k, 0), v)
    # Filtered responses: those whose access line carries filter=.
    filt_lines = len(re.findall(r" filter=redacted:",
                                sw.log()[mark:]))
    assert d.get(S("sockward_filtered_responses_total", listener=L), 0) == \
        filt_lines and filt_lines >= 2
    # Bytes towards dockerd moved; the histogram's sum and buckets too.
    assert d.get(S("sockward_bytes_total", listener=L,
                   direction="to_upstream"), 0) > 0
    # Nothing else moved: no other series changed.
    moving = ("sockward_request_duration_seconds_bucket",
              "sockward_request_duration_seconds_sum",
              "sockward_bytes_total", "sockward_filtered_responses_total",
              "sockward_upstream_open_connections",
              "sockward_open_connections")
    for k, v in d.items():
        if k in want or k.startswith(moving):
            continue
        raise AssertionError("unexpected change %s: %s" % (k, v))
    # The request's own words are nowhere.
    assert world.vis.id not in after_text and "images/json" not in after_text
    assert "networks" not in after_text and "Privileged=" not in after_text


def test_bad_gateway_from_dead_upstream(sockward, tmp_path):
    dead = str(tmp_path / "dead.sock")
    s = socket.socket(socket.AF_UNIX)
    s.bind(dead)                    # a socket nobody listens on
    try:
        sw = metrics_sockward(sockward, upstream=dead)
        before = samples(scrape(sw.maddr))
        r = sw.get("/_ping")
        assert r.status == 502, r
        assert sw.wait_log("status=502")
        d = deltas(before, samples(scrape(sw.maddr)))
        L = "default"
        assert d.get(S("sockward_requests_total", listener=L,
                       verdict="error", status_class="5xx")) == 1
        assert d.get(S("sockward_bad_gateway_responses_total",
                       listener=L)) == 1
        assert d.get("sockward_upstream_connect_errors_total") == 1
        assert not any(k.startswith("sockward_denials_total") for k in d)
    finally:
        s.close()


def test_gauges_streams_hijacks(sockward, container_factory):
    ct = container_factory()
    sw = metrics_sockward(sockward, "--allow", "POST /containers/{id}/attach")
    L = "default"
    g = samples(scrape(sw.maddr))
    assert g[S("sockward_open_connections", listener=L)] == 0
    ev = sw.conn(timeout=10)
    ev.send(get("/v1.41/events"))
    assert ev.read_head().status == 200
    at = sw.conn(timeout=10)
    at.send(b"POST /v1.41/containers/%s/attach?stream=1&stdout=1 HTTP/1.1\r\n"
            % ct.id.encode() + H +
            b"Connection: Upgrade\r\nUpgrade: tcp\r\n\r\n")
    assert at.read_head().status == 101
    idle = sw.conn()
    idle.send(get("/_ping"))
    assert idle.read_response().status == 200
    g = samples(scrape(sw.maddr))
    assert g[S("sockward_open_connections", listener=L)] == 3
    assert g[S("sockward_open_streams", listener=L)] == 1
    assert g[S("sockward_open_hijacks", listener=L)] == 1
    assert g["sockward_upstream_open_connections"] >= 2
    for c in (ev, idle):
        c.close()
    assert wait_for(lambda: samples(scrape(sw.maddr))[
        S("sockward_open_connections", listener=L)] == 1)
    g = samples(scrape(sw.maddr))
    assert g[S("sockward_open_streams", listener=L)] == 0
    assert g[S("sockward_open_hijacks", listener=L)] == 1
    # A hijack half-closed by its client lasts until the container's
    # side ends too.
    at.close()
    ct.remove(force=True)
    assert wait_for(lambda: samples(scrape(sw.maddr))[
        S("sockward_open_connections", listener=L)] == 0, timeout=10)
    assert samples(scrape(sw.maddr))[
        S("sockward_open_hijacks", listener=L)] == 0


def test_streams_refused_counted(sockward):
    sw = metrics_sockward(sockward, "--client-streams", "1")
    ev = sw.conn(timeout=10)
    ev.send(get("/v1.41/events"))
    assert ev.read_head().status == 200
    r = sw.get("/v1.41/events")
    assert r.status == 429
    ev.close()
    assert sw.wait_log("status=429")
    g = samples(scrape(sw.maddr))
    L = "default"
    assert g[S("sockward_admission_refusals_total", listener=L,
               reason="client_streams")] == 1
    assert g[S("sockward_denials_total", listener=L, verdict="limit",
               reason="stream_limit", rule="")] == 1
    assert g[S("sockward_requests_total", listener=L, verdict="limit",
               status_class="4xx")] == 1


# --------------------------------------------------------------------------
# Cardinality
# --------------------------------------------------------------------------

def test_flood_of_distinct_paths_adds_no_series(sockward):
    sw = metrics_sockward(sockward, "--deny", "GET /secrets/**")
    marker = "flood%s" % uuid.uuid4().hex[:8]

    def one(c, i):
        # Denied by default, by the deny rule, and rejected (a target
        # that does not canonicalise), each with fresh words everywhere.
        for target, status in (("/v1.41/%s/%d?q%d=%d" % (marker, i, i, i), 403),
                               ("/v1.41/secrets/%s%d" % (marker, i), 403)):
            c.send(b"GET " + target.encode() + b" HTTP/1.1\r\n" + H +
                   b"X-" + marker.encode() + b": " + str(i).encode() +
                   b"\r\nUser-Agent: " + marker.encode() + b"\r\n\r\n")
            assert c.read_response().status == status
    with sw.conn() as c:
        one(c, 0)
    assert sw.request(get("/v1.41/%s/../x" % marker)).status == 400
    base = scrape(sw.maddr)
    n0 = len(samples(base))
    with sw.conn(timeout=30) as c:
        for i in range(1, 501):
            one(c, i)
    for i in range(1, 11):
        assert sw.request(get("/v1.41/%s%d/../x" % (marker, i))).status == 400
    after = scrape(sw.maddr)
    s = samples(after)
    assert len(s) == n0, sorted(set(s) - set(samples(base)))
    assert marker not in after
    L = "default"
    assert s[S("sockward_denials_total", listener=L, verdict="deny",
               reason="default_deny", rule="")] == 501
    assert s[S("sockward_denials_total", listener=L, verdict="deny",
               reason="rule", rule="--deny #1")] == 501
    assert s[S("sockward_denials_total", listener=L, verdict="reject",
               reason="bad_request", rule="")] == 11
    promtool_ok(after)


# --------------------------------------------------------------------------
# Reloads, listeners of a config file, admission
# --------------------------------------------------------------------------

CONF = """
listener "edge" {
	listen "tcp://127.0.0.1:%d"
	profile traefik
}
listener "ops" {
	listen "tcp://127.0.0.1:%d"
	clients 10.0.0.0/8
	allow GET,HEAD /_ping
}
"""


def test_config_listeners_reloads_and_admission(daemon, tmp_path):
    p1, p2, mp = free_port(), free_port(), free_port()
    conf = tmp_path / "sockward.conf"
    conf.write_text(CONF % (p1, p2))
    d = daemon("--config", str(conf), "--metrics", "tcp://127.0.0.1:%d" % mp,
               wait_addr=("127.0.0.1", mp))
    maddr = ("127.0.0.1", mp)
    s0 = samples(scrape(maddr))
    for L in ("edge", "ops"):
        assert s0[S("sockward_connections_accepted_total", listener=L)] == 0
    assert s0["sockward_config_last_reload_successful"] == 1
    t0 = s0["sockward_config_last_reload_success_timestamp_seconds"]
    assert abs(t0 - time.time()) < 60
    # 127.0.0.1 is not admitted on "ops": refused at the door.
    r = request(("127.0.0.1", p2), get("/_ping"))
    assert r.status == 403
    assert request(("127.0.0.1", p1), get("/_ping")).status == 200
    s1 = samples(scrape(maddr))
    assert s1[S("sockward_admission_refusals_total", listener="ops",
                reason="not_admitted")] == 1
    assert s1[S("sockward_admission_refusals_total", listener="edge",
                reason="not_admitted")] == 0
    assert s1[S("sockward_requests_total", listener="edge", verdict="allow",
                status_class="2xx")] == 1
    assert S("sockward_requests_total", listener="ops", verdict="allow",
             status_class="2xx") not in s1
    # A good reload, then a refused one.
    time.sleep(1.1)
    conf.write_text((CONF % (p1, p2)).replace("clients 10.0.0.0/8",
                                              "clients 127.0.0.0/8"))
    d.proc.send_signal(signal.SIGHUP)
    assert d.wait_log("reloaded ")
    s2 = samples(scrape(maddr))
    assert s2[S("sockward_config_reloads_total", result="success")] == 1
    assert s2[S("sockward_config_reloads_total", result="failure")] == 0
    assert s2["sockward_config_last_reload_successful"] == 1
    t2 = s2["sockward_config_last_reload_success_timestamp_seconds"]
    assert t2 > t0
    assert request(("127.0.0.1", p2), get("/_ping")).status == 200
    conf.write_text(CONF % (p1, p2) + "bogus\n")
    d.proc.send_signal(signal.SIGHUP)
    assert d.wait_log("reload refused")
    s3 = samples(scrape(maddr))
    assert s3[S("sockward_config_reloads_total", result="failure")] == 1
    assert s3["sockward_config_last_reload_successful"] == 0
    assert s3["sockward_config_last_reload_success_timestamp_seconds"] == t2
    promtool_ok(scrape(maddr))


# --------------------------------------------------------------------------
# The metrics listener itself
# --------------------------------------------------------------------------

def test_metrics_listener_answers(sockward):
    sw = metrics_sockward(sockward)
    r = scrape_raw(sw.maddr)
    assert r.status == 200 and r.header("Connection") == "close"
    assert int(r.header("Content-Length")) == len(r.body)
    assert r.body.startswith(b"# HELP sockward_build_info ")
    assert b'sockward_build_info{version="' in r.body
    h = scrape_raw(sw.maddr, method="HEAD")
    assert h.status == 200 and h.body == b""
    assert abs(int(h.header("Content-Length")) - len(r.body)) < 64
    assert scrape_raw(sw.maddr, "/metrics?x=1").status == 200
    for path in ("/", "/metrics/", "/_ping", "/v1.41/containers/json"):
        assert scrape_raw(sw.maddr, path).status == 404
    r = request(sw.maddr, b"POST /metrics HTTP/1.1\r\nHost: m\r\n"
                b"Content-Length: 0\r\n\r\n")
    assert r.status == 405 and r.header("Allow") == "GET, HEAD"
    assert request(sw.maddr, b"garbage\r\n\r\n").status == 400
    assert request(sw.maddr, b"get /metrics HTTP/1.1\r\n\r\n").status == 501
    big = b"GET /metrics HTTP/1.1\r\nHost: m\r\nX: " + b"a" * 5000 + \
        b"\r\n\r\n"
    assert request(sw.maddr, big).status == 431
    # The proxy's listener does not serve metrics, nor the reverse.
    r = sw.get("/metrics")
    assert r.status == 403
    assert scrape_raw(sw.maddr, "/_ping").status == 404


def test_metrics_bounds_and_timeouts(sockward):
    sw = metrics_sockward(sockward, "--header-timeout", "1")
    time.sleep(0.2)     # metrics_sockward's probe has gone
    silent = [Conn(sw.maddr, timeout=5) for _ in range(8)]
    time.sleep(0.2)
    assert not any(c.is_closed(0.01) for c in silent)
    # Over the bound: closed at once, nothing read.
    over = Conn(sw.maddr, timeout=5)
    t = time.time()
    assert over.is_closed(2.0) and time.time() - t < 1.0
    over.close()
    # A head sent slowly is cut at the header timeout, like silence.
    silent[0].send(b"GET /metrics HTTP/1.1\r\n")
    t = time.time()
    for c in silent:
        assert c.is_closed(3.0)
        c.close()
    assert time.time() - t < 2.5
    # Then the slots are free again; the proxy was never affected.
    assert scrape(sw.maddr)
    assert sw.get("/_ping").status == 200


def test_unix_metrics_socket_removed_at_exit(sockward, tmp_path):
    path = str(tmp_path / "metrics.sock")
    sw = sockward("--metrics", "unix://" + path)
    assert wait_for(lambda: os.path.exists(path))
    assert os.stat(path).st_mode & 0o777 == 0o660
    text = scrape(path)
    promtool_ok(text)
    sw.stop()
    assert not os.path.exists(path), sw.log()[-2000:]


def test_metrics_address_must_differ_from_the_proxys():
    p = free_port()
    r = subprocess.run([SOCKWARD_BIN, "check", "--listen",
                        "tcp://127.0.0.1:%d" % p, "--metrics",
                        "tcp://127.0.0.1:%d" % p], capture_output=True)
    assert r.returncode == 2 and b"overlaps" in r.stderr, r
    r = subprocess.run([SOCKWARD_BIN, "check", "--metrics",
                        "tcp://127.0.0.1:%d" % p], capture_output=True)
    assert r.returncode == 0, r


# --------------------------------------------------------------------------
# A real Prometheus
# --------------------------------------------------------------------------

def _api(port, path):
    with urllib.request.urlopen("http://127.0.0.1:%d%s" % (port, path),
                                timeout=5) as f:
        return json.loads(f.read().decode())


def test_real_prometheus_scrapes(sockward, tmp_path):
    sw = metrics_sockward(sockward)
    for _ in range(5):
        assert sw.get("/_ping").status == 200
    pport = free_port()
    cfg = tmp_path / "prometheus.yml"
    cfg.write_text("""global:
  scrape_interval: 1s
  scrape_timeout: 1s
scrape_configs:
  - job_name: sockward
    static_configs:
      - targets: ["127.0.0.1:%d"]
""" % sw.maddr[1])
    logf = open(str(tmp_path / "prometheus.log"), "wb")
    prom = subprocess.Popen([PROMETHEUS, "--config.file", str(cfg),
                             "--storage.tsdb.path", str(tmp_path / "tsdb"),
                             "--web.listen-address", "127.0.0.1:%d" % pport],
                            stdout=logf, stderr=logf,
                            stdin=subprocess.DEVNULL)
    try:
        def up():
            try:
                t = _api(pport, "/api/v1/targets")["data"]["activeTargets"]
            except OSError:
                return None
            return t and t[0]["health"] == "up" and t
        t = wait_for(up, timeout=30, step=0.5)
        assert t, open(str(tmp_path / "prometheus.log")).read()[-3000:]
        assert t[0]["lastError"] == ""

        def query():
            q = urllib.request.quote('sockward_requests_total{verdict="allow"}')
            r = _api(pport, "/api/v1/query?query=" + q)["data"]["result"]
            return r and r
        res = wait_for(query, timeout=15, step=0.5)
        assert res and float(res[0]["value"][1]) == 5, res
        b = _api(pport, "/api/v1/query?query=sockward_build_info")
        assert b["data"]["result"][0]["metric"]["version"]
    finally:
        prom.terminate()
        try:
            prom.wait(10)
        except subprocess.TimeoutExpired:
            prom.kill()
            prom.wait()
        logf.close()
