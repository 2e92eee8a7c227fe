"""Short alias: ``from scalesafe.langchain import ScaleSafeHandler``."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .integrations import langchain as _integration

__all__ = ["ScaleSafeHandler", "ScaleSafeMiddleware", "aresume_from_review", "resume_from_review"]

if TYPE_CHECKING:
    from .integrations.langchain import (
        ScaleSafeHandler,
        ScaleSafeMiddleware,
        aresume_from_review,
        resume_from_review,
    )


def __getattr__(name: str) -> Any:
    return getattr(_integration, name)
