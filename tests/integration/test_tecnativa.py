"""Tecnativa/docker-socket-proxy compatibility: sockward started with only
Tecnativa's environment variables (plus --listen), driven by the docker CLI
the way Tecnativa's own tests/test_service.py drives its image.

Tecnativa's haproxy.cfg checks the method first
(`http-request deny unless METH_GET || { env(POST) -m bool }`) and only
then its ALLOW_START/ALLOW_STOP/ALLOW_RESTARTS lines, so those need POST=1
there (its issue #101); sockward keeps that, and SOCKWARD_COMPAT=linuxserver
gives linuxserver/socket-proxy's reading, where they work without POST.
"""

import os
import subprocess
import uuid

import pytest

from conftest import (RUN_ID, RUN_LABEL, TEST_IMAGE, TEST_LABEL,
                      TEST_NAME_PREFIX, daemon_state)

TEC_VARS = {
    "AUTH", "BUILD", "COMMIT", "CONFIGS", "CONTAINERS", "DISTRIBUTION",
    "EVENTS", "EXEC", "GRPC", "IMAGES", "INFO", "NETWORKS", "NODES", "PING",
    "PLUGINS", "SECRETS", "SERVICES", "SESSION", "SWARM", "SYSTEM", "TASKS",
    "VERSION", "VOLUMES", "POST", "ALLOW_START", "ALLOW_STOP",
    "ALLOW_RESTARTS", "ALLOW_PAUSE", "ALLOW_UNPAUSE", "SOCKET_PATH",
    "LOG_LEVEL", "DISABLE_IPV6",
    # linuxserver/socket-proxy's (SOCKWARD_COMPAT=linuxserver only)
    "ALLOW_ARCHIVE", "ALLOW_CHANGES", "ALLOW_EXPORT", "ALLOW_LOGS",
    "ALLOW_TOP", "LIBPOD_CONTAINERS", "LIBPOD_EVENTS", "LIBPOD_EXEC",
    "LIBPOD_GENERATE", "LIBPOD_IMAGES", "LIBPOD_INFO", "LIBPOD_MANIFESTS",
    "LIBPOD_NETWORKS", "LIBPOD_PING", "LIBPOD_PLAY", "LIBPOD_PODS",
    "LIBPOD_SECRETS", "LIBPOD_SYSTEM", "LIBPOD_VERSION", "LIBPOD_VOLUMES",
    "LIBPOD_ALLOW_START", "LIBPOD_ALLOW_STOP", "LIBPOD_ALLOW_RESTARTS",
    "LIBPOD_ALLOW_PAUSE", "LIBPOD_ALLOW_UNPAUSE", "LIBPOD_ALLOW_POD_START",
    "LIBPOD_ALLOW_POD_STOP", "LIBPOD_ALLOW_POD_RESTARTS",
    "LIBPOD_ALLOW_POD_PAUSE", "LIBPOD_ALLOW_POD_UNPAUSE",
}
# Read by the test harness, not by the daemon.
KEEP = {"SOCKWARD_BIN", "SOCKWARD_TEST_TIME_LIMIT"}

WARN = "tecnativa compatibility: "


@pytest.fixture
def tec(sockward, monkeypatch):
    """Factory: tec(**env) starts sockward with exactly these Tecnativa
    variables in its environment (and --listen tcp://127.0.0.1:PORT)."""

    def start(**env):
        for k in list(os.environ):
            if k in TEC_VARS or (k.startswith("SOCKWARD_") and k not in KEEP):
                monkeypatch.delenv(k)
        for k, v in env.items():
            monkeypatch.setenv(k, str(v))
        try:
            return sockward()
        finally:
            # Only sockward gets them, not the docker CLI run afterwards.
            for k in env:
                monkeypatch.delenv(k)

    return start


