"""The built-in profiles against the real dockerd.

For every profile, sockward runs with --profile NAME and replays the read
sequence of that profile's client (docs/PROFILES.md) with raw HTTP: every
call must get exactly the status dockerd gives to the same call made
directly (404 or 503 from dockerd are fine, a 403 from sockward is not),
and a sample of calls the client never makes must get sockward's 403.
The write-capable profiles (watchtower, autoheal) also perform their
writes on labelled testbox containers, and the test checks the effect.
Issue 11: the Python SDK's ping and version='auto' through every profile,
container lists with size=1 refused, docker-py's stream=False accepted.
"""

import json
import subprocess
import time
import urllib.parse

import docker
import pytest

from conftest import (RUN_ID, RUN_LABEL, SOCKWARD_BIN, TEST_IMAGE, TEST_LABEL,
                      Conn, DOCKER_SOCK, assert_sockward_error, deny_message,
                      get)


def enc_filters(d):
    return "filters=" + urllib.parse.quote(json.dumps(d, separators=(",", ":")), safe="")


GO_RUNNING = enc_filters({"status": {"running": True}})
GO_CONTAINER_EVENTS = enc_filters({"type": {"container": True}})
AUTOHEAL_Q = 'filters={"health":["unhealthy"],"label":["autoheal=true"]}'

