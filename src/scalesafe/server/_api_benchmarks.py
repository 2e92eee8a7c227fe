"""Benchmark data sets page by page, and the answers to them."""

from __future__ import annotations

import itertools
from typing import Any

from fastapi import APIRouter, Depends, Path, Query

from ..backends import LocalBackend
from ..exceptions import ScaleSafeException
from ._auth import backend
from ._errors import ApiError, status_for
from ._schemas import AnswersBody, BenchmarkPage

router = APIRouter(prefix="/v1", tags=["benchmarks"])
_NAME = Path(min_length=1, max_length=128, pattern=r"^[A-Za-z0-9_.-]+$")


@router.get("/benchmarks/{name}/items", response_model=BenchmarkPage,
            summary="A page of a benchmark's items")
def benchmark_items(name: str = _NAME,
                    cursor: str | None = Query(default=None, max_length=12, pattern=r"^[0-9]+$"),
                    limit: int = Query(default=500, ge=1, le=5000),
                    backend: LocalBackend = Depends(backend)) -> BenchmarkPage:
    """Items from offset ``cursor``; ``next_cursor`` is null on the last page."""
    start = int(cursor or 0)
    items = _guarded(lambda: list(itertools.islice(backend.benchmark_items(name), start,
                                                   start + limit + 1)))
    more = len(items) > limit
    return BenchmarkPage(items=items[:limit], next_cursor=str(start + limit) if more else None)


@router.post("/benchmarks/{name}/answers", summary="Post answers for analysis")
def benchmark_answers(body: AnswersBody, name: str = _NAME,
                      backend: LocalBackend = Depends(backend)) -> dict[str, Any]:
    result: dict[str, Any] = _guarded(lambda: backend.post_benchmark_answers(name, body.answers))
    return result


def _guarded(call: Any) -> Any:
    """Map library errors to JSON errors; a missing benchmarking module is a 503."""
    try:
        return call()
    except ScaleSafeException as exc:
        raise ApiError(status_for(exc), exc.message, type(exc).__name__) from None
    except ImportError:
        raise ApiError(503, "benchmarks are not available on this server",
                       "DatabaseOperationError") from None
    except (KeyError, ValueError, TypeError) as exc:
        raise ApiError(422, f"benchmark data did not validate ({type(exc).__name__})",
                       "DataValidationError") from None
