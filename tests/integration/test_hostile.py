"""Hostile and careless clients: each case was reproduced against the real
dockerd before its fix, and each test fails without it.

- form values from a multipart body (Go's FormValue parses them on a GET);
- boolean query parameters read as dockerd reads them (docker-py sends
  stream=False);
- filter constraints that hold for the set dockerd returns (ORed values,
  false in the object form).
"""

import json
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
