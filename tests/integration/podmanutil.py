"""A private Podman service for the Podman tests (test_podman.py).

    pm = PodmanService.start(directory, testbox_src)  # service + objects
    pm.api("GET", "/v4.3.1/libpod/containers/json")   # directly, not via sockward
    pm.state()                                         # comparable snapshot
    pm.remote_env()                                    # env for `podman --remote`
    pm.stop()                                          # service, containers, storage

Everything lives under one temp directory: --root, --runroot, --tmpdir, vfs
storage, a containers.conf (CONTAINERS_CONF) with the only settings that let
containers run here (ulimits nofile/nproc 1024, which need no
CAP_SYS_RESOURCE, and network none), and the service's unix socket.  The
default /var/lib/containers and /run/podman are never used and the Docker
daemon is never touched.

start() makes, through the Podman API on the private socket (never through
sockward): an image imported from a tar holding the static testbox, a
volume, a secret, a pod, and a running container CONTAINER with
SECRET=hunter2 in its environment, a label, the volume mounted and the
secret attached; plus a created container in the pod.
"""

import json
import os
import shutil
import signal
import subprocess
import tarfile
import tempfile
import time

from conftest import Conn

IMAGE = "localhost/sockward-ptest:1"
CONTAINER = "swp-box"
POD = "swp-pod"
POD_CONTAINER = "swp-podbox"
VOLUME = "swp-vol"
SECRET = "swp-secret"
SECRET_VALUE = "swp-topsecret-value"
ENV_SECRET = "hunter2"
LABEL = ("swp-app", "web")
LIBPOD = "/v4.3.1/libpod"

CONTAINERS_CONF = """[containers]
default_ulimits = ["nofile=1024:1024", "nproc=1024:1024"]
netns = "none"

[engine]
cgroup_manager = "cgroupfs"
events_logger = "file"
"""


class PodmanError(AssertionError):
    pass


def podman_binary():
    """The podman binary, or a PodmanError saying how the suite installs it."""
    path = shutil.which("podman")
    if path is None:
        raise PodmanError(
            "podman is not installed: test_podman.py needs Debian's podman "
            "(scripts/test.sh installs it with deps_install; by hand: "
            "apt-get install podman)")
    return path


