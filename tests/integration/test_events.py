"""/events through sockward: delivered live, never cut by the idle timeout."""

import json
import socket
import time

from conftest import get

FILTER = "filters=%7B%22type%22%3A%5B%22container%22%5D%7D"   # {"type":["container"]}


class EventStream:
    def __init__(self, conn):
        self.conn = conn
        self.pending = b""
        self.events = []

    def wait_for(self, pred, timeout=10):
        deadline = time.time() + timeout
        while True:
            for ev in self.events:
                if pred(ev):
                    return ev
            left = deadline - time.time()
            if left <= 0:
                raise AssertionError("event not seen; got %r" % self.events)
            self.conn.sock.settimeout(left)
            try:
                data = self.conn.read_chunk()
            except socket.timeout:
                continue
            assert data, "event stream ended (last chunk)"
            self.pending += data
            while b"\n" in self.pending:
                line, self.pending = self.pending.split(b"\n", 1)
                if line.strip():
                    self.events.append(json.loads(line))


def _is(cid, *actions):
    return lambda ev: ev.get("id") == cid and ev.get("Action") in actions


def open_events(sw, target):
    c = sw.conn(timeout=10)
    c.send(get(target))
    r = c.read_head()
    assert r.status == 200, r
    assert "chunked" in (r.header("Transfer-Encoding") or "").lower(), r
    return c, EventStream(c)


def test_events_start_and_die(proxy, container_factory):
    c, es = open_events(proxy, "/v1.41/events?" + FILTER)
    with c:
        ct = container_factory()
        es.wait_for(_is(ct.id, "start"))
        ct.stop(timeout=5)
        es.wait_for(_is(ct.id, "die"))
        es.wait_for(_is(ct.id, "stop"))


def test_events_unprefixed_without_query(proxy, container_factory):
    c, es = open_events(proxy, "/events")
    with c:
        ct = container_factory(start=False)
        es.wait_for(_is(ct.id, "create"))


def test_events_survive_idle_timeout(sockward, container_factory):
    sw = sockward("--idle-timeout", "2")
    c, es = open_events(sw, "/v1.24/events?" + FILTER)
    with c:
        # Nothing is happening on the stream for longer than the idle timeout.
        time.sleep(4.5)
        assert not c.buf
        ct = container_factory()
        es.wait_for(_is(ct.id, "start"), timeout=5)
        time.sleep(3)
        ct.kill()
        es.wait_for(_is(ct.id, "die"), timeout=5)
    # An idle keep-alive connection on the same daemon is reaped, though.
    with sw.conn() as k:
        k.send(get("/_ping"))
        assert k.read_response().status == 200
        t0 = time.time()
        assert k.is_closed(6), "idle keep-alive connection was not reaped"
        assert time.time() - t0 >= 1.0
