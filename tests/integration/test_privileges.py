"""Running unprivileged: the user switch, no_new_privs, Landlock and the
seccomp allowlist of src/daemon/sandbox.c.

Two halves.  The harness tests build a small program from sandbox.c, log.c
and escape.c that calls sandbox_apply() and then does what the daemon does
(connect to the Docker socket, read the config, accept) and what it must no
longer be able to do; they need only a C compiler and root.  The daemon
tests run the real sockward (as root by default, or through setpriv as
another user) and read /proc/<pid>/status.

How the seccomp list was made: by reading the daemon's code (ev.c, conn.c,
listen.c, log.c, config.c) and by running the whole integration suite with
the daemon under `strace -f`, keeping what it calls after start-up.  A call
outside the list fails with EPERM and logs "seccomp: refused system call",
so every daemon test here also checks that no such line was logged.
"""

import glob
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time

import pytest

import conftest
from conftest import (DOCKER_SOCK, HIJACK_ALLOW, REPO, Sockward, get,
                      request)


@pytest.fixture(autouse=True)
def _default_user_switch(monkeypatch):
    """These tests exercise the switch to uid 65534 that conftest.py turns
    off for the rest of the suite."""
    monkeypatch.delenv("SOCKWARD_USER", raising=False)


pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="needs root")

NOBODY = 65534
REFUSED = "seccomp: refused system call"
SANITIZED = "sanitizer build: Landlock and seccomp skipped"


def sock_gid():
    return os.stat(DOCKER_SOCK).st_gid


def group_add_line(gid):
    return ("add group_add: ['%d'] to this service (the socket %s belongs "
            "to gid %d)" % (gid, DOCKER_SOCK, gid))


def status(pid):
    """/proc/<pid>/status as {field: [values]}."""
    out = {}
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            k, _, v = line.partition(":")
            out[k] = v.split()
    return out


def world_dir(mode=0o755, owner=None):
    """A temporary directory others can search (pytest's tmp_path is 0700,
    which uid 65534 could not enter)."""
    d = tempfile.mkdtemp(prefix="swpriv")
    os.chmod(d, mode)
    if owner is not None:
        os.chown(d, owner, owner)
    return d


@pytest.fixture
def wdir():
    d = world_dir()
    yield d
    shutil.rmtree(d, ignore_errors=True)


# --------------------------------------------------------------------------
# The harness: sandbox.c alone, no wiring in main.c needed
# --------------------------------------------------------------------------

