"""Benchmarker and status() on a real embedded store in a temporary home."""

from __future__ import annotations

import datetime as dt

import pytest

from scalesafe import Client
from scalesafe.benchmarking import Benchmarker
from scalesafe.compliance import compute_status, raise_for_status
from scalesafe.exceptions import (
    DataValidationError,
    HumanStoppedTheLoopError,
    OutOfComplianceError,
)

TODAY = dt.date.today()
NYC = {
    "use_case": "employment_screening",
    "jurisdictions": ["NYC"],
    "candidate_notice_date": (TODAY - dt.timedelta(days=60)).isoformat(),
    "in_use_since": (TODAY - dt.timedelta(days=30)).isoformat(),
    "bias_audit_summary_url": "https://example.com/careers/aedt-audit",
}


def test_seed_readme_loop_verbatim(client):
    """The seed README's block, character for character (plus numpy and keeping the result)."""
    import numpy as np

    # fmt: off
    from scalesafe.benchmarking import Benchmarker
    dataset = Benchmarker('nyEmploymentScreening') # Example bias screening for employment AI in New York

    for item in dataset:
        print(item)  # Process the batch here
        result = True if np.random.random() > 0.5 else False # Do some AI  # noqa: SIM210
        dataset.answer(result, item['id'])  # We add our responses to the buffer

    analysis = dataset.post_answers() # We send them to our audit team for analysis
    # fmt: on

    assert analysis["benchmark"]["answered"] == 672
    assert set(analysis["dimensions"]) == {"sex", "race_ethnicity", "intersectional"}
    records = client.backend.list_audits(type="benchmark")
    assert len(records) == 1 and records[0].body["analysis"]["total"] == 672


def answer_all(bench, answerer):
    for item in bench:
        bench.answer(answerer(item), item["id"])
    return bench.post_answers()


def fair(item):
    return item["candidate"]["years_experience"] >= 3


def biased(item):
    years = item["candidate"]["years_experience"]
    return years >= 2 if item["candidate"]["pronouns"] == "he/him" else years >= 6


def test_status_fails_without_audit_then_passes(tmp_path):
    client = Client(home=tmp_path, profile=NYC)
    try:
        with pytest.raises(OutOfComplianceError) as err:
            raise_for_status(client.backend.status())
        assert "nyc.ll144.bias_audit" in {c.id for c in err.value.checks}

        biased_run = answer_all(Benchmarker("nyEmploymentScreening", client=client), biased)
        assert biased_run["lowest_impact_ratio"]["impact_ratio"] < 0.8
        with pytest.raises(OutOfComplianceError) as err:
            raise_for_status(client.backend.status())
        assert {c.id for c in err.value.checks} == {"nyc.ll144.impact_ratio"}

        answer_all(Benchmarker("nyEmploymentScreeningText", client=client), lambda i: True)
        status = raise_for_status(compute_status(client.backend, NYC))
        assert status.compliant and status.model_system == client.model_system
    finally:
        client.close()


def test_stop_switch_raises_human_stopped(tmp_path):
    client = Client(home=tmp_path)
    try:
        client.backend.set_stop(True, reason="bias under investigation", by="hr-lead")
        with pytest.raises(HumanStoppedTheLoopError, match="bias under investigation"):
            raise_for_status(client.backend.status())
    finally:
        client.close()


def test_answers_survive_a_restart(tmp_path):
    client = Client(home=tmp_path)
    try:
        first = Benchmarker("nyEmploymentScreening", batch_size=10, client=client)
        for n, item in enumerate(first):
            first.answer(fair(item), item["id"])
            if n == 24:
                break
        second = Benchmarker("nyEmploymentScreening", client=client)
        assert len(second.answers) == 25
        remaining = list(second)
        assert len(remaining) == 672 - 25
        for item in remaining:
            second.answer(fair(item), item["id"])
        assert second.post_answers()["benchmark"]["answered"] == 672
        assert Benchmarker("nyEmploymentScreening", client=client).answers == {}
    finally:
        client.close()


def test_answer_rejects_foreign_ids(tmp_path):
    client = Client(home=tmp_path)
    try:
        bench = Benchmarker("nyEmploymentScreening", client=client)
        with pytest.raises(DataValidationError):
            bench.answer(True, "not-an-item")
        with pytest.raises(DataValidationError):
            bench.post_answers()
    finally:
        client.close()


def test_pending_review_needs_a_human(tmp_path):
    from scalesafe.exceptions import HumanReviewNeededException
    from scalesafe.model import Review

    client = Client(home=tmp_path)
    try:
        client.backend.open_review(Review(reason="manager sign-off"))
        with pytest.raises(HumanReviewNeededException):
            raise_for_status(client.backend.status())
    finally:
        client.close()


def test_incident_deadline_through_the_log(tmp_path):
    from scalesafe.compliance import mark_incident_reported, record_incident

    eu = {
        "use_case": "employment_screening",
        "jurisdictions": ["EU"],
        "human_overseers": ["hr-lead"],
        "retention_days": 400,
    }
    client = Client(home=tmp_path, profile=eu)
    try:
        record = record_incident(client.backend, "death", TODAY - dt.timedelta(days=11))
        failing = {c.id for c in client.backend.status().failing}
        assert "eu.art73.incidents" in failing
        mark_incident_reported(client.backend, record.id, TODAY)
        failing = {c.id for c in client.backend.status().failing}
        assert "eu.art73.incidents" not in failing
        with pytest.raises(DataValidationError):
            record_incident(client.backend, "minor", TODAY)
    finally:
        client.close()