def dk(sw, tmp_path, *args, timeout=30):
    """Run the docker CLI against sockward; returns CompletedProcess."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("DOCKER_")}
    env["DOCKER_HOST"] = sw.url
    env["DOCKER_CONFIG"] = str(tmp_path / "dockercfg")
    os.makedirs(env["DOCKER_CONFIG"], exist_ok=True)
    return subprocess.run(["docker"] + list(args), env=env,
                          capture_output=True, timeout=timeout)


def ok(r):
    assert r.returncode == 0, r
    return r.stdout.decode(errors="replace")


def refused(r, method, path):
    """The CLI failed with sockward's 403 for (method, path)."""
    err = r.stderr.decode(errors="replace")
    assert r.returncode != 0, r
    want = ("Error response from daemon: sockward: %s %s is not allowed "
            "(policy tecnativa)" % (method, path))
    assert want in err, err


def warned(sw, text):
    """How many times sockward logged this compatibility warning."""
    sw.wait_log(WARN + text)
    return sw.log().count(WARN + text)


def labels():
    return ["--label", TEST_LABEL + "=1", "--label", RUN_LABEL + "=" + RUN_ID]


# The environment of a Tecnativa container left at its Dockerfile ENV.
DOCKERFILE_ENV = dict(
    ALLOW_RESTARTS=0, ALLOW_STOP=0, ALLOW_START=0, AUTH=0, BUILD=0,
    COMMIT=0, CONFIGS=0, CONTAINERS=0, DISABLE_IPV6=0, DISTRIBUTION=0,
    EVENTS=1, EXEC=0, GRPC=0, IMAGES=0, INFO=0, LOG_LEVEL="info",
    NETWORKS=0, NODES=0, PING=1, PLUGINS=0, POST=0, SECRETS=0, SERVICES=0,
    SESSION=0, SOCKET_PATH="/var/run/docker.sock", SWARM=0, SYSTEM=0,
    TASKS=0, VERSION=1, VOLUMES=0)

# Without any of its variables, Tecnativa mode is asked for by name.
DEFAULTS = [DOCKERFILE_ENV, dict(SOCKWARD_COMPAT="tecnativa")]


@pytest.mark.parametrize("env", DEFAULTS, ids=["dockerfile-env", "compat"])
def test_default_env(tec, tmp_path, dclient, running_container, env):
    """Tecnativa's test_default_permissions: only version (and ping)."""
    sw = tec(**env)
    assert ok(dk(sw, tmp_path, "version", "--format",
                 "{{.Server.APIVersion}}")).strip() == "1.41"
    cid = running_container.id
    before = daemon_state(dclient)
    refused(dk(sw, tmp_path, "ps"), "GET", "/containers/json")
    refused(dk(sw, tmp_path, "logs", cid), "GET", "/containers/%s/json" % cid)
    refused(dk(sw, tmp_path, "rm", "-f", cid), "DELETE", "/containers/" + cid)
    refused(dk(sw, tmp_path, "restart", cid), "POST",
            "/containers/%s/restart" % cid)
    refused(dk(sw, tmp_path, "network", "ls"), "GET", "/networks")
    refused(dk(sw, tmp_path, "volume", "ls"), "GET", "/volumes")
    refused(dk(sw, tmp_path, "pull", "sockward-testbox:nonexistent"),
            "POST", "/images/create")
    refused(dk(sw, tmp_path, "run", "--rm", *labels(), TEST_IMAGE),
            "POST", "/containers/create")
    r = dk(sw, tmp_path, "info", "--format", "{{.ID}}")
    assert "sockward: GET /info is not allowed" in r.stderr.decode(), r
    assert daemon_state(dclient) == before
    assert WARN not in sw.log()     # the defaults are harmless


