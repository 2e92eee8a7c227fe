"""The ScaleSafe API server (``pip install 'scalesafe[server]'``).

``create_app`` imports FastAPI, so it loads lazily: the key store (used by the
CLI) works without the server extra.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ._keys import KeyInfo, KeyStore, mint_key

__all__ = ["KeyInfo", "KeyStore", "Limits", "create_app", "mint_key", "serve"]

if TYPE_CHECKING:
    from ._app import create_app
    from ._limits import Limits
    from ._run import serve

_LAZY = {"create_app": "._app", "serve": "._run", "Limits": "._limits"}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'scalesafe.server' has no attribute {name!r}")
    import importlib

    try:
        value = getattr(importlib.import_module(module, __name__), name)
    except ImportError as exc:
        if exc.name in ("fastapi", "uvicorn", "starlette"):
            raise ImportError(
                "the ScaleSafe server needs its extra: pip install 'scalesafe[server]'"
            ) from exc
        raise
    globals()[name] = value
    return value
