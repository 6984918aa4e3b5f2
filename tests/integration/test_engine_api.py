"""Rule placeholders bind like dockerd's router (src/core/engine_api.c).

dockerd routes "/containers/{name:.*}/exec" and "/images/{name:.*}/json":
the name may span segments.  Against the real dockerd: a container reached
through a legacy link name ("/<web>/db", from `--link <db>:db` on the
default bridge) and an image tagged "reg:5000/<org>/app:1" (the FROM-scratch
test image, tagged locally, never pushed).  Issue 10, cases 1 and 2.
"""
import subprocess
import uuid

import docker
import pytest

from conftest import (SOCKWARD_BIN, TEST_IMAGE, TEST_NAME_PREFIX,
                      assert_sockward_error, direct, get, make_container)

EXEC_BODY = b'{"Cmd":["/testbox"],"AttachStdout":false}'


def post_json(path, body):
    return (b"POST " + path.encode() + b" HTTP/1.1\r\nHost: docker\r\n"
            b"Content-Type: application/json\r\nContent-Length: " +
            str(len(body)).encode() + b"\r\n\r\n" + body)


def explain(args, method, target):
    p = subprocess.run([SOCKWARD_BIN, "explain"] + list(args) + [method, target],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=10)
    assert p.returncode in (0, 1), p.stderr
    return p.returncode == 0


@pytest.fixture(scope="module")
def linked(dclient, testbox_image):
    """(web, db): db is also reachable as "/<web name>/db"."""
    n = TEST_NAME_PREFIX + "eng-" + uuid.uuid4().hex[:8]
    db = make_container(dclient, name=n + "-db")
    web = make_container(dclient, name=n + "-web", links={n + "-db": "db"})
    yield web, db
    for ct in (web, db):
        try:
            ct.remove(force=True)
        except docker.errors.APIError:
            pass


@pytest.fixture(scope="module")
def registry_image(dclient, testbox_image):
    """The test image tagged reg:5000/<org>/app:1; the tag is removed."""
    org = "sockward-test-" + uuid.uuid4().hex[:8]
    repo = "reg:5000/%s/app" % org
    img = dclient.images.get(testbox_image)
    assert img.tag(repo, "1")
    yield repo + ":1", img.id
    dclient.images.remove(repo + ":1", noprune=True)


def test_link_name_is_a_multi_segment_container_name(linked):
    web, db = linked
    path = "/containers/%s/db/json" % web.name
    r = direct(get(path))
    assert r.status == 200, r          # dockerd binds name = "<web>/db"
    assert r.json()["Id"] == db.id


DENY_EXEC = ["--profile", "none", "--deny", "POST /containers/{id}/exec",
             "--allow", "POST /containers/**", "--allow", "GET /containers/**"]


def test_deny_exec_is_not_walked_around_by_a_link_name(sockward, linked):
    """Issue 10, case 1: the deny must hold for "/containers/web/db/exec"."""
    web, db = linked
    sw = sockward(*DENY_EXEC)
    path = "/containers/%s/db/exec" % web.name
    r = sw.request(post_json(path, EXEC_BODY), method="POST")
    msg = assert_sockward_error(r, 403)
    assert "POST %s is not allowed" % path in msg, msg
    # the one-segment name is denied as before, and the broader allow still
    # lets through what the deny does not name
    r = sw.request(post_json("/containers/%s/exec" % db.id, EXEC_BODY),
                   method="POST")
    assert_sockward_error(r, 403)
    r = sw.request(get("/containers/%s/db/json" % web.name))
    assert r.status == 200 and r.json()["Id"] == db.id, r
    # explain (the CLI) agrees
    assert not explain(DENY_EXEC, "POST", path)
    assert not explain(DENY_EXEC, "POST", "/v1.41" + path)
    assert explain(DENY_EXEC, "POST", "/containers/%s/db/start" % web.name)


def test_portainer_readonly_inspects_registry_image_names(sockward,
                                                          registry_image):
    """Issue 10, case 2: "/images/reg:5000/org/app:1/json" is allowed."""
    ref, image_id = registry_image
    sw = sockward("--profile", "portainer-readonly")
    for path in ("/images/%s/json" % ref, "/v1.41/images/%s/json" % ref):
        r = sw.request(get(path))
        assert r.status == 200, (path, r)
        assert r.json()["Id"] == image_id
        assert ref in r.json()["RepoTags"]
    r = sw.request(get("/images/%s/history" % ref))
    assert r.status == 200, r
    # still read-only, and still one image route per rule
    r = sw.request(get("/images/%s/get" % ref))
    assert_sockward_error(r, 403)
    args = ["--profile", "portainer-readonly"]
    assert explain(args, "GET", "/images/%s/json" % ref)
    assert not explain(args, "DELETE", "/images/%s" % ref)


