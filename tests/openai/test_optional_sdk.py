"""Without the OpenAI SDK: the monitors still read dicts; wrap() says what to install."""

from __future__ import annotations

import subprocess
import sys
import textwrap


def test_monitors_work_and_wrap_explains_without_the_sdk(tmp_path):
    script = textwrap.dedent("""
        import sys
        sys.modules["openai"] = None  # as if the SDK were not installed
        import scalesafe
        from scalesafe.openai import OpenAIChatMonitor, wrap
        scalesafe.configure(home=sys.argv[1])
        completion = {"id": "c1", "model": "m", "choices": [
            {"index": 0, "message": {"role": "assistant", "content": "hi"},
             "finish_reason": "stop"}], "usage": {"prompt_tokens": 1, "completion_tokens": 1}}
        event = OpenAIChatMonitor().monitor(completion, [{"role": "user", "content": "yo"}])
        assert event.output_text == "hi" and event.usage.total_tokens == 2
        try:
            wrap(object())
        except ImportError as error:
            print(error)
    """)
    done = subprocess.run([sys.executable, "-c", script, str(tmp_path)], capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert "pip install 'scalesafe[openai]'" in done.stdout
