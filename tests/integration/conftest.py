"""Shared fixtures and helpers for sockward's integration tests.

The tests run the built binary ($SOCKWARD_BIN, default ./sockward) against
the real dockerd at /var/run/docker.sock, or against a small recording
upstream (RecordingUpstream) when a test must see exactly what reached the
upstream.  Every container the tests create carries the label
sockward-test=1 and is force-removed at the end of the session.
"""

import json
import os
import shutil
import signal
import socket
import ssl
import subprocess
import tempfile
import threading
import time
import uuid

# Started as root, sockward switches to uid 65534 with the Docker socket's
# group.  Most tests give it fake upstreams and config files inside
# pytest's private (0700) temp dirs, which that uid cannot reach, so they
# run it with SOCKWARD_USER=0 (no switch; seccomp and Landlock still on).
# test_privileges.py, test_tecnativa.py and test_image.py clear it and
# exercise the switch itself.
os.environ.setdefault("SOCKWARD_USER", "0")

import docker
import pytest

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
FIXTURES = os.path.join(REPO, "tests", "fixtures")
SOCKWARD_BIN = os.environ.get("SOCKWARD_BIN", os.path.join(REPO, "sockward"))
DOCKER_SOCK = "/var/run/docker.sock"
TEST_IMAGE = "sockward-testbox:test"
TEST_LABEL = "sockward-test"
# Names of networks/volumes tests try (and must fail) to create.
TEST_NAME_PREFIX = "sockward-test-"

# Rules that let exec and attach through, on top of the traefik profile.
HIJACK_ALLOW = [
    "--allow", "POST /containers/{id}/exec",
    "--allow", "POST /exec/{id}/start",
    "--allow", "GET /exec/{id}/json",
    "--allow", "POST /exec/{id}/resize",
    "--allow", "POST /containers/{id}/attach",
    "--allow", "POST /containers/{id}/wait",
]


# --------------------------------------------------------------------------
# Raw HTTP over sockets
# --------------------------------------------------------------------------

class Response:
    def __init__(self, status, reason, version, headers, raw_head):
        self.status = status
        self.reason = reason
        self.version = version
        self.headers = headers          # list of (name, value)
        self.raw_head = raw_head
        self.body = b""

    def header(self, name, default=None):
        name = name.lower()
        for k, v in self.headers:
            if k.lower() == name:
                return v
        return default

    def header_all(self, name):
        name = name.lower()
        return [v for k, v in self.headers if k.lower() == name]

    def json(self):
        return json.loads(self.body.decode())

    def __repr__(self):
        return "<Response %d %r head=%r body=%r>" % (
            self.status, self.reason, self.raw_head[:300], self.body[:300])


