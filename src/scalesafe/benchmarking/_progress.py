"""Answers kept on disk between runs, and a plain progress bar for terminals."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any, TextIO


class AnswerFile:
    """``{id: result}`` in a small JSON file, replaced atomically so a crash never corrupts it."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def load(self) -> dict[str, Any]:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        answers = data.get("answers") if isinstance(data, dict) else None
        return dict(answers) if isinstance(answers, dict) else {}

    def save(self, answers: dict[str, Any]) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_suffix(".tmp")
        tmp.write_text(json.dumps({"answers": answers}), encoding="utf-8")
        os.replace(tmp, self.path)

    def clear(self) -> None:
        self.path.unlink(missing_ok=True)


class ProgressBar:
    """``[#####-----] 120/672`` redrawn on one stderr line, only when it is a terminal."""

    def __init__(self, total: int, label: str, stream: TextIO | None = None) -> None:
        self.stream = stream or sys.stderr
        self.enabled = _isatty(self.stream) and total > 0
        self.total, self.label, self._last = total, label, -1

    def update(self, done: int) -> None:
        if not self.enabled:
            return
        filled = 30 * done // self.total
        if filled == self._last and done != self.total:
            return
        self._last = filled
        bar = "#" * filled + "-" * (30 - filled)
        self.stream.write(f"\r{self.label} [{bar}] {done}/{self.total}")
        self.stream.flush()

    def close(self) -> None:
        if self.enabled:
            self.stream.write("\n")
            self.stream.flush()


def _isatty(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False