def test_containers(tec, tmp_path, dclient, running_container):
    """Tecnativa's test_container_permissions: CONTAINERS=1 is read-only."""
    sw = tec(CONTAINERS=1)
    cid = running_container.id
    out = ok(dk(sw, tmp_path, "ps", "--no-trunc", "--format", "{{.ID}}"))
    assert cid in out.split()
    ok(dk(sw, tmp_path, "logs", cid))
    assert ok(dk(sw, tmp_path, "inspect", "--format", "{{.Id}}",
                 cid)).strip() == cid
    before = daemon_state(dclient)
    refused(dk(sw, tmp_path, "run", "--rm", *labels(), TEST_IMAGE,
               "/testbox", "echo", "hi"), "POST", "/containers/create")
    refused(dk(sw, tmp_path, "rm", "-f", cid), "DELETE", "/containers/" + cid)
    refused(dk(sw, tmp_path, "restart", cid), "POST",
            "/containers/%s/restart" % cid)
    refused(dk(sw, tmp_path, "wait", cid), "POST", "/containers/%s/wait" % cid)
    refused(dk(sw, tmp_path, "network", "ls"), "GET", "/networks")
    assert daemon_state(dclient) == before
    assert warned(sw, "CONTAINERS=1 opens all of /containers") == 1
    assert "POST=1 lets every method through" not in sw.log()


def test_post_alone(tec, tmp_path, dclient, running_container):
    """Tecnativa's test_post_permissions: POST=1 opens no section."""
    sw = tec(POST=1)
    before = daemon_state(dclient)
    refused(dk(sw, tmp_path, "rm", "-f", running_container.id), "DELETE",
            "/containers/" + running_container.id)
    refused(dk(sw, tmp_path, "network", "create", TEST_NAME_PREFIX + "x"),
            "POST", "/networks/create")
    refused(dk(sw, tmp_path, "run", "--rm", *labels(), TEST_IMAGE),
            "POST", "/containers/create")
    assert daemon_state(dclient) == before
    assert WARN not in sw.log()


def test_network_post(tec, tmp_path, dclient):
    """Tecnativa's test_network_post_permissions."""
    sw = tec(POST=1, NETWORKS=1)
    name = TEST_NAME_PREFIX + "tec-" + uuid.uuid4().hex[:8]
    try:
        ok(dk(sw, tmp_path, "network", "ls"))
        ok(dk(sw, tmp_path, "network", "create", name))
        assert dclient.networks.list(names=[name])
        ok(dk(sw, tmp_path, "network", "rm", name))
        assert not dclient.networks.list(names=[name])
    finally:
        for n in dclient.networks.list(names=[name]):
            n.remove()
    refused(dk(sw, tmp_path, "ps"), "GET", "/containers/json")
    assert warned(sw, "POST=1 lets every method through") == 1


def test_exec(tec, tmp_path, running_container):
    """Tecnativa's test_exec_permissions."""
    sw = tec(CONTAINERS=1, EXEC=1, POST=1)
    out = ok(dk(sw, tmp_path, "exec", running_container.id,
                "/testbox", "echo", "hi"))
    assert out == "hi\n"
    assert warned(sw, "EXEC=1 with POST=1") == 1
    assert warned(sw, "CONTAINERS=1 opens all of /containers") == 1
    assert warned(sw, "POST=1 lets every method through") == 1


def test_exec_needs_post(tec, tmp_path, running_container):
    sw = tec(CONTAINERS=1, EXEC=1)
    refused(dk(sw, tmp_path, "exec", running_container.id, "/testbox",
               "echo", "hi"), "POST",
            "/containers/%s/exec" % running_container.id)
    assert "EXEC=1 with POST=1" not in sw.log()


def test_allow_start_needs_post(tec, tmp_path, container_factory):
    """As in Tecnativa, ALLOW_START=1 changes nothing while POST=0, and
    sockward says so once."""
    ct = container_factory(start=False)
    sw = tec(CONTAINERS=1, ALLOW_START=1)
    refused(dk(sw, tmp_path, "start", ct.id), "POST",
            "/containers/%s/start" % ct.id)
    ct.reload()
    assert ct.status == "created"
    assert warned(sw, "ALLOW_START=1 has no effect while POST=0") == 1