class Conn:
    """One client connection that sends exact bytes and parses responses."""

    def __init__(self, addr, timeout=5.0):
        if isinstance(addr, str):
            self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        elif ":" in addr[0]:
            self.sock = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
        else:
            self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.settimeout(timeout)
        self.sock.connect(addr)
        self.timeout = timeout
        self.buf = b""

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass

    def send(self, data):
        self.sock.sendall(data)

    def _fill(self):
        d = self.sock.recv(65536)
        if not d:
            raise EOFError("connection closed by peer; buffered %r" % self.buf[:500])
        self.buf += d

    def read_head(self):
        while b"\r\n\r\n" not in self.buf:
            if len(self.buf) > 65536:
                raise AssertionError("response head too long: %r" % self.buf[:500])
            self._fill()
        head, self.buf = self.buf.split(b"\r\n\r\n", 1)
        lines = head.split(b"\r\n")
        parts = lines[0].decode("latin-1").split(" ", 2)
        assert parts[0].startswith("HTTP/1."), "bad status line %r" % lines[0]
        status = int(parts[1])
        reason = parts[2] if len(parts) > 2 else ""
        headers = []
        for ln in lines[1:]:
            k, _, v = ln.decode("latin-1").partition(":")
            headers.append((k.strip(), v.strip()))
        return Response(status, reason, parts[0], headers, head + b"\r\n\r\n")

    def read_exact(self, n):
        while len(self.buf) < n:
            self._fill()
        out, self.buf = self.buf[:n], self.buf[n:]
        return out

    def read_line(self):
        while b"\r\n" not in self.buf:
            self._fill()
        line, self.buf = self.buf.split(b"\r\n", 1)
        return line

    def read_chunk(self):
        """Read one chunk of a chunked body; b"" for the last chunk."""
        size = int(self.read_line().split(b";")[0], 16)
        if size == 0:
            while self.read_line() != b"":
                pass
            return b""
        data = self.read_exact(size)
        assert self.read_exact(2) == b"\r\n"
        return data

    def read_until_eof(self, timeout=None):
        if timeout is not None:
            self.sock.settimeout(timeout)
        try:
            while True:
                try:
                    self._fill()
                except EOFError:
                    break
                except ConnectionResetError:
                    break
        finally:
            self.sock.settimeout(self.timeout)
        out, self.buf = self.buf, b""
        return out

    def read_response(self, method="GET"):
        """Read one whole response (head and framed body)."""
        r = self.read_head()
        if method == "HEAD" or r.status in (204, 304) or 100 <= r.status < 200:
            return r
        te = (r.header("Transfer-Encoding") or "").lower()
        cl = r.header("Content-Length")
        if "chunked" in te:
            body = b""
            while True:
                c = self.read_chunk()
                if not c:
                    break
                body += c
            r.body = body
        elif cl is not None:
            r.body = self.read_exact(int(cl))
        else:
            r.body = self.read_until_eof()
        return r

    def is_closed(self, timeout=2.0):
        """True when the peer closes (EOF or reset) within timeout with no
        further data; False on timeout.  Unexpected data raises."""
        if self.buf:
            raise AssertionError("unexpected extra bytes: %r" % self.buf[:300])
        self.sock.settimeout(timeout)
        try:
            d = self.sock.recv(65536)
        except socket.timeout:
            return False
        except (ConnectionResetError, BrokenPipeError):
            return True
        finally:
            self.sock.settimeout(self.timeout)
        if d:
            raise AssertionError("unexpected extra bytes: %r" % d[:300])
        return True

    def assert_open(self, wait=0.3):
        assert not self.is_closed(wait), "connection was closed but should stay open"


class TLSConn(Conn):
    """A Conn over TLS: ctx is a client ssl.SSLContext (client_context());
    the handshake is complete when the constructor returns, and raises
    ssl.SSLError or OSError when it fails."""

    def __init__(self, addr, ctx, timeout=5.0, server_hostname="127.0.0.1"):
        raw = socket.create_connection(addr, timeout)
        # As Go clients do: with Nagle, the request written after the
        # client's last handshake flight (TLS 1.3) waits ~40 ms for the
        # delayed ACK of that flight.
        raw.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        try:
            self.sock = ctx.wrap_socket(raw, server_hostname=server_hostname)
        except BaseException:
            raw.close()
            raise
        self.timeout = timeout
        self.buf = b""


def client_context(ca=None, cert=None, key=None, minimum=None, maximum=None):
    """An ssl.SSLContext for a TLS client of sockward: verifies the server
    against ca (a PEM path; None: no verification) and presents cert/key
    (PEM paths) when given.  A peer that closes without close_notify reads
    as an ordinary EOF, as Conn expects."""
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    if ca is None:
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
    else:
        ctx.load_verify_locations(ca)
    if cert is not None:
        ctx.load_cert_chain(cert, key)
    if minimum is not None:
        ctx.minimum_version = minimum
    if maximum is not None:
        ctx.maximum_version = maximum
    ctx.options |= getattr(ssl, "OP_IGNORE_UNEXPECTED_EOF", 0)
    return ctx


def request(addr, data, method="GET", timeout=5.0):
    """Send data on a fresh connection and return the first response."""
    with Conn(addr, timeout) as c:
        c.send(data)
        return c.read_response(method)


