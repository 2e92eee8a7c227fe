"""Human reviews: open, list, read, decide."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Query
from starlette.responses import JSONResponse

from ..backends import LocalBackend
from ..exceptions import DatabaseOperationError
from ..model import Review, ReviewState
from ._auth import backend
from ._errors import ApiError
from ._schemas import DecisionBody, ReviewCreate, ReviewList

router = APIRouter(prefix="/v1", tags=["reviews"])


@router.post("/reviews", response_model=Review, status_code=201, summary="Open a review")
def open_review(body: ReviewCreate, backend: LocalBackend = Depends(backend)) -> JSONResponse:
    """Open a review. Re-sending one with the same id returns the stored review (200)."""
    if body.id is not None:
        found = backend.store.get_review(body.id)
        if found is not None:
            if found[0] != backend.model_system:
                raise ApiError(409, "a review with this id already exists")
            stored = backend.get_review(body.id)
            return JSONResponse(stored.model_dump(mode="json"), status_code=200)
    fields = body.model_dump(exclude_none=True)
    review = backend.open_review(Review(**fields))
    return JSONResponse(review.model_dump(mode="json"), status_code=201)


@router.get("/reviews", response_model=ReviewList, summary="List reviews, newest first")
def list_reviews(state: ReviewState | None = None,
                 limit: int = Query(default=100, ge=1, le=1000),
                 backend: LocalBackend = Depends(backend)) -> ReviewList:
    return ReviewList(reviews=backend.list_reviews(state, limit))


@router.get("/reviews/{review_id}", response_model=Review, summary="One review")
def get_review(review_id: str, backend: LocalBackend = Depends(backend)) -> Review:
    return backend.get_review(review_id)


@router.post("/reviews/{review_id}/decision", response_model=Review, summary="Decide a review")
def decide(review_id: str, body: DecisionBody, backend: LocalBackend = Depends(backend)) -> Review:
    """Approve, reject or edit (``edited_output`` required). A decided review answers 409."""
    review = backend.get_review(review_id)
    if not review.pending:
        raise ApiError(409, f"review {review_id} is already {review.state.value}")
    if body.decision == "edit" and body.edited_output is None:
        raise ApiError(422, "an 'edit' decision needs edited_output", "DataValidationError")
    try:
        return backend.decide(review_id, body.decision, body.reviewer, body.comment,
                              body.edited_output)
    except DatabaseOperationError:
        raise ApiError(409, f"review {review_id} was decided concurrently") from None
