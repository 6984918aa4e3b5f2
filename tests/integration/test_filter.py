"""Response filtering (issue 13) against the real dockerd: redaction of
secrets in responses and label visibility.

Module world: three running testbox containers with the same secret in
their environment (a random token per run): "vis" labelled
traefik.enable=true, "hid" without that label and "off" labelled
traefik.enable=false; a created-only container "mnt" (labelled
traefik.enable=true) whose volume mount and network endpoint carry driver
options holding the secret; a volume created with the secret in its
options; an exec instance made on "vis" and one on "hid".  Everything is
created directly on /var/run/docker.sock.

Each check that something is hidden or redacted is paired with the same
call made directly to dockerd (or with the feature switched off), which
shows the secret or the container, so the check fails when the feature is
removed.  Hidden containers and exec instances must answer exactly what
dockerd answers for a missing one (status, content type, body with the
name substituted), through the docker CLI as well as raw HTTP.
"""

import json
import os
import re
import subprocess
import time
import types
import uuid

import docker
import pytest

from conftest import (DOCKER_SOCK, RUN_ID, RUN_LABEL, SOCKWARD_BIN, TEST_IMAGE,
                      TEST_LABEL, TEST_NAME_PREFIX, Conn, RecordingUpstream,
                      Sockward, direct, get, make_container, request)

SECRET = "swsecret%s" % uuid.uuid4().hex[:20]
VIS = "traefik.enable=true"
# Networks and volumes: not TEST_NAME_PREFIX, which a concurrent session's
# finalizer removes whatever run made them; this module removes its own.
OWN_PREFIX = "sockward-filter-"
ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_.-]*=$")
H = b"Host: docker\r\n"


# --------------------------------------------------------------------------
# The world
# --------------------------------------------------------------------------

@pytest.fixture(scope="module")
def world(dclient, testbox_image):
    h = uuid.uuid4().hex[:8]
    api = dclient.api
    w = types.SimpleNamespace(made=[], t0=int(time.time()) - 1)
    env = ["SECRET_TOKEN=" + SECRET, "PLAIN=plain-value"]
    w.net = dclient.networks.create(OWN_PREFIX + "net-" + h,
                                    labels={TEST_LABEL: "1"})
    w.vol = OWN_PREFIX + "vol-" + h
    dclient.volumes.create(w.vol, driver="local", labels={TEST_LABEL: "1"},
                           driver_opts={"type": "tmpfs", "device": "tmpfs",
                                        "o": "username=u,password=" + SECRET})
    w.mvol = OWN_PREFIX + "mvol-" + h
    try:
        for key, labels in (("vis", {"traefik.enable": "true"}), ("hid", {}),
                            ("off", {"traefik.enable": "false"})):
            name = TEST_NAME_PREFIX + key + "-" + h
            ct = make_container(dclient, name=name, labels=labels, environment=env)
            w.made.append(ct.id)
            setattr(w, key, ct)
            setattr(w, key + "_name", name)
        # Created only: its mount and endpoint options would not survive a
        # start (tmpfs refuses the option), and inspect shows them anyway.
        mount = docker.types.Mount("/data", w.mvol, type="volume",
                                   driver_config=docker.types.DriverConfig(
                                       "local", {"type": "tmpfs", "device": "tmpfs",
                                                 "o": "size=1m,x=" + SECRET}))
        w.mnt_name = TEST_NAME_PREFIX + "mnt-" + h
        mnt = api.create_container(
            TEST_IMAGE, ["/testbox"], name=w.mnt_name, environment=env,
            labels={TEST_LABEL: "1", RUN_LABEL: RUN_ID, "traefik.enable": "true"},
            host_config=api.create_host_config(mounts=[mount]),
            networking_config=api.create_networking_config({
                w.net.name: api.create_endpoint_config(
                    driver_opt={"com.example.secret": SECRET})}))
        w.mnt_id = mnt["Id"]
        w.made.append(w.mnt_id)
        w.exec_vis = api.exec_create(w.vis.id, ["/testbox", "echo", "hi"])["Id"]
        w.exec_hid = api.exec_create(w.hid.id, ["/testbox", "echo", "hi"])["Id"]
        time.sleep(1.1)
        w.t1 = int(time.time()) + 1
        yield w
    finally:
        for cid in w.made:
            try:
                api.remove_container(cid, force=True)
            except docker.errors.APIError:
                pass
        for v in (w.vol, w.mvol):
            try:
                dclient.volumes.get(v).remove(force=True)
            except docker.errors.APIError:
                pass
        try:
            w.net.remove()
        except docker.errors.APIError:
            pass


def missing_name():
    return TEST_NAME_PREFIX + "gone-" + uuid.uuid4().hex[:8]


@pytest.fixture(scope="module")
def rov(tmp_path_factory):
    """readonly, visible only with traefik.enable=true."""
    sw = Sockward(["--profile", "readonly", "--visible-label", VIS],
                  str(tmp_path_factory.mktemp("rov")))
    yield sw
    sw.stop()


# --------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------

