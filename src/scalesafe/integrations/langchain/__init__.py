"""LangChain integration: ``ScaleSafeHandler`` (callbacks) and ``ScaleSafeMiddleware`` (agents).

Names load lazily so importing this package never imports LangChain; touching
a name without the framework installed raises ImportError naming the extra.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

_EXPORTS = {
    "ScaleSafeHandler": "._handler",
}

__all__ = ["ScaleSafeHandler"]

if TYPE_CHECKING:
    from ._handler import ScaleSafeHandler


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(module, __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return __all__