def test_allow_start_with_post(tec, tmp_path, container_factory):
    """POST=1 ALLOW_START=1 without CONTAINERS: start, nothing else."""
    ct = container_factory(start=False)
    sw = tec(POST=1, ALLOW_START=1)
    ok(dk(sw, tmp_path, "start", ct.id))
    ct.reload()
    assert ct.status == "running"
    refused(dk(sw, tmp_path, "stop", "-t", "1", ct.id), "POST",
            "/containers/%s/stop" % ct.id)
    refused(dk(sw, tmp_path, "rm", "-f", ct.id), "DELETE",
            "/containers/" + ct.id)
    refused(dk(sw, tmp_path, "ps"), "GET", "/containers/json")
    ct.reload()
    assert ct.status == "running"
    assert WARN not in sw.log()


def test_allow_start_linuxserver(tec, tmp_path, container_factory):
    """SOCKWARD_COMPAT=linuxserver: ALLOW_START=1 works with POST=0."""
    ct = container_factory(start=False)
    sw = tec(SOCKWARD_COMPAT="linuxserver", CONTAINERS=1, ALLOW_START=1)
    ok(dk(sw, tmp_path, "start", ct.id))
    ct.reload()
    assert ct.status == "running"
    refused(dk(sw, tmp_path, "stop", "-t", "1", ct.id), "POST",
            "/containers/%s/stop" % ct.id)
    ct.reload()
    assert ct.status == "running"
    assert "has no effect while POST=0" not in sw.log()


def test_allow_restarts_linuxserver(tec, tmp_path, container_factory):
    ct = container_factory()
    sw = tec(SOCKWARD_COMPAT="linuxserver", ALLOW_RESTARTS=1)
    ok(dk(sw, tmp_path, "restart", "-t", "1", ct.id))
    ok(dk(sw, tmp_path, "stop", "-t", "1", ct.id))
    ct.reload()
    assert ct.status == "exited"
    refused(dk(sw, tmp_path, "start", ct.id), "POST",
            "/containers/%s/start" % ct.id)


def test_bad_boolean_refuses_to_start(tmp_path, monkeypatch):
    """A value that is no boolean stops sockward with a reason."""
    from conftest import SOCKWARD_BIN
    for k in list(os.environ):
        if k in TEC_VARS or (k.startswith("SOCKWARD_") and k not in KEEP):
            monkeypatch.delenv(k)
    env = dict(os.environ, CONTAINERS="maybe")
    r = subprocess.run([SOCKWARD_BIN, "--listen", "tcp://127.0.0.1:1"],
                       env=env, capture_output=True, timeout=10)
    assert r.returncode != 0, r
    assert b"CONTAINERS=maybe is not a boolean" in r.stderr, r


def run_refusing(monkeypatch, **env):
    """sockward started with exactly env as its compatibility variables;
    returns the CompletedProcess of a start that should fail."""
    from conftest import SOCKWARD_BIN
    for k in list(os.environ):
        if (k in TEC_VARS or k.startswith("LIBPOD_") or
                (k.startswith("SOCKWARD_") and k not in KEEP)):
            monkeypatch.delenv(k)
    full = dict(os.environ, **{k: str(v) for k, v in env.items()})
    r = subprocess.run([SOCKWARD_BIN, "--listen", "tcp://127.0.0.1:1"],
                       env=full, capture_output=True, timeout=10)
    assert r.returncode != 0, r
    return r


def test_libpod_needs_linuxserver(monkeypatch):
    """Tecnativa has no LIBPOD_*: set, they stop sockward with a reason
    naming the variable and the mode that reads it."""
    r = run_refusing(monkeypatch, CONTAINERS=1, LIBPOD_CONTAINERS=1)
    assert (b"LIBPOD_CONTAINERS is linuxserver/socket-proxy's variable, "
            b"not Tecnativa's; set SOCKWARD_COMPAT=linuxserver") in r.stderr, r
    # Alone, the variable still switches the mode on, so it is not lost.
    r = run_refusing(monkeypatch, ALLOW_LOGS=0)
    assert b"ALLOW_LOGS is linuxserver/socket-proxy's variable" in r.stderr, r