class PodmanService:
    def __init__(self, directory):
        # A unix socket path holds at most 107 bytes: keep it short.
        self.dir = directory
        self.root = os.path.join(directory, "root")
        self.runroot = os.path.join(directory, "run")
        self.tmp = os.path.join(directory, "tmp")
        self.home = os.path.join(directory, "home")
        for d in (self.root, self.runroot, self.tmp, self.home):
            os.makedirs(d, exist_ok=True)
        self.sock = os.path.join(directory, "podman.sock")
        self.conf = os.path.join(directory, "containers.conf")
        with open(self.conf, "w") as f:
            f.write(CONTAINERS_CONF)
        self.bin = podman_binary()
        self.proc = None
        self.log_path = os.path.join(directory, "service.log")
        self.ids = {}

    @property
    def upstream(self):
        return "unix://" + self.sock

    def env(self):
        """Environment for local podman commands on the private storage, and
        for the service: no user config, no XDG dirs outside the temp dir."""
        env = dict(os.environ)
        for k in ("DOCKER_HOST", "CONTAINER_HOST", "CONTAINER_CONNECTION"):
            env.pop(k, None)
        env.update({
            "CONTAINERS_CONF": self.conf,
            "HOME": self.home,
            "XDG_CONFIG_HOME": os.path.join(self.home, ".config"),
            "XDG_DATA_HOME": os.path.join(self.home, ".local", "share"),
            "XDG_RUNTIME_DIR": os.path.join(self.home, "run"),
        })
        os.makedirs(env["XDG_RUNTIME_DIR"], mode=0o700, exist_ok=True)
        return env

    def remote_env(self):
        return self.env()

    def local(self, *args, check=True, timeout=60):
        """Run podman on the private storage (no service involved)."""
        argv = [self.bin, "--root", self.root, "--runroot", self.runroot,
                "--storage-driver", "vfs", "--tmpdir", self.tmp] + list(args)
        r = subprocess.run(argv, env=self.env(), capture_output=True, timeout=timeout)
        if check and r.returncode != 0:
            raise PodmanError("%s failed (%d): %s" % (argv, r.returncode,
                                                      r.stderr.decode(errors="replace")))
        return r

    # ------------------------------------------------------------------
    # The service
    # ------------------------------------------------------------------

    def _start_service(self):
        argv = [self.bin, "--root", self.root, "--runroot", self.runroot,
                "--storage-driver", "vfs", "--tmpdir", self.tmp,
                "system", "service", "--time=0", self.upstream]
        self._log = open(self.log_path, "wb")
        # Its own process group: stop() signals the service and nothing else.
        self.proc = subprocess.Popen(argv, env=self.env(), stdin=subprocess.DEVNULL,
                                     stdout=self._log, stderr=self._log,
                                     start_new_session=True)
        deadline = time.time() + 30
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise PodmanError("podman system service exited with %s: %s" % (
                    self.proc.returncode, self.log()))
            try:
                r = self.api("GET", "/_ping", timeout=2)
                if r.status == 200 and r.body == b"OK":
                    return
            except OSError:
                pass
            time.sleep(0.1)
        raise PodmanError("podman system service did not answer /_ping: %s" % self.log())

    def log(self):
        try:
            with open(self.log_path, "rb") as f:
                return f.read().decode(errors="replace")[-3000:]
        except OSError:
            return ""

    def api(self, method, path, body=None, timeout=20):
        """One request on the private socket; a Response with .body."""
        if isinstance(body, (dict, list)):
            body = json.dumps(body).encode()
        elif isinstance(body, str):
            body = body.encode()
        head = "%s %s HTTP/1.1\r\nHost: podman\r\nConnection: close\r\n" % (method, path)
        if body is not None:
            head += "Content-Type: application/json\r\nContent-Length: %d\r\n" % len(body)
        with Conn(self.sock, timeout) as c:
            c.send(head.encode() + b"\r\n" + (body or b""))
            return c.read_response(method)

    def api_ok(self, method, path, body=None):
        r = self.api(method, path, body)
        if not 200 <= r.status < 300:
            raise PodmanError("%s %s: %r" % (method, path, r))
        return r.json() if r.body else None

    # ------------------------------------------------------------------
    # Objects
    # ------------------------------------------------------------------

    def _import_image(self, testbox_src):
        box = os.path.join(self.dir, "testbox")
        subprocess.run(["gcc", "-static", "-O2", "-o", box, testbox_src], check=True)
        tar = os.path.join(self.dir, "testbox.tar")
        with tarfile.open(tar, "w") as t:
            t.add(box, arcname="testbox")
        self.local("import", "--change", 'CMD ["/testbox"]', tar, IMAGE)

    def _make_objects(self):
        self.api_ok("POST", LIBPOD + "/volumes/create", {"Name": VOLUME})
        self.ids["secret"] = self.api_ok(
            "POST", LIBPOD + "/secrets/create?name=" + SECRET, SECRET_VALUE)["ID"]
        self.ids["pod"] = self.api_ok("POST", LIBPOD + "/pods/create",
                                      {"name": POD, "no_infra": True})["Id"]
        self.ids["container"] = self.api_ok("POST", LIBPOD + "/containers/create", {
            "name": CONTAINER, "image": IMAGE,
            "env": {"SECRET": ENV_SECRET},
            "labels": {LABEL[0]: LABEL[1]},
            "volumes": [{"Name": VOLUME, "Dest": "/data"}],
            "secrets": [{"Source": SECRET}],
        })["Id"]
        self.api_ok("POST", LIBPOD + "/containers/%s/start" % CONTAINER)
        self.ids["pod_container"] = self.api_ok("POST", LIBPOD + "/containers/create", {
            "name": POD_CONTAINER, "image": IMAGE, "pod": POD,
            "env": {"SECRET": ENV_SECRET},
        })["Id"]
        st = self.api_ok("GET", LIBPOD + "/containers/%s/json" % CONTAINER)["State"]["Status"]
        if st != "running":
            raise PodmanError("%s is %s, not running: %s" % (CONTAINER, st, self.log()))

    @classmethod
    def start(cls, directory, testbox_src):
        pm = cls(directory)
        try:
            pm._import_image(testbox_src)
            pm._start_service()
            pm._make_objects()
        except BaseException:
            pm.stop()
            raise
        return pm

    def state(self):
        """What the tests could change on Podman, read on its own socket."""
        def get(path):
            return self.api_ok("GET", LIBPOD + path) or []
        return {
            "containers": sorted((c["Id"], c["State"])
                                 for c in get("/containers/json?all=true")),
            "images": sorted(i["Id"] for i in get("/images/json?all=true")),
            "volumes": sorted(v["Name"] for v in get("/volumes/json")),
            "pods": sorted((p["Id"], p["Status"]) for p in get("/pods/json")),
            "secrets": sorted(s["ID"] for s in get("/secrets/json")),
            "networks": sorted(n["name"] for n in get("/networks/json")),
        }

    def stop(self):
        """Remove every container (their conmon and testbox processes too),
        stop the service, delete the storage."""
        for args in (("pod", "rm", "-a", "-f"), ("rm", "-a", "-f", "-t", "0"),
                     ("volume", "rm", "-a", "-f"), ("secret", "rm", "-a")):
            try:
                self.local(*args, check=False, timeout=60)
            except (OSError, subprocess.TimeoutExpired):
                pass
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        if self.proc is not None:
            self._log.close()
        shutil.rmtree(self.dir, ignore_errors=True)


def new_dir():
    """A short private directory (the socket path limit is 107 bytes)."""
    return tempfile.mkdtemp(prefix="swpod", dir="/tmp")
