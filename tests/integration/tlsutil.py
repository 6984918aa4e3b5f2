"""Test certificates, made with the openssl command line in a directory.

    ca = make_ca(d)                                   # a CA (EC P-256)
    srv = server_cert(ca, "sockward", dns=["localhost"], ips=["127.0.0.1"])
    cli = client_cert(ca, "traefik", dns=["traefik.internal"])
    old = client_cert(ca, "late", expired=True)
    other = make_ca(d, "other-ca")                     # another CA
    stranger = client_cert(other, "traefik")

Every certificate is a Cert: .cert and .key (PEM file paths), .ca (the Cert
of its issuer, None for a CA), .cn.  `openssl ca` signs them, so validity
dates can lie in the past (expired=True) or the future (not_yet_valid=True).
Keys are EC P-256 unless key="rsa" (2048 bits).  Files live in the CA's
directory; names are unique per call.
"""

import os
import subprocess
import uuid
from datetime import datetime, timedelta, timezone


class Cert:
    def __init__(self, cert, key, cn, ca=None, directory=None):
        self.cert = cert
        self.key = key
        self.cn = cn
        self.ca = ca
        self.dir = directory

    def pem(self):
        with open(self.cert) as f:
            return f.read()

    def __repr__(self):
        return "<Cert %s %s>" % (self.cn, self.cert)


def _run(*argv, **kw):
    r = subprocess.run(list(argv), capture_output=True, **kw)
    if r.returncode != 0:
        raise AssertionError("%s failed: %s" % (" ".join(argv), r.stderr.decode()))
    return r


def _key(path, key):
    if key == "rsa":
        _run("openssl", "genpkey", "-algorithm", "RSA", "-pkeyopt",
             "rsa_keygen_bits:2048", "-out", path)
    else:
        _run("openssl", "genpkey", "-algorithm", "EC", "-pkeyopt",
             "ec_paramgen_curve:P-256", "-out", path)
    os.chmod(path, 0o600)


def _asn1_time(dt):
    return dt.astimezone(timezone.utc).strftime("%Y%m%d%H%M%SZ")


_CA_CONF = """
[ ca ]
default_ca = test_ca
[ test_ca ]
dir = {dir}
database = {dir}/index.txt
new_certs_dir = {dir}/newcerts
serial = {dir}/serial
default_md = sha256
policy = policy_any
unique_subject = no
copy_extensions = none
email_in_dn = no
[ policy_any ]
commonName = supplied
"""


def _sign(ca_dir, ca, csr, out, ext, start, end, selfsign_key=None):
    """Sign csr with `openssl ca` (dates given, extensions from ext)."""
    conf = os.path.join(ca_dir, "ca.cnf")
    extfile = os.path.join(ca_dir, "ext-%s.cnf" % uuid.uuid4().hex[:8])
    with open(extfile, "w") as f:
        f.write("[ ext ]\n" + ext)
    argv = ["openssl", "ca", "-batch", "-notext", "-config", conf,
            "-in", csr, "-out", out, "-extfile", extfile, "-extensions", "ext",
            "-startdate", _asn1_time(start), "-enddate", _asn1_time(end)]
    if selfsign_key is not None:
        argv += ["-selfsign", "-keyfile", selfsign_key]
    else:
        argv += ["-cert", ca.cert, "-keyfile", ca.key]
    _run(*argv)


def make_ca(directory, cn="sockward-test-ca", key="ec", days=30):
    """A self-signed CA in a fresh subdirectory of directory."""
    d = os.path.join(str(directory), "ca-%s-%s" % (cn, uuid.uuid4().hex[:6]))
    os.makedirs(os.path.join(d, "newcerts"))
    open(os.path.join(d, "index.txt"), "w").close()
    with open(os.path.join(d, "serial"), "w") as f:
        f.write(uuid.uuid4().hex[:16].upper() + "\n")
    with open(os.path.join(d, "ca.cnf"), "w") as f:
        f.write(_CA_CONF.format(dir=d))
    keyp, csr, crt = (os.path.join(d, n) for n in ("ca.key", "ca.csr", "ca.pem"))
    _key(keyp, key)
    _run("openssl", "req", "-new", "-key", keyp, "-subj", "/CN=" + cn, "-out", csr)
    now = datetime.now(timezone.utc)
    _sign(d, None, csr, crt,
          "basicConstraints = critical, CA:TRUE\n"
          "keyUsage = critical, keyCertSign, cRLSign\n"
          "subjectKeyIdentifier = hash\n",
          now - timedelta(days=1), now + timedelta(days=days), selfsign_key=keyp)
    return Cert(crt, keyp, cn, None, d)


def _leaf(ca, cn, usage, dns=(), ips=(), uris=(), emails=(), expired=False,
          not_yet_valid=False, key="ec", days=30):
    tag = "%s-%s" % ("".join(ch if ch.isalnum() else "_" for ch in cn)[:40],
                     uuid.uuid4().hex[:8])
    keyp, csr, crt = (os.path.join(ca.dir, tag + ext) for ext in (".key", ".csr", ".pem"))
    _key(keyp, key)
    _run("openssl", "req", "-new", "-key", keyp, "-subj", "/CN=" + cn, "-out", csr)
    now = datetime.now(timezone.utc)
    if expired:
        start, end = now - timedelta(days=10), now - timedelta(days=1)
    elif not_yet_valid:
        start, end = now + timedelta(days=1), now + timedelta(days=10)
    else:
        start, end = now - timedelta(hours=1), now + timedelta(days=days)
    sans = (["DNS:" + n for n in dns] + ["IP:" + n for n in ips] +
            ["URI:" + n for n in uris] + ["email:" + n for n in emails])
    ext = ("basicConstraints = critical, CA:FALSE\n"
           "keyUsage = critical, digitalSignature, keyEncipherment\n"
           "extendedKeyUsage = %s\n" % usage)
    if sans:
        ext += "subjectAltName = " + ", ".join(sans) + "\n"
    _sign(ca.dir, ca, csr, crt, ext, start, end)
    return Cert(crt, keyp, cn, ca, ca.dir)


def server_cert(ca, cn, dns=(), ips=(), **kw):
    """A server certificate (serverAuth) with DNS and IP SANs."""
    return _leaf(ca, cn, "serverAuth", dns=dns, ips=ips, **kw)


def client_cert(ca, cn, dns=(), ips=(), uris=(), emails=(), **kw):
    """A client certificate (clientAuth) with CN and SANs; expired=True or
    not_yet_valid=True for dates outside now."""
    return _leaf(ca, cn, "clientAuth", dns=dns, ips=ips, uris=uris,
                 emails=emails, **kw)


def docker_tls_env(client, ca, host):
    """Environment for the docker CLI talking TLS to host (tcp://H:P) with
    client (a Cert) and ca (a Cert): DOCKER_CERT_PATH wants fixed names, so
    they are linked into a directory of their own."""
    d = os.path.join(client.dir, "dockercerts-%s" % uuid.uuid4().hex[:8])
    os.makedirs(d)
    for src, name in ((ca.cert, "ca.pem"), (client.cert, "cert.pem"),
                      (client.key, "key.pem")):
        os.symlink(src, os.path.join(d, name))
    return {"DOCKER_HOST": host, "DOCKER_TLS_VERIFY": "1", "DOCKER_CERT_PATH": d}
