"""Containment for integration callbacks: only deliberate ScaleSafe errors escape."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import wraps
from typing import Any, TypeVar

from .exceptions import ScaleSafeException

log = logging.getLogger("scalesafe")
F = TypeVar("F", bound=Callable[..., Any])


class InternalErrors:
    """A thread-safe counter of swallowed internal failures, by where they happened."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.by_place: dict[str, int] = {}

    def add(self, place: str) -> None:
        with self._lock:
            self.by_place[place] = self.by_place.get(place, 0) + 1

    @property
    def total(self) -> int:
        with self._lock:
            return sum(self.by_place.values())


internal_errors = InternalErrors()


@contextmanager
def contained(place: str, counter: InternalErrors | None = None) -> Iterator[None]:
    """Let ScaleSafeException through; log, count and swallow anything else."""
    try:
        yield
    except ScaleSafeException:
        raise
    except Exception:
        (counter or internal_errors).add(place)
        log.warning("scalesafe: internal error in %s (ignored)", place, exc_info=True)


def guarded(func: F) -> F:
    """Decorator form of ``contained`` for callback methods; returns None on internal error."""

    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        with contained(func.__qualname__):
            return func(*args, **kwargs)
        return None

    return wrapper  # type: ignore[return-value]