HARNESS_C = r"""
/* Sandbox harness: sandbox_apply, then what the daemon does, then what it
 * must no longer be able to do.  One "key=value" line per check. */
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "log.h"
#include "sandbox.h"

static void
say(const char *k, int rc)
{
	if (rc == 0)
		dprintf(1, "%s=ok\n", k);
	else
		dprintf(1, "%s=%s\n", k, strerrorname_np(errno) ?
		    strerrorname_np(errno) : "?");
}

static int
unix_fd(const char *path, int do_listen)
{
	struct sockaddr_un sun;
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (fd == -1)
		return -1;
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", path);
	if (do_listen) {
		unlink(path);
		if (bind(fd, (struct sockaddr *)&sun, sizeof(sun)) == -1 ||
		    listen(fd, 8) == -1 || chmod(path, 0666) == -1)
			return -1;
	} else if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) == -1) {
		int e = errno;
		close(fd);
		errno = e;
		return -1;
	}
	return fd;
}

int
main(int argc, char **argv)
{
	struct sandbox_opts o;
	const char *paths[1];
	struct epoll_event ee;
	char	 buf[4096];
	const char *cfg = NULL, *lpath = NULL, *forbidden = "/etc/hostname";
	int	 i, lfd = -1, fd, cfd, afd, ep, rc;
	ssize_t	 n;
	void	*p;

	memset(&o, 0, sizeof(o));
	o.uid = -1;
	o.upstream = "/var/run/docker.sock";
	o.enable_seccomp = o.enable_landlock = 1;
	for (i = 1; i + 1 < argc; i += 2) {
		if (strcmp(argv[i], "--uid") == 0)
			o.uid = atol(argv[i + 1]);
		else if (strcmp(argv[i], "--upstream") == 0)
			o.upstream = argv[i + 1];
		else if (strcmp(argv[i], "--config") == 0)
			cfg = argv[i + 1];
		else if (strcmp(argv[i], "--unix") == 0)
			lpath = argv[i + 1];
		else if (strcmp(argv[i], "--forbidden") == 0)
			forbidden = argv[i + 1];
		else if (strcmp(argv[i], "--seccomp") == 0)
			o.enable_seccomp = atoi(argv[i + 1]);
		else if (strcmp(argv[i], "--landlock") == 0)
			o.enable_landlock = atoi(argv[i + 1]);
	}
	log_init(LOG_FMT_TEXT, LOG_DEBUG);
	if (lpath != NULL && (lfd = unix_fd(lpath, 1)) == -1) {
		perror("listen");
		return 2;
	}
	signal(SIGPIPE, SIG_IGN);
	ep = epoll_create1(EPOLL_CLOEXEC);	/* the daemon's is made early too */
	o.config_path = cfg;
	paths[0] = lpath;
	o.unix_paths = paths;
	o.n_unix = lpath != NULL;
	if (sandbox_apply(&o) == -1)
		return 3;
	dprintf(1, "applied=1\n");

	/* What the daemon does. */
	fd = unix_fd(o.upstream, 0);
	rc = -1;
	if (fd != -1) {
		static const char req[] = "GET /_ping HTTP/1.0\r\nHost: docker\r\n\r\n";
		if (write(fd, req, sizeof(req) - 1) == (ssize_t)sizeof(req) - 1 &&
		    (n = read(fd, buf, sizeof(buf) - 1)) > 12) {
			buf[n] = '\0';
			rc = strncmp(buf + 9, "200", 3) == 0 ? 0 : -1;
			errno = EPROTO;
		}
		close(fd);
	}
	say("upstream_ping", rc);
	if (cfg != NULL) {
		rc = -1;
		if ((fd = open(cfg, O_RDONLY | O_CLOEXEC)) != -1) {
			rc = read(fd, buf, sizeof(buf)) >= 0 ? 0 : -1;
			close(fd);
		}
		say("config_read", rc);
	}
	if (lfd != -1) {
		rc = -1;
		ee.events = EPOLLIN;
		ee.data.fd = lfd;
		if (ep != -1 && epoll_ctl(ep, EPOLL_CTL_ADD, lfd, &ee) == 0 &&
		    (cfd = unix_fd(lpath, 0)) != -1 &&
		    epoll_wait(ep, &ee, 1, 2000) == 1 &&
		    (afd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK |
		    SOCK_CLOEXEC)) != -1) {
			struct ucred cr;
			socklen_t crlen = sizeof(cr);
			rc = getsockopt(afd, SOL_SOCKET, SO_PEERCRED, &cr, &crlen);
			if (rc == 0)
				rc = write(cfd, "x", 1) == 1 &&
				    read(afd, buf, 1) == 1 ? 0 : -1;
			shutdown(afd, SHUT_WR);
			close(afd);
			close(cfd);
		}
		say("accept", rc);
	}
	p = malloc(4 << 20);		/* mmap'd by malloc */
	say("malloc_big", p == NULL ? -1 : 0);
	free(p);
	log_msg(LOG_INFO, "harness: logging still works");

	/* What it must not do any more. */
	say("setresuid_root", setresuid(0, 0, 0));
	say("open_forbidden", (fd = open(forbidden, O_RDONLY)) == -1 ? -1 :
	    close(fd));
	if (cfg != NULL)
		say("open_config_write", (fd = open(cfg, O_WRONLY)) == -1 ? -1 :
		    close(fd));
	say("socket_inet", (fd = socket(AF_INET, SOCK_STREAM, 0)) == -1 ? -1 :
	    close(fd));
	say("socket_unix_dgram", (fd = socket(AF_UNIX, SOCK_DGRAM, 0)) == -1 ?
	    -1 : close(fd));
	p = mmap(NULL, 4096, PROT_READ | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS,
	    -1, 0);
	say("mmap_exec", p == MAP_FAILED ? -1 : 0);
	say("kill_init", kill(1, 0));
	{
		struct rlimit rl;
		/* getrlimit is prlimit64(0, r, NULL, &old): allowed; a new
		 * limit, another pid, or a pointer with only its high word
		 * set (it once passed a low-word check) is not. */
		say("getrlimit", getrlimit(RLIMIT_NOFILE, &rl));
		say("prlimit_set", (int)syscall(SYS_prlimit64, 0, RLIMIT_NOFILE,
		    &rl, NULL));
		say("prlimit_pid", (int)syscall(SYS_prlimit64, getpid(),
		    RLIMIT_NOFILE, NULL, &rl));
		say("prlimit_high_ptr", (int)syscall(SYS_prlimit64, 0,
		    RLIMIT_NOFILE, (void *)0x100000000UL, &rl));
	}
	{
		char *const av[] = { "/bin/true", NULL };
		say("execve", execve("/bin/true", av, NULL));
	}
	if (lpath != NULL)
		say("unlink_listener", unlink(lpath));
	return 0;
}
"""


