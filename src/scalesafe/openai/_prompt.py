"""The screenable texts of a request, and how to write masked texts back into it.

A prompt is a plain copy of the request's text-bearing arguments; each text sits
at a path in it. Screening sees ``(label, text)`` pairs; a ``redact`` verdict
writes the masked texts back at the same paths, so the masked prompt is what
is stored and what is sent.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ._convert import plain

Path = tuple[str | int, ...]


class Prompt:
    """Texts at paths inside ``root`` (a plain dict of request arguments)."""

    def __init__(self, root: dict[str, Any]) -> None:
        self.root = root
        self.paths: list[Path] = []
        self._collect(root, ())

    @classmethod
    def for_chat(cls, messages: Any) -> Prompt:
        return cls({"messages": plain(list(messages or []))})

    @classmethod
    def for_responses(cls, input: Any, instructions: Any = None) -> Prompt:
        root: dict[str, Any] = {}
        if instructions is not None:
            root["instructions"] = plain(instructions)
        if input is not None:
            root["input"] = plain(input if isinstance(input, str) else list(input))
        return cls(root)

    def texts(self) -> list[tuple[str | None, str]]:
        return [(label(p), self._get(p)) for p in self.paths]

    def apply(self, masked: list[str]) -> None:
        for path, text in zip(self.paths, masked, strict=False):
            parent = self.root
            for key in path[:-1]:
                parent = parent[key]
            parent[path[-1]] = text

    def _get(self, path: Path) -> Any:
        value: Any = self.root
        for key in path:
            value = value[key]
        return value

    def _collect(self, value: Any, path: Path) -> None:
        """Strings a model reads: plain strings, ``content``/``text``/``output``/``instructions``."""
        if isinstance(value, str):
            if value:
                self.paths.append(path)
        elif isinstance(value, list):
            for i, item in enumerate(value):
                self._collect(item, (*path, i))
        elif isinstance(value, Mapping):
            for key in ("content", "text", "output", "instructions", "input", "messages"):
                if key in value and _readable(value, key):
                    self._collect(value[key], (*path, key))


def _readable(item: Mapping[str, Any], key: str) -> bool:
    """Skip non-text parts (images, files) whose ``text``-like keys are not prompt text."""
    kind = item.get("type")
    return not (isinstance(kind, str) and kind.endswith(("image", "image_url", "file", "audio")))


def label(path: Path) -> str:
    """``("messages", 0, "content")`` -> ``messages[0].content``."""
    out = ""
    for key in path:
        out += f"[{key}]" if isinstance(key, int) else (f".{key}" if out else key)
    return out
