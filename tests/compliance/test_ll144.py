"""LL144 arithmetic against figures computed by hand."""

from __future__ import annotations

import json

import pytest

from scalesafe.compliance import ll144_analysis
from scalesafe.exceptions import DataValidationError

# (sex, race, assessed, selected)
TABLE = [
    ("Male", "White", 20, 10),
    ("Male", "Black or African American", 10, 4),
    ("Male", "Asian", 10, 6),
    ("Female", "White", 20, 8),
    ("Female", "Black or African American", 20, 6),
    ("Female", "Asian", 20, 10),
]
UNKNOWNS = [
    {"sex": "", "race_ethnicity": "White", "selected": True},
    {"sex": "MALE", "race_ethnicity": "Unknown", "selected": False},
    {"sex": "x", "race_ethnicity": " asian ", "selected": False},
]


def rows_from(table):
    rows = []
    for sex, race, n, k in table:
        rows += [{"sex": sex, "race_ethnicity": race, "selected": i < k} for i in range(n)]
    return rows


def by_category(analysis, dimension):
    return {c["category"]: c for c in analysis["dimensions"][dimension]["categories"]}


@pytest.fixture(scope="module")
def analysis():
    return ll144_analysis(rows_from(TABLE) + UNKNOWNS)


def test_sex_table(analysis):
    sex = by_category(analysis, "sex")
    assert (sex["Male"]["count"], sex["Male"]["favourable"]) == (41, 20)
    assert sex["Male"]["rate"] == pytest.approx(20 / 41)
    assert sex["Male"]["impact_ratio"] == pytest.approx(1.0)
    assert sex["Female"]["rate"] == pytest.approx(0.4)
    assert sex["Female"]["impact_ratio"] == pytest.approx(0.82)
    assert analysis["dimensions"]["sex"]["unknown"] == 2
    assert analysis["dimensions"]["sex"]["reference"] == "Male"


def test_race_table(analysis):
    race = by_category(analysis, "race_ethnicity")
    assert race["White"]["count"] == 41 and race["Asian"]["count"] == 31
    assert race["White"]["impact_ratio"] == pytest.approx(589 / 656)
    assert race["Black or African American"]["impact_ratio"] == pytest.approx(31 / 48)
    assert race["Asian"]["impact_ratio"] == pytest.approx(1.0)
    assert race["Hispanic or Latino"]["count"] == 0
    assert race["Hispanic or Latino"]["impact_ratio"] is None
    assert analysis["dimensions"]["race_ethnicity"]["unknown"] == 1


def test_intersectional_table(analysis):
    inter = by_category(analysis, "intersectional")
    expected = {
        "Male / White": 0.5 / 0.6,
        "Male / Black or African American": 0.4 / 0.6,
        "Male / Asian": 1.0,
        "Female / White": 0.4 / 0.6,
        "Female / Black or African American": 0.3 / 0.6,
        "Female / Asian": 0.5 / 0.6,
    }
    for name, ratio in expected.items():
        assert inter[name]["impact_ratio"] == pytest.approx(ratio), name
    assert inter["Female / Asian"]["sex"] == "Female"
    assert len(inter) == 14
    assert analysis["dimensions"]["intersectional"]["unknown"] == 3
    assert analysis["lowest_impact_ratio"] == {
        "dimension": "intersectional",
        "category": "Female / Black or African American",
        "impact_ratio": pytest.approx(0.5),
    }


def test_result_is_json_safe(analysis):
    assert json.loads(json.dumps(analysis, allow_nan=False))["total"] == 103


def test_small_category_excluded_even_when_most_selected():
    rows = [{"sex": "Male", "race_ethnicity": "White", "selected": i < 30} for i in range(59)]
    rows.append({"sex": "Female", "race_ethnicity": "Hispanic or Latino", "selected": True})
    result = ll144_analysis(rows)
    sex = by_category(result, "sex")
    assert sex["Female"]["excluded"] and sex["Female"]["rate"] == 1.0
    assert sex["Female"]["impact_ratio"] is None
    assert sex["Male"]["impact_ratio"] == pytest.approx(1.0)
    real = [e for e in result["exclusions"] if e["count"]]
    assert {(e["dimension"], e["category"]) for e in real} == {
        ("sex", "Female"),
        ("race_ethnicity", "Hispanic or Latino"),
        ("intersectional", "Female / Hispanic or Latino"),
    }
    assert all("2%" in e["justification"] for e in real)


def test_exactly_two_percent_is_kept():
    rows = [{"sex": "Male", "race_ethnicity": "White", "selected": True} for _ in range(49)]
    rows.append({"sex": "Female", "race_ethnicity": "White", "selected": True})
    assert not by_category(ll144_analysis(rows), "sex")["Female"]["excluded"]


def test_scoring_rate_uses_full_sample_median():
    scores = [("Male", 10), ("Male", 8), ("Male", 6), ("Female", 7), ("Female", 5), ("Female", 3)]
    rows = [{"sex": s, "race_ethnicity": "Asian", "score": v} for s, v in scores]
    result = ll144_analysis(rows)
    assert result["method"] == "scoring" and result["median_score"] == 6.5
    sex = by_category(result, "sex")
    assert sex["Male"]["rate"] == pytest.approx(2 / 3)
    assert sex["Female"]["impact_ratio"] == pytest.approx(0.5)


def test_scores_equal_to_median_are_not_above_it():
    rows = [{"sex": "Male", "race_ethnicity": "Asian", "score": v} for v in (1, 2, 2, 3)]
    assert by_category(ll144_analysis(rows), "sex")["Male"]["favourable"] == 1


def test_nobody_selected_gives_no_ratios():
    rows = [{"sex": "Male", "race_ethnicity": "Asian", "selected": False}] * 5
    result = ll144_analysis(rows)
    assert by_category(result, "sex")["Male"]["impact_ratio"] is None
    assert result["lowest_impact_ratio"] is None


@pytest.mark.parametrize(
    "rows",
    [[], [{"sex": "Male", "race_ethnicity": "Asian"}], [{"sex": "Male", "score": "high"}]],
)
def test_bad_rows_rejected(rows):
    with pytest.raises(DataValidationError):
        ll144_analysis(rows)