# ---- libpod rows against a private Podman 4.3.1 service ----
#
# dockerd serves no "/libpod" route, so the libpod rows are checked against
# Podman instead, without side effects: Podman registers no OPTIONS route,
# so gorilla/mux answers "OPTIONS <path>" with 405 when some route has that
# path and with its router 404 ("Not Found", text/plain) when none has.

PODMAN = "/usr/bin/podman"


def libpod_rows():
    """(method, template, note) of every libpod row, from the generated
    route table in docs/PROFILES.md (make docs-check keeps it current)."""
    import os
    import re
    from conftest import REPO
    rows = []
    with open(os.path.join(REPO, "docs", "PROFILES.md")) as f:
        for line in f:
            m = re.match(r"\| (\w+) \| `(/libpod[^`]*)` \| libpod \| "
                         r"[^|]* \| [^|]* \| (.*) \|$", line.rstrip("\n"))
            if m:
                rows.append(m.groups())
    return rows


@pytest.fixture(scope="module")
def podman_sock(tmp_path_factory):
    import os
    import shutil
    import time
    if not os.path.exists(PODMAN):
        pytest.skip("podman is not installed")
    d = tmp_path_factory.mktemp("podman")
    conf = d / "containers.conf"
    conf.write_text('[containers]\ndefault_ulimits = ["nofile=1024:1024",'
                    '"nproc=1024:1024"]\nnetns = "none"\n[engine]\n'
                    'cgroup_manager = "cgroupfs"\nevents_logger = "file"\n')
    sock = str(d / "podman.sock")
    env = dict(os.environ, CONTAINERS_CONF=str(conf))
    p = subprocess.Popen([PODMAN, "--root", str(d / "root"), "--runroot",
                          str(d / "runroot"), "--storage-driver", "vfs",
                          "--tmpdir", str(d / "tmp"), "system", "service",
                          "--time=0", "unix://" + sock],
                         env=env, stdout=subprocess.DEVNULL,
                         stderr=open(str(d / "podman.log"), "wb"))
    try:
        for _ in range(100):
            if os.path.exists(sock):
                break
            time.sleep(0.1)
        assert os.path.exists(sock), (d / "podman.log").read_text()
        yield sock
    finally:
        p.terminate()
        try:
            p.wait(timeout=10)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()
        shutil.rmtree(str(d / "root"), ignore_errors=True)


def routed(sock, path):
    """405: Podman has a route for path; 404: its router has none."""
    from conftest import request
    r = request(sock, get(path, method="OPTIONS"), "OPTIONS")
    assert r.status in (404, 405), (path, r)
    if r.status == 404:
        assert r.body.strip() == b"Not Found", (path, r)
    return r.status == 405


def test_libpod_rows_are_podman_routes(podman_sock):
    rows = libpod_rows()
    assert len(rows) == 137
    checked = 0
    for method, tmpl, note in rows:
        # one segment per variable; "{name:.*}" spans but "x" will do
        path = "/v4.3.1" + __import__("re").sub(r"\{[^}]*\}", "x", tmpl)
        if "podman 5" in note:
            continue    # not in 4.3.1; some paths hit other routes there
        assert routed(podman_sock, path), (method, tmpl)
        checked += 1
    assert checked == 137 - sum("podman 5" in n for _, _, n in rows)
    # the check itself tells routes from none
    assert not routed(podman_sock, "/v4.3.1/libpod/nosuchroute")
    assert not routed(podman_sock, "/v4.3.1/libpod/artifacts/json")
    assert not routed(podman_sock, "/v4.3.1/libpod/containers/a/b/json")
    # HEAD only where a HEAD route is registered; _ping unversioned too
    from conftest import request
    r = request(podman_sock, get("/libpod/_ping", method="HEAD"), "HEAD")
    assert r.status == 200, r
    r = request(podman_sock, get("/v4.3.1/libpod/version", method="HEAD"),
                "HEAD")
    assert r.status == 405, r