def get(path, host="docker", extra=b"", method="GET", version=b"HTTP/1.1"):
    """Bytes of a simple request without a body."""
    if isinstance(path, str):
        path = path.encode()
    return (method.encode() + b" " + path + b" " + version + b"\r\nHost: " +
            host.encode() + b"\r\n" + extra + b"\r\n")


def demux(raw):
    """Split dockerd's multiplexed stream into (stdout, stderr)."""
    out = {1: b"", 2: b""}
    i = 0
    while i + 8 <= len(raw):
        kind = raw[i]
        n = int.from_bytes(raw[i + 4:i + 8], "big")
        out.setdefault(kind, b"")
        out[kind] += raw[i + 8:i + 8 + n]
        i += 8 + n
    assert i == len(raw), "truncated multiplexed stream: %r" % raw
    return out[1], out[2]


def assert_sockward_error(resp, status):
    assert resp.status == status, resp
    assert (resp.header("Content-Type") or "").startswith("application/json"), resp
    msg = resp.json()["message"]
    assert msg.startswith("sockward: "), msg
    return msg


def deny_message(method, path, profile="traefik"):
    return "sockward: %s %s is not allowed (policy %s)" % (method, path, profile)


def assert_denied(resp, method, path, profile="traefik"):
    msg = assert_sockward_error(resp, 403)
    assert msg == deny_message(method, path, profile), msg


# --------------------------------------------------------------------------
# The sockward process
# --------------------------------------------------------------------------

def proc_value(pid, name, key):
    """The number after "key:" in /proc/pid/name (status, io, ...)."""
    with open("/proc/%d/%s" % (pid, name)) as f:
        for ln in f:
            if ln.startswith(key + ":"):
                return int(ln.split()[1])
    raise AssertionError("no %s in /proc/%d/%s" % (key, pid, name))


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


class LogWaiter:
    """wait_log for an object with a log() method: poll until needle appears
    in the log or timeout seconds (default wait_timeout) pass."""
    wait_timeout = 3.0

    def wait_log(self, needle, timeout=None):
        deadline = time.time() + (self.wait_timeout if timeout is None
                                  else timeout)
        while time.time() < deadline:
            if needle in self.log():
                return True
            time.sleep(0.05)
        return False


