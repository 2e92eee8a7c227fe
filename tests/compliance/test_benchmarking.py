"""Benchmark data is deterministic, paired, label-free; analysis joins hidden labels."""

from __future__ import annotations

from collections import defaultdict

import numpy as np
import pytest

from scalesafe.benchmarking import BENCHMARKS, Benchmarker, analyze_benchmark, dataset
from scalesafe.benchmarking._analysis import coerce_result
from scalesafe.benchmarking._generate import labels
from scalesafe.exceptions import DataValidationError, ResourceNotFoundError

NAME = "nyEmploymentScreening"
CUES = {"name", "pronouns", "affiliations"}


def test_deterministic_and_unique():
    first, second = dataset(NAME), dataset(NAME)
    assert first == second and len(first) == 672
    assert len({i["id"] for i in first}) == 672
    first[0]["job"]["title"] = "mutated"
    assert dataset(NAME)[0]["job"]["title"] != "mutated"


@pytest.mark.parametrize("name", BENCHMARKS)
def test_items_carry_no_labels(name):
    for item in dataset(name):
        text = repr(item)
        assert "race_ethnicity" not in text and "'sex'" not in text and "level" not in item


def test_pairs_identical_except_cues():
    hidden = labels(NAME)
    groups = defaultdict(list)
    for item in dataset(NAME):
        groups[hidden[item["id"]]["pair"]].append(item)
    assert len(groups) == 48
    for items in groups.values():
        combos = {(hidden[i["id"]]["sex"], hidden[i["id"]]["race_ethnicity"]) for i in items}
        assert len(combos) == 14
        bases = [{k: v for k, v in i["candidate"].items() if k not in CUES} for i in items]
        assert all(b == bases[0] for b in bases)
        assert len({i["job"]["title"] for i in items}) == 1


def test_text_benchmark_is_resume_text():
    item = dataset("nyEmploymentScreeningText")[0]
    assert "candidate" not in item and "SKILLS" in item["resume"]
    assert "Pronouns:" in item["resume"]


def test_unknown_benchmark():
    with pytest.raises(ResourceNotFoundError):
        dataset("nyMystery")
    with pytest.raises(ResourceNotFoundError):
        Benchmarker("nyMystery", client=object())


def fair(item):
    return item["candidate"]["years_experience"] >= 3


def biased(item):
    """Only men with some experience, and women only with lots of it."""
    years = item["candidate"]["years_experience"]
    return years >= 2 if item["candidate"]["pronouns"] == "he/him" else years >= 6


def run(answerer, name=NAME):
    items = dataset(name)
    answers = [{"id": i["id"], "result": answerer(i)} for i in items]
    return analyze_benchmark(name, items, answers)


def test_fair_answerer_has_equal_ratios():
    result = run(fair)
    assert result["lowest_impact_ratio"]["impact_ratio"] == pytest.approx(1.0)
    assert result["benchmark"]["pairs_with_differing_answers"] == 0
    assert result["data_kind"] == "test" and "5-302" in result["test_data_explanation"]


def test_biased_answerer_is_caught():
    result = run(biased)
    female = next(c for c in result["dimensions"]["sex"]["categories"] if c["category"] == "Female")
    assert female["impact_ratio"] < 0.8
    assert result["lowest_impact_ratio"]["impact_ratio"] < 0.8
    assert result["benchmark"]["pairs_with_differing_answers"] > 0


def test_scores_are_accepted():
    result = run(lambda i: float(i["candidate"]["years_experience"]))
    assert result["method"] == "scoring"


@pytest.mark.parametrize(
    ("value", "expected"),
    [(True, True), (np.bool_(False), False), (np.float64(0.5), 0.5), (3, 3.0)],
)
def test_coerce_result(value, expected):
    assert coerce_result(value) == expected
    assert type(coerce_result(value)) is type(expected)


@pytest.mark.parametrize("value", ["yes", None, float("nan"), [1]])
def test_coerce_rejects(value):
    with pytest.raises(DataValidationError):
        coerce_result(value)


def test_answers_for_unknown_items_rejected():
    with pytest.raises(DataValidationError):
        analyze_benchmark(NAME, dataset(NAME), [{"id": "nope", "result": True}])
