"""A cheaper ``contained()`` for hooks that run a dozen times per query.

Same rule as ``scalesafe._safety.contained``: ScaleSafe's deliberate errors go
through, anything else is logged and counted. A plain ``try/except`` around the
hook body with ``swallow()`` in the handler costs nothing when nothing fails,
where a ``@contextmanager`` costs a generator per call.
"""

from __future__ import annotations

import logging
from typing import Any

from ..._safety import internal_errors

log = logging.getLogger("scalesafe")


def swallow(place: str) -> None:
    """Count and log the exception being handled (call only inside ``except``)."""
    internal_errors.add(place)
    log.warning("scalesafe: internal error in %s (ignored)", place, exc_info=True)


def plain_attrs(handler: Any, **values: Any) -> None:
    """Keep hot-path state of a pydantic handler in its ``__dict__``.

    LlamaIndex handlers are pydantic models; a ``PrivateAttr`` read goes through
    ``BaseModel.__getattr__`` after a failed normal lookup (~1 µs, dozens per
    query). Plain instance attributes are found at once; they are not fields, so
    pydantic never validates, dumps or copies them.
    """
    handler.__dict__.update(values)