def cli(sw, tmp_path, *args, timeout=40):
    """The docker CLI through sw (or directly when sw is None)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("DOCKER_")}
    env["DOCKER_HOST"] = sw.url if sw is not None else "unix://" + DOCKER_SOCK
    env["DOCKER_CONFIG"] = str(tmp_path / "dockercfg")
    os.makedirs(env["DOCKER_CONFIG"], exist_ok=True)
    return subprocess.run(["docker"] + list(args), env=env, capture_output=True,
                          stdin=subprocess.DEVNULL, timeout=timeout)


def same_failure(r_hidden, hidden, r_missing, missing):
    """Two CLI runs failed alike: exit status, and stdout/stderr once each
    name is replaced by NAME."""
    def norm(b, name):
        return b.decode("utf-8", "replace").replace(name, "NAME")
    assert r_missing.returncode != 0, r_missing
    assert r_hidden.returncode == r_missing.returncode, (r_hidden, r_missing)
    assert norm(r_hidden.stderr, hidden) == norm(r_missing.stderr, missing), \
        (r_hidden.stderr, r_missing.stderr)
    assert norm(r_hidden.stdout, hidden) == norm(r_missing.stdout, missing), \
        (r_hidden.stdout, r_missing.stdout)


def raw(method, target, body=None, extra=b""):
    if body is None:
        return get(target, method=method, extra=extra)
    if isinstance(body, str):
        body = body.encode()
    return (method.encode() + b" " + target.encode() + b" HTTP/1.1\r\n" + H +
            b"Content-Type: application/json\r\nContent-Length: %d\r\n" % len(body) +
            extra + b"\r\n" + body)


def assert_like_missing(sw, method, target, hidden, missing, body=None, extra=b""):
    """sw's answer to target (naming hidden) equals dockerd's own answer to
    the same request naming missing: status, Content-Type and body."""
    r = sw.request(raw(method, target.replace("{n}", hidden), body, extra), method=method)
    d = direct(raw(method, target.replace("{n}", missing), body, extra), method=method)
    assert d.status == 404, (target, d)
    assert r.status == d.status, (target, r, d)
    assert r.header("Content-Type") == d.header("Content-Type"), (target, r, d)
    assert r.body.replace(hidden.encode(), b"NAME") == \
        d.body.replace(missing.encode(), b"NAME"), (target, r.body, d.body)
    return r


def env_of(inspect_json):
    return inspect_json["Config"]["Env"]


def assert_env_redacted(env, names):
    assert env, env
    bad = [e for e in env if not ENV_NAME.match(e)]
    assert not bad, env
    assert {e[:-1] for e in env} == set(names), (env, names)


def env_names(dclient, cid):
    return [e.split("=", 1)[0] for e in dclient.api.inspect_container(cid)["Config"]["Env"]]


def access_lines(sw, needle):
    return [ln for ln in sw.log().splitlines() if " access " in ln and needle in ln]


def wait_access(sw, needle, timeout=3.0):
    deadline = time.time() + timeout
    while time.time() < deadline:
        lines = access_lines(sw, needle)
        if lines:
            return lines
        time.sleep(0.05)
    raise AssertionError("no access line with %r in:\n%s" % (needle, sw.log()[-3000:]))


FILTER_RE = re.compile(r" filter=redacted:(\d+),dropped:(\d+)")


# --------------------------------------------------------------------------
# The docker CLI through --profile readonly --visible-label traefik.enable=true
# --------------------------------------------------------------------------

def test_ps_lists_only_visible(world, rov, tmp_path):
    r = cli(rov, tmp_path, "ps", "-a", "--no-trunc", "--format", "{{.ID}}")
    assert r.returncode == 0, r
    ids = r.stdout.decode().split()
    assert world.vis.id in ids and world.mnt_id in ids, r
    assert world.hid.id not in ids and world.off.id not in ids, r
    # Every container listed carries the label (other tests' containers too).
    for cid in ids:
        labels = docker_labels(cid)
        assert labels.get("traefik.enable") == "true", (cid, labels)
    d = cli(None, tmp_path, "ps", "-a", "--no-trunc", "--format", "{{.ID}}")
    assert world.hid.id in d.stdout.decode().split(), d
    r = cli(rov, tmp_path, "ps", "-a", "--filter", "name=" + world.hid_name, "-q")
    assert r.returncode == 0 and r.stdout.strip() == b"", r


def docker_labels(cid):
    r = direct(get("/v1.41/containers/%s/json" % cid))
    if r.status == 404:         # removed meanwhile by a concurrent test
        return {"traefik.enable": "true"}
    return r.json()["Config"]["Labels"] or {}


@pytest.mark.parametrize("cmd", [["inspect"], ["container", "inspect"]],
                         ids=["inspect", "container-inspect"])
def test_inspect_hidden_fails_like_missing(world, rov, tmp_path, cmd):
    miss = missing_name()
    for hidden in (world.hid_name, world.hid.id, world.hid.id[:12], world.off_name):
        m = miss if hidden != world.hid.id[:12] else uuid.uuid4().hex[:12]
        rh = cli(rov, tmp_path, *(cmd + [hidden]))
        rm = cli(rov, tmp_path, *(cmd + [m]))
        same_failure(rh, hidden, rm, m)
        assert b"No such" in rh.stderr, rh
    assert cli(None, tmp_path, *(cmd + [world.hid_name])).returncode == 0


def test_inspect_visible_env_redacted(world, rov, tmp_path, dclient):
    r = cli(rov, tmp_path, "inspect", world.vis_name)
    assert r.returncode == 0, r
    assert SECRET.encode() not in r.stdout + r.stderr, r.stdout
    info = json.loads(r.stdout)[0]
    assert info["Id"] == world.vis.id
    assert_env_redacted(env_of(info), env_names(dclient, world.vis.id))
    assert "SECRET_TOKEN=" in env_of(info)
    d = cli(None, tmp_path, "inspect", world.vis_name)
    assert SECRET.encode() in d.stdout     # the check above can fail


def test_inspect_mount_and_endpoint_options_redacted(world, rov, tmp_path):
    r = cli(rov, tmp_path, "inspect", world.mnt_name)
    assert r.returncode == 0, r
    assert SECRET.encode() not in r.stdout, r.stdout
    info = json.loads(r.stdout)[0]
    m = info["HostConfig"]["Mounts"][0]
    assert m["VolumeOptions"]["DriverConfig"]["Options"] == {}, m
    assert m["VolumeOptions"]["DriverConfig"]["Name"] == "local", m
    ep = info["NetworkSettings"]["Networks"][world.net.name]
    assert ep["DriverOpts"] == {}, ep
    d = cli(None, tmp_path, "inspect", world.mnt_name)
    assert d.stdout.count(SECRET.encode()) >= 3, d.stdout    # env, mount, endpoint


def test_top_and_stats_hidden_fail_like_missing(world, rov, tmp_path):
    miss = missing_name()
    for args in (["top"], ["stats", "--no-stream"]):
        rh = cli(rov, tmp_path, *(args + [world.hid_name]))
        rm = cli(rov, tmp_path, *(args + [miss]))
        same_failure(rh, world.hid_name, rm, miss)
        assert b"No such container" in rh.stderr, rh
    r = cli(rov, tmp_path, "top", world.vis_name)
    assert r.returncode == 0 and b"testbox" in r.stdout, r


def test_logs_hidden_fail_like_missing(world, sockward, tmp_path):
    sw = sockward("--profile", "dozzle", "--visible-label", VIS)
    miss = missing_name()
    rh = cli(sw, tmp_path, "logs", world.hid_name)
    rm = cli(sw, tmp_path, "logs", miss)
    same_failure(rh, world.hid_name, rm, miss)
    assert b"No such container: " + world.hid_name.encode() in rh.stderr, rh
    r = cli(sw, tmp_path, "logs", world.vis_name)
    assert r.returncode == 0, r
    assert cli(None, tmp_path, "logs", world.hid_name).returncode == 0


def test_events_hidden_dropped(world, rov, tmp_path):
    window = ["--since", str(world.t0), "--until", str(world.t1)]
    fmt = ["--format", "{{json .}}"]
    d = cli(None, tmp_path, "events", *window, *fmt)
    assert d.returncode == 0, d
    dev = [json.loads(ln) for ln in d.stdout.decode().splitlines()]
    # dockerd itself reports the hidden container: its own events and its
    # network connect, which names it in Actor.Attributes.container.
    assert any(e["Type"] == "container" and e["Actor"]["ID"] == world.hid.id for e in dev)
    assert any(e["Type"] == "network" and
               e["Actor"]["Attributes"].get("container") == world.hid.id for e in dev)

    r = cli(rov, tmp_path, "events", *window, "--filter", "type=container", *fmt)
    assert r.returncode == 0, r
    ev = [json.loads(ln) for ln in r.stdout.decode().splitlines()]
    acts = {e["Action"] for e in ev if e["Actor"]["ID"] == world.vis.id}
    assert {"create", "start"} <= acts, (acts, ev)
    assert any(e["Actor"]["ID"] == world.mnt_id and e["Action"] == "create" for e in ev), ev
    ids = {e["Actor"]["ID"] for e in ev}
    assert world.hid.id not in ids and world.off.id not in ids, ev

    r = cli(rov, tmp_path, "events", *window, *fmt)
    assert r.returncode == 0, r
    for cid in (world.hid.id, world.off.id):
        assert cid.encode() not in r.stdout, [ln for ln in r.stdout.splitlines()
                                              if cid.encode() in ln]
    # (A network event names a container but carries none of its labels:
    # sockward drops every such event, the visible container's too.)


def test_events_live_stream(rov, container_factory):
    """A live /events stream: a hidden container started first, a visible
    one after; the visible one's start arrives, nothing of the hidden one
    arrived before it."""
    with rov.conn(timeout=10) as c:
        c.send(get("/v1.41/events?filters=%7B%22type%22%3A%5B%22container%22%5D%7D"))
        r = c.read_head()
        assert r.status == 200, r
        hid = container_factory()
        vis = container_factory(labels={"traefik.enable": "true"})
        seen = b""
        deadline = time.time() + 15
        while time.time() < deadline:
            chunk = c.read_chunk()
            assert chunk, "the stream ended"
            seen += chunk
            whole = seen[:seen.rfind(b"\n") + 1]
            evs = [json.loads(x) for x in whole.split(b"\n") if x.strip()]
            if any(e.get("id") == vis.id and e.get("Action") == "start" for e in evs):
                break
        else:
            raise AssertionError("no start event of the visible container: %r" % seen)
        assert hid.id.encode() not in seen, seen
        assert any(e.get("id") == vis.id and e.get("Action") == "create" for e in evs), evs


def test_events_volume_mount_of_hidden_dropped(dclient, testbox_image, rov, tmp_path):
    """A volume mount event names its container (Actor.Attributes.container)
    like a network connect does: a hidden container's must not pass."""
    vol = OWN_PREFIX + "evvol-" + uuid.uuid4().hex[:8]
    t0 = int(time.time()) - 1
    ct = make_container(dclient, volumes={vol: {"bind": "/data", "mode": "rw"}})
    try:
        time.sleep(1.1)
        window = ["--since", str(t0), "--until", str(int(time.time()) + 1),
                  "--format", "{{json .}}"]
        d = cli(None, tmp_path, "events", *window)
        assert any(json.loads(ln)["Type"] == "volume" and
                   json.loads(ln)["Actor"]["Attributes"].get("container") == ct.id
                   for ln in d.stdout.decode().splitlines()), d
        r = cli(rov, tmp_path, "events", *window)
        assert r.returncode == 0, r
        assert ct.id.encode() not in r.stdout, [ln for ln in r.stdout.splitlines()
                                                if ct.id.encode() in ln]
    finally:
        ct.remove(force=True)
        try:
            dclient.volumes.get(vol).remove(force=True)
        except docker.errors.APIError:
            pass