# What each client reads, in the order it reads it.  {cid}, {cname},
# {image} are filled in from a running labelled testbox container.
READS = {
    "traefik": [
        ("HEAD", "/_ping"), ("GET", "/_ping"), ("GET", "/v1.24/version"),
        ("GET", "/v1.41/containers/json?all=1"),
        ("GET", "/v1.41/containers/{cid}/json"),
        ("GET", "/v1.41/events?" + GO_CONTAINER_EVENTS),
        ("GET", "/v1.41/services"), ("GET", "/v1.41/tasks"),
        ("GET", "/v1.41/networks?" + enc_filters({"scope": {"swarm": True}})),
        ("GET", "/v1.41/nodes/24ifsmvkjbyhk"),
    ],
    "readonly": [
        ("HEAD", "/_ping"), ("GET", "/v1.41/version"), ("GET", "/info"),
        ("GET", "/containers/json?all=1&size=0"),
        ("GET", "/containers/{cid}/json"), ("GET", "/containers/{cid}/top"),
        ("GET", "/containers/{cid}/changes"),
        ("GET", "/containers/{cid}/stats?stream=0"),
        ("GET", "/images/json"), ("GET", "/images/{image}/json"),
        ("GET", "/images/{image}/history"),
        ("GET", "/images/sockward-test/nonexistent:1/json"),
        ("GET", "/networks"), ("GET", "/networks/bridge"), ("GET", "/volumes"),
        ("GET", "/system/df"), ("GET", "/events?since=1"),
        ("GET", "/services"), ("GET", "/plugins"),
    ],
    "homepage": [
        ("GET", "/containers/json?all=true"),
        ("GET", "/containers/{cname}/json"),
        ("GET", "/containers/{cname}/stats?stream=false"),
        ("GET", "/services?all=true"), ("GET", "/services/{cname}"),
        ("GET", "/tasks?" + enc_filters({"service": ["homepage"],
                                         "desired-state": ["running"]})),
    ],
    "portainer-readonly": [
        ("HEAD", "/_ping"), ("GET", "/v1.41/info"), ("GET", "/v1.41/services"),
        ("GET", "/v1.41/nodes"), ("GET", "/v1.41/containers/json?all=1"),
        ("GET", "/v1.41/containers/{cid}/json"), ("GET", "/v1.41/images/json"),
        ("GET", "/v1.41/volumes"), ("GET", "/v1.41/networks"),
        ("GET", "/v1.41/version"), ("GET", "/v1.41/images/{image}/json"),
        ("GET", "/v1.41/images/{image}/history"),
        ("GET", "/v1.41/networks/bridge"), ("GET", "/v1.41/tasks"),
    ],
    "dozzle": [
        ("HEAD", "/_ping"), ("GET", "/v1.41/info"), ("GET", "/v1.41/version"),
        ("GET", "/v1.41/containers/json?all=1"),
        ("GET", "/v1.41/containers/{cid}/json"),
        ("GET", "/v1.41/events"),
        ("GET", "/v1.41/containers/{cid}/logs?follow=1&stderr=1&stdout=1"
                "&tail=300&timestamps=1"),
        ("GET", "/v1.41/containers/{cid}/stats?stream=1"),
    ],
    "watchtower-readonly": [
        ("GET", "/v1.25/containers/json?" + GO_RUNNING),
        ("GET", "/v1.25/containers/{cid}/json"),
        ("GET", "/v1.25/images/{imageid}/json"),
        ("GET", "/v1.25/images/{image}/json"),
        ("GET", "/v1.25/images/sockward-test/nonexistent:1/json"),
    ],
    "watchtower": [
        ("HEAD", "/_ping"), ("GET", "/v1.25/containers/json?" + GO_RUNNING),
        ("GET", "/v1.25/containers/{cid}/json"),
        ("GET", "/v1.25/images/{imageid}/json"),
        ("GET", "/v1.25/images/{image}/json"),
        ("GET", "/v1.25/images/sockward-test/nonexistent:1/json"),
    ],
    # docker CLI 28.2 and docker-compose 1.29.2 (test_deploy.py has the
    # writes, with the real clients)
    "deploy": [
        ("HEAD", "/_ping"), ("GET", "/version"), ("GET", "/v1.41/info"),
        ("GET", "/v1.41/containers/json?limit=-1&all=1&size=0&trunc_cmd=0&" +
         enc_filters({"label": ["com.docker.compose.project=sockward-test-none"]})),
        ("GET", "/v1.41/containers/{cid}/json"),
        ("GET", "/v1.41/containers/{cname}/json"),
        ("GET", "/v1.41/images/{image}/json"),
        ("GET", "/v1.41/containers/{cid}/logs?stderr=1&stdout=1&tail=all"),
        ("GET", "/v1.41/networks/sockward-test-none_back"),
        ("GET", "/v1.41/volumes/sockward-test-none_data"),
    ],
    "diun": [
        ("HEAD", "/_ping"), ("GET", "/v1.41/version"),
        ("GET", "/v1.41/containers/json?" + GO_RUNNING),
        ("GET", "/v1.41/containers/{cid}/json"),
        ("GET", "/v1.41/images/{image}/json"),
        ("GET", "/v1.41/images/ghcr.io/sockward-test/nonexistent:1/json"),
        ("GET", "/v1.41/services"),
    ],
    "autoheal": [
        ("GET", "/containers/json?" + AUTOHEAL_Q),
    ],
    "uptime-kuma": [
        ("GET", "/containers/json?all=true"),
        ("GET", "/containers/{cname}/json"),
    ],
    "prometheus": [
        ("HEAD", "/_ping"), ("GET", "/v1.41/containers/json"),
        ("GET", "/v1.41/networks"), ("GET", "/v1.41/services"),
        ("GET", "/v1.41/tasks"), ("GET", "/v1.41/nodes"),
    ],
    "crowdsec": [
        ("HEAD", "/_ping"), ("GET", "/v1.41/info"),
        ("GET", "/v1.41/containers/json"),
        ("GET", "/v1.41/containers/{cid}/json"),
        ("GET", "/v1.41/containers/{cid}/logs?follow=1&stderr=1&stdout=1&tail=0"),
        ("GET", "/v1.41/events?" + GO_CONTAINER_EVENTS),
        ("GET", "/v1.41/services"), ("GET", "/v1.41/services/nosuchservice"),
        ("GET", "/v1.41/services/nosuchservice/logs?follow=1"),
    ],
    "netdata": [
        ("GET", "/containers/{cid}/json"), ("HEAD", "/_ping"),
        ("GET", "/v1.41/info"), ("GET", "/v1.41/containers/json?all=1"),
        ("GET", "/v1.41/images/json"),
    ],
    "cadvisor": [
        ("HEAD", "/_ping"), ("GET", "/v1.41/info"), ("GET", "/v1.41/version"),
        ("GET", "/v1.41/containers/{cid}/json"), ("GET", "/v1.41/images/json"),
    ],
    "none": [],
}

# Calls that the profile's client never makes: sockward answers 403.
COMMON_DENIED = [
    ("POST", "/containers/{cid}/exec"),
    ("GET", "/containers/{cid}/export"),
    ("GET", "/containers/{cid}/archive?path=/"),
    ("GET", "/images/{image}/get"),
    ("GET", "/swarm/unlockkey"),
    ("DELETE", "/v1.41/volumes/sockward-test-x"),
    ("POST", "/v1.41/networks/create"),
]

