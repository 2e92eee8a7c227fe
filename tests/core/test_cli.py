import json
import sqlite3

from scalesafe import Client, GenericMonitor
from scalesafe.cli import main


def _seed(home, n=3):
    client = Client(home=home)
    monitor = GenericMonitor(client=client)
    for i in range(n):
        monitor.monitor(f"question {i}", f"answer {i}", model="m1")
    client.flush()
    return client


def test_events_and_verify(home, capsys):
    _seed(home)
    assert main(["events", "--home", str(home), "--json"]) == 0
    events = json.loads(capsys.readouterr().out)
    assert [e["output_text"] for e in events] == ["answer 2", "answer 1", "answer 0"]
    assert main(["verify", "--home", str(home)]) == 0
    assert "intact" in capsys.readouterr().out


def test_verify_names_the_first_tampered_row(home, capsys):
    _seed(home)
    conn = sqlite3.connect(home / "scalesafe.db", isolation_level=None)
    conn.execute("UPDATE ledger SET body = replace(body, 'answer 1', 'answer X') WHERE n = 2")
    assert main(["verify", "--home", str(home), "--json"]) == 1
    report = json.loads(capsys.readouterr().out)
    assert report["ok"] is False and report["first_bad_seq"] == 2


def test_export_writes_json_lines(home, tmp_path, capsys):
    _seed(home, 4)
    out = tmp_path / "audit.jsonl"
    assert main(["export", "--home", str(home), "-o", str(out)]) == 0
    lines = out.read_text().splitlines()
    assert len(lines) == 4 and json.loads(lines[0])["output_text"] == "answer 0"


def test_every_command_has_help(capsys):
    from scalesafe.cli import build_parser

    parser = build_parser()
    sub = next(a for a in parser._actions if a.dest == "command")
    for name, sp in sub.choices.items():
        assert sp.description or sub._name_parser_map[name].format_help()
    helps = {a.dest: a.help for a in sub._choices_actions}
    assert all(helps.values()), helps
