"""LangChain integration: ``ScaleSafeHandler`` (callbacks) and ``ScaleSafeMiddleware`` (agents).

Names load lazily so importing this package never imports LangChain; touching
a name without the framework installed raises ImportError naming the extra.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

_EXPORTS = {
    "ScaleSafeHandler": "._handler",
    "ScaleSafeMiddleware": "._middleware",
    "aresume_from_review": "._middleware",
    "resume_from_review": "._middleware",
}

__all__ = ["ScaleSafeHandler", "ScaleSafeMiddleware", "aresume_from_review", "resume_from_review"]

if TYPE_CHECKING:
    from ._handler import ScaleSafeHandler
    from ._middleware import ScaleSafeMiddleware, aresume_from_review, resume_from_review


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(module, __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return __all__