class Sockward(LogWaiter):
    # A tls:// listener: readiness is read from the log (a probing connect
    # would be a failed handshake in it), and conn() speaks TLS with
    # client_ssl (a client_context()).
    tls = False
    client_ssl = None

    def __init__(self, args, tmpdir, listen=None, upstream=None, prefix=(),
                 client_ssl=None, add_listen=True, env=None):
        """prefix: argv words before the binary (nsenter into a namespace),
        which must exec it, so that the process started is sockward itself.
        add_listen=False: args is the whole command line after the binary
        (a config file names the addresses); listen still tells where it
        listens.  env: variables set for sockward on top of the test's
        environment."""
        if not os.path.exists(SOCKWARD_BIN):
            raise AssertionError("sockward binary %s does not exist (run make)" % SOCKWARD_BIN)
        self.port = None
        self.unix_path = None
        self.client_ssl = client_ssl
        argv = list(prefix) + [SOCKWARD_BIN]
        if listen is None:
            self.port = free_port()
            listen = "tcp://127.0.0.1:%d" % self.port
        elif listen.startswith("unix://"):
            self.unix_path = listen[len("unix://"):]
        elif listen.startswith(("tcp://", "tls://")):
            self.port = int(listen.rsplit(":", 1)[1])
            self.tls = listen.startswith("tls://")
        if add_listen:
            argv += ["--listen", listen]
        if upstream is not None:
            argv += ["--upstream", upstream]
        argv += list(args)
        self.argv = argv
        self.expect_exit = False
        self.stderr_path = os.path.join(tmpdir, "sockward-%s.stderr" % uuid.uuid4().hex[:8])
        self._err = open(self.stderr_path, "wb")
        penv = None
        if env:
            penv = dict(os.environ)
            penv.update(env)
        self.proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, env=penv,
                                     stdout=self._err, stderr=self._err)
        self._wait_ready()

    @property
    def addr(self):
        if self.unix_path:
            return self.unix_path
        return ("127.0.0.1", self.port)

    @property
    def url(self):
        if self.unix_path:
            return "unix://" + self.unix_path
        return "tcp://127.0.0.1:%d" % self.port

    def _wait_ready(self):
        deadline = time.time() + 5
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise AssertionError("sockward exited with %s at start-up: %s\nlog:\n%s" % (
                    self.proc.returncode, self.argv, self.log()))
            if self.tls:
                # Logged once the sockets listen and privileges are
                # dropped, just before the event loop.
                if "forwarding allowed requests to" in self.log():
                    return
                time.sleep(0.02)
                continue
            try:
                if self.unix_path:
                    s = socket.socket(socket.AF_UNIX)
                    s.settimeout(1)
                    s.connect(self.unix_path)
                else:
                    s = socket.create_connection(("127.0.0.1", self.port), timeout=1)
                s.close()
                return
            except OSError:
                time.sleep(0.02)
        self.stop()
        raise AssertionError("sockward did not start listening: %s\nlog:\n%s" % (self.argv, self.log()))

    def conn(self, timeout=5.0, ctx=None):
        """A connection (TLS with ctx, else client_ssl, on a tls://
        listener)."""
        if self.tls:
            ctx = ctx or self.client_ssl
            if ctx is None:
                raise AssertionError("a tls:// sockward needs a client context")
            return TLSConn(self.addr, ctx, timeout)
        return Conn(self.addr, timeout)

    def request(self, data, method="GET", timeout=5.0):
        with self.conn(timeout) as c:
            c.send(data)
            return c.read_response(method)

    def get(self, path, method="GET", **kw):
        return self.request(get(path, method=method, **kw), method=method)

    def log_bytes(self):
        with open(self.stderr_path, "rb") as f:
            return f.read()

    def log(self):
        return self.log_bytes().decode("utf-8", "replace")

    def alive(self):
        return self.proc.poll() is None

    def stop(self):
        """Stop sockward; raise if it had died on its own with a failure
        (a crash or a signal), so no test passes over a crashed daemon."""
        died = self.proc.poll()
        if died is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(3)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(3)
        if not self._err.closed:
            self._err.close()
        log = self.log()
        for marker in ("ERROR: AddressSanitizer", "ERROR: LeakSanitizer", "runtime error:"):
            if marker in log:
                raise AssertionError("sanitizer report in sockward's log:\n%s" % log[-6000:])
        if died is not None and died != 0 and not self.expect_exit:
            raise AssertionError("sockward died during the test with status %s\nlog tail:\n%s"
                                 % (died, self.log()[-3000:]))

    def fd_count(self):
        return len(os.listdir("/proc/%d/fd" % self.proc.pid))


@pytest.fixture
def sockward(tmp_path):
    """Factory: sockward(*args, listen=None, upstream=None, **kw) -> Sockward
    (kw: Sockward's prefix, client_ssl, add_listen, env)."""
    started = []

    def start(*args, listen=None, upstream=None, **kw):
        sw = Sockward(args, str(tmp_path), listen=listen, upstream=upstream, **kw)
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


@pytest.fixture(scope="module")
def proxy(tmp_path_factory):
    """A sockward with the default (traefik) profile on real dockerd."""
    sw = Sockward([], str(tmp_path_factory.mktemp("sw")))
    yield sw
    sw.stop()


# --------------------------------------------------------------------------
# A recording upstream
# --------------------------------------------------------------------------

