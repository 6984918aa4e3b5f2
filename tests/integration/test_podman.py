"""sockward in front of a real Podman 4.3 (`podman system service`, issue 15).

The session fixture `podman` (conftest.py, podmanutil.py) runs a private
service (own --root/--runroot/--tmpdir, vfs storage, a containers.conf with
ulimits nofile/nproc 1024 and network none) and makes, through the Podman API
on its own socket, an imported image, a volume, a secret, a pod with a
created container, and a running container swp-box with SECRET=hunter2 in its
environment, a label, the volume and the secret.  Containers do run here, so
nothing below is left untested for lack of a running container.  Every write
test compares Podman's state, read directly on its socket, before and after.

Clients: the docker CLI and the Python SDK (Podman's Docker-compatible API)
through the traefik, readonly and podman-readonly profiles; Podman's own
client (`podman --remote --url tcp://...`) through podman-readonly; raw HTTP
for the libpod exfiltration routes, the version prefixes, the body policy and
a hiding (visible-label) listener.

The libpod calls podman --remote 4.3.1 makes, as recorded by sockward's
access log in audit mode (test_remote_client_calls_recorded checks this list
against a fresh recording):

    every command   GET /v4.3.1/libpod/_ping            (twice: connection probe)
    ps -a           GET /v4.3.1/libpod/containers/json  all=true, size=false, ...
    inspect NAME    GET /v4.3.1/libpod/containers/NAME/json  size=false
    images          GET /v4.3.1/libpod/images/json      all=false, filters={}
    logs NAME       GET /v4.3.1/libpod/containers/NAME/logs  (podman-readonly
                    denies it: logs often hold secrets)

Seen with a libpod catch-all while writing these tests (not re-checked):
rm -f NAME reads GET containers/json?sync=true and containers/NAME/json,
then DELETE /libpod/containers/NAME; run and create start with
POST /libpod/images/pull?policy=missing (refused before any create); stop
and pod rm name the object by its full id (POST .../ID/stop,
DELETE /libpod/pods/ID).
"""

import json
import os
import subprocess
import time

import docker
import pytest

import podmanutil
from conftest import Sockward, assert_sockward_error, deny_message, get
from podmanutil import (CONTAINER, ENV_SECRET, IMAGE, LIBPOD, POD, POD_CONTAINER,
                        SECRET, SECRET_VALUE, VOLUME)

PROFILES = ("traefik", "readonly", "podman-readonly")
DOCKER_CLI = "/usr/local/bin/docker"


@pytest.fixture(scope="module")
def swdir(tmp_path_factory):
    return str(tmp_path_factory.mktemp("swpodman"))


@pytest.fixture(scope="module")
def proxies(podman, swdir):
    """proxies(profile) -> a Sockward with that profile in front of Podman
    (started once per module)."""
    started = {}

    def start(profile):
        if profile not in started:
            started[profile] = Sockward(["--profile", profile], swdir,
                                        upstream=podman.upstream)
        return started[profile]

    yield start
    errors = []
    for sw in started.values():
        try:
            sw.stop()
        except AssertionError as e:
            errors.append(str(e))
    assert not errors, "\n".join(errors)


def run(argv, env, timeout=30):
    r = subprocess.run(argv, env=env, capture_output=True, timeout=timeout)
    return r.returncode, r.stdout.decode(errors="replace"), r.stderr.decode(errors="replace")


def docker_env(sw, swdir):
    env = dict(os.environ)
    for k in ("DOCKER_CONTEXT", "DOCKER_TLS_VERIFY", "DOCKER_CERT_PATH"):
        env.pop(k, None)
    cfg = os.path.join(swdir, "docker-config")
    os.makedirs(cfg, exist_ok=True)
    env.update({"DOCKER_HOST": sw.url, "DOCKER_CONFIG": cfg})
    return env


def remote(podman, sw, *args, timeout=30):
    """podman --remote through sockward, with no user configuration."""
    return run([podman.bin, "--remote", "--url", sw.url] + list(args),
               podman.remote_env(), timeout)


