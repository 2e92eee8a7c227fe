"""Invariants of the LL144 arithmetic and the progress bar."""

from __future__ import annotations

import io

from hypothesis import given, settings
from hypothesis import strategies as st

from scalesafe.benchmarking._progress import ProgressBar
from scalesafe.compliance import RACE_ETHNICITY, SEX, ll144_analysis

row = st.fixed_dictionaries(
    {
        "sex": st.sampled_from([*SEX, "", "other"]),
        "race_ethnicity": st.sampled_from([*RACE_ETHNICITY, None]),
        "selected": st.booleans(),
    }
)


@settings(max_examples=60, deadline=None)
@given(st.lists(row, min_size=1, max_size=80))
def test_ratios_bounded_and_counts_add_up(rows):
    result = ll144_analysis(rows)
    for dim in result["dimensions"].values():
        cats = dim["categories"]
        assert sum(c["count"] for c in cats) + dim["unknown"] == len(rows)
        ratios = [c["impact_ratio"] for c in cats if c["impact_ratio"] is not None]
        assert all(0 <= r <= 1 for r in ratios)
        if ratios:
            assert max(ratios) == 1


class Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_bar_only_on_a_terminal():
    plain = io.StringIO()
    bar = ProgressBar(10, "bench", plain)
    bar.update(5)
    bar.close()
    assert plain.getvalue() == ""
    tty = Tty()
    bar = ProgressBar(10, "bench", tty)
    bar.update(10)
    bar.close()
    assert "10/10" in tty.getvalue() and tty.getvalue().endswith("\n")