DENIED = {
    "traefik": [("GET", "/info"), ("GET", "/containers/{cid}/logs"),
                ("GET", "/images/json")],
    "readonly": [("GET", "/containers/{cid}/logs"),
                 ("GET", "/v1.41/containers/{cid}/logs?follow=1"),
                 ("HEAD", "/containers/{cid}/archive?path=/"),
                 ("GET", "/containers/{cid}/attach/ws?stream=1"),
                 ("GET", "/images/get?names={image}"),
                 ("GET", "/images/library/nginx:latest/get"),
                 ("GET", "/debug/vars"),
                 ("POST", "/containers/{cid}/stop")],
    "homepage": [("GET", "/containers/{cname}/stats"),
                 ("GET", "/containers/{cname}/stats?stream=true"),
                 ("GET", "/info"),
                 ("POST", "/containers/{cname}/restart")],
    "portainer-readonly": [("GET", "/containers/{cid}/logs"),
                           ("POST", "/containers/{cid}/start"),
                           ("GET", "/containers/{cid}/stats")],
    "dozzle": [("POST", "/containers/{cid}/restart"),
               ("POST", "/exec/abc/start"), ("GET", "/images/json")],
    "watchtower": [("GET", "/containers/{cid}/logs"),
                   ("POST", "/images/create?fromSrc=-"),
                   ("POST", "/containers/{cid}/update"),
                   ("GET", "/info")],
    "watchtower-readonly": [
        ("POST", "/v1.25/images/create?fromImage=sockward-test%2Fnonexistent&tag=1"),
        ("POST", "/v1.25/containers/create?name=sockward-test-wtro"),
        ("POST", "/v1.25/containers/{cid}/kill?signal=SIGTERM"),
        ("POST", "/v1.25/containers/{cid}/start"),
        ("POST", "/v1.25/containers/{cid}/rename?name=x"),
        ("DELETE", "/v1.25/containers/{cid}?force=1"),
        ("POST", "/v1.25/networks/bridge/disconnect"),
        ("DELETE", "/v1.25/images/{imageid}"),
        ("GET", "/info")],
    "diun": [("GET", "/info"), ("GET", "/events"),
             ("POST", "/images/create?fromImage=alpine")],
    "autoheal": [("GET", "/containers/json"),
                 ("GET", "/containers/json?filters=%7B%22health%22%3A%5B%22unhealthy%22%5D%7D"),
                 ("POST", "/containers/{cid}/stop")],
    "uptime-kuma": [("GET", "/info"), ("GET", "/containers/{cid}/logs")],
    "prometheus": [("GET", "/containers/{cid}/json"), ("GET", "/info")],
    "crowdsec": [("GET", "/containers/{cid}/stats")],
    "netdata": [("GET", "/events"), ("GET", "/containers/{cid}/logs")],
    "cadvisor": [("GET", "/containers/json"), ("GET", "/events")],
    "none": [("HEAD", "/_ping"), ("GET", "/version"),
             ("GET", "/containers/json")],
}

STREAMS = ("/events", "/logs", "/stats?stream=1")


@pytest.fixture(scope="module")
def subst(running_container, dclient):
    running_container.reload()
    img = dclient.images.get(TEST_IMAGE)
    return {
        "cid": running_container.id,
        "cname": running_container.name,
        "image": TEST_IMAGE,
        "imageid": img.id,
    }


def fill(target, subst):
    for k, v in subst.items():
        target = target.replace("{" + k + "}", v)
    return target


def head(addr, method, target, timeout=15.0):
    """Status line and headers only; streams are left unread."""
    with Conn(addr, timeout) as c:
        c.send(get(target, method=method))
        return c.read_head()


def whole(addr, method, target, body=None, timeout=15.0):
    extra = b""
    data = get(target, method=method)
    if body is not None:
        raw = json.dumps(body).encode()
        extra = (b"Content-Type: application/json\r\nContent-Length: " +
                 str(len(raw)).encode() + b"\r\n")
        data = get(target, method=method, extra=extra) + raw
    with Conn(addr, timeout) as c:
        c.send(data)
        return c.read_response(method)


