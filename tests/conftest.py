"""Shared fixtures: every test gets its own data folder and a fresh default client."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

import scalesafe._client as client_module
from scalesafe import Client


@pytest.fixture(autouse=True)
def _isolated_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    for name in ("SCALESAFE_API_KEY", "SCALESAFE_BASE_URL", "SCALESAFE_MODEL", "SCALESAFE_WRITER"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("SCALESAFE_HOME", str(tmp_path / "scalesafe-home"))
    client_module._default = None
    yield
    default = client_module._default
    client_module._default = None
    if default is not None:
        default.close(timeout=2.0)


@pytest.fixture
def home(tmp_path: Path) -> Path:
    return tmp_path / "scalesafe-home"


@pytest.fixture
def client(home: Path) -> Iterator[Client]:
    """The default client for this test, on an embedded store in a temporary folder."""
    c = client_module.configure(home=home)
    yield c