def assert_refused(rc, out, err, what):
    assert rc != 0, "%s succeeded through sockward: %s %s" % (what, out, err)
    assert "sockward: " in err, "%s failed, but not with sockward's 403: %s %s" % (what, out, err)


# --------------------------------------------------------------------------
# The docker CLI on Podman's Docker-compatible API
# --------------------------------------------------------------------------

@pytest.mark.parametrize("profile", PROFILES)
def test_docker_cli_reads(podman, proxies, swdir, profile):
    sw = proxies(profile)
    env = docker_env(sw, swdir)
    rc, out, err = run([DOCKER_CLI, "ps", "--format", "{{.Names}}"], env)
    assert rc == 0, err
    assert CONTAINER in out.split(), out
    rc, out, err = run([DOCKER_CLI, "inspect", CONTAINER], env)
    assert rc == 0, err
    assert ENV_SECRET not in out
    env_list = json.loads(out)[0]["Config"]["Env"]
    assert "SECRET=" in env_list, env_list
    rc, out, err = run([DOCKER_CLI, "version"], env)
    assert rc == 0, err
    assert "Podman Engine" in out, out


@pytest.mark.parametrize("profile", PROFILES)
def test_docker_cli_writes_refused(podman, proxies, swdir, profile):
    sw = proxies(profile)
    env = docker_env(sw, swdir)
    before = podman.state()
    writes = [
        (["rm", "-f", CONTAINER], "DELETE", "/containers/" + CONTAINER),
        (["create", IMAGE], "POST", "/containers/create"),
        (["run", "--rm", IMAGE, "/testbox", "echo", "hi"], "POST", "/containers/create"),
        (["volume", "rm", VOLUME], "DELETE", "/volumes/" + VOLUME),
        (["stop", "-t", "0", CONTAINER], "POST", "/containers/%s/stop" % CONTAINER),
    ]
    for args, method, path in writes:
        rc, out, err = run([DOCKER_CLI] + args, env)
        assert rc != 0, (args, out)
        assert deny_message(method, path, profile) in err, (args, err)
        assert 'path="%s" status=403' % path in sw.log(), (args, sw.log()[-2000:])
    assert podman.state() == before


# --------------------------------------------------------------------------
# The Python SDK
# --------------------------------------------------------------------------

def sdk(url):
    return docker.DockerClient(base_url=url, version="1.41", timeout=15)


@pytest.mark.parametrize("profile", PROFILES)
def test_sdk_reads(podman, proxies, profile):
    c = sdk(proxies(profile).url)
    try:
        assert c.ping() is True
        comps = [x["Name"] for x in c.version().get("Components", [])]
        assert "Podman Engine" in comps, comps
        assert CONTAINER in [x.name for x in c.containers.list()]
        attrs = c.containers.get(CONTAINER).attrs
        assert ENV_SECRET not in json.dumps(attrs)
        assert "SECRET=" in attrs["Config"]["Env"]
        t = int(time.time())
        evs = list(c.events(since=t - 3600, until=t + 1, decode=True))
        assert isinstance(evs, list)
        if profile != "traefik":
            tags = [t for i in c.images.list() for t in i.tags]
            assert IMAGE in tags, tags
            assert VOLUME in [v.name for v in c.volumes.list()]
            assert c.info()["ServerVersion"] == "4.3.1"
            with pytest.raises(docker.errors.APIError) as ei:
                c.api.logs(CONTAINER)
            assert ei.value.status_code == 403
    finally:
        c.close()


def _verdict(fn):
    """'deny' when sockward refused the call with its 403, else 'forward'."""
    try:
        r = fn()
        if hasattr(r, "__next__"):
            list(r)
    except docker.errors.APIError as e:
        if e.status_code == 403 and "sockward: " in str(e.explanation):
            return "deny"
    return "forward"


def _sdk_get(c, path):
    """GET path with the SDK's own HTTP session, raising its APIError."""
    c.api._raise_for_status(c.api._get(c.api._url(path)))


