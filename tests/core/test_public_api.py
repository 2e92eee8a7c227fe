import json
import subprocess
import sys

import scalesafe


def test_all_names_resolve_and_are_sorted():
    assert scalesafe.__all__ == sorted(scalesafe.__all__)
    for name in scalesafe.__all__:
        assert getattr(scalesafe, name) is not None
    for name in ("configure", "Client", "flush", "screen", "GenericMonitor", "requires_approval", "Policy"):
        assert name in scalesafe.__all__


def test_import_pulls_in_no_framework_sdk_or_server():
    code = (
        "import sys, json, scalesafe, scalesafe.generic, scalesafe.exceptions;"
        "from scalesafe import GenericMonitor, Client;"
        "print(json.dumps(sorted(m.split('.')[0] for m in sys.modules)))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    loaded = set(json.loads(out.stdout))
    forbidden = {"openai", "langchain", "langchain_core", "llama_index", "fastapi", "uvicorn",
                 "starlette", "langgraph", "rich"}
    assert not loaded & forbidden, loaded & forbidden


def test_generic_monitor_importable_from_both_places():
    from scalesafe.generic import GenericMonitor

    assert scalesafe.GenericMonitor is GenericMonitor