def test_volume_options_redacted(world, rov, tmp_path):
    r = cli(rov, tmp_path, "volume", "inspect", world.vol)
    assert r.returncode == 0, r
    assert SECRET.encode() not in r.stdout, r.stdout
    v = json.loads(r.stdout)[0]
    assert v["Name"] == world.vol and v["Options"] == {}, v
    r = cli(rov, tmp_path, "volume", "ls", "--format", "{{json .}}")
    assert r.returncode == 0, r
    assert world.vol.encode() in r.stdout and SECRET.encode() not in r.stdout, r
    rr = rov.get("/v1.41/volumes")
    assert rr.status == 200, rr
    assert SECRET.encode() not in rr.body
    vols = {v["Name"]: v for v in rr.json()["Volumes"]}
    assert vols[world.vol]["Options"] == {}, vols[world.vol]
    assert vols[world.mvol]["Options"] == {}, vols[world.mvol]
    d = cli(None, tmp_path, "volume", "inspect", world.vol)
    assert SECRET.encode() in d.stdout


def test_without_visible_label_all_listed_env_redacted(world, sockward, tmp_path, dclient):
    sw = sockward("--profile", "readonly")
    r = cli(sw, tmp_path, "ps", "-a", "--no-trunc", "--format", "{{.ID}}")
    ids = r.stdout.decode().split()
    for ct in (world.vis, world.hid, world.off):
        assert ct.id in ids, r
    for name, ct in ((world.vis_name, world.vis), (world.hid_name, world.hid)):
        r = cli(sw, tmp_path, "inspect", name)
        assert r.returncode == 0, r
        assert SECRET.encode() not in r.stdout, r.stdout
        assert_env_redacted(env_of(json.loads(r.stdout)[0]), env_names(dclient, ct.id))
    rr = sw.get("/v1.41/networks/bridge")
    assert world.hid.id in rr.json()["Containers"], rr   # unchanged without labels


