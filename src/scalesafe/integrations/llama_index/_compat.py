"""The one place that knows LlamaIndex is optional."""

from __future__ import annotations

INSTALL_HINT = "pip install 'scalesafe[llama-index]'"


def require() -> None:
    """Fail with an install hint when llama-index-core is missing."""
    try:
        import llama_index.core  # noqa: F401
    except ImportError as exc:
        raise ImportError(
            f"scalesafe.integrations.llama_index needs llama-index-core: {INSTALL_HINT}"
        ) from exc
