import logging

import pytest

from scalesafe import Client, GenericMonitor
from scalesafe._settings import resolve
from scalesafe.exceptions import ScaleSafeTokenError

KEY = "sk-72cb69c4af4d406c854d135b66b67f-iy6liAQuToYDBIA1h44bfTq7Rgj1"


def test_valid_key_is_accepted_and_hidden(home, caplog):
    caplog.set_level(logging.DEBUG)
    client = Client(api_key=KEY, home=home)
    monitor = GenericMonitor(client=client)
    event = monitor.monitor("hello", "world")
    client.flush()
    texts = [repr(client), repr(client.settings), str(client.settings), repr(monitor),
             event.to_json(), caplog.text]
    texts += [e.to_json() for e in client.backend.list_events()]
    assert not any(KEY in t for t in texts)
    assert not any(KEY[3:20] in t for t in texts)


@pytest.mark.parametrize("bad", [
    "sk-123", "pk-72cb69c4af4d406c854d135b66b67f-iy6liAQuToYDBIA1h44bfTq7Rgj1",
    "sk-72cb69c4af4d406c854d135b66b67Z-iy6liAQuToYDBIA1h44bfTq7Rgj1",
    KEY + "x",
])
def test_malformed_key_fails_fast_without_echo(bad):
    with pytest.raises(ScaleSafeTokenError) as info:
        Client(api_key=bad)
    assert bad not in str(info.value)
    assert bad[3:12] not in str(info.value)


def test_environment_and_argument_precedence(monkeypatch, tmp_path):
    monkeypatch.setenv("SCALESAFE_MODEL", "from-env")
    assert resolve().model == "from-env"
    assert resolve(model="arg").model == "arg"
    monkeypatch.setenv("SCALESAFE_HOME", str(tmp_path / "h"))
    assert resolve().home == tmp_path / "h"


def test_url_without_key_is_an_error(monkeypatch):
    monkeypatch.setenv("SCALESAFE_BASE_URL", "http://127.0.0.1:1")
    with pytest.raises(ScaleSafeTokenError):
        resolve()


def test_no_key_and_no_url_means_embedded(home):
    client = Client(home=home)
    assert not client.remote
    GenericMonitor(client=client).monitor("q", "a")
    client.flush()
    assert (home / "scalesafe.db").exists()