def _traefik_calls(c):
    t = int(time.time())
    nx = "sockward-test-nonexistent-ptest"
    return {
        "ping": lambda: c.ping(),
        "version": lambda: c.version(),
        "containers.list": lambda: c.containers.list(all=True),
        "containers.list size": lambda: c.api.containers(size=True),
        "inspect": lambda: c.api.inspect_container(CONTAINER),
        "events": lambda: c.events(since=t - 60, until=t + 1, decode=True),
        "networks.list": lambda: c.api.networks(),
        "services": lambda: c.api.services(),
        "info": lambda: c.info(),
        "images.list": lambda: c.images.list(),
        "volumes.list": lambda: c.volumes.list(),
        # Not c.api.logs: it inspects the container first, which is 404 on
        # dockerd (no such container there) before the logs call is made.
        "logs": lambda: _sdk_get(c, "/containers/%s/logs?stdout=1" % CONTAINER),
        "remove": lambda: c.api.remove_container(nx, force=True),
        "create": lambda: c.api.create_container("sockward-test-nx-image:none", name=nx),
        "volume remove": lambda: c.api.remove_volume(nx),
        "kill": lambda: c.api.kill(nx),
    }


def test_sdk_traefik_same_verdicts_as_dockerd(podman, proxies, swdir):
    """The traefik profile's verdicts on Podman equal those on dockerd (a
    second sockward on /var/run/docker.sock; the calls that would write
    name objects that do not exist there)."""
    before = podman.state()
    on_docker = Sockward(["--profile", "traefik"], swdir)
    try:
        verdicts = {}
        for name, url in (("dockerd", on_docker.url), ("podman", proxies("traefik").url)):
            c = sdk(url)
            try:
                verdicts[name] = {k: _verdict(fn) for k, fn in _traefik_calls(c).items()}
            finally:
                c.close()
    finally:
        on_docker.stop()
    assert verdicts["podman"] == verdicts["dockerd"]
    forwarded = {k for k, v in verdicts["podman"].items() if v == "forward"}
    assert forwarded == {"ping", "version", "containers.list", "inspect", "events",
                         "networks.list", "services"}, verdicts
    assert podman.state() == before


# --------------------------------------------------------------------------
# Podman's own client through podman-readonly
# --------------------------------------------------------------------------

def test_podman_remote_reads(podman, proxies):
    sw = proxies("podman-readonly")
    rc, out, err = remote(podman, sw, "ps", "-a", "--format", "{{.Names}}")
    assert rc == 0, err
    assert {CONTAINER, POD_CONTAINER} <= set(out.split()), out
    rc, out, err = remote(podman, sw, "images", "--format", "{{.Repository}}:{{.Tag}}")
    assert rc == 0, err
    assert IMAGE in out.split(), out
    rc, out, err = remote(podman, sw, "inspect", CONTAINER)
    assert rc == 0, err
    assert ENV_SECRET not in out
    assert json.loads(out)[0]["Id"] == podman.ids["container"]
    rc, out, err = remote(podman, sw, "volume", "ls", "--format", "{{.Name}}")
    assert rc == 0, err
    assert VOLUME in out.split(), out
    rc, out, err = remote(podman, sw, "pod", "ps", "--format", "{{.Name}}")
    assert rc == 0, err
    assert POD in out.split(), out
    rc, out, err = remote(podman, sw, "network", "ls", "--format", "{{.Name}}")
    assert rc == 0, err
    assert "podman" in out.split(), out
    rc, out, err = remote(podman, sw, "version")
    assert rc == 0, err
    assert "Server:" in out and "4.3.1" in out, out
    rc, out, err = remote(podman, sw, "info", "--format", "{{.Store.GraphRoot}}")
    assert rc == 0, err
    assert out.strip() == podman.root, out


