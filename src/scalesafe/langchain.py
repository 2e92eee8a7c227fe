"""Short alias: ``from scalesafe.langchain import ScaleSafeHandler``."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .integrations import langchain as _integration

__all__ = ["ScaleSafeHandler"]

if TYPE_CHECKING:
    from .integrations.langchain import ScaleSafeHandler


def __getattr__(name: str) -> Any:
    return getattr(_integration, name)