def test_redact_off_shows_secret(world, sockward, tmp_path):
    sw = sockward("--profile", "readonly", "--redact", "off", "--visible-label", VIS)
    r = cli(sw, tmp_path, "inspect", "--format", "{{json .Config.Env}}", world.vis_name)
    assert r.returncode == 0, r
    assert "SECRET_TOKEN=" + SECRET in json.loads(r.stdout), r
    r = cli(sw, tmp_path, "volume", "inspect", world.vol)
    assert SECRET.encode() in r.stdout, r
    # visibility is independent of redaction
    r = cli(sw, tmp_path, "inspect", world.hid_name)
    assert r.returncode != 0 and b"No such object" in r.stderr, r


@pytest.mark.parametrize("args,redacted", [
    (["--profile", "readonly"], True),
    (["--profile", "traefik"], True),
    (["--profile", "dozzle"], True),
    (["--profile", "homepage"], True),
    (["--profile", "none", "--allow", "GET,HEAD /_ping",
      "--allow", "GET /containers/{id}/json"], True),
    (["--profile", "watchtower"], False),
    (["--profile", "watchtower-readonly"], False),
    (["--profile", "deploy"], False),
    (["--profile", "watchtower", "--redact", "on"], True),
    (["--profile", "readonly", "--redact", "off"], False),
], ids=["readonly", "traefik", "dozzle", "homepage", "allow", "watchtower",
        "watchtower-readonly", "deploy", "watchtower-on", "readonly-off"])
def test_redaction_defaults(world, sockward, tmp_path, args, redacted):
    sw = sockward(*args)
    r = sw.get("/v1.41/containers/%s/json" % world.vis.id)
    assert r.status == 200, r
    env = r.json()["Config"]["Env"]
    if redacted:
        assert SECRET.encode() not in r.body, env
        assert "SECRET_TOKEN=" in env, env
    else:
        assert "SECRET_TOKEN=" + SECRET in env, env
    cr = cli(sw, tmp_path, "inspect", "--format", "{{json .Config.Env}}", world.vis_name)
    assert cr.returncode == 0, cr
    assert (SECRET.encode() in cr.stdout) != redacted, cr


def test_network_containers_emptied(world, rov):
    d = direct(get("/v1.41/networks/bridge"))
    assert world.hid.id in d.json()["Containers"], d
    r = rov.get("/v1.41/networks/bridge")
    assert r.status == 200, r
    assert r.json()["Containers"] == {}, r
    assert r.json()["Id"] == d.json()["Id"]


def test_system_df_hides_containers(world, rov):
    r = rov.get("/v1.41/system/df")
    assert r.status == 200, r
    ids = [c["Id"] for c in r.json()["Containers"]]
    assert world.vis.id in ids and world.hid.id not in ids and world.off.id not in ids, ids
    assert SECRET.encode() not in r.body


# --------------------------------------------------------------------------
# Raw HTTP: every per-container route of a hidden container is dockerd's 404
# --------------------------------------------------------------------------

ROUTES = [
    ("GET", "/v1.41/containers/{n}/json", None),
    ("GET", "/containers/{n}/json", None),
    ("GET", "/v1.41/containers/{n}/top", None),
    ("GET", "/v1.41/containers/{n}/stats?stream=false", None),
    ("GET", "/v1.41/containers/{n}/changes", None),
    ("GET", "/v1.41/containers/{n}/logs?stdout=1", None),
    ("GET", "/v1.41/containers/{n}/archive?path=/testbox", None),
    ("HEAD", "/v1.41/containers/{n}/archive?path=/testbox", None),
    ("GET", "/v1.41/containers/{n}/export", None),
    ("POST", "/v1.41/containers/{n}/start", ""),
    ("POST", "/v1.41/containers/{n}/stop?t=1", ""),
    ("POST", "/v1.41/containers/{n}/restart?t=1", ""),
    ("POST", "/v1.41/containers/{n}/kill", ""),
    ("POST", "/v1.41/containers/{n}/pause", ""),
    ("POST", "/v1.41/containers/{n}/unpause", ""),
    ("POST", "/v1.41/containers/{n}/rename?name=sockward-test-renamed", ""),
    ("POST", "/v1.41/containers/{n}/update", "{}"),
    ("POST", "/v1.41/containers/{n}/resize?h=10&w=10", ""),
    ("POST", "/v1.41/containers/{n}/wait", ""),
    ("POST", "/v1.41/containers/{n}/exec", '{"Cmd":["/testbox","echo","x"]}'),
    ("POST", "/v1.41/containers/{n}/attach?stream=1&stdout=1", ""),
    ("DELETE", "/v1.41/containers/{n}?force=1", None),
]


@pytest.fixture(scope="module")
def allv(tmp_path_factory):
    """Every request allowed (no body policy), visible only with the label."""
    sw = Sockward(["--profile", "none", "--allow", "* /** body off",
                   "--visible-label", VIS], str(tmp_path_factory.mktemp("allv")))
    yield sw
    sw.stop()


def state(dclient, cid):
    s = dclient.api.inspect_container(cid)
    return (s["Name"], s["State"]["Status"], s["State"]["StartedAt"],
            s["RestartCount"], sorted(s.get("ExecIDs") or []))


