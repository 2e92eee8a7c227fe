"""LL144 from logged decisions joined with demographics held apart, by candidate pseudonym."""

import json

from scalesafe import Client, GenericMonitor
from scalesafe.cli import main


def test_logged_decisions_join_demographics_file(home, tmp_path, capsys):
    client = Client(home=home)
    monitor = GenericMonitor(client=client)
    decisions = {"c1": True, "c2": True, "c3": False, "c4": True, "c5": False, "c6": False, "c7": True}
    for cid, selected in decisions.items():
        monitor.monitor(f"screen resume {cid}", "advance" if selected else "reject",
                        metadata={"candidate_id": cid, "selected": selected})
    monitor.monitor("unrelated chat", "hello")  # not a decision: ignored
    monitor.monitor("re-screen c3", "advance", metadata={"candidate_id": "c3", "selected": True})
    client.flush()
    demo = tmp_path / "demographics.csv"
    demo.write_text(
        "candidate_id,sex,race_ethnicity\n"
        "c1,Male,White\nc2,Male,Asian\nc3,Female,White\nc4,Female,Asian\n"
        "c5,Female,White\nc6,Male,White\n"  # c7 has no demographics: counted as unknown
    )
    assert main(["audit", "ll144", "--home", str(home), "--demographics", str(demo), "--json"]) == 0
    analysis = json.loads(capsys.readouterr().out)
    sex = {c["category"]: c for c in analysis["dimensions"]["sex"]["categories"] if c["count"]}
    # Male: c1 yes, c2 yes, c6 no -> 2/3.  Female: c3 yes (latest), c4 yes, c5 no -> 2/3.
    assert sex["Male"]["count"] == 3 and sex["Female"]["count"] == 3
    assert abs(sex["Male"]["rate"] - 2 / 3) < 1e-9 and abs(sex["Female"]["impact_ratio"] - 1.0) < 1e-9
    assert analysis["dimensions"]["sex"]["unknown"] == 1
    assert "logged decisions" in analysis["source"]
