"""exec and attach (hijacked connections) through --allow rules."""

import json
import os
import socket
import subprocess
import threading
import time

import docker
import pytest

from conftest import (HIJACK_ALLOW, Sockward, assert_denied, demux, get)


@pytest.fixture(scope="module")
def hproxy(tmp_path_factory):
    sw = Sockward(HIJACK_ALLOW, str(tmp_path_factory.mktemp("swh")))
    yield sw
    sw.stop()


def cli(sw, tmp_path, *args, stdin=None, timeout=20):
    env = {k: v for k, v in os.environ.items() if not k.startswith("DOCKER_")}
    env["DOCKER_HOST"] = sw.url
    env["DOCKER_CONFIG"] = str(tmp_path / "dockercfg")
    os.makedirs(env["DOCKER_CONFIG"], exist_ok=True)
    return subprocess.run(["docker"] + list(args), env=env, input=stdin,
                          capture_output=True, timeout=timeout)


def test_cli_exec_echo(hproxy, tmp_path, running_container):
    r = cli(hproxy, tmp_path, "exec", running_container.id, "/testbox", "echo", "hello")
    assert r.returncode == 0, (r, hproxy.log())
    assert r.stdout == b"hello\n", r


def test_cli_exec_stdin_half_close(hproxy, tmp_path, running_container):
    data = b"data through sockward\n" * 1000
    r = cli(hproxy, tmp_path, "exec", "-i", running_container.id, "/testbox", "cat", stdin=data)
    assert r.returncode == 0, (r, hproxy.log())
    assert r.stdout == data


def test_cli_exec_exit_code(hproxy, tmp_path, running_container):
    r = cli(hproxy, tmp_path, "exec", running_container.id, "/testbox", "exit", "7")
    assert r.returncode == 7, (r, hproxy.log())


def test_sdk_exec_run(hproxy, running_container):
    c = docker.DockerClient(base_url=hproxy.url, timeout=10)
    try:
        ct = c.containers.get(running_container.id)
        code, out = ct.exec_run(["/testbox", "echo", "sdk", "hello"])
        assert (code, out) == (0, b"sdk hello\n")
        code, out = ct.exec_run(["/testbox", "exit", "4"])
        assert code == 4
    finally:
        c.close()


def _exec_create(sw, cid, cmd):
    body = json.dumps({"AttachStdin": True, "AttachStdout": True, "AttachStderr": True,
                       "Tty": False, "Cmd": cmd}).encode()
    r = sw.request(b"POST /v1.41/containers/%s/exec HTTP/1.1\r\nHost: docker\r\n"
                   b"Content-Type: application/json\r\nContent-Length: %d\r\n\r\n"
                   % (cid.encode(), len(body)) + body)
    assert r.status == 201, r
    return r.json()["Id"]


def _pump(c, data, timeout=10):
    """Send data on the hijacked socket from a thread, half-close, and read
    everything until EOF."""
    err = []

    def writer():
        try:
            c.sock.sendall(data)
            c.sock.shutdown(socket.SHUT_WR)
        except OSError as e:
            err.append(e)

    t = threading.Thread(target=writer, daemon=True)
    t.start()
    out = c.read_until_eof(timeout)
    t.join(timeout)
    assert not err, err
    return out


def _start_body():
    return json.dumps({"Detach": False, "Tty": False}).encode()


@pytest.mark.parametrize("upgrade", [False, True], ids=["raw-200", "upgrade-101"])
def test_raw_exec_start_half_close(hproxy, dclient, running_container, upgrade):
    eid = _exec_create(hproxy, running_container.id, ["/testbox", "cat"])
    body = _start_body()
    extra = b"Connection: Upgrade\r\nUpgrade: tcp\r\n" if upgrade else b""
    data = b"".join(b"line %06d of the stdin sent through sockward\n" % i for i in range(6000))
    with hproxy.conn(timeout=10) as c:
        c.send(b"POST /v1.41/exec/%s/start HTTP/1.1\r\nHost: docker\r\n"
               b"Content-Type: application/json\r\n%sContent-Length: %d\r\n\r\n"
               % (eid.encode(), extra, len(body)) + body)
        r = c.read_head()
        if upgrade:
            assert r.status == 101, r
            assert (r.header("Upgrade") or "").lower() == "tcp", r
            assert "upgrade" in (r.header("Connection") or "").lower(), r
        else:
            assert r.status == 200, r
            assert r.header("Content-Type") == "application/vnd.docker.raw-stream", r
        out = _pump(c, data)
    stdout, stderr = demux(out)
    assert stdout == data
    assert stderr == b""
    deadline = time.time() + 5
    while dclient.api.exec_inspect(eid)["Running"] and time.time() < deadline:
        time.sleep(0.1)
    assert dclient.api.exec_inspect(eid)["ExitCode"] == 0


