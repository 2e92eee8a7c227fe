"""``Benchmarker``: iterate a benchmark, collect answers, post them for an LL144 analysis."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ..exceptions import DataValidationError, ResourceNotFoundError
from ._analysis import coerce_result
from ._generate import BENCHMARKS
from ._progress import AnswerFile, ProgressBar


class Benchmarker:
    """The seed README's loop: ``for item in b: b.answer(result, item['id'])``, then post.

    Answers are checkpointed under the client's home every ``batch_size`` answers, so a
    restarted run skips the items already answered.
    """

    def __init__(
        self,
        benchmark: str,
        batch_size: int = 100,
        api_key: str | None = None,
        client: Any = None,
    ) -> None:
        if benchmark not in BENCHMARKS:
            raise ResourceNotFoundError(
                f"no benchmark {benchmark!r}; known: {', '.join(BENCHMARKS)}"
            )
        if batch_size < 1:
            raise DataValidationError("batch_size must be at least 1")
        self.benchmark = benchmark
        self.batch_size = batch_size
        self._client = client if client is not None else _default_client(api_key)
        self._file = AnswerFile(_answer_path(self._client, benchmark))
        self._answers: dict[str, bool | float] = self._file.load()
        self._unsaved = 0
        self._items: list[dict[str, Any]] | None = None

    @property
    def items(self) -> list[dict[str, Any]]:
        if self._items is None:
            self._items = list(self._client.backend.benchmark_items(self.benchmark))
            known = {str(i["id"]) for i in self._items}
            self._answers = {k: v for k, v in self._answers.items() if k in known}
        return self._items

    @property
    def answers(self) -> dict[str, bool | float]:
        return dict(self._answers)

    def __len__(self) -> int:
        return len(self.items)

    def __iter__(self) -> Iterator[dict[str, Any]]:
        """Items not yet answered (a resumed run continues where it stopped)."""
        bar = ProgressBar(len(self.items), self.benchmark)
        try:
            for item in self.items:
                if str(item["id"]) not in self._answers:
                    yield item
                bar.update(len(self._answers))
        finally:
            bar.close()
            self._save()

    def answer(self, result: Any, id: str) -> None:
        """Record ``result`` (True/False = selected, a number = score) for item ``id``."""
        item_id = str(id)
        if item_id not in {str(i["id"]) for i in self.items}:
            raise DataValidationError(f"{item_id!r} is not an item of {self.benchmark}")
        self._answers[item_id] = coerce_result(result)
        self._unsaved += 1
        if self._unsaved >= self.batch_size:
            self._save()

    def post_answers(self) -> dict[str, Any]:
        """Send the answers for analysis (stored as an audit record); returns the analysis."""
        if not self._answers:
            raise DataValidationError("no answers to post; call answer() first")
        self._save()
        order = [str(i["id"]) for i in self.items]
        payload = [{"id": i, "result": self._answers[i]} for i in order if i in self._answers]
        analysis = self._client.backend.post_benchmark_answers(self.benchmark, payload)
        self._file.clear()
        self._answers = {}
        return analysis

    def _save(self) -> None:
        if self._unsaved:
            self._file.save(self._answers)
            self._unsaved = 0


def _default_client(api_key: str | None) -> Any:
    from .._client import Client, get_client

    return Client(api_key=api_key) if api_key else get_client()


def _answer_path(client: Any, benchmark: str) -> Path:
    system = re.sub(r"[^A-Za-z0-9_.-]", "_", str(client.model_system))
    return Path(client.home) / "benchmarks" / f"{system}.{benchmark}.answers.json"