class UnixServer:
    """A threaded unix-socket server for the fake upstreams: a subclass sets
    its own attributes, then calls UnixServer.__init__, and defines
    _handle(conn), run in a thread per accepted connection."""

    def __init__(self, path, backlog=64, mode=None):
        self.path = path
        self.conns = []
        if os.path.exists(path):
            os.unlink(path)
        self.srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.srv.bind(path)
        if mode is not None:
            os.chmod(path, mode)
        self.srv.listen(backlog)
        self.srv.settimeout(0.2)
        self.running = True
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self):
        while self.running:
            try:
                c, _ = self.srv.accept()
            except socket.timeout:
                continue
            except OSError:
                return
            self.conns.append(c)
            threading.Thread(target=self._handle, args=(c,), daemon=True).start()

    def _handle(self, c):
        raise NotImplementedError

    def close(self, close_conns=False):
        self.running = False
        self.srv.close()
        if close_conns:
            for c in self.conns:
                try:
                    c.close()
                except OSError:
                    pass
        try:
            os.unlink(self.path)
        except OSError:
            pass


class RecordingUpstream(UnixServer):
    """Unix-socket HTTP server that records every byte received and answers
    each request head (plus Content-Length body) with an empty 200."""

    RESPONSE = b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"

    def __init__(self, path):
        self.path = path
        # respond(sock, head) may replace the fixed answer; returning
        # "close" closes the upstream connection.
        self.respond = None
        self.lock = threading.Lock()
        self.chunks = []          # raw bytes received, per connection
        self.requests = []        # raw request heads (with body) parsed
        UnixServer.__init__(self, path)

    def _handle(self, c):
        c.settimeout(30)
        buf = b""
        try:
            while True:
                d = c.recv(65536)
                if not d:
                    return
                with self.lock:
                    self.chunks.append(d)
                buf += d
                while b"\r\n\r\n" in buf:
                    head, rest = buf.split(b"\r\n\r\n", 1)
                    n = 0
                    for ln in head.split(b"\r\n")[1:]:
                        k, _, v = ln.partition(b":")
                        if k.strip().lower() == b"content-length":
                            n = int(v.strip())
                    if len(rest) < n:
                        break
                    with self.lock:
                        self.requests.append(head + b"\r\n\r\n" + rest[:n])
                    buf = rest[n:]
                    if self.respond is None:
                        c.sendall(self.RESPONSE)
                    elif self.respond(c, head) == "close":
                        return
        except OSError:
            pass
        finally:
            c.close()

    def received(self):
        with self.lock:
            return b"".join(self.chunks)

    def reset(self):
        with self.lock:
            self.chunks = []
            self.requests = []


@pytest.fixture
def recorder():
    d = tempfile.mkdtemp(prefix="swrec")
    up = RecordingUpstream(os.path.join(d, "up.sock"))
    yield up
    up.close()
    shutil.rmtree(d, ignore_errors=True)


# --------------------------------------------------------------------------
# Docker: direct client, test image, containers
# --------------------------------------------------------------------------

@pytest.fixture(scope="session")
def dclient():
    c = docker.DockerClient(base_url="unix://" + DOCKER_SOCK, version="1.41", timeout=30)
    yield c
    _cleanup(c)
    c.close()


# Containers of this run carry RUN_LABEL=RUN_ID too, so the finalizer of a
# concurrent run (another checkout) does not remove them under our feet.
RUN_LABEL = "sockward-test-run"
RUN_ID = uuid.uuid4().hex
SESSION_START = time.time()


def _ours_or_stale(ct):
    labels = ct.labels or {}
    if labels.get(RUN_LABEL) in (None, RUN_ID):
        return True
    created = ct.attrs.get("Created", "")
    try:
        # "2026-11-28T18:20:01.123456789Z": leftovers from before this run
        ts = time.mktime(time.strptime(created[:19], "%Y-%m-%dT%H:%M:%S")) - time.timezone
    except ValueError:
        return True
    return ts < SESSION_START - 600


def _cleanup(c):
    for ct in c.containers.list(all=True, filters={"label": TEST_LABEL + "=1"}):
        if not _ours_or_stale(ct):
            continue
        try:
            ct.remove(force=True)
        except docker.errors.APIError:
            pass
    for n in c.networks.list():
        if n.name.startswith(TEST_NAME_PREFIX):
            try:
                n.remove()
            except docker.errors.APIError:
                pass
    for v in c.volumes.list():
        if v.name.startswith(TEST_NAME_PREFIX):
            try:
                v.remove(force=True)
            except docker.errors.APIError:
                pass