def test_podman_remote_writes_and_exfiltration_refused(podman, proxies, swdir):
    sw = proxies("podman-readonly")
    before = podman.state()
    export = os.path.join(swdir, "export.tar")
    refused = [
        ("logs", CONTAINER),
        ("rm", "-f", CONTAINER),
        ("run", "--rm", IMAGE, "/testbox", "echo", "hi"),
        ("create", IMAGE),
        ("secret", "inspect", SECRET),
        ("volume", "rm", "-f", VOLUME),
        ("generate", "kube", CONTAINER),
        ("container", "export", "-o", export, CONTAINER),
        ("stop", "-t", "0", CONTAINER),
        ("pod", "rm", "-f", POD),
    ]
    for args in refused:
        rc, out, err = remote(podman, sw, *args)
        assert_refused(rc, out, err, "podman --remote " + " ".join(args))
        assert SECRET_VALUE not in out + err
        assert ENV_SECRET not in out + err
    assert not os.path.exists(export) or os.path.getsize(export) == 0
    assert podman.state() == before


# --------------------------------------------------------------------------
# Raw HTTP: libpod exfiltration, version prefixes
# --------------------------------------------------------------------------

EXFILTRATION = [
    LIBPOD + "/containers/%s/export" % CONTAINER,
    LIBPOD + "/containers/%s/logs?stdout=true&stderr=true" % CONTAINER,
    LIBPOD + "/containers/%s/archive?path=/testbox" % CONTAINER,
    LIBPOD + "/secrets/%s/json" % SECRET,
    LIBPOD + "/secrets/%s/json?showsecret=true" % SECRET,
    LIBPOD + "/generate/kube?names=%s" % CONTAINER,
    LIBPOD + "/images/%s/get" % IMAGE,
    "/v4.0.0/libpod/containers/%s/export" % CONTAINER,
]


def test_exfiltration_routes_exist_on_podman(podman):
    """Precondition of the next test: each route answers 200 on Podman's own
    socket, so a 403 through sockward is the proxy's doing."""
    for path in EXFILTRATION:
        r = podman.api("GET", path)
        assert r.status == 200, (path, r)


@pytest.mark.parametrize("profile", PROFILES)
def test_libpod_exfiltration_refused(podman, proxies, profile):
    sw = proxies(profile)
    paths = EXFILTRATION + [
        "/libpod/containers/%s/export" % CONTAINER,
        "/libpod/secrets/%s/json?showsecret=true" % SECRET,
    ]
    if profile != "podman-readonly":
        # readonly's GET,HEAD /** must not reach even libpod's harmless reads.
        paths += ["/v4.0.0/libpod/containers/json", LIBPOD + "/info", "/libpod/_ping",
                  LIBPOD + "/containers/%s/json" % CONTAINER]
    for path in paths:
        for method in ("GET", "HEAD"):
            r = sw.get(path, method=method)
            if method == "HEAD":
                assert r.status == 403, (path, r)
                continue
            msg = assert_sockward_error(r, 403)
            assert msg.startswith("sockward: GET /libpod/"), (path, msg)
            assert SECRET_VALUE.encode() not in r.body


def test_version_prefixes(podman, proxies):
    pr = proxies("podman-readonly")
    for prefix in ("/v4.3.1", "/v4.0.0", ""):
        r = pr.get(prefix + "/libpod/_ping")
        assert r.status == 200 and r.body == b"OK", (prefix, r)
    r = pr.get("/v4.3.1/libpod/containers/json")
    assert r.status == 200, r
    assert CONTAINER in [n for c in r.json() for n in c["Names"]]
    for sw in (pr, proxies("readonly")):
        for path in ("/v4.3.1/containers/json", "/v4.3.1/_ping", "/v4.3.1/version"):
            msg = assert_sockward_error(sw.get(path), 400)
            assert "malformed API version prefix" in msg, (path, msg)
    r = proxies("readonly").get("/v1.41/containers/json")
    assert r.status == 200, r
    assert "/" + CONTAINER in [n for c in r.json() for n in c["Names"]]


# --------------------------------------------------------------------------
# Body policy on libpod's create
# --------------------------------------------------------------------------

