"""ScaleSafe: log, screen and audit every AI interaction.

Public names load lazily so ``import scalesafe`` stays fast and imports no
framework, SDK or server code.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

_EXPORTS = {
    "Client": "scalesafe._client",
    "configure": "scalesafe._client",
    "get_client": "scalesafe._client",
    "flush": "scalesafe._client",
    "GenericMonitor": "scalesafe.generic",
    "Policy": "scalesafe.screening",
    "screen": "scalesafe.screening",
    "StreamScreener": "scalesafe.screening",
    "requires_approval": "scalesafe._approval",
    "InMemorySink": "scalesafe.transport",
    "Event": "scalesafe.model",
    "Finding": "scalesafe.model",
    "Verdict": "scalesafe.model",
    "Review": "scalesafe.model",
    "ComplianceStatus": "scalesafe.model",
}

__all__ = [
    "Client",
    "ComplianceStatus",
    "Event",
    "Finding",
    "GenericMonitor",
    "InMemorySink",
    "Policy",
    "Review",
    "StreamScreener",
    "Verdict",
    "__version__",
    "configure",
    "flush",
    "get_client",
    "requires_approval",
    "screen",
]

if TYPE_CHECKING:
    from ._approval import requires_approval
    from ._client import Client, configure, flush, get_client
    from .generic import GenericMonitor
    from .model import ComplianceStatus, Event, Finding, Review, Verdict
    from .screening import Policy, StreamScreener, screen
    from .transport import InMemorySink


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'scalesafe' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return __all__
