import pickle

import pytest

import scalesafe.exceptions as exc

NAMES = [
    "ScaleSafeTokenError", "OutOfComplianceError", "UnsafeInputError", "BannedOutputError",
    "HumanStoppedTheLoopError", "BannedLocationError", "ConfigurationError",
    "HumanReviewNeededException", "APIRateLimitExceededError", "DataValidationError",
    "DatabaseOperationError", "UnauthorizedAccessError", "ResourceNotFoundError",
]


@pytest.mark.parametrize("name", NAMES)
def test_every_error_is_a_scalesafe_exception_and_pickles(name):
    cls = getattr(exc, name)
    assert issubclass(cls, exc.ScaleSafeException)
    err = cls("something happened")
    copy = pickle.loads(pickle.dumps(err))
    assert type(copy) is cls
    assert str(copy) == "something happened"


@pytest.mark.parametrize("name", ["UnsafeInputError", "BannedOutputError", "HumanStoppedTheLoopError",
                                  "BannedLocationError", "ConfigurationError"])
def test_compliance_family(name):
    assert issubclass(getattr(exc, name), exc.OutOfComplianceError)


def test_attributes_survive_pickling():
    err = exc.UnsafeInputError("input blocked: ssn", findings=[{"kind": "ssn"}], event_id="e1")
    copy = pickle.loads(pickle.dumps(err))
    assert copy.findings == [{"kind": "ssn"}]
    assert copy.event_id == "e1"
    review = pickle.loads(pickle.dumps(exc.HumanReviewNeededException("r", review_id="r1")))
    assert review.review_id == "r1"
    ooc = pickle.loads(pickle.dumps(exc.OutOfComplianceError("x", checks=["c"])))
    assert ooc.checks == ["c"]
    rate = pickle.loads(pickle.dumps(exc.APIRateLimitExceededError("slow", retry_after=2.5)))
    assert rate.retry_after == 2.5


def test_module_all_lists_every_error():
    assert set(NAMES) <= set(exc.__all__)
    assert all(hasattr(exc, n) for n in exc.__all__)
