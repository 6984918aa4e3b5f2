"""The python docker SDK through sockward (default traefik profile)."""

import docker
import pytest

from conftest import (RUN_ID, RUN_LABEL, TEST_IMAGE, TEST_LABEL, TEST_NAME_PREFIX,
                      daemon_state, deny_message)


@pytest.fixture
def client(proxy):
    c = docker.DockerClient(base_url="tcp://127.0.0.1:%d" % proxy.port, timeout=10)
    yield c
    c.close()


def test_version(client):
    v = client.version()
    assert v["ApiVersion"] == "1.41"
    assert "Version" in v


def test_ping(client):
    assert client.ping() is True


def test_containers_list(client, running_container):
    ids = [c.id for c in client.containers.list()]
    assert running_container.id in ids


def test_containers_list_all_filters(client, container_factory):
    ct = container_factory(start=False, labels={"sockward-sdk": RUN_ID})
    ids = [c.id for c in client.containers.list(all=True, filters={"label": "sockward-sdk=" + RUN_ID})]
    assert ids == [ct.id]


def test_containers_get(client, running_container):
    c = client.containers.get(running_container.id)
    assert c.id == running_container.id
    assert c.status == "running"
    assert c.labels.get(TEST_LABEL) == "1"


def test_containers_get_missing_is_404_from_dockerd(client):
    with pytest.raises(docker.errors.NotFound) as e:
        client.containers.get("no-such-container-4711")
    assert e.value.response.status_code == 404
    assert "sockward" not in str(e.value.explanation)


def _assert_403(excinfo, method, path):
    err = excinfo.value
    assert err.response.status_code == 403, err
    assert deny_message(method, path) in str(err.explanation), err.explanation


def test_containers_run_denied(client, dclient, testbox_image):
    before = daemon_state(dclient)
    with pytest.raises(docker.errors.APIError) as e:
        client.containers.run(TEST_IMAGE, ["/testbox", "echo", "x"],
                              labels={TEST_LABEL: "1", RUN_LABEL: RUN_ID}, detach=True)
    _assert_403(e, "POST", "/containers/create")
    assert daemon_state(dclient) == before


def test_images_list_denied(client):
    with pytest.raises(docker.errors.APIError) as e:
        client.images.list()
    _assert_403(e, "GET", "/images/json")


def test_networks_create_denied(client, dclient):
    before = daemon_state(dclient)
    with pytest.raises(docker.errors.APIError) as e:
        client.networks.create(TEST_NAME_PREFIX + "sdknet")
    _assert_403(e, "POST", "/networks/create")
    assert daemon_state(dclient) == before


def test_container_stop_denied(client, running_container):
    c = client.containers.get(running_container.id)
    with pytest.raises(docker.errors.APIError) as e:
        c.stop(timeout=1)
    _assert_403(e, "POST", "/containers/%s/stop" % running_container.id)
    running_container.reload()
    assert running_container.status == "running"