@pytest.fixture(scope="session")
def testbox_image(dclient, tmp_path_factory):
    """Build tests/fixtures/testbox.c statically and the FROM-scratch image."""
    d = tmp_path_factory.mktemp("testbox")
    subprocess.run(["gcc", "-static", "-O2", "-o", str(d / "testbox"),
                    os.path.join(FIXTURES, "testbox.c")], check=True)
    shutil.copy(os.path.join(FIXTURES, "Dockerfile"), str(d / "Dockerfile"))
    dclient.images.build(path=str(d), tag=TEST_IMAGE, rm=True, forcerm=True)
    return TEST_IMAGE


def make_container(dclient, cmd=None, start=True, **kw):
    """Create (and start) a labelled testbox container directly on dockerd."""
    labels = dict(kw.pop("labels", {}))
    labels[TEST_LABEL] = "1"
    labels[RUN_LABEL] = RUN_ID
    ct = dclient.containers.create(TEST_IMAGE, command=cmd or ["/testbox"],
                                   labels=labels, **kw)
    if start:
        ct.start()
    return ct


@pytest.fixture
def container_factory(dclient, testbox_image):
    made = []

    def make(cmd=None, start=True, **kw):
        ct = make_container(dclient, cmd, start, **kw)
        made.append(ct)
        return ct

    yield make
    for ct in made:
        try:
            ct.remove(force=True)
        except docker.errors.APIError:
            pass


@pytest.fixture(scope="module")
def running_container(dclient, testbox_image):
    """A sleeping testbox container for the whole module."""
    ct = make_container(dclient)
    yield ct
    try:
        ct.remove(force=True)
    except docker.errors.APIError:
        pass


def direct(data, method="GET", timeout=10.0):
    """Send raw bytes to dockerd directly and return the first response."""
    return request(DOCKER_SOCK, data, method, timeout)


def daemon_state(dclient):
    """A comparable snapshot of what the tests could change on dockerd."""
    api = dclient.api

    def ours(c):
        # Test containers of other, concurrent runs come and go: skip them.
        labels = c.get("Labels") or {}
        return TEST_LABEL not in labels or labels.get(RUN_LABEL) == RUN_ID

    return {
        "containers": sorted((c["Id"], c["State"]) for c in api.containers(all=True) if ours(c)),
        "networks": sorted(n["Id"] for n in api.networks()),
        "volumes": sorted(v["Name"] for v in (api.volumes().get("Volumes") or [])),
        "images": sorted(i["Id"] for i in api.images(all=True)),
    }


# --------------------------------------------------------------------------
# A hard per-test time limit (no pytest-timeout needed): a hang fails fast.
# --------------------------------------------------------------------------

TEST_TIME_LIMIT = int(os.environ.get("SOCKWARD_TEST_TIME_LIMIT", "60"))


def _alarm(signum, frame):
    raise AssertionError("test exceeded %d s (hang?)" % TEST_TIME_LIMIT)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_call(item):
    old = signal.signal(signal.SIGALRM, _alarm)
    signal.alarm(TEST_TIME_LIMIT)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)


def pytest_configure(config):
    # docker-py 5.0.3 uses distutils' StrictVersion; not our concern.
    config.addinivalue_line("filterwarnings", "ignore::DeprecationWarning:docker.utils.utils")


# --------------------------------------------------------------------------
# Podman: a private `podman system service` (podmanutil.py)
# --------------------------------------------------------------------------

@pytest.fixture(scope="session")
def podman():
    """A PodmanService on a private socket, with its image, volume, secret,
    pod and running container; stopped and its storage removed at the end.
    Fails (never skips) when podman is not installed."""
    import podmanutil
    pm = podmanutil.PodmanService.start(podmanutil.new_dir(),
                                        os.path.join(FIXTURES, "testbox.c"))
    yield pm
    pm.stop()
