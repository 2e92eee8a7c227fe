"""Fuzz every operation of the published OpenAPI schema: no input may cause a 5xx.

Hypothesis drives schemathesis' strategies directly (its pytest plugin is not
needed), with a bounded number of examples per operation.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

schemathesis = pytest.importorskip("schemathesis", reason="pip install schemathesis (dev extra)")
from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis.errors import Unsatisfiable  # noqa: E402

from scalesafe.server import create_app  # noqa: E402

from .conftest import ADMIN, ServerThread, make_keys  # noqa: E402

EXAMPLES = 20


@pytest.fixture(scope="module")
def fuzz_target(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    home: Path = tmp_path_factory.mktemp("fuzz-home")
    key, _ = make_keys(home)
    server = ServerThread(create_app(home, ADMIN)).start()
    yield server.url, key
    server.stop()


def operations(url: str) -> list[Any]:
    schema = schemathesis.openapi.from_dict(httpx.get(url + "/openapi.json").json())
    return [result.ok() for result in schema.get_all_operations()]


def test_schema_has_every_endpoint(fuzz_target: tuple[str, str]) -> None:
    labels = {op.label for op in operations(fuzz_target[0])}
    assert {"POST /v1/events", "GET /v1/events", "POST /v1/reviews/{review_id}/decision",
            "PUT /v1/stop", "GET /v1/benchmarks/{name}/items", "GET /v1/audit"} <= labels


@pytest.mark.parametrize(("as_key", "mode"), [(True, "positive"), (True, "negative"),
                                              (False, "positive")],
                         ids=["key-valid-data", "key-invalid-data", "admin-valid-data"])
def test_no_server_errors(fuzz_target: tuple[str, str], as_key: bool, mode: str) -> None:
    url, key = fuzz_target
    token = key if as_key else ADMIN
    problems: list[str] = []
    for operation in operations(url):
        problems += _fuzz(operation, url, token, schemathesis.GenerationMode(mode))
    assert not problems, "\n".join(problems[:10])


def _fuzz(operation: Any, url: str, token: str, mode: Any) -> list[str]:
    problems: list[str] = []

    @settings(max_examples=EXAMPLES // 2, deadline=None, derandomize=True, database=None,
              suppress_health_check=list(HealthCheck))
    @given(case=operation.as_strategy(generation_mode=mode))
    def run(case: Any) -> None:
        response = case.call(base_url=url, headers={"Authorization": f"Bearer {token}"}, timeout=10)
        if response.status_code >= 500:
            problems.append(f"{case.method} {case.formatted_path}: {response.status_code} "
                            f"{response.text[:300]}")
        elif response.status_code >= 400 and "error" not in response.json():
            problems.append(f"{case.method} {case.formatted_path}: error body not in our shape")

    with contextlib.suppress(Unsatisfiable):  # no invalid input exists (no parameters)
        run()
    return problems