def _create(sw, name):
    body = json.dumps({"name": name, "image": IMAGE, "env": {"SECRET": ENV_SECRET}}).encode()
    head = ("POST %s/containers/create HTTP/1.1\r\nHost: podman\r\n"
            "Content-Type: application/json\r\nContent-Length: %d\r\n\r\n"
            % (LIBPOD, len(body))).encode()
    return sw.request(head + body, method="POST", timeout=20)


def test_body_policy_refuses_libpod_create(podman, swdir):
    before = podman.state()
    sw = Sockward(["--profile", "none", "--allow", "POST /libpod/containers/create"],
                  swdir, upstream=podman.upstream)
    try:
        r = _create(sw, "swp-made-1")
        msg = assert_sockward_error(r, 403)
        assert msg.startswith("sockward: POST /libpod/containers/create: "), msg
        assert "body policy cannot judge libpod request bodies" in msg, msg
    finally:
        sw.stop()
    assert podman.state() == before


def test_body_policy_off_forwards_libpod_create(podman, swdir):
    before = podman.state()
    sw = Sockward(["--profile", "none", "--allow", "POST /libpod/containers/create body off"],
                  swdir, upstream=podman.upstream)
    try:
        r = _create(sw, "swp-made-2")
    finally:
        sw.stop()
        podman.api("DELETE", LIBPOD + "/containers/swp-made-2?force=true")
    assert r.status == 201, r
    assert "Id" in r.json()
    assert podman.state() == before


# --------------------------------------------------------------------------
# A hiding listener (visible labels) refuses libpod
# --------------------------------------------------------------------------

def test_visible_labels_refuse_libpod(podman, swdir):
    sw = Sockward(["--profile", "podman-readonly",
                   "--visible-label", "%s=%s" % podmanutil.LABEL],
                  swdir, upstream=podman.upstream)
    try:
        for path in ("/_ping", "/version", "/info", "/containers/json",
                     "/containers/%s/json" % CONTAINER,
                     "/containers/%s/exists" % POD_CONTAINER,
                     "/images/json", "/pods/json", "/volumes/json", "/events"):
            for prefix in (LIBPOD, "/v4.0.0/libpod", "/libpod"):
                r = sw.get(prefix + path)
                assert_sockward_error(r, 403)
        # The Docker-compatible routes still hide what is not labelled.
        r = sw.get("/v1.41/containers/json?all=1")
        assert r.status == 200, r
        names = [n for c in r.json() for n in c["Names"]]
        assert "/" + CONTAINER in names and "/" + POD_CONTAINER not in names, names
        rc, out, err = remote(podman, sw, "ps", "-a")
        assert_refused(rc, out, err, "podman --remote ps -a (visible labels)")
    finally:
        sw.stop()


# --------------------------------------------------------------------------
# What podman --remote calls, recorded with audit mode
# --------------------------------------------------------------------------

def test_remote_client_calls_recorded(podman, swdir):
    sw = Sockward(["--profile", "podman-readonly", "--mode", "audit", "--log-format", "json"],
                  swdir, upstream=podman.upstream)
    try:
        seen = {}
        for args in (("ps", "-a"), ("inspect", CONTAINER), ("images",), ("logs", CONTAINER)):
            mark = len(sw.log_bytes())
            rc, out, err = remote(podman, sw, *args)
            assert rc == 0, (args, err)
            time.sleep(0.1)
            calls = []
            for ln in sw.log_bytes()[mark:].decode().splitlines():
                if '"msg":"access"' not in ln:
                    continue
                rec = json.loads(ln)
                calls.append((rec["method"], rec["target"].split("?")[0], rec["verdict"]))
            seen[args[0]] = calls
    finally:
        sw.stop()
    ping = ("GET", LIBPOD + "/_ping", "allow")
    assert seen == {
        "ps": [ping, ping, ("GET", LIBPOD + "/containers/json", "allow")],
        "inspect": [ping, ping, ("GET", LIBPOD + "/containers/%s/json" % CONTAINER, "allow")],
        "images": [ping, ping, ("GET", LIBPOD + "/images/json", "allow")],
        "logs": [ping, ping, ("GET", LIBPOD + "/containers/%s/logs" % CONTAINER, "would_deny")],
    }, seen
