"""``scalesafe keys`` and ``scalesafe server`` commands; docs/api.md matches the schema."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from scalesafe._settings import KEY_PATTERN
from scalesafe.cli import main
from scalesafe.server import KeyStore

from .conftest import ServerProcess, free_port

ROOT = Path(__file__).resolve().parents[2]


def test_keys_create_list_revoke(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    home = str(tmp_path / "h")
    assert main(["keys", "create", "--model", "hiring", "--home", home]) == 0
    key = capsys.readouterr().out.strip()
    assert KEY_PATTERN.fullmatch(key)
    assert KeyStore(home).authenticate(key).model_system == "hiring"  # type: ignore[union-attr]

    assert main(["keys", "list", "--home", home, "--json"]) == 0
    listed = capsys.readouterr().out
    assert key not in listed and key[:11] in listed
    assert json.loads(listed)[0]["revoked_at"] is None

    assert main(["keys", "revoke", key[:11], "--home", home]) == 0
    assert "revoked" in capsys.readouterr().out
    assert KeyStore(home).authenticate(key) is None
    assert main(["keys", "revoke", "sk-ffffffff", "--home", home]) == 2
    assert "ResourceNotFoundError" in capsys.readouterr().err


def test_keys_are_stored_as_hashes_only(tmp_path: Path) -> None:
    keys = KeyStore(tmp_path)
    key, _ = keys.create("m")
    raw = (tmp_path / "scalesafe.db").read_bytes()
    assert key.encode() not in raw and key[12:].encode() not in raw
    assert len({keys.create("m")[0] for _ in range(20)}) == 20


def test_key_env_home_and_bad_model(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                    capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("SCALESAFE_HOME", str(tmp_path / "env-home"))
    assert main(["keys", "create", "--model", "a b"]) == 2
    assert main(["keys", "create", "--model", "ok", "--json"]) == 0
    created = json.loads(capsys.readouterr().out)
    assert KeyStore(tmp_path / "env-home").list()[0].id == created["id"]


def test_server_command_serves_the_folder(tmp_path: Path) -> None:
    import httpx

    key, _ = KeyStore(tmp_path / "h").create("ms")
    server = ServerProcess(tmp_path / "h", free_port()).start()
    try:
        r = httpx.get(f"http://127.0.0.1:{server.port}/v1/whoami",
                      headers={"Authorization": f"Bearer {key}"})
        assert r.json() == {"model_system": "ms", "admin": False, "key_prefix": key[:11]}
    finally:
        server.stop()


def test_api_docs_are_current() -> None:
    result = subprocess.run([sys.executable, str(ROOT / "scripts" / "gen_api_docs.py"), "--check"],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
