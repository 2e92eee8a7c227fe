"""System profiles load from dicts and TOML; typos are configuration errors."""

from __future__ import annotations

import pytest

from scalesafe.compliance import SystemProfile, as_profile, find_profile
from scalesafe.exceptions import ConfigurationError

TOML = """
[profile]
use_case = "employment_screening"
jurisdictions = ["nyc", "EU"]
role = "deployer"
human_overseers = ["hr-lead@example.com"]
retention_days = 365
candidate_notice_date = 2026-01-05
"""


def test_load_toml_profile_table(tmp_path):
    path = tmp_path / "scalesafe.toml"
    path.write_text(TOML)
    profile = SystemProfile.load(path)
    assert profile.jurisdictions == ["NYC", "EU"]
    assert profile.effective_risk_class == "high"
    assert find_profile(None, tmp_path) == profile
    assert as_profile(str(path)) == profile


def test_top_level_dict_and_defaults():
    profile = SystemProfile.load({"use_case": "chatbot"})
    assert profile.talks_to_people and profile.effective_risk_class == "minimal"
    assert profile.impact_ratio_threshold == 0.8


@pytest.mark.parametrize(
    "data",
    [
        {"use_case": "employment"},
        {"jurisdictions": ["Mars"]},
        {"retention": 100},
        {"role": "owner"},
        {"retention_days": -1},
        {"candidate_notice_date": "soon"},
    ],
)
def test_unknown_keys_and_values_rejected(data):
    with pytest.raises(ConfigurationError):
        SystemProfile.load(data)


def test_bad_toml_is_a_configuration_error(tmp_path):
    path = tmp_path / "scalesafe.toml"
    path.write_text("use_case = ")
    with pytest.raises(ConfigurationError):
        SystemProfile.load(path)
    with pytest.raises(ConfigurationError):
        SystemProfile.load(tmp_path / "missing.toml")


def test_find_profile_none_when_absent(tmp_path):
    assert find_profile(tmp_path) is None