@pytest.fixture(scope="module")
def harness(tmp_path_factory):
    cc = shutil.which("cc") or shutil.which("gcc")
    if cc is None:
        pytest.skip("no C compiler")
    d = tmp_path_factory.mktemp("harness")
    src = d / "harness.c"
    src.write_text(HARNESS_C)
    exe = world_dir()
    binary = os.path.join(exe, "harness")
    subprocess.run([cc, "-std=c11", "-D_GNU_SOURCE", "-O2", "-Wall",
                    "-I" + os.path.join(REPO, "src", "core"),
                    "-I" + os.path.join(REPO, "src", "daemon"),
                    "-o", binary, str(src),
                    os.path.join(REPO, "src", "daemon", "sandbox.c"),
                    os.path.join(REPO, "src", "daemon", "log.c")] +
                   # sandbox.c reads a tls:// upstream with settings.c,
                   # which brings the pure core along.
                   sorted(glob.glob(os.path.join(REPO, "src", "core",
                                                 "*.c"))),
                   check=True, capture_output=True)
    yield binary
    shutil.rmtree(exe, ignore_errors=True)


def run_harness(binary, *args, prefix=(), timeout=20):
    """Run the harness; returns (exit status, {check: result}, stderr)."""
    r = subprocess.run(list(prefix) + [binary] + list(args),
                       capture_output=True, timeout=timeout)
    res = {}
    for line in r.stdout.decode().splitlines():
        k, _, v = line.partition("=")
        res[k] = v
    return r.returncode, res, r.stderr.decode("utf-8", "replace")


def landlock_abi():
    """The kernel's Landlock ABI, or 0."""
    import ctypes
    libc = ctypes.CDLL(None, use_errno=True)
    nr = {"x86_64": 444, "aarch64": 444}.get(os.uname().machine)
    if nr is None:
        return 0
    v = libc.syscall(nr, None, ctypes.c_size_t(0), ctypes.c_uint32(1))
    return max(v, 0)


@pytest.fixture
def hdir():
    """Config file (0644) and a unix listener in a directory uid 65534 may
    write, so the listener can be removed after the switch."""
    d = world_dir(0o777)
    cfg = os.path.join(d, "sockward.conf")
    with open(cfg, "w") as f:
        f.write("log-level info\n")
    os.chmod(cfg, 0o644)
    yield d, cfg, os.path.join(d, "l.sock")
    shutil.rmtree(d, ignore_errors=True)


def test_harness_root_switches_and_confines(harness, hdir):
    d, cfg, lsock = hdir
    rc, res, err = run_harness(harness, "--config", cfg, "--unix", lsock)
    assert rc == 0, err
    gid = sock_gid()
    assert ("privileges: switched to uid %d gid %d (groups %d" %
            (NOBODY, gid, gid)) in err, err
    assert "no_new_privs: set" in err, err
    # what the daemon does still works...
    assert res["upstream_ping"] == "ok", (res, err)
    assert res["config_read"] == "ok", (res, err)
    assert res["accept"] == "ok", (res, err)
    assert res["malloc_big"] == "ok", (res, err)
    assert res["unlink_listener"] == "ok", (res, err)
    assert not os.path.exists(lsock)
    # ... and none of it needed a call outside the list
    assert REFUSED not in err.split("harness: logging still works")[0], err
    # root is gone for good
    assert res["setresuid_root"] == "EPERM", res
    # seccomp: the argument checks and the default
    assert "seccomp: allowlist of" in err, err
    assert res["socket_inet"] == "EPERM", res
    assert res["socket_unix_dgram"] == "EPERM", res
    assert res["open_config_write"] == "EPERM", res
    assert res["mmap_exec"] == "EPERM", res
    assert res["execve"] == "EPERM", res
    assert res["kill_init"] == "EPERM", res
    assert res["getrlimit"] == "ok", res
    assert res["prlimit_set"] == "EPERM", res
    assert res["prlimit_pid"] == "EPERM", res
    # before the fix the filter passed it and the kernel said EFAULT
    assert res["prlimit_high_ptr"] == "EPERM", res
    assert REFUSED in err, err        # the refusals above were logged
    if landlock_abi() > 0:
        assert "landlock: ABI" in err, err
        assert res["open_forbidden"] == "EACCES", res   # /etc/hostname