def test_raw_exec_start_echo_then_keepalive_not_reused(hproxy, running_container):
    """A hijacked connection ends with the stream; the proxy must not try to
    read another request from it before the stream is over."""
    eid = _exec_create(hproxy, running_container.id, ["/testbox", "echo", "out"])
    body = _start_body()
    with hproxy.conn(timeout=10) as c:
        c.send(b"POST /exec/%s/start HTTP/1.1\r\nHost: docker\r\n"
               b"Content-Type: application/json\r\nContent-Length: %d\r\n\r\n"
               % (eid.encode(), len(body)) + body)
        r = c.read_head()
        assert r.status == 200, r
        c.sock.shutdown(socket.SHUT_WR)
        out = c.read_until_eof(10)
    assert demux(out)[0] == b"out\n"


@pytest.mark.parametrize("upgrade", [False, True], ids=["raw-200", "upgrade-101"])
def test_attach_half_close(hproxy, container_factory, upgrade):
    ct = container_factory(["/testbox", "cat"], stdin_open=True)   # SDK sets StdinOnce with OpenStdin
    ct.reload()
    assert ct.status == "running"
    # StdinOnce: closing our stdin closes the container's; cat exits and
    # the stream ends.
    extra = b"Connection: Upgrade\r\nUpgrade: tcp\r\n" if upgrade else b""
    data = b"attach me\n" * 5000
    with hproxy.conn(timeout=10) as c:
        c.send(b"POST /v1.41/containers/%s/attach?stream=1&stdin=1&stdout=1&stderr=1 HTTP/1.1\r\n"
               b"Host: docker\r\n%sContent-Length: 0\r\n\r\n" % (ct.id.encode(), extra))
        r = c.read_head()
        assert r.status == (101 if upgrade else 200), r
        out = _pump(c, data)
    assert demux(out)[0] == data
    assert ct.wait(timeout=10)["StatusCode"] == 0


@pytest.fixture
def attach_container(container_factory):
    ct = container_factory(["/testbox", "cat"], stdin_open=True)   # SDK sets StdinOnce with OpenStdin
    return ct


def test_attach_stdin_once_container_exits(hproxy, attach_container):
    ct = attach_container
    with hproxy.conn(timeout=10) as c:
        c.send(b"POST /containers/%s/attach?stream=1&stdin=1&stdout=1 HTTP/1.1\r\n"
               b"Host: docker\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\n" % ct.id.encode())
        assert c.read_head().status == 101
        out = _pump(c, b"bye\n")
    assert demux(out)[0] == b"bye\n"
    assert ct.wait(timeout=10)["StatusCode"] == 0


def test_exec_denied_without_allow(proxy, dclient, container_factory):
    running_container = container_factory()
    body = json.dumps({"AttachStdout": True, "Cmd": ["/testbox", "echo", "x"]}).encode()
    r = proxy.request(b"POST /v1.41/containers/%s/exec HTTP/1.1\r\nHost: docker\r\n"
                      b"Content-Type: application/json\r\nContent-Length: %d\r\n\r\n"
                      % (running_container.id.encode(), len(body)) + body)
    assert_denied(r, "POST", "/containers/%s/exec" % running_container.id)
    running_container.reload()
    assert not running_container.attrs.get("ExecIDs")


def test_exec_start_and_attach_denied_without_allow(proxy, dclient, container_factory):
    running_container = container_factory()
    eid = dclient.api.exec_create(running_container.id, ["/testbox", "echo", "x"])["Id"]
    body = _start_body()
    with proxy.conn(timeout=5) as c:
        c.send(b"POST /exec/%s/start HTTP/1.1\r\nHost: docker\r\nConnection: Upgrade\r\n"
               b"Upgrade: tcp\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n"
               % (eid.encode(), len(body)) + body)
        assert_denied(c.read_response(), "POST", "/exec/%s/start" % eid)
    time.sleep(0.2)
    ins = dclient.api.exec_inspect(eid)
    assert not ins["Running"] and ins["ExitCode"] is None, ins
    r = proxy.request(get("/containers/%s/attach?stream=1&stdout=1" % running_container.id,
                          method="POST", extra=b"Connection: Upgrade\r\nUpgrade: tcp\r\n"))
    assert_denied(r, "POST", "/containers/%s/attach" % running_container.id)


def test_cli_exec_denied_creates_no_exec(proxy, tmp_path, container_factory):
    running_container = container_factory()
    r = cli(proxy, tmp_path, "exec", running_container.id, "/testbox", "echo", "x")
    assert r.returncode != 0
    assert b"sockward: POST /containers/%s/exec is not allowed (policy traefik)" % (
        running_container.id.encode()) in r.stderr, r
    running_container.reload()
    assert not running_container.attrs.get("ExecIDs")
