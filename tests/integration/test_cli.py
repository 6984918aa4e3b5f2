"""The docker CLI through sockward (default traefik profile)."""

import os
import subprocess

import pytest

from conftest import TEST_IMAGE, TEST_NAME_PREFIX, daemon_state


def docker_cli(proxy, tmp_path, *args, stdin=None, timeout=20):
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("DOCKER_")}
    env["DOCKER_HOST"] = proxy.url
    env["DOCKER_CONFIG"] = str(tmp_path / "dockercfg")
    os.makedirs(env["DOCKER_CONFIG"], exist_ok=True)
    return subprocess.run(["docker"] + list(args), env=env, input=stdin,
                          capture_output=True, timeout=timeout)


def test_version(proxy, tmp_path):
    r = docker_cli(proxy, tmp_path, "version", "--format", "{{.Server.APIVersion}}")
    assert r.returncode == 0, r
    assert r.stdout.strip() == b"1.41", r


def test_ps_lists_running_container(proxy, tmp_path, running_container):
    r = docker_cli(proxy, tmp_path, "ps", "--no-trunc", "--format", "{{.ID}}")
    assert r.returncode == 0, r
    assert running_container.id.encode() in r.stdout.split(), r


def test_ps_all_lists_stopped_container(proxy, tmp_path, container_factory):
    ct = container_factory(start=False)
    r = docker_cli(proxy, tmp_path, "ps", "-a", "--no-trunc", "--format", "{{.ID}}")
    assert r.returncode == 0, r
    assert ct.id.encode() in r.stdout.split(), r
    r = docker_cli(proxy, tmp_path, "ps", "--no-trunc", "--format", "{{.ID}}")
    assert r.returncode == 0, r
    assert ct.id.encode() not in r.stdout.split(), r


def test_inspect(proxy, tmp_path, running_container):
    r = docker_cli(proxy, tmp_path, "inspect", "--format", "{{.Id}} {{.State.Running}}",
                   running_container.id[:12])
    assert r.returncode == 0, r
    assert r.stdout.strip() == (running_container.id + " true").encode(), r


REFUSED = [
    ("run", ["run", "--rm", TEST_IMAGE, "/testbox", "echo", "hi"],
     "POST /containers/create"),
    ("create", ["create", TEST_IMAGE], "POST /containers/create"),
    ("rm", ["rm", "-f", "{id}"], "DELETE /containers/{id}"),
    ("stop", ["stop", "-t", "1", "{id}"], "POST /containers/{id}/stop"),
    ("exec", ["exec", "{id}", "/testbox", "echo", "hi"], "POST /containers/{id}/exec"),
    ("logs", ["logs", "{id}"], "GET /containers/{id}/logs"),
    ("images", ["images"], "GET /images/json"),
    ("network-create", ["network", "create", TEST_NAME_PREFIX + "net"], "POST /networks/create"),
    ("volume-create", ["volume", "create", TEST_NAME_PREFIX + "vol"], "POST /volumes/create"),
    ("pull", ["pull", "sockward-testbox:nonexistent"], "POST /images/create"),
    ("info", ["info", "--format", "{{.ID}}"], "GET /info"),
]


@pytest.mark.parametrize("name,args,denied", REFUSED, ids=[r[0] for r in REFUSED])
def test_refused(proxy, tmp_path, dclient, running_container, name, args, denied):
    cid = running_container.id
    args = [a.replace("{id}", cid) for a in args]
    before = daemon_state(dclient)
    r = docker_cli(proxy, tmp_path, *args)
    after = daemon_state(dclient)
    err = r.stderr.decode(errors="replace")
    if name != "info":      # `docker info` prints server errors but exits 0
        assert r.returncode != 0, r
    assert "sockward:" in err and "is not allowed" in err, err
    assert ("Error response from daemon: sockward: %s is not allowed (policy traefik)"
            % denied.replace("{id}", cid)) in err, err
    assert after == before
    running_container.reload()
    assert running_container.status == "running"
    assert not running_container.attrs.get("ExecIDs")