def test_harness_landlock_does_not_govern_unix_connect(harness, hdir):
    """With Landlock alone: nothing outside the config's directory can be
    opened, yet the Docker socket (a pathname unix socket, in no rule)
    still connects: connect(2) is not a filesystem right on ABI <= 7."""
    if landlock_abi() == 0:
        pytest.skip("kernel without Landlock")
    d, cfg, lsock = hdir
    rc, res, err = run_harness(harness, "--seccomp", "0", "--config", cfg,
                               "--unix", lsock)
    assert rc == 0, err
    assert "landlock: ABI" in err and "seccomp: disabled" in err, err
    assert res["open_forbidden"] == "EACCES", res
    assert res["open_config_write"] == "EACCES", res     # read-only rule
    assert res["execve"] == "EACCES", res                # no EXECUTE rule
    assert res["upstream_ping"] == "ok", (res, err)
    assert res["config_read"] == "ok", (res, err)
    assert res["socket_inet"] == "ok", res   # seccomp's job, not Landlock's


def test_harness_without_capabilities_stays_root_and_says_so(harness, hdir):
    """cap_drop: [ALL]: uid 0 without CAP_SETUID cannot switch; one line,
    then the rest of the sandbox still applies."""
    d, cfg, lsock = hdir
    rc, res, err = run_harness(harness, "--config", cfg, prefix=[
        "setpriv", "--bounding-set=-all", "--inh-caps=-all", "--"])
    assert rc == 0, err
    assert ("running as uid 0 without capabilities; cannot switch user - "
            "run with user: %d and group_add: ['%d']" % (NOBODY, sock_gid())
            ) in err, err
    assert "no_new_privs: set" in err and "seccomp: allowlist" in err, err
    assert res["upstream_ping"] == "ok", (res, err)
    # set*id calls are outside the allowlist, even the no-op ones
    assert res["setresuid_root"] == "EPERM", res


def test_harness_failed_switch_is_fatal(harness, hdir):
    """Root in a user namespace where setgroups(2) is denied: the switch
    cannot be completed, so sandbox_apply refuses to go on."""
    if shutil.which("unshare") is None:
        pytest.skip("no unshare")
    d, cfg, lsock = hdir
    rc, res, err = run_harness(harness, prefix=["unshare", "-U", "-r", "--"])
    if "unshare failed" in err or "unshare:" in err:
        pytest.skip("user namespaces unavailable: " + err)
    assert rc == 3, (rc, res, err)
    assert "applied" not in res
    assert "privileges: setgroups(" in err, err


# --------------------------------------------------------------------------
# The daemon (needs sandbox_apply wired into main.c and --user)
# --------------------------------------------------------------------------

def sandboxed(sw):
    """False for sanitizer builds, which skip Landlock and seccomp."""
    return SANITIZED not in sw.log()


def assert_confined(sw, uid, gid):
    st = status(sw.proc.pid)
    assert st["Uid"] == [str(uid)] * 4, (st["Uid"], sw.log())
    assert st["Gid"] == [str(gid)] * 4, (st["Gid"], sw.log())
    assert st["Groups"] == [str(gid)], (st["Groups"], sw.log())
    assert st["NoNewPrivs"] == ["1"], sw.log()
    assert st["CapEff"] == ["0000000000000000"], st["CapEff"]
    assert st["CapPrm"] == ["0000000000000000"], st["CapPrm"]
    if sandboxed(sw):
        assert st["Seccomp"] == ["2"], sw.log()


def cli(sw, tmp_path, *args, timeout=20):
    env = {k: v for k, v in os.environ.items() if not k.startswith("DOCKER_")}
    env["DOCKER_HOST"] = sw.url
    env["DOCKER_CONFIG"] = str(tmp_path / "dockercfg")
    os.makedirs(env["DOCKER_CONFIG"], exist_ok=True)
    return subprocess.run(["docker"] + list(args), env=env,
                          capture_output=True, timeout=timeout)


def launched_as(monkeypatch, prefix):
    """Make conftest.Sockward start sockward through prefix (setpriv ...),
    from a copy of the binary that any uid may execute; exec keeps the
    pid, so /proc/<pid> is sockward's."""
    d = world_dir()
    binary = os.path.join(d, "sockward")
    shutil.copy(conftest.SOCKWARD_BIN, binary)
    os.chmod(binary, 0o755)
    wrapper = os.path.join(d, "launch")
    with open(wrapper, "w") as f:
        f.write("#!/bin/sh\nexec %s %s \"$@\"\n" % (" ".join(prefix), binary))
    os.chmod(wrapper, 0o755)
    monkeypatch.setattr(conftest, "SOCKWARD_BIN", wrapper)
    return d


