"""The README's first command runs the demo: it must keep working, offline."""

import subprocess
import sys


def test_demo_runs_offline_and_blocks_what_it_should(tmp_path):
    out = subprocess.run(
        [sys.executable, "-m", "scalesafe.cli", "demo", "--home", str(tmp_path / "demo")],
        capture_output=True, text=True, timeout=120, check=True,
        env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "NO_COLOR": "1", "COLUMNS": "200"},
    )
    text = out.stdout
    assert "skipped" not in text, text
    assert text.count("BLOCKED by UnsafeInputError") >= 4, text
    assert "BLOCKED by BannedOutputError" in text
    assert "received 1 request(s)" in text
    assert "hash chain intact" in text
    for source in ("openai", "langchain", "llama_index", "generic"):
        assert source in text
    assert "4111 1111 1111 1111" not in text.split("== OpenAI")[1]  # errors never echo the card