@pytest.mark.parametrize("profile", sorted(READS))
def test_profile_reads_pass(sockward, subst, profile):
    sw = sockward("--profile", profile)
    for method, target in READS[profile]:
        t = fill(target, subst)
        want = head(DOCKER_SOCK, method, t)
        got = head(sw.addr, method, t)
        assert got.status != 403, (profile, method, t, got)
        assert got.status == want.status, (profile, method, t, got, want)
        assert got.header("Api-Version") == want.header("Api-Version"), (t, got)
    assert sw.alive()


@pytest.mark.parametrize("profile", sorted(DENIED))
def test_profile_denies_the_rest(sockward, subst, profile):
    sw = sockward("--profile", profile)
    for method, target in DENIED[profile] + COMMON_DENIED:
        t = fill(target, subst)
        r = whole(sw.addr, method, t)
        if method == "HEAD":    # a 403 to HEAD carries no body
            assert r.status == 403, (method, t, r)
            assert r.header("Content-Type").startswith("application/json"), r
            continue
        msg = assert_sockward_error(r, 403)
        assert ("(policy %s)" % profile) in msg, msg


def test_readonly_deny_reasons(sockward, subst):
    sw = sockward("--profile", "readonly")
    r = whole(sw.addr, "GET", fill("/containers/{cid}/logs?stdout=1", subst))
    assert assert_sockward_error(r, 403).endswith(": logs often hold secrets")
    r = whole(sw.addr, "GET", "/images/ghcr.io/org/app:1/get")
    assert assert_sockward_error(r, 403).endswith(": exports image tarballs")
    r = whole(sw.addr, "GET", "/images/a/b/c/d/e/f/g/h/i/j/get")
    assert assert_sockward_error(r, 403).endswith(
        ": paths deeper than 10 segments")


def test_combined_profiles(sockward, subst):
    """--profile dozzle,readonly: dozzle's log reads come first."""
    sw = sockward("--profile", "dozzle,readonly")
    t = fill("/containers/{cid}/logs?stdout=1&stderr=1", subst)
    assert head(sw.addr, "GET", t).status == head(DOCKER_SOCK, "GET", t).status == 200
    assert head(sw.addr, "GET", "/system/df").status == 200
    assert_sockward_error(whole(sw.addr, "GET", "/swarm/unlockkey"), 403)
    assert_sockward_error(whole(sw.addr, "POST", fill("/containers/{cid}/stop", subst)), 403)


# --------------------------------------------------------------------------
# Issue 11
# --------------------------------------------------------------------------

@pytest.mark.parametrize("profile", sorted(p for p in READS if p != "none"))
def test_sdk_ping_and_version_auto(sockward, profile):
    """docker-py: version='auto' first sends an unprefixed GET /version,
    ping() a GET /_ping; both must pass every profile but none."""
    sw = sockward("--profile", profile)
    c = docker.DockerClient(base_url=sw.url, version="auto", timeout=10)
    try:
        assert c.api.api_version == "1.41"
        assert c.ping() is True
        assert c.version()["ApiVersion"] == "1.41"
    finally:
        c.close()
    log = sw.log()
    assert 'method=GET target="/version"' in log, log
    assert 'method=GET target="/v1.41/_ping"' in log, log


def test_sdk_none_still_refuses_ping_and_version(sockward):
    sw = sockward("--profile", "none")
    with pytest.raises(docker.errors.DockerException) as e:
        docker.DockerClient(base_url=sw.url, version="auto", timeout=10)
    assert deny_message("GET", "/version", "none") in str(e.value), e.value


# The container list each profile's client sends; sizes are added below.
# A label filter keeps dockerd's work to this run's containers when a
# sized list does get through.
LIST_Q = {
    "autoheal": AUTOHEAL_Q,
}
SIZED_OK = ("netdata",)


def _list(profile, size):
    q = LIST_Q.get(profile, enc_filters({"label": [RUN_LABEL + "=" + RUN_ID]}))
    return "/v1.41/containers/json?" + q + size


@pytest.mark.parametrize("profile", sorted(p for p in READS
                                           if p not in ("none", "cadvisor")))
