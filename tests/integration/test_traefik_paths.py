"""What Traefik's docker provider needs passes; everything else is 403."""

import json
import urllib.parse

import pytest

from conftest import RUN_ID, assert_denied, direct, get

PREFIXES = ["", "/v1.24", "/v1.41"]
PATHS = ["/version", "/containers/json", "/containers/{id}/json", "/services",
         "/networks", "/tasks", "/nodes/{id}"]


@pytest.mark.parametrize("prefix", PREFIXES, ids=["noprefix", "v1.24", "v1.41"])
@pytest.mark.parametrize("path", PATHS)
def test_allowed_path_is_proxied(proxy, running_container, prefix, path):
    target = prefix + path.replace("{id}", running_container.id)
    want = direct(get(target))
    got = proxy.get(target)
    assert got.status == want.status, (target, got, want)
    assert got.header("Api-Version") == want.header("Api-Version") == "1.41"
    if want.status == 200:
        assert json.loads(got.body) is not None
        if "{id}" in path and path.startswith("/containers"):
            assert got.json()["Id"] == running_container.id
    else:
        # dockerd's own error (e.g. 503 "not a swarm manager"), not sockward's
        assert "sockward" not in got.body.decode(), got
        assert got.json() == want.json()


@pytest.mark.parametrize("prefix", PREFIXES, ids=["noprefix", "v1.24", "v1.41"])
def test_events_stream_head(proxy, prefix):
    with proxy.conn(timeout=5) as c:
        c.send(get(prefix + "/events"))
        r = c.read_head()
        assert r.status == 200, r
        assert r.header("Api-Version") == "1.41"


def test_events_with_filter_query(proxy):
    q = "filters=%7B%22type%22%3A%7B%22container%22%3Atrue%7D%7D"
    assert urllib.parse.unquote(q) == 'filters={"type":{"container":true}}'
    with proxy.conn(timeout=5) as c:
        c.send(get("/v1.24/events?" + q))
        r = c.read_head()
        assert r.status == 200, r


def test_containers_json_query(proxy, container_factory):
    ct = container_factory(start=False, labels={"sockward-q": RUN_ID})
    r = proxy.get("/v1.41/containers/json?all=1&filters=%7B%22label%22%3A%5B%22sockward-q%3D"
                  + RUN_ID + "%22%5D%7D")
    assert r.status == 200, r
    assert [c["Id"] for c in r.json()] == [ct.id]


def test_head_ping_negotiation_then_keepalive(proxy):
    """Traefik's first request: HEAD /_ping without prefix, then reuse."""
    with proxy.conn(timeout=3) as c:
        c.send(get("/_ping", method="HEAD"))
        r = c.read_head()
        assert r.status == 200, r
        assert r.header("Api-Version") == "1.41", r
        # no body may follow, and the connection must stay usable
        c.assert_open(0.3)
        c.send(get("/v1.41/version"))
        r2 = c.read_response()
        assert r2.status == 200, r2
        assert r2.json()["ApiVersion"] == "1.41"


@pytest.mark.parametrize("target", ["/_ping", "/v1.41/_ping", "/v1.24/_ping"])
def test_head_ping_no_hang(proxy, target):
    with proxy.conn(timeout=2) as c:
        for _ in range(3):
            c.send(get(target, method="HEAD"))
            r = c.read_head()
            assert r.status == 200, r
        c.assert_open(0.2)


@pytest.mark.parametrize("target", ["/_ping", "/v1.41/_ping"])
def test_get_ping(proxy, target):
    r = proxy.get(target)
    assert r.status == 200, r
    assert r.body == b"OK"
    assert r.header("Api-Version") == "1.41"


DENIED = [
    ("GET", "/containers/{id}/logs?stdout=1"),
    ("GET", "/containers/{id}/archive?path=/"),
    ("HEAD", "/containers/{id}/archive?path=/"),
    ("GET", "/containers/{id}/export"),
    ("GET", "/containers/{id}/stats?stream=0"),
    ("GET", "/containers/{id}/top"),
    ("GET", "/images/json"),
    ("GET", "/info"),
    ("GET", "/volumes"),
    ("GET", "/secrets"),
    ("GET", "/configs"),
    ("GET", "/plugins"),
    ("GET", "/system/df"),
    ("GET", "/nodes"),
    ("GET", "/containers"),
    ("GET", "/containers/{id}"),
    ("GET", "/containers/{id}/json/extra"),
    ("GET", "/networks/bridge"),
    ("GET", "/version/x"),
    ("GET", "/_ping/x"),
    ("POST", "/_ping"),
    ("POST", "/containers/create"),
    ("POST", "/containers/{id}/stop"),
    ("POST", "/containers/{id}/kill"),
    ("POST", "/containers/{id}/exec"),
    ("POST", "/containers/{id}/attach?stream=1&stdout=1"),
    ("POST", "/networks/create"),
    ("POST", "/images/create?fromImage=x"),
    ("POST", "/build"),
    ("DELETE", "/containers/{id}"),
    ("PUT", "/containers/{id}/archive?path=/"),
    ("OPTIONS", "/_ping"),
    ("PATCH", "/version"),
]


@pytest.mark.parametrize("prefix", ["", "/v1.41"], ids=["noprefix", "v1.41"])
@pytest.mark.parametrize("method,target", DENIED, ids=["%s %s" % d for d in DENIED])
def test_denied(proxy, running_container, dclient, prefix, method, target):
    target = target.replace("{id}", running_container.id)
    path = target.split("?")[0]
    with proxy.conn(timeout=3) as c:
        c.send(get(prefix + target, method=method))
        r = c.read_head()
        if method != "HEAD":
            r.body = c.read_exact(int(r.header("Content-Length")))
            assert_denied(r, method, path)
        else:
            assert r.status == 403, r
        # a denied request without a body keeps the connection
        c.send(get("/_ping"))
        r2 = c.read_response()
        assert r2.status == 200, r2
    running_container.reload()
    assert running_container.status == "running"
