"""The report files and the `scalesafe status` / `audit` commands."""

from __future__ import annotations

import csv
import json

import pytest

from scalesafe.cli import main
from scalesafe.compliance import ll144_analysis, read_decisions_csv, write_report
from scalesafe.exceptions import DataValidationError

DECISIONS = """candidate_id,gender,race_ethnicity,selected,date
c1,Male,White,yes,2026-01-03
c2,Male,White,no,2026-01-04
c3,Female,white,1,2026-02-01
c4,Female,Asian,0,2026-02-02
c5,female,ASIAN,true,2026-03-01
c6,,Asian,false,2026-03-02
"""


@pytest.fixture
def decisions(tmp_path):
    path = tmp_path / "decisions.csv"
    path.write_text(DECISIONS)
    return path


def test_read_decisions_csv(decisions):
    rows = read_decisions_csv(decisions, sex_column="gender")
    assert [r["selected"] for r in rows] == [True, False, True, False, True, False]
    assert rows[0]["date"] == "2026-01-03"


def test_read_decisions_errors(tmp_path, decisions):
    with pytest.raises(DataValidationError, match="sex"):
        read_decisions_csv(decisions)
    bad = tmp_path / "bad.csv"
    bad.write_text("candidate_id,sex,race_ethnicity,selected\nc1,Male,White,maybe\n")
    with pytest.raises(DataValidationError, match="line 2"):
        read_decisions_csv(bad)


def test_write_report(tmp_path, decisions):
    analysis = ll144_analysis(read_decisions_csv(decisions, sex_column="gender"))
    paths = write_report(analysis, tmp_path / "out")
    html = paths["html"].read_text()
    assert html.count("<svg") == 3 and "stroke-dasharray" in html
    assert "http" not in html.replace('xmlns="http://www.w3.org/2000/svg"', "")
    assert json.loads(paths["json"].read_text())["total"] == 6
    rows = list(csv.DictReader(paths["csv"].open()))
    assert len(rows) == 2 + 7 + 14
    female = next(r for r in rows if r["dimension"] == "sex" and r["category"] == "Female")
    assert float(female["rate"]) == pytest.approx(2 / 3)


def test_cli_ll144_json_and_record(tmp_path, decisions, capsys):
    home = str(tmp_path / "home")
    args = ["audit", "ll144", "--decisions", str(decisions), "--sex-column", "gender"]
    assert main([*args, "--json", "--record", "--home", home]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["dimensions"]["sex"]["unknown"] == 1
    assert out["data_period"] == ["2026-01-03", "2026-03-02"] and out["audit_id"]
    assert main(args) == 0
    text = capsys.readouterr().out
    assert "0.667" in text and "impact ratio" in text

    out_dir = tmp_path / "report"
    assert main(["audit", "report", "--out", str(out_dir), "--home", home]) == 0
    assert (out_dir / "ll144-bias-audit.html").exists()


def test_cli_report_without_audit_fails(tmp_path, capsys):
    assert main(["audit", "report", "--out", str(tmp_path), "--home", str(tmp_path)]) == 2
    assert "ResourceNotFoundError" in capsys.readouterr().err


def test_cli_status(tmp_path, capsys):
    home = str(tmp_path / "home")
    assert main(["status", "--json", "--home", home]) == 0
    assert json.loads(capsys.readouterr().out)["compliant"] is True
    profile = tmp_path / "scalesafe.toml"
    profile.write_text('use_case = "employment_screening"\njurisdictions = ["NYC"]\n')
    assert main(["status", "--home", home, "--profile", str(profile)]) == 1
    out = capsys.readouterr().out
    assert "nyc.ll144.bias_audit" in out and "NOT compliant" in out
