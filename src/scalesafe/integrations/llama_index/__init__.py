"""LlamaIndex integration: ``instrument()`` logs queries, chats, agents and LLM calls as trees
and screens LLM inputs/outputs before they reach the model or the user.

Importing this module never needs llama-index; using a name from it does
(``pip install 'scalesafe[llama-index]'``).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from ._compat import INSTALL_HINT, require

_EXPORTS = {
    "instrument": "._setup",
    "uninstrument": "._setup",
    "Instrumentation": "._setup",
    "ScaleSafeCallbackHandler": "._callbacks",
    "ScaleSafeEventHandler": "._events",
    "ScaleSafeSpanHandler": "._spans",
}

__all__ = [
    "INSTALL_HINT",
    "Instrumentation",
    "ScaleSafeCallbackHandler",
    "ScaleSafeEventHandler",
    "ScaleSafeSpanHandler",
    "instrument",
    "uninstrument",
]

if TYPE_CHECKING:
    from ._callbacks import ScaleSafeCallbackHandler
    from ._events import ScaleSafeEventHandler
    from ._setup import Instrumentation, instrument, uninstrument
    from ._spans import ScaleSafeSpanHandler


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    require()
    value = getattr(importlib.import_module(module, __name__), name)
    globals()[name] = value
    return value
