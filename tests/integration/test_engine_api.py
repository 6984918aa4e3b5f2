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