def test_unknown_libpod_variable(monkeypatch):
    """A LIBPOD_* name linuxserver does not define is an error naming it."""
    r = run_refusing(monkeypatch, SOCKWARD_COMPAT="linuxserver",
                     LIBPOD_CONTAINER=1)
    assert (b"LIBPOD_CONTAINER is not one of linuxserver/socket-proxy's "
            b"LIBPOD_* variables") in r.stderr, r


def test_linuxserver_logs_gate(tec, tmp_path, dclient, running_container):
    """linuxserver: CONTAINERS=1 no longer opens logs (nor archive, export,
    top, changes) unless ALLOW_LOGS=1 (...), POST or not."""
    cid = running_container.id
    sw = tec(SOCKWARD_COMPAT="linuxserver", CONTAINERS=1)
    assert cid in ok(dk(sw, tmp_path, "ps", "--no-trunc", "--format",
                        "{{.ID}}")).split()
    r = dk(sw, tmp_path, "logs", cid)
    err = r.stderr.decode(errors="replace")
    assert r.returncode != 0, r
    assert "sockward: GET /containers/%s/logs" % cid in err, err
    assert "ALLOW_LOGS=0 (linuxserver)" in err, err
    r = dk(sw, tmp_path, "top", cid)
    assert r.returncode != 0 and b"ALLOW_TOP=0" in r.stderr, r
    r = dk(sw, tmp_path, "diff", cid)
    assert r.returncode != 0 and b"ALLOW_CHANGES=0" in r.stderr, r
    r = dk(sw, tmp_path, "export", "-o", str(tmp_path / "x.tar"), cid)
    assert r.returncode != 0 and b"ALLOW_EXPORT=0" in r.stderr, r
    r = dk(sw, tmp_path, "cp", cid + ":/testbox", str(tmp_path / "tb"))
    assert r.returncode != 0 and b"ALLOW_ARCHIVE=0" in r.stderr, r
    assert warned(sw, "CONTAINERS=1 opens all of /containers but what "
                  "linuxserver's") == 1

    sw = tec(SOCKWARD_COMPAT="linuxserver", CONTAINERS=1, ALLOW_LOGS=1)
    ok(dk(sw, tmp_path, "logs", cid))
    r = dk(sw, tmp_path, "top", cid)
    assert r.returncode != 0 and b"ALLOW_TOP=0" in r.stderr, r


def test_explain_names_tecnativa(monkeypatch):
    from conftest import SOCKWARD_BIN
    for k in list(os.environ):
        if k in TEC_VARS or (k.startswith("SOCKWARD_") and k not in KEEP):
            monkeypatch.delenv(k)
    env = dict(os.environ, CONTAINERS="1")
    r = subprocess.run([SOCKWARD_BIN, "explain", "GET", "/v1.41/containers/json"],
                       env=env, capture_output=True, timeout=10)
    assert r.returncode == 0, r
    assert b"tecnativa #" in r.stdout and b"/containers/**" in r.stdout, r
    r = subprocess.run([SOCKWARD_BIN, "explain", "POST", "/containers/create"],
                       env=env, capture_output=True, timeout=10)
    assert r.returncode == 1, r



def test_containers_attach_ws_named_and_closable(tec, running_container):
    """CONTAINERS=1 opens the WebSocket attach (stdin, no POST) as
    Tecnativa does; the warning names it and SOCKWARD_DENY closes it."""
    ws = "/v1.41/containers/%s/attach/ws?stream=1&stdin=1" % running_container.id
    sw = tec(CONTAINERS=1)
    assert "GET /containers/{id}/attach/ws" in sw.log(), sw.log()
    assert "SOCKWARD_DENY='GET /containers/{id}/attach/ws'" in sw.log()
    # allowed through to dockerd (which answers the non-WebSocket GET itself)
    r = sw.get(ws)
    assert r.status != 403, r
    sw.stop()
    sw = tec(CONTAINERS=1, SOCKWARD_DENY="GET /containers/{id}/attach/ws")
    r = sw.get(ws)
    assert r.status == 403, r
    assert sw.get("/v1.41/containers/json").status == 200
