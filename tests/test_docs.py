"""The docs keep up with the code: every command and public name is documented."""

import re
from pathlib import Path

import scalesafe
from scalesafe.cli import build_parser

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text()
DOCS = README + "".join(p.read_text() for p in (ROOT / "docs").glob("*.md"))


def _commands():
    parser = build_parser()
    sub = next(a for a in parser._actions if a.dest == "command")
    return sub.choices


def test_every_command_is_in_the_readme_table():
    for name in _commands():
        assert re.search(rf"`scalesafe {name}\b", README), f"scalesafe {name} is not in the README"


def _parsers(name, parser):
    yield name, parser
    for action in parser._actions:
        if isinstance(action.choices, dict):
            for child, sub in action.choices.items():
                yield from _parsers(f"{name} {child}", sub)


def test_every_command_and_option_has_help():
    for top, parser in _commands().items():
        for name, sub in _parsers(top, parser):
            for action in sub._actions:
                if action.option_strings and action.dest != "help":
                    assert action.help, f"scalesafe {name} {action.option_strings[0]} has no help"


def test_every_public_name_is_documented():
    for name in scalesafe.__all__:
        if name.startswith("__"):
            continue
        assert name in DOCS, f"{name} is exported but never mentioned in README or docs/"


def test_docs_links_resolve():
    for target in re.findall(r"\]\((docs/[^)#]+)", README):
        assert (ROOT / target).exists(), target
