#!/usr/bin/python3
"""Memory of idle TLS connections: sockward's RSS with N idle clients of a
tls:// listener (each did one GET /_ping and keeps its connection), against
the same on a plain tcp:// listener.

    /usr/bin/python3 bench/tls_idle_rss.py [N] [SOCKWARD_BIN]

Prints one line per kind: RSS before, after, and per connection.  Needs the
real dockerd at /var/run/docker.sock (the /_ping goes there) and root (the
binary is started with SOCKWARD_USER=0, sandbox on).  No figure fails it.
"""

import os
import resource
import socket
import ssl
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests", "integration"))
import tlsutil  # noqa: E402


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    p = s.getsockname()[1]
    s.close()
    return p


def rss_kib(pid):
    with open("/proc/%d/status" % pid) as f:
        for ln in f:
            if ln.startswith("VmRSS:"):
                return int(ln.split()[1])
    raise RuntimeError("no VmRSS")


def ping(sock):
    sock.sendall(b"GET /_ping HTTP/1.1\r\nHost: bench\r\n\r\n")
    buf = b""
    while not buf.endswith(b"OK"):
        d = sock.recv(4096)
        if not d:
            raise RuntimeError("closed: %r" % buf)
        buf += d


def measure(binary, n, listen, ctx, args, tmp):
    port = int(listen.rsplit(":", 1)[1])
    err = open(os.path.join(tmp, "sw-%d.log" % port), "wb")
    env = dict(os.environ, SOCKWARD_USER="0")
    p = subprocess.Popen([binary, "--listen", listen, "--client-conns", "0",
                          "--idle-timeout", "600"] + args,
                         stdout=err, stderr=err, env=env)
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), 1).close()
                break
            except OSError:
                time.sleep(0.05)
        conns = []
        # One connection first: the TLS library's and the upstream's
        # one-time costs are in the baseline.
        first = socket.create_connection(("127.0.0.1", port))
        if ctx is not None:
            first = ctx.wrap_socket(first, server_hostname="127.0.0.1")
        ping(first)
        time.sleep(0.3)
        before = rss_kib(p.pid)
        for _ in range(n):
            s = socket.create_connection(("127.0.0.1", port))
            if ctx is not None:
                s = ctx.wrap_socket(s, server_hostname="127.0.0.1")
            ping(s)
            conns.append(s)
        time.sleep(0.5)
        after = rss_kib(p.pid)
        for s in conns:
            s.close()
        first.close()
        return before, after
    finally:
        p.terminate()
        p.wait(10)
        err.close()


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    binary = sys.argv[2] if len(sys.argv) > 2 else os.path.join(HERE, "..", "sockward")
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, max(soft, 4 * n + 100)), hard))
    with tempfile.TemporaryDirectory(prefix="swrss") as tmp:
        ca = tlsutil.make_ca(tmp)
        srv = tlsutil.server_cert(ca, "sockward", ips=["127.0.0.1"])
        cli = tlsutil.client_cert(ca, "bench")
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        ctx.load_verify_locations(ca.cert)
        ctx.load_cert_chain(cli.cert, cli.key)
        kinds = [
            ("tcp", "tcp://127.0.0.1:%d" % free_port(), None, []),
            ("tls", "tls://127.0.0.1:%d" % free_port(), ctx,
             ["--tls-cert", srv.cert, "--tls-key", srv.key, "--tls-client-ca", ca.cert]),
        ]
        for name, listen, c, args in kinds:
            before, after = measure(binary, n, listen, c, args, tmp)
            print("%s: %d idle connections: RSS %d KiB -> %d KiB, %.1f KiB per connection"
                  % (name, n, before, after, (after - before) / n))


if __name__ == "__main__":
    main()