@pytest.mark.parametrize("method,target,body", ROUTES,
                         ids=["%s %s" % (m, t.split("{n}")[1].split("?")[0] or "/")
                              + ("" if t.startswith("/v1.41") else " unversioned")
                              for m, t, _ in ROUTES])
def test_container_route_of_hidden_is_dockerd_404(world, allv, dclient, method, target, body):
    before = state(dclient, world.hid.id)
    for ident, miss in ((world.hid_name, missing_name()),
                        (world.hid.id, uuid.uuid4().hex + uuid.uuid4().hex),
                        (world.hid.id[:12], uuid.uuid4().hex[:12])):
        assert_like_missing(allv, method, target, ident, miss, body)
    assert state(dclient, world.hid.id) == before
    # the log says why
    lines = wait_access(allv, world.hid.id[:12])
    assert lines and all("verdict=hidden" in ln for ln in lines), lines
    # the visible container answers on the same proxy
    assert allv.get("/v1.41/containers/%s/top" % world.vis_name).status == 200


def test_exec_of_hidden_is_404(world, allv, dclient):
    fake = uuid.uuid4().hex + uuid.uuid4().hex
    for method, target, body in (("GET", "/v1.41/exec/{n}/json", None),
                                 ("POST", "/v1.41/exec/{n}/start", '{"Detach":true}'),
                                 ("POST", "/v1.41/exec/{n}/resize?h=10&w=10", "")):
        r = assert_like_missing(allv, method, target, world.exec_hid, fake, body)
        assert r.json() == {"message": "No such exec instance: " + world.exec_hid}, r
    ex = dclient.api.exec_inspect(world.exec_hid)
    assert not ex["Running"] and ex["Pid"] == 0 and ex["ExitCode"] is None, ex
    r = allv.get("/v1.41/exec/%s/json" % world.exec_vis)
    assert r.status == 200 and r.json()["ContainerID"] == world.vis.id, r


@pytest.fixture(scope="module")
def deployv(tmp_path_factory):
    sw = Sockward(["--profile", "deploy", "--visible-label", VIS],
                  str(tmp_path_factory.mktemp("deployv")))
    yield sw
    sw.stop()


@pytest.mark.parametrize("args", [["stop", "-t", "1"], ["kill"], ["rm"], ["start"],
                                  ["exec"], ["rename"]],
                         ids=["stop", "kill", "rm", "start", "exec", "rename"])
def test_cli_action_on_hidden_fails_like_missing(world, deployv, tmp_path, dclient, args):
    before = state(dclient, world.hid.id)
    miss = missing_name()
    tail = {"exec": ["/testbox", "echo", "hi"],
            "rename": [TEST_NAME_PREFIX + "renamed"]}.get(args[0], [])
    rh = cli(deployv, tmp_path, *(args + [world.hid_name] + tail))
    rm = cli(deployv, tmp_path, *(args + [miss] + tail))
    same_failure(rh, world.hid_name, rm, miss)
    assert b"No such container" in rh.stderr, rh
    assert state(dclient, world.hid.id) == before


def test_deploy_refuses_naming_a_container_elsewhere(world, deployv, tmp_path, dclient):
    """What names a container outside the path cannot be probed: with
    visible labels it is refused, and the hidden container is untouched.
    The same requests go through when nothing is hidden."""
    before = state(dclient, world.hid.id)
    nets_before = sorted(dclient.api.inspect_container(world.hid.id)
                         ["NetworkSettings"]["Networks"])
    r = cli(deployv, tmp_path, "network", "connect", world.net.name, world.hid_name)
    assert r.returncode != 0 and b"names a container outside its path" in r.stderr, r
    name = TEST_NAME_PREFIX + "joiner-" + uuid.uuid4().hex[:8]
    r = cli(deployv, tmp_path, "create", "--name", name, "--label",
            RUN_LABEL + "=" + RUN_ID, "--label", VIS, "--network",
            "container:" + world.vis_name, TEST_IMAGE, "/testbox")
    assert r.returncode != 0 and b"HostConfig.NetworkMode" in r.stderr, r
    r = cli(deployv, tmp_path, "create", "--name", name, "--label",
            RUN_LABEL + "=" + RUN_ID, "--label", VIS, "--link",
            world.hid_name + ":db", TEST_IMAGE, "/testbox")
    assert r.returncode != 0 and b"HostConfig.Links" in r.stderr, r
    assert not dclient.containers.list(all=True, filters={"name": name})
    assert state(dclient, world.hid.id) == before
    assert sorted(dclient.api.inspect_container(world.hid.id)
                  ["NetworkSettings"]["Networks"]) == nets_before


# --------------------------------------------------------------------------
# Raw HTTP: framing of filtered responses, keep-alive, the access log
# --------------------------------------------------------------------------

def read_json_body(r):
    assert r.body, r
    return json.loads(r.body)


def test_filtered_http11_chunked_and_keepalive(world, rov):
    with rov.conn() as c:
        c.send(get("/v1.41/containers/%s/json" % world.vis.id))
        r = c.read_response()
        assert r.status == 200, r
        assert r.header("Content-Length") is None, r
        assert (r.header("Transfer-Encoding") or "").lower() == "chunked", r
        info = read_json_body(r)
        assert info["Id"] == world.vis.id and SECRET.encode() not in r.body
        assert "SECRET_TOKEN=" in info["Config"]["Env"]
        # a list, with elements dropped, on the same connection
        c.send(get("/v1.41/containers/json?all=1"))
        r = c.read_response()
        assert r.status == 200 and r.header("Content-Length") is None, r
        assert (r.header("Transfer-Encoding") or "").lower() == "chunked", r
        ids = [x["Id"] for x in read_json_body(r)]
        assert world.vis.id in ids and world.hid.id not in ids, ids
        c.send(get("/_ping"))
        r = c.read_response()
        assert (r.status, r.body) == (200, b"OK"), r
        c.assert_open()