class RawSockward(Sockward):
    """conftest.Sockward with an exact argv (it would add --listen, which a
    config file forbids)."""

    def __init__(self, argv, tmpdir, port):
        self.port = port
        self.unix_path = None
        self.argv = argv
        self.expect_exit = False
        self.stderr_path = os.path.join(tmpdir, "sockward.stderr")
        self._err = open(self.stderr_path, "wb")
        self.proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL,
                                     stdout=self._err, stderr=self._err)
        try:
            self._wait_ready()
        except AssertionError:
            self.stop()
            raise


def test_root_default_switches_to_nobody_with_socket_group(sockward, tmp_path,
                                                           running_container):
    sw = sockward(*HIJACK_ALLOW)
    gid = sock_gid()
    assert_confined(sw, NOBODY, gid)
    log = sw.log()
    assert "privileges: switched to uid %d gid %d" % (NOBODY, gid) in log, log
    if sandboxed(sw):
        assert "seccomp: allowlist of" in log, log
        if landlock_abi() > 0:
            assert "landlock: ABI" in log, log
    # the docker CLI still works through it
    r = cli(sw, tmp_path, "version", "--format", "{{.Server.APIVersion}}")
    assert r.returncode == 0 and r.stdout.strip(), (r, sw.log())
    r = cli(sw, tmp_path, "ps", "--no-trunc", "--format", "{{.ID}}")
    assert r.returncode == 0, (r, sw.log())
    assert running_container.id.encode() in r.stdout.split(), r
    # exec (a hijacked connection) through the --allow rules
    r = cli(sw, tmp_path, "exec", running_container.id, "/testbox", "echo",
            "dropped")
    assert r.returncode == 0 and r.stdout == b"dropped\n", (r, sw.log())
    # a denied call is still a 403, not an error
    assert sw.get("/images/json").status == 403
    assert REFUSED not in sw.log(), sw.log()


def test_events_stream_after_drop(sockward, container_factory):
    sw = sockward()
    c = sw.conn(timeout=10)
    c.send(get("/events?filters=%7B%22type%22%3A%5B%22container%22%5D%7D"))
    assert c.read_head().status == 200
    ct = container_factory(start=False)
    deadline = time.time() + 10
    seen = b""
    while ct.id.encode() not in seen and time.time() < deadline:
        seen += c.read_chunk()
    assert ct.id.encode() in seen, seen
    c.close()
    assert_confined(sw, NOBODY, sock_gid())
    assert REFUSED not in sw.log(), sw.log()


def test_sighup_reload_after_drop(wdir):
    """The config file (0644 in a searchable directory) stays readable by
    uid 65534 and by Landlock's rule, so SIGHUP still reloads it."""
    port = conftest.free_port()
    conf = os.path.join(wdir, "sockward.conf")
    base = ('listener "t" {\n\tlisten "tcp://127.0.0.1:%d"\n'
            '\tprofile traefik\n%s}\n')
    with open(conf, "w") as f:
        f.write(base % (port, ""))
    os.chmod(conf, 0o644)
    sw = RawSockward([conftest.SOCKWARD_BIN, "--config", conf], wdir, port)
    try:
        assert_confined(sw, NOBODY, sock_gid())
        addr = ("127.0.0.1", port)
        assert request(addr, get("/info")).status == 403
        # replaced, not rewritten: a new inode, as editors and ConfigMaps do
        tmp = conf + ".new"
        with open(tmp, "w") as f:
            f.write(base % (port, "\tallow GET /info\n"))
        os.chmod(tmp, 0o644)
        os.rename(tmp, conf)
        sw.proc.send_signal(signal.SIGHUP)
        assert sw.wait_log("reloaded %s" % conf), sw.log()
        assert request(addr, get("/info")).status == 200
    finally:
        sw.stop()
    assert REFUSED not in sw.log(), sw.log()


def test_user_flag_is_honoured(sockward):
    sw = sockward("--user", "12345")
    assert_confined(sw, 12345, sock_gid())
    assert sw.get("/_ping").status == 200
    assert REFUSED not in sw.log(), sw.log()


def test_user_must_be_numeric():
    r = subprocess.run([conftest.SOCKWARD_BIN, "--user", "nobody"],
                       capture_output=True, timeout=10)
    assert r.returncode == 2, r
    assert b"numeric uid" in r.stderr, r