def test_container_list_sizes(sockward, running_container, profile):
    """size=1 makes dockerd compute every container's disk usage: refused
    with a 403 unless the profile's client is known to ask for it;
    size=0, size=false, docker-py's size=False and no size pass."""
    sw = sockward("--profile", profile)
    for size in ("", "&size=0", "&size=false", "&size=False", "&size="):
        t = _list(profile, size)
        r = whole(sw.addr, "GET", t)
        assert r.status == 200, (profile, t, r)
    for size in ("&size=1", "&size=true", "&size=True", "&size=0&size=1"):
        t = _list(profile, size)
        r = whole(sw.addr, "GET", t)
        if profile in SIZED_OK:
            assert r.status == 200, (profile, t, r)
            # dockerd reads the first size only: "0&size=1" is no size
            sized = not size.startswith("&size=0")
            assert r.json() and all(("SizeRootFs" in x) == sized
                                    for x in r.json()), (size, r.json())
            continue
        msg = assert_sockward_error(r, 403)
        if profile == "readonly":
            assert msg == deny_message("GET", "/containers/json", "readonly") + \
                ": size=1 makes dockerd compute every container's disk usage", msg
        else:
            # the default deny names the constraint the client missed
            assert msg.startswith(deny_message("GET", "/containers/json", profile) +
                                  ": allowed only with query size=false"), msg


@pytest.mark.parametrize("profile", ["readonly", "dozzle", "portainer-readonly",
                                     "uptime-kuma", "prometheus"])
def test_sdk_container_list_size(sockward, running_container, profile):
    """docker-py always sends size=0 (passes), size=True sends size=1."""
    sw = sockward("--profile", profile)
    c = docker.DockerClient(base_url=sw.url, version="1.41", timeout=10)
    try:
        flt = {"label": RUN_LABEL + "=" + RUN_ID}
        ids = [x["Id"] for x in c.api.containers(filters=flt)]
        assert running_container.id in ids
        with pytest.raises(docker.errors.APIError) as e:
            c.api.containers(filters=flt, size=True)
        assert e.value.response.status_code == 403
        assert "sockward: GET /containers/json is not allowed" in \
            str(e.value.explanation)
    finally:
        c.close()


@pytest.mark.parametrize("profile", ["homepage", "dozzle", "readonly"])
def test_sdk_stats_stream_false(sockward, running_container, profile):
    """container.stats(stream=False) sends stream=False (capital F), which
    dockerd reads as false: a profile that allows one-shot stats lets it
    through, and homepage (stats only as one sample) still refuses a
    stream."""
    sw = sockward("--profile", profile)
    c = docker.DockerClient(base_url=sw.url, version="auto", timeout=15)
    try:
        st = c.api.stats(running_container.id, stream=False)
        assert st["id"] == running_container.id, st
    finally:
        c.close()
    assert sw.wait_log("/stats?stream=False"), sw.log()
    if profile == "homepage":
        t = "/v1.41/containers/%s/stats?stream=True" % running_container.name
        msg = assert_sockward_error(whole(sw.addr, "GET", t), 403)
        assert msg == deny_message("GET", "/containers/%s/stats"
                                   % running_container.name, "homepage") + \
            ": allowed only with require stream=false", msg


def test_watchtower_readonly_refuses_pull(sockward, subst, dclient):
    """--monitor-only still pulls (POST /images/create); the read-only
    variant is for --monitor-only --no-pull and refuses the pull, while
    what --no-pull reads passes."""
    sw = sockward("--profile", "watchtower-readonly")
    images = sorted(i.id for i in dclient.images.list(all=True))
    for target in ("/v1.25/images/create?fromImage=%s" % urllib.parse.quote(TEST_IMAGE, safe=""),
                   "/v1.25/images/create?fromImage=sockward-test%2Fnonexistent&tag=1",
                   "/images/create?fromImage=alpine"):
        msg = assert_sockward_error(whole(sw.addr, "POST", target), 403)
        assert msg == deny_message("POST", "/images/create",
                                   "watchtower-readonly"), msg
    assert sorted(i.id for i in dclient.images.list(all=True)) == images
    for method, target in READS["watchtower-readonly"]:
        t = fill(target, subst)
        assert head(sw.addr, method, t).status == head(DOCKER_SOCK, method, t).status
    # the full profile, for watchtower without --monitor-only, still pulls
    # (judged only: explain, so that nothing reaches a registry)
    for prof, rc in (("watchtower", 0), ("watchtower-readonly", 1)):
        r = subprocess.run([SOCKWARD_BIN, "explain", "--profile", prof, "POST",
                            "/v1.25/images/create?fromImage=alpine&tag=latest"],
                           capture_output=True, timeout=5)
        assert r.returncode == rc, (prof, r)


# --------------------------------------------------------------------------
# Writes
# --------------------------------------------------------------------------

def _state(dclient, cid):
    try:
        return dclient.api.inspect_container(cid)["State"]
    except docker.errors.NotFound:
        return None