def test_filtered_pipelined(world, rov):
    """Four requests in one write: filtered, hidden, filtered list, plain;
    each answered in order with its own framing."""
    with rov.conn() as c:
        c.send(get("/v1.41/containers/%s/json" % world.vis.id) +
               get("/v1.41/containers/%s/json" % world.hid.id) +
               get("/v1.41/containers/json?all=1") + get("/_ping"))
        r = c.read_response()
        assert r.status == 200 and read_json_body(r)["Id"] == world.vis.id, r
        assert (r.header("Transfer-Encoding") or "").lower() == "chunked", r
        r = c.read_response()
        assert r.status == 404, r
        assert r.json() == {"message": "No such container: " + world.hid.id}, r
        r = c.read_response()
        ids = [x["Id"] for x in read_json_body(r)]
        assert world.vis.id in ids and world.hid.id not in ids, ids
        r = c.read_response()
        assert (r.status, r.body) == (200, b"OK"), r
        c.assert_open()


def test_filtered_http10_close_delimited(world, rov):
    with rov.conn() as c:
        c.send(get("/v1.41/containers/%s/json" % world.vis.id, version=b"HTTP/1.0"))
        r = c.read_head()
        assert r.status == 200, r
        assert r.header("Content-Length") is None, r
        assert r.header("Transfer-Encoding") is None, r
        body = c.read_until_eof(timeout=5)
        info = json.loads(body)
        assert info["Id"] == world.vis.id and SECRET.encode() not in body
        assert c.is_closed(2)


def test_unfiltered_error_passes_unchanged(world, rov):
    """A 404 of a missing container is dockerd's, byte for byte, framed
    as dockerd framed it."""
    miss = missing_name()
    r = rov.get("/v1.41/containers/%s/json" % miss)
    d = direct(get("/v1.41/containers/%s/json" % miss))
    assert (r.status, r.body) == (d.status, d.body), (r, d)
    assert r.header("Content-Length") == d.header("Content-Length"), (r, d)


def test_access_log_filter_counts(world, rov):
    rov.get("/v1.41/containers/%s/json" % world.vis.id)
    ln = wait_access(rov, 'target="/v1.41/containers/%s/json"' % world.vis.id)[-1]
    m = FILTER_RE.search(ln)
    assert m, ln
    assert int(m.group(1)) >= 1 and int(m.group(2)) == 0, ln
    assert "verdict=allow" in ln, ln
    q = "/v1.41/containers/json?all=1&sockward=%s" % uuid.uuid4().hex[:6]
    rov.get(q)
    ln = wait_access(rov, 'target="%s"' % q)[-1]
    m = FILTER_RE.search(ln)
    assert m and int(m.group(2)) >= 2, ln        # hid and off at least
    rov.get("/v1.41/containers/%s/top" % world.hid_name)
    ln = wait_access(rov, 'target="/v1.41/containers/%s/top"' % world.hid_name)[-1]
    assert "verdict=hidden" in ln and "status=404" in ln, ln


def test_access_log_json_filter(world, sockward):
    sw = sockward("--profile", "readonly", "--visible-label", VIS, "--log-format", "json")
    sw.get("/v1.41/containers/json?all=1")
    sw.get("/v1.41/containers/%s/json" % world.vis.id)
    sw.get("/v1.41/containers/%s/json" % world.hid.id)
    deadline = time.time() + 3
    while time.time() < deadline:
        acc = [json.loads(ln) for ln in sw.log().splitlines() if ln.startswith("{")]
        acc = [a for a in acc if a.get("msg") == "access"]
        if len(acc) >= 3:
            break
        time.sleep(0.05)
    by = {a["target"]: a for a in acc}
    lst = by["/v1.41/containers/json?all=1"]
    assert lst["filter"]["dropped"] >= 2, lst
    ins = by["/v1.41/containers/%s/json" % world.vis.id]
    assert ins["filter"]["redacted"] >= 1 and ins["filter"]["dropped"] == 0, ins
    hid = by["/v1.41/containers/%s/json" % world.hid.id]
    assert hid["verdict"] == "hidden" and hid["status"] == 404, hid


# --------------------------------------------------------------------------
# Fake upstream: what this dockerd cannot show (it leaves local volumes
# with options out of /system/df), and non-2xx responses
# --------------------------------------------------------------------------

DF = {
    "LayersSize": 0, "Images": [], "BuildCache": [],
    "Containers": [
        {"Id": "a" * 64, "Names": ["/shown"], "Labels": {"traefik.enable": "true"}},
        {"Id": "b" * 64, "Names": ["/hidden"], "Labels": {"x": "y"}},
    ],
    "Volumes": [{"Name": "v", "Driver": "local", "Labels": None,
                 "Options": {"o": "password=" + SECRET, "type": "nfs"},
                 "UsageData": {"RefCount": 0, "Size": 0}}],
}


def canned(status, obj):
    body = json.dumps(obj).encode()
    return (b"HTTP/1.1 %d X\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n"
            % (status, len(body)) + body)


def test_system_df_volume_options_and_containers(recorder, sockward):
    recorder.respond = lambda c, head: c.sendall(canned(200, DF))
    sw = sockward("--profile", "readonly", "--visible-label", VIS, upstream=recorder.path)
    r = sw.get("/v1.41/system/df")
    assert r.status == 200, r
    assert SECRET.encode() not in r.body, r.body
    df = r.json()
    assert df["Volumes"][0]["Options"] == {}, df
    assert df["Volumes"][0]["Name"] == "v"
    assert [c["Id"] for c in df["Containers"]] == ["a" * 64], df


def test_non_2xx_not_filtered(recorder, sockward):
    obj = {"message": "oops", "Config": {"Env": ["SECRET_TOKEN=" + SECRET]}}
    recorder.respond = lambda c, head: c.sendall(canned(500, obj))
    sw = sockward("--profile", "readonly", upstream=recorder.path)
    r = sw.get("/v1.41/containers/x/json")
    assert r.status == 500 and r.json() == obj, r
    # and the same body with a 200 is redacted: the check above can fail
    recorder.respond = lambda c, head: c.sendall(canned(200, obj))
    r = sw.get("/v1.41/containers/x/json")
    assert r.status == 200 and SECRET.encode() not in r.body, r


