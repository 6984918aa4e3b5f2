"""Response filtering (issue 13) of swarm services and tasks, on a private
dockerd in swarm mode.

The module fixture starts a dockerd of its own under /tmp/swfs-<id>: its
own socket, data root, exec root, pid file, containerd namespace, its own
network namespace (loopback up, for --advertise-addr 127.0.0.1) and
--bridge=none.  Only that daemon is put in swarm mode; the shared one at
/var/run/docker.sock is never touched.  The testbox image is built into it
(FROM scratch, no registry), and two services run it: "vis" labelled
traefik.enable=true and "hid" without the label, both with a secret in
their environment.  "vis" is updated once, so that its PreviousSpec holds
the secret too.  sockward runs with --upstream to that daemon,
--profile readonly and --visible-label traefik.enable=true.

The finalizer leaves the swarm, stops dockerd (SIGTERM, then SIGKILL),
kills what is left of its containerd and shims, unmounts what it left
under its directory and removes the directory.
"""

import json
import os
import shutil
import signal
import subprocess
import time
import types
import uuid

import pytest

from conftest import FIXTURES, Conn, Sockward, get, request

SECRET = "swsecret%s" % uuid.uuid4().hex[:20]
VIS = "traefik.enable=true"
IMAGE = "sockward-testbox:test"


class SwarmDockerd:
    """A private dockerd in its own network namespace, under /tmp/swfs-<id>."""

    def __init__(self):
        self.id = uuid.uuid4().hex[:8]
        self.dir = "/tmp/swfs-%s" % self.id
        self.sock = os.path.join(self.dir, "docker.sock")
        self.pidfile = os.path.join(self.dir, "docker.pid")
        self.logfile = os.path.join(self.dir, "dockerd.log")
        os.makedirs(os.path.join(self.dir, "data"))
        os.makedirs(os.path.join(self.dir, "exec"))
        # /etc/docker/daemon.json may set a data root or storage driver
        # that clash with ours.
        self.config = os.path.join(self.dir, "daemon.json")
        with open(self.config, "w") as f:
            f.write("{}\n")
        self.proc = None

    def start(self, timeout=60):
        d = self.dir
        ns = "swfs-" + self.id
        # unshare ignores SIGTERM while it waits for its child: dockerd is
        # stopped through its pid file.
        argv = ["unshare", "--net", "--fork", "--kill-child=SIGKILL", "sh", "-c",
                'ip link set lo up && exec dockerd "$@"', "sh",
                "--config-file", self.config, "-H", "unix://" + self.sock,
                "--data-root", d + "/data", "--exec-root", d + "/exec",
                "--pidfile", self.pidfile,
                "--containerd-namespace", ns,
                "--containerd-plugins-namespace", ns + "-plugins",
                "--bridge=none", "--storage-driver", "vfs"]
        log = open(self.logfile, "wb")
        self.proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=log,
                                     stderr=log, start_new_session=True)
        log.close()
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise AssertionError("private dockerd exited with %s:\n%s"
                                     % (self.proc.returncode, self.log()[-3000:]))
            try:
                with Conn(self.sock, timeout=2) as c:
                    c.send(get("/_ping"))
                    if c.read_response().status == 200:
                        return
            except (OSError, EOFError):
                pass
            time.sleep(0.2)
        raise AssertionError("private dockerd did not answer /_ping:\n%s" % self.log()[-3000:])

    def log(self):
        try:
            with open(self.logfile, "rb") as f:
                return f.read().decode("utf-8", "replace")
        except OSError:
            return ""

    def docker(self, *args, check=True, timeout=60, env=None):
        e = {k: v for k, v in os.environ.items() if not k.startswith("DOCKER_")}
        e["DOCKER_HOST"] = "unix://" + self.sock
        e.update(env or {})
        r = subprocess.run(["docker"] + list(args), env=e, capture_output=True,
                           stdin=subprocess.DEVNULL, timeout=timeout)
        if check and r.returncode != 0:
            raise AssertionError("docker %s on the private dockerd: %r\n%s"
                                 % (" ".join(args), r, self.log()[-2000:]))
        return r

    def _dockerd_pid(self):
        try:
            with open(self.pidfile) as f:
                return int(f.read().strip())
        except (OSError, ValueError):
            return None

    def _ours(self):
        """containerd processes (and shims) whose command line names our
        exec root or namespace."""
        pids = []
        marks = ((self.dir + "/exec").encode(), ("swfs-" + self.id).encode())
        for p in os.listdir("/proc"):
            if not p.isdigit() or int(p) == os.getpid():
                continue
            try:
                with open("/proc/%s/cmdline" % p, "rb") as f:
                    argv = f.read().split(b"\0")
            except OSError:
                continue
            if os.path.basename(argv[0]).startswith(b"containerd") and \
                    any(m in a for a in argv for m in marks):
                pids.append(int(p))
        return pids

    def cleanup(self):
        if self.proc is not None and self.proc.poll() is None:
            self.docker("swarm", "leave", "--force", check=False, timeout=30)
            pid = self._dockerd_pid()
            if pid is not None:
                try:
                    os.kill(pid, signal.SIGTERM)
                except OSError:
                    pid = None
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                if pid is not None:
                    try:
                        os.kill(pid, signal.SIGKILL)
                    except OSError:
                        pass
                self.proc.kill()
                self.proc.wait(10)
        for _ in range(20):
            left = self._ours()
            if not left:
                break
            time.sleep(0.5)
        for pid in self._ours():
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass
        with open("/proc/mounts") as f:
            mounts = [ln.split()[1] for ln in f if ln.split()[1].startswith(self.dir)]
        for m in sorted(mounts, key=len, reverse=True):
            subprocess.run(["umount", "-l", m], stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL)
        shutil.rmtree(self.dir, ignore_errors=True)


