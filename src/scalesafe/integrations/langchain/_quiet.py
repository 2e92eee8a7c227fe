"""Keep LangChain from logging a warning each time a ScaleSafe handler raises on purpose.

LangChain's callback manager logs ``Error in <Handler>.<hook> callback: <repr>``
for every exception a handler raises, even when the handler raises by design
(``raise_error = True``) and the error reaches the caller anyway. For ScaleSafe's
deliberate errors that is noise; this filter drops exactly those records and
leaves every other warning alone.
"""

from __future__ import annotations

import logging
import threading

from ...exceptions import ScaleSafeException

LOGGER_NAME = "langchain_core.callbacks.manager"
_FORMAT = "Error in %s.%s callback: %s"


def _error_names() -> set[str]:
    """ScaleSafeException and every subclass, by class name (as ``repr`` starts)."""
    names, todo = set(), [ScaleSafeException]
    while todo:
        cls = todo.pop()
        names.add(cls.__name__)
        todo.extend(cls.__subclasses__())
    return names


class DeliberateErrorFilter(logging.Filter):
    """Drops the manager's record only when a ScaleSafe handler raised a ScaleSafe error."""

    def __init__(self) -> None:
        super().__init__()
        self.handler_names: set[str] = set()

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        if record.msg != _FORMAT or not isinstance(args, tuple) or len(args) != 3:
            return True
        handler, _, error = args
        if handler not in self.handler_names or not isinstance(error, str):
            return True
        return error.split("(", 1)[0] not in _error_names()


_filter: DeliberateErrorFilter | None = None
_lock = threading.Lock()


def quiet_deliberate_errors(handler_class: type) -> None:
    """Install the filter once, and let it recognise ``handler_class`` by name."""
    global _filter
    with _lock:
        if _filter is None:
            _filter = DeliberateErrorFilter()
            logging.getLogger(LOGGER_NAME).addFilter(_filter)
        _filter.handler_names.add(handler_class.__name__)