def chunked_bytes(status, payload, size):
    """A chunked response carrying payload in chunks of size bytes."""
    out = b"HTTP/1.1 %d X\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n" % status
    for i in range(0, len(payload), size):
        part = payload[i:i + size]
        out += b"%x\r\n" % len(part) + part + b"\r\n"
    return out + b"0\r\n\r\n"


def test_upstream_tiny_chunks(recorder, sockward):
    """dockerd's answer split in 1-byte chunks (every key and value cut
    everywhere): still redacted, valid JSON, and a list's hidden element
    dropped."""
    obj = {"Id": "c" * 64, "Config": {"Env": ["SECRET_TOKEN=" + SECRET, "B=\u00e9" + SECRET],
                                      "Labels": {"traefik.enable": "true"}},
           "HostConfig": {"Mounts": [{"VolumeOptions": {"DriverConfig": {
               "Name": "local", "Options": {"o": SECRET}}}}]}}
    lst = [{"Id": "a" * 64, "Labels": {"traefik.enable": "true"}},
           {"Id": "b" * 64, "Labels": {"x": SECRET}}]

    def respond(c, head):
        if b"/containers/json" in head:
            c.sendall(chunked_bytes(200, json.dumps(lst).encode(), 1))
        else:
            c.sendall(chunked_bytes(200, json.dumps(obj).encode(), 1))
    recorder.respond = respond
    sw = sockward("--profile", "readonly", "--visible-label", VIS, upstream=recorder.path)
    r = sw.get("/v1.41/containers/%s/json" % ("c" * 64))
    assert r.status == 200, r
    assert SECRET.encode() not in r.body, r.body
    got = r.json()
    assert got["Config"]["Env"] == ["SECRET_TOKEN=", "B="], got
    assert got["Config"]["Labels"] == {"traefik.enable": "true"}
    assert got["HostConfig"]["Mounts"][0]["VolumeOptions"]["DriverConfig"] == \
        {"Name": "local", "Options": {}}, got
    r = sw.get("/v1.41/containers/json?all=1")
    assert r.status == 200, r
    assert [c["Id"] for c in r.json()] == ["a" * 64], r
    assert SECRET.encode() not in r.body


def test_upstream_malformed_json_fails_closed(recorder, sockward):
    """dockerd's answer breaks off inside a value after the secret: the
    client gets an error or a cut response, never the secret."""
    bad = b'{"Id":"x","Config":{"Env":["SECRET_TOKEN=' + SECRET.encode() + b'"],]]]'
    recorder.respond = lambda c, head: c.sendall(chunked_bytes(200, bad, 7))
    sw = sockward("--profile", "readonly", upstream=recorder.path)
    with sw.conn() as c:
        c.send(get("/v1.41/containers/x/json"))
        data = c.read_until_eof(timeout=5)
    assert SECRET.encode() not in data, data
    assert sw.alive()
    assert sw.get("/_ping").status == 200


# --------------------------------------------------------------------------
# Environment and config file forms
# --------------------------------------------------------------------------

class Plain(Sockward):
    """sockward with an exact argv and environment (no --listen added),
    listening on unix_path; the rest as conftest's Sockward."""

    def __init__(self, argv, tmpdir, unix_path, env=None):
        self.port = None
        self.unix_path = unix_path
        self.argv = [SOCKWARD_BIN] + list(argv)
        self.expect_exit = False
        self.stderr_path = os.path.join(tmpdir, "sockward-%s.stderr" % uuid.uuid4().hex[:8])
        self._err = open(self.stderr_path, "wb")
        e = {k: v for k, v in os.environ.items()
             if not k.startswith("SOCKWARD_") or k in ("SOCKWARD_SANDBOX", "SOCKWARD_USER")}
        e.update(env or {})
        self.proc = subprocess.Popen(self.argv, env=e, stdin=subprocess.DEVNULL,
                                     stdout=self._err, stderr=self._err)
        self._wait_ready()


@pytest.fixture
def plain(tmp_path):
    started = []

    def start(argv, unix_path, env=None):
        sw = Plain(argv, str(tmp_path), unix_path, env)
        started.append(sw)
        return sw

    yield start
    errors = []
    for sw in started:
        try:
            sw.stop()
        except AssertionError as e:
            errors.append(str(e))
    assert not errors, "\n".join(errors)


def listed(sw):
    r = sw.get("/v1.41/containers/json?all=1")
    assert r.status == 200, r
    return {c["Id"] for c in r.json()}


def visible_set(world, sw):
    ids = listed(sw)
    return {k for k in ("vis", "hid", "off") if getattr(world, k).id in ids}


@pytest.mark.parametrize("value,want", [
    ("foo=bar,traefik.enable=true", {"vis"}),
    ("traefik.enable=true,foo=bar", {"vis"}),
    ("foo=bar traefik.enable=true", {"vis"}),
    (" traefik.enable=true , foo=bar ", {"vis"}),
    ("traefik.enable=false,traefik.enable=true", {"vis", "off"}),
    ("traefik.enable=true traefik.enable=false", {"vis", "off"}),
    ("traefik.enable", {"vis", "off"}),
], ids=["comma", "comma-first", "blank", "padded", "both-comma", "both-blank", "key"])
def test_env_visible_label(world, plain, tmp_path, value, want):
    sock = str(tmp_path / "e.sock")
    sw = plain(["--listen", "unix://" + sock, "--profile", "readonly"], sock,
               env={"SOCKWARD_VISIBLE_LABEL": value})
    assert visible_set(world, sw) == want
    assert sw.get("/v1.41/containers/%s/json" % world.hid.id).status == 404