def wait_running(pd, service, n=1, timeout=60):
    """Until service has n tasks running; returns their ids."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        r = pd.docker("service", "ps", "--no-trunc", "--filter", "desired-state=running",
                      "--format", "{{.ID}} {{.CurrentState}}", service, check=False)
        ids = [ln.split()[0] for ln in r.stdout.decode().splitlines()
               if ln.split()[1:2] == ["Running"]]
        if len(ids) >= n:
            return ids
        time.sleep(0.5)
    raise AssertionError("service %s has no running task after %d s: %s"
                         % (service, timeout, pd.docker("service", "ps", "--no-trunc",
                                                        service, check=False)))


@pytest.fixture(scope="module")
def swarm(tmp_path_factory):
    if shutil.which("dockerd") is None or os.geteuid() != 0:
        raise AssertionError("the swarm test needs dockerd and root (uid %d, dockerd %s)"
                             % (os.geteuid(), shutil.which("dockerd")))
    pd = SwarmDockerd()
    try:
        pd.start()
        d = tmp_path_factory.mktemp("swarm-img")
        subprocess.run(["gcc", "-static", "-O2", "-o", str(d / "testbox"),
                        os.path.join(FIXTURES, "testbox.c")], check=True)
        shutil.copy(os.path.join(FIXTURES, "Dockerfile"), str(d / "Dockerfile"))
        pd.docker("build", "-q", "-t", IMAGE, str(d), env={"DOCKER_BUILDKIT": "0"})
        pd.docker("swarm", "init", "--advertise-addr", "127.0.0.1")
        w = types.SimpleNamespace(pd=pd, t0=int(time.time()) - 1)
        h = uuid.uuid4().hex[:6]
        w.vis_name, w.hid_name = "vis-" + h, "hid-" + h
        env = ["--env", "SECRET_TOKEN=" + SECRET, "--env", "PLAIN=plain-value"]
        w.vis_id = pd.docker("service", "create", "-d", "--no-resolve-image",
                             "--name", w.vis_name, "--label", VIS, *env,
                             IMAGE).stdout.decode().strip()
        w.hid_id = pd.docker("service", "create", "-d", "--no-resolve-image",
                             "--name", w.hid_name, "--label", "other=1", *env,
                             IMAGE).stdout.decode().strip()
        wait_running(pd, w.vis_name)
        # An update: PreviousSpec now holds the secret too.
        pd.docker("service", "update", "-d", "--no-resolve-image", "--env-add", "MORE=1",
                  w.vis_name)
        deadline = time.time() + 60
        while time.time() < deadline:
            spec = json.loads(pd.docker("service", "inspect", w.vis_name).stdout)[0]
            if spec.get("PreviousSpec") and spec.get("UpdateStatus", {}).get("State") \
                    in (None, "completed"):
                break
            time.sleep(0.5)
        w.vis_tasks = wait_running(pd, w.vis_name)
        w.hid_tasks = wait_running(pd, w.hid_name)
        w.t1 = int(time.time()) + 1
        sw = Sockward(["--profile", "readonly", "--visible-label", VIS],
                      str(tmp_path_factory.mktemp("swarm-sw")), upstream=pd.sock)
        w.sw = sw
        try:
            yield w
        finally:
            sw.stop()
    finally:
        pd.cleanup()


def cli(sw, tmp_path, *args, timeout=40):
    env = {k: v for k, v in os.environ.items() if not k.startswith("DOCKER_")}
    env["DOCKER_HOST"] = sw.url
    env["DOCKER_CONFIG"] = str(tmp_path / "dockercfg")
    os.makedirs(env["DOCKER_CONFIG"], exist_ok=True)
    return subprocess.run(["docker"] + list(args), env=env, capture_output=True,
                          stdin=subprocess.DEVNULL, timeout=timeout)


def same_failure(rh, hidden, rm, missing):
    def norm(b, name):
        return b.decode("utf-8", "replace").replace(name, "NAME")
    assert rm.returncode != 0, rm
    assert rh.returncode == rm.returncode, (rh, rm)
    assert norm(rh.stderr, hidden) == norm(rm.stderr, missing), (rh.stderr, rm.stderr)
    assert norm(rh.stdout, hidden) == norm(rm.stdout, missing), (rh.stdout, rm.stdout)


def direct(pd, path):
    return request(pd.sock, get(path), timeout=10)


def test_service_ls_only_visible(swarm, tmp_path):
    r = cli(swarm.sw, tmp_path, "service", "ls", "--format", "{{.ID}} {{.Name}}")
    assert r.returncode == 0, r
    names = [ln.split()[1] for ln in r.stdout.decode().splitlines()]
    assert names == [swarm.vis_name], r
    d = swarm.pd.docker("service", "ls", "--format", "{{.Name}}")
    assert swarm.hid_name in d.stdout.decode().split(), d
    rr = swarm.sw.get("/v1.41/services")
    assert rr.status == 200, rr
    assert [s["ID"] for s in rr.json()] == [swarm.vis_id], rr
    assert SECRET.encode() not in rr.body


def test_service_inspect_visible_env_redacted(swarm, tmp_path):
    r = cli(swarm.sw, tmp_path, "service", "inspect", swarm.vis_name)
    assert r.returncode == 0, r
    assert SECRET.encode() not in r.stdout, r.stdout
    s = json.loads(r.stdout)[0]
    assert s["ID"] == swarm.vis_id
    env = s["Spec"]["TaskTemplate"]["ContainerSpec"]["Env"]
    assert sorted(env) == ["MORE=", "PLAIN=", "SECRET_TOKEN="], env
    prev = s["PreviousSpec"]["TaskTemplate"]["ContainerSpec"]["Env"]
    assert sorted(prev) == ["PLAIN=", "SECRET_TOKEN="], prev
    assert s["Spec"]["Labels"] == {"traefik.enable": "true"}
    d = swarm.pd.docker("service", "inspect", swarm.vis_name)
    assert d.stdout.count(SECRET.encode()) == 2, d.stdout    # Spec and PreviousSpec


def test_service_inspect_hidden_like_missing(swarm, tmp_path):
    for hidden, miss in ((swarm.hid_name, "gone-" + uuid.uuid4().hex[:6]),
                         (swarm.hid_id, uuid.uuid4().hex[:25])):
        rh = cli(swarm.sw, tmp_path, "service", "inspect", hidden)
        rm = cli(swarm.sw, tmp_path, "service", "inspect", miss)
        same_failure(rh, hidden, rm, miss)
        r = swarm.sw.get("/v1.41/services/" + hidden)
        d = direct(swarm.pd, "/v1.41/services/" + miss)
        assert d.status == 404, d
        assert (r.status, r.header("Content-Type")) == (d.status, d.header("Content-Type")), (r, d)
        assert r.body.replace(hidden.encode(), b"NAME") == d.body.replace(miss.encode(), b"NAME")
    assert swarm.pd.docker("service", "inspect", swarm.hid_name).returncode == 0


def test_service_ps(swarm, tmp_path):
    r = cli(swarm.sw, tmp_path, "service", "ps", "--no-trunc", "--format",
            "{{.ID}} {{.Name}} {{.DesiredState}}", swarm.vis_name)
    assert r.returncode == 0, r
    lines = r.stdout.decode().splitlines()
    ids = [ln.split()[0] for ln in lines]
    for t in swarm.vis_tasks:
        assert t in ids, r
    assert all(ln.split()[1].startswith(swarm.vis_name + ".") for ln in lines), r
    miss = "gone-" + uuid.uuid4().hex[:6]
    rh = cli(swarm.sw, tmp_path, "service", "ps", swarm.hid_name)
    rm = cli(swarm.sw, tmp_path, "service", "ps", miss)
    same_failure(rh, swarm.hid_name, rm, miss)


def test_tasks_of_hidden_absent(swarm):
    d = direct(swarm.pd, "/v1.41/tasks")
    dt = d.json()
    hid_tasks = [t["ID"] for t in dt if t["ServiceID"] == swarm.hid_id]
    assert hid_tasks and set(swarm.hid_tasks) <= set(hid_tasks), dt
    r = swarm.sw.get("/v1.41/tasks")
    assert r.status == 200, r
    tasks = r.json()
    assert {t["ServiceID"] for t in tasks} == {swarm.vis_id}, tasks
    for t in hid_tasks:
        assert t.encode() not in r.body
    assert swarm.hid_id.encode() not in r.body
    assert SECRET.encode() not in r.body
    for t in tasks:
        env = t["Spec"]["ContainerSpec"]["Env"]
        assert all(e.endswith("=") for e in env) and "SECRET_TOKEN=" in env, env
    # a filtered list too
    q = "/v1.41/tasks?filters=%7B%22service%22%3A%5B%22" + swarm.hid_name + "%22%5D%7D"
    assert direct(swarm.pd, q).json(), "dockerd lists the hidden service's tasks"
    r = swarm.sw.get(q)
    assert r.status == 200 and r.json() == [], r


def test_task_inspect(swarm):
    fake = uuid.uuid4().hex[:25]
    d = direct(swarm.pd, "/v1.41/tasks/" + fake)
    assert d.status == 404, d
    for t in swarm.hid_tasks:
        r = swarm.sw.get("/v1.41/tasks/" + t)
        assert (r.status, r.header("Content-Type")) == (404, d.header("Content-Type")), r
        assert r.body.replace(t.encode(), b"ID") == d.body.replace(fake.encode(), b"ID"), \
            (r.body, d.body)
    assert direct(swarm.pd, "/v1.41/tasks/" + swarm.hid_tasks[0]).status == 200
    r = swarm.sw.get("/v1.41/tasks/" + swarm.vis_tasks[0])
    assert r.status == 200, r
    assert SECRET.encode() not in r.body
    assert "SECRET_TOKEN=" in r.json()["Spec"]["ContainerSpec"]["Env"]


def test_service_events(swarm, tmp_path):
    window = ["--since", str(swarm.t0), "--until", str(swarm.t1),
              "--filter", "type=service", "--format", "{{json .}}"]
    d = swarm.pd.docker("events", *window)
    ids = {json.loads(ln)["Actor"]["ID"] for ln in d.stdout.decode().splitlines()}
    assert {swarm.vis_id, swarm.hid_id} <= ids, d
    r = cli(swarm.sw, tmp_path, "events", *window)
    assert r.returncode == 0, r
    ev = [json.loads(ln) for ln in r.stdout.decode().splitlines()]
    ids = {e["Actor"]["ID"] for e in ev}
    # (A service event carries no labels: sockward drops them all, the
    # visible service's too.)
    assert swarm.hid_id not in ids, ev
    assert swarm.hid_id.encode() not in r.stdout
    assert SECRET.encode() not in r.stdout
