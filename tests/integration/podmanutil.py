"""A private Podman service for the integration tests (issue 15).

PodmanService starts `podman system service` on its own socket with its own
--root/--runroot/--tmpdir (vfs storage) under one temporary directory, so
nothing touches /var/lib/containers, /run/podman or the Docker daemon.
Containers run with network none and fixed ulimits (CONTAINERS_CONF): this
machine has no CAP_SYS_RESOURCE and no container networking.  No registry is
reachable: the test image is a `podman import` of a tar holding the static
testbox binary.  stop() removes every object and the directory."""

import json
import os
import shutil
import signal
import subprocess
import tarfile
import tempfile
import time

from conftest import FIXTURES, request

PODMAN = shutil.which("podman")
IMAGE = "localhost/sockward-testbox:test"
LIBPOD = "/v4.3.1/libpod"

CONTAINERS_CONF = """[containers]
default_ulimits = ["nofile=1024:1024", "nproc=1024:1024"]
netns = "none"
[engine]
cgroup_manager = "cgroupfs"
events_logger = "file"
"""


def available():
    """Why a Podman service cannot run here, or None."""
    if PODMAN is None:
        return "podman is not installed"
    if os.geteuid() != 0:
        return "the suite runs podman rootful (vfs, private root): needs root"
    return None


class PodmanService:
    def __init__(self, prefix="swpodman"):
        self.dir = tempfile.mkdtemp(prefix=prefix)
        self.sock = os.path.join(self.dir, "podman.sock")
        self.conf = os.path.join(self.dir, "containers.conf")
        with open(self.conf, "w") as f:
            f.write(CONTAINERS_CONF)
        for d in ("root", "runroot", "tmp"):
            os.mkdir(os.path.join(self.dir, d))
        self.env = dict(os.environ, CONTAINERS_CONF=self.conf)
        # XDG_RUNTIME_DIR would move podman's per-user files out of runroot
        self.env.pop("XDG_RUNTIME_DIR", None)
        self.log_path = os.path.join(self.dir, "service.log")
        self.proc = None
        try:
            self._start()
        except BaseException:
            self.stop()
            raise

    def base_argv(self):
        return [PODMAN, "--root", os.path.join(self.dir, "root"),
                "--runroot", os.path.join(self.dir, "runroot"),
                "--storage-driver", "vfs", "--tmpdir", os.path.join(self.dir, "tmp")]

    def _start(self):
        with open(self.log_path, "wb") as log:
            self.proc = subprocess.Popen(self.base_argv() + ["system", "service", "--time=0",
                                                             "unix://" + self.sock],
                                         stdout=log, stderr=log, env=self.env,
                                         start_new_session=True)
        deadline = time.time() + 20
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise AssertionError("podman system service exited %d:\n%s"
                                     % (self.proc.returncode, self.log()[-2000:]))
            if os.path.exists(self.sock):
                try:
                    if self.get("/_ping").status == 200:
                        return
                except OSError:
                    pass
            time.sleep(0.05)
        raise AssertionError("podman system service not ready:\n%s" % self.log()[-2000:])

    def log(self):
        try:
            with open(self.log_path, "rb") as f:
                return f.read().decode("utf-8", "replace")
        except OSError:
            return ""

    def cli(self, *args, check=True, timeout=60, stdin=None):
        """Run the podman CLI on this service's storage (not through the
        socket): the fixtures' own setup and clean-up."""
        p = subprocess.run(self.base_argv() + list(args), env=self.env, timeout=timeout,
                           input=stdin.encode() if stdin is not None else None,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        if check and p.returncode != 0:
            raise AssertionError("podman %s: %d\n%s" % (" ".join(args), p.returncode,
                                                        p.stderr.decode("utf-8", "replace")))
        return p.stdout.decode("utf-8", "replace").strip()

    def get(self, path, method="GET", timeout=10):
        """One request on the service's socket, directly (no sockward)."""
        data = ("%s %s HTTP/1.1\r\nHost: podman\r\n\r\n" % (method, path)).encode()
        return request(self.sock, data, method=method, timeout=timeout)

    def get_json(self, path):
        r = self.get(path)
        assert r.status == 200, "podman GET %s: %r" % (path, r)
        return json.loads(r.body)

    def import_testbox(self, tag=IMAGE):
        """The test image: the static testbox binary, imported (no registry)."""
        exe = os.path.join(self.dir, "testbox")
        subprocess.run(["gcc", "-static", "-O2", "-o", exe, os.path.join(FIXTURES, "testbox.c")],
                       check=True)
        tar = os.path.join(self.dir, "testbox.tar")
        with tarfile.open(tar, "w") as t:
            t.add(exe, arcname="testbox")
        self.cli("import", "--change", 'CMD ["/testbox"]', tar, tag)
        return tag

    def state(self):
        """A comparable snapshot of everything a request could create,
        remove or change: containers (with their state, pid and start
        time), pods, volumes, images, networks and secrets."""
        cts = self.get_json(LIBPOD + "/containers/json?all=true")
        return {
            "containers": sorted((c["Id"], tuple(c["Names"]), c["State"], c.get("Pid"),
                                  c.get("StartedAt"), c.get("ExitCode")) for c in cts),
            "pods": sorted(p["Id"] for p in self.get_json(LIBPOD + "/pods/json") or []),
            "volumes": sorted(v["Name"] for v in self.get_json(LIBPOD + "/volumes/json") or []),
            "images": sorted(i["Id"] for i in self.get_json(LIBPOD + "/images/json?all=true") or []),
            "networks": sorted(n.get("id") or n.get("name")
                               for n in self.get_json(LIBPOD + "/networks/json") or []),
            "secrets": sorted(s["ID"] for s in self.get_json(LIBPOD + "/secrets/json") or []),
        }

    def stop(self):
        """Remove every object, stop the service and delete the directory."""
        if self.proc is not None and self.proc.poll() is None:
            for args in (("pod", "rm", "-af", "-t", "0"), ("rm", "-af", "-t", "0"),
                         ("volume", "rm", "-af"), ("secret", "rm", "-a")):
                try:
                    self.cli(*args, check=False, timeout=60)
                except subprocess.TimeoutExpired:
                    pass
            try:
                os.killpg(self.proc.pid, signal.SIGTERM)
                self.proc.wait(10)
            except (ProcessLookupError, subprocess.TimeoutExpired):
                try:
                    os.killpg(self.proc.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                self.proc.wait(5)
        # a container's shm or a leftover mount under our directory
        with open("/proc/self/mountinfo") as f:
            mounts = [ln.split()[4] for ln in f if self.dir in ln]
        for m in sorted(mounts, key=len, reverse=True):
            subprocess.run(["umount", "-l", m], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        shutil.rmtree(self.dir, ignore_errors=True)
