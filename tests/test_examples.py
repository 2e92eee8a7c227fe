"""Every script in examples/ runs as it is, offline, on a fresh data folder."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

EXAMPLES = sorted((Path(__file__).resolve().parent.parent / "examples").glob("*.py"))


@pytest.mark.parametrize("script", EXAMPLES, ids=[p.name for p in EXAMPLES])
def test_example_runs(script, tmp_path):
    env = {**os.environ, "SCALESAFE_HOME": str(tmp_path / "home")}
    for name in ("SCALESAFE_API_KEY", "SCALESAFE_BASE_URL", "OPENAI_API_KEY"):
        env.pop(name, None)
    result = subprocess.run([sys.executable, str(script)], capture_output=True, text=True,
                            timeout=120, env=env, cwd=tmp_path)
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stdout.strip(), "an example should show what it did"


def test_there_are_examples():
    assert len(EXAMPLES) >= 4