@pytest.mark.parametrize("labels,want", [
    (["traefik.enable"], {"vis", "off"}),
    (["traefik.enable=false"], {"off"}),
    ([], {"vis", "hid", "off"}),
    (["traefik.enable=false", VIS], {"vis", "off"}),
    ([VIS, "traefik.enable=false"], {"vis", "off"}),
    ([VIS, "foo=bar"], {"vis"}),
], ids=["key", "value", "none", "repeated", "repeated-swapped", "repeated-nomatch"])
def test_flag_label_forms(world, sockward, labels, want):
    args = ["--profile", "readonly"]
    for lb in labels:
        args += ["--visible-label", lb]
    assert visible_set(world, sockward(*args)) == want


def test_env_redact_off(world, plain, tmp_path):
    sock = str(tmp_path / "r.sock")
    sw = plain(["--listen", "unix://" + sock, "--profile", "readonly"], sock,
               env={"SOCKWARD_REDACT": "off"})
    r = sw.get("/v1.41/containers/%s/json" % world.vis.id)
    assert "SECRET_TOKEN=" + SECRET in r.json()["Config"]["Env"], r


def test_config_file_forms(world, plain, tmp_path, dclient):
    s = {k: str(tmp_path / (k + ".sock")) for k in ("vis", "open", "ruleoff", "labels")}
    conf = tmp_path / "sockward.conf"
    conf.write_text("""
listener vis {
	listen "unix://%(vis)s"
	visible-label traefik.enable=true
	visible-label traefik.enable=false
	visible-label foo=bar
	profile readonly
}
listener open {
	listen "unix://%(open)s"
	redact off
	profile readonly
}
listener ruleoff {
	listen "unix://%(ruleoff)s"
	allow GET /containers/{id}/json redact off
	profile readonly
}
listener labels {
	listen "unix://%(labels)s"
	visible-label traefik.enable=true
	allow GET /containers/{id}/json redact Config.Labels,NetworkSettings.Networks.*.IPAddress
	profile readonly
}
""" % s)
    chk = subprocess.run([SOCKWARD_BIN, "check", str(conf)], capture_output=True)
    assert chk.returncode == 0, chk
    sw = plain(["--config", str(conf)], s["vis"])
    for k in ("open", "ruleoff", "labels"):
        sw.unix_path = s[k]
        sw._wait_ready()

    def at(k, path):
        return request(s[k], get(path))

    vis_json = "/v1.41/containers/%s/json" % world.vis.id
    # listener vis: three visible-label lines, any matches
    sw.unix_path = s["vis"]
    assert visible_set(world, sw) == {"vis", "off"}
    r = at("vis", vis_json)
    assert r.status == 200 and SECRET.encode() not in r.body, r
    # listener open: redact off, no labels
    sw.unix_path = s["open"]
    assert visible_set(world, sw) == {"vis", "hid", "off"}
    assert "SECRET_TOKEN=" + SECRET in at("open", vis_json).json()["Config"]["Env"]
    assert SECRET.encode() in at("open", "/v1.41/volumes/" + world.vol).body
    # listener ruleoff: the rule's responses only
    assert "SECRET_TOKEN=" + SECRET in at("ruleoff", vis_json).json()["Config"]["Env"]
    r = at("ruleoff", "/v1.41/volumes/" + world.vol)
    assert r.status == 200 and r.json()["Options"] == {}, r
    # listener labels: Config.Labels redacted too, visibility still decided
    # on the container's real labels
    r = at("labels", vis_json)
    assert r.status == 200, r
    info = r.json()
    assert info["Config"]["Labels"] == {}, info["Config"]
    assert info["NetworkSettings"]["Networks"]["bridge"]["IPAddress"] == "", info
    assert direct(get(vis_json)).json()["NetworkSettings"]["Networks"]["bridge"]["IPAddress"]
    assert SECRET.encode() not in r.body
    assert_env_redacted(info["Config"]["Env"], env_names(dclient, world.vis.id))
    assert at("labels", "/v1.41/containers/%s/json" % world.hid.id).status == 404
    d = direct(get(vis_json))
    assert d.json()["Config"]["Labels"]["traefik.enable"] == "true"


# --------------------------------------------------------------------------
# explain
# --------------------------------------------------------------------------

def explain(*args):
    e = {k: v for k, v in os.environ.items() if not k.startswith("SOCKWARD_")}
    r = subprocess.run([SOCKWARD_BIN, "explain"] + list(args), capture_output=True, env=e)
    out = r.stdout.decode()
    lines = [ln.strip() for ln in out.splitlines()]
    return r, out, [ln for ln in lines if ln.startswith("response:")], \
        [ln for ln in lines if ln.startswith("visibility:")]


def test_explain_response_and_visibility():
    r, out, resp, vis = explain("--profile", "readonly", "GET", "/v1.41/containers/abc/json")
    assert r.returncode == 0, r
    assert len(resp) == 1 and "redact" in resp[0] and "Config.Env" in resp[0], out
    assert not vis, out
    r, out, resp, vis = explain("--profile", "readonly", "--visible-label", VIS,
                                "GET", "/v1.41/containers/abc/json")
    assert r.returncode == 0, r
    assert len(vis) == 1 and VIS in vis[0], out
    assert len(resp) == 1 and "Config.Env" in resp[0], out
    r, out, resp, vis = explain("--profile", "readonly", "GET", "/v1.41/volumes")
    assert len(resp) == 1 and "Options" in resp[0], out
    for args in (["--profile", "watchtower"], ["--profile", "readonly", "--redact", "off"]):
        r, out, resp, vis = explain(*(args + ["GET", "/v1.41/containers/abc/json"]))
        assert r.returncode == 0, r
        assert not any("Config.Env" in ln for ln in resp), out


def test_explain_rule_redact_path(tmp_path):
    conf = tmp_path / "sockward.conf"
    conf.write_text("""
listener l {
	listen "unix://%s"
	allow GET /containers/{id}/json redact Config.Labels
	profile readonly
}
""" % (tmp_path / "l.sock"))
    r, out, resp, vis = explain("--config", str(conf), "--listener", "l",
                                "GET", "/v1.41/containers/abc/json")
    assert r.returncode == 0, r
    assert len(resp) == 1 and "Config.Labels" in resp[0] and "Config.Env" in resp[0], out