def test_user_from_environment(sockward, monkeypatch):
    monkeypatch.setenv("SOCKWARD_USER", "23456")
    sw = sockward()
    assert_confined(sw, 23456, sock_gid())
    assert sw.get("/_ping").status == 200


def test_unprivileged_without_socket_group_says_which_group_add(
        sockward, monkeypatch):
    d = launched_as(monkeypatch, ["setpriv", "--reuid", str(NOBODY),
                                  "--regid", str(NOBODY), "--clear-groups",
                                  "--"])
    try:
        sw = sockward()
        gid = sock_gid()
        assert sw.wait_log(group_add_line(gid)), sw.log()
        r = sw.get("/_ping")
        assert r.status == 502, r
        st = status(sw.proc.pid)
        assert st["Uid"] == [str(NOBODY)] * 4 and st["Groups"] == [], st
        assert st["NoNewPrivs"] == ["1"], sw.log()
        if sandboxed(sw):
            assert st["Seccomp"] == ["2"], sw.log()
        assert REFUSED not in sw.log(), sw.log()
    finally:
        shutil.rmtree(d, ignore_errors=True)


def test_unprivileged_with_socket_group_works(sockward, monkeypatch, tmp_path):
    gid = sock_gid()
    d = launched_as(monkeypatch, ["setpriv", "--reuid", str(NOBODY),
                                  "--regid", str(NOBODY), "--groups",
                                  str(gid), "--"])
    try:
        sw = sockward()
        assert sw.get("/_ping").status == 200
        r = cli(sw, tmp_path, "ps", "--format", "{{.ID}}")
        assert r.returncode == 0, (r, sw.log())
        log = sw.log()
        assert "group_add" not in log, log
        assert "started unprivileged as uid %d" % NOBODY in log, log
        st = status(sw.proc.pid)
        assert st["Uid"] == [str(NOBODY)] * 4, st
        assert st["Groups"] == [str(gid)], st
        assert st["NoNewPrivs"] == ["1"], log
        assert REFUSED not in log, log
    finally:
        shutil.rmtree(d, ignore_errors=True)


def test_root_without_capabilities_says_so_and_works(sockward, monkeypatch):
    """compose cap_drop: [ALL] as root."""
    d = launched_as(monkeypatch, ["setpriv", "--bounding-set=-all",
                                  "--inh-caps=-all", "--"])
    try:
        sw = sockward()
        log = sw.log()
        assert ("running as uid 0 without capabilities; cannot switch user "
                "- run with user: %d and group_add: ['%d']" %
                (NOBODY, sock_gid())) in log, log
        assert sw.get("/_ping").status == 200
        st = status(sw.proc.pid)
        assert st["Uid"] == ["0"] * 4 and st["CapEff"] == ["0" * 16], st
        assert st["NoNewPrivs"] == ["1"], log
        if sandboxed(sw):
            assert st["Seccomp"] == ["2"], log
    finally:
        shutil.rmtree(d, ignore_errors=True)


def test_switch_failing_half_way_is_fatal(tmp_path):
    """Root in a user namespace that denies setgroups(2): sockward must
    exit rather than run half-switched."""
    if shutil.which("unshare") is None:
        pytest.skip("no unshare")
    r = subprocess.run(["unshare", "-U", "-r", "--", conftest.SOCKWARD_BIN,
                        "--listen", "tcp://127.0.0.1:%d" % conftest.free_port()],
                       capture_output=True, timeout=10)
    if r.returncode != 0 and b"unshare:" in r.stderr:
        pytest.skip("user namespaces unavailable: %r" % r.stderr)
    assert r.returncode == 1, r
    assert b"privileges: setgroups(" in r.stderr, r
    assert b"forwarding allowed requests" not in r.stderr, r


def test_unix_listener_removed_at_exit_after_drop(sockward):
    """Landlock's REMOVE_FILE rule on the listener's directory (owned by
    the target uid here, so DAC allows it) lets the exit unlink work."""
    d = world_dir(0o755, owner=NOBODY)
    try:
        path = os.path.join(d, "sockward.sock")
        sw = sockward(listen="unix://" + path)
        assert sw.get("/_ping").status == 200
        assert_confined(sw, NOBODY, sock_gid())
        sw.stop()
        assert not os.path.exists(path), sw.log()
        assert REFUSED not in sw.log(), sw.log()
    finally:
        shutil.rmtree(d, ignore_errors=True)