def _wait(pred, timeout=15.0):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if pred():
            return True
        time.sleep(0.1)
    return False


def test_watchtower_recreate_cycle(sockward, dclient, testbox_image,
                                   container_factory):
    """What watchtower does to update a container, through the proxy:
    inspect, create the replacement, kill and remove the old one, rename,
    start the new one."""
    sw = sockward("--profile", "watchtower")
    old = container_factory(labels={"com.centurylinklabs.watchtower.enable": "true"})
    assert _state(dclient, old.id)["Running"]

    r = whole(sw.addr, "GET", "/v1.25/containers/%s/json" % old.id)
    assert r.status == 200 and r.json()["Id"] == old.id
    r = whole(sw.addr, "GET", "/v1.25/images/%s/json" % r.json()["Image"])
    assert r.status == 200

    body = {"Image": TEST_IMAGE, "Cmd": ["/testbox"],
            "Labels": {TEST_LABEL: "1", RUN_LABEL: RUN_ID}}
    r = whole(sw.addr, "POST", "/v1.25/containers/create?name=%s-new" % old.name, body)
    assert r.status == 201, r
    new_id = r.json()["Id"]
    try:
        r = whole(sw.addr, "POST", "/v1.25/containers/%s/kill?signal=SIGTERM" % old.id)
        assert r.status == 204, r
        assert _wait(lambda: not _state(dclient, old.id)["Running"])
        r = whole(sw.addr, "DELETE", "/v1.25/containers/%s?force=1" % old.id)
        assert r.status == 204, r
        assert _state(dclient, old.id) is None

        r = whole(sw.addr, "POST", "/v1.25/containers/%s/rename?name=%s" % (new_id, old.name))
        assert r.status == 204, r
        r = whole(sw.addr, "POST", "/v1.25/containers/%s/start" % new_id)
        assert r.status == 204, r
        assert _state(dclient, new_id)["Running"]
        assert dclient.api.inspect_container(new_id)["Name"] == "/" + old.name

        # what watchtower never does is still refused, and changes nothing
        for method, target in [("POST", "/v1.25/containers/%s/exec" % new_id),
                               ("POST", "/v1.25/containers/%s/pause" % new_id),
                               ("POST", "/v1.25/images/create?fromSrc=-")]:
            assert_sockward_error(whole(sw.addr, method, target, {}), 403)
        assert not dclient.api.inspect_container(new_id)["State"]["Paused"]
    finally:
        try:
            dclient.api.remove_container(new_id, force=True)
        except docker.errors.APIError:
            pass


def test_autoheal_finds_and_restarts_unhealthy(sockward, dclient,
                                               testbox_image,
                                               container_factory):
    """autoheal's loop through the proxy: list unhealthy autoheal=true
    containers (raw JSON filter, as curl sends it), restart each."""
    sw = sockward("--profile", "autoheal")
    sick = container_factory(
        labels={"autoheal": "true"},
        healthcheck={"test": ["CMD", "/testbox", "exit", "1"],
                     "interval": 100_000_000, "timeout": 1_000_000_000,
                     "retries": 1})
    bystander = container_factory(labels={"autoheal": "false"})
    assert _wait(lambda: (_state(dclient, sick.id).get("Health") or {})
                 .get("Status") == "unhealthy", 30), _state(dclient, sick.id)

    r = whole(sw.addr, "GET", "/containers/json?" + AUTOHEAL_Q)
    assert r.status == 200, r
    ids = [c["Id"] for c in r.json()]
    assert sick.id in ids and bystander.id not in ids
    direct = whole(DOCKER_SOCK, "GET", "/containers/json?" + AUTOHEAL_Q)
    assert sorted(ids) == sorted(c["Id"] for c in direct.json())

    before = _state(dclient, sick.id)["StartedAt"]
    r = whole(sw.addr, "POST", "/containers/%s/restart?t=1" % sick.id)
    assert r.status == 204, r
    after = _state(dclient, sick.id)
    assert after["Running"] and after["StartedAt"] != before

    # the listing without autoheal's filter, and other writes, stay closed
    assert_sockward_error(whole(sw.addr, "GET", "/containers/json?all=1"), 403)
    assert_sockward_error(whole(sw.addr, "POST", "/containers/%s/stop" % bystander.id), 403)
    assert _state(dclient, bystander.id)["Running"]
