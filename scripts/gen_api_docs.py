"""Write docs/api.md from the server's OpenAPI schema, so the reference never drifts.

Run: python scripts/gen_api_docs.py          (rewrite docs/api.md)
     python scripts/gen_api_docs.py --check  (exit 1 when docs/api.md is stale)
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path
from typing import Any

OUT = Path(__file__).resolve().parent.parent / "docs" / "api.md"
METHODS = ("get", "post", "put", "delete", "patch")

INTRO = """# ScaleSafe HTTP API

*Generated from the server's OpenAPI schema by `scripts/gen_api_docs.py`; do not edit by hand.
A running server publishes the same schema at `/openapi.json` (and browsable at `/docs`).*

Start a server with `scalesafe server --home DIR` and mint a key with
`scalesafe keys create --model NAME --home DIR`; see [server.md](server.md).

## Conventions

- **Authentication.** Every `/v1` call needs `Authorization: Bearer <API key>`. A key belongs
  to one model system and sees only that system's events, reviews, policy, status and
  benchmarks. The server's admin token (`--admin-token`) may act on any model system, named
  with `?model=NAME` or the `X-ScaleSafe-Model` header; a key naming another system gets 403.
- **Errors** are JSON: `{"error": {"type": "...", "message": "...", "status": 404}}`.
  401 unknown, revoked or missing key · 403 another model system's data, or admin only ·
  404 not found (also for another system's ids) · 409 conflict (review already decided) ·
  413 body over the size limit (default 8 MiB) or batch over 5,000 events ·
  422 did not validate (locations listed, input never echoed) · 429 rate limited, with
  `Retry-After` in seconds · 503 a subsystem is unavailable.
- **Pagination.** List calls return `next_cursor`; pass it back as `cursor` until it is null.
- **Idempotency.** `POST /v1/events` skips events whose id is already stored, so a batch
  can be re-sent safely after a timeout. `POST /v1/reviews` with an existing `id` returns the
  stored review.
"""


def build_schema() -> dict[str, Any]:
    from scalesafe.server import create_app

    with tempfile.TemporaryDirectory() as home:
        return create_app(Path(home)).openapi()


def type_of(schema: dict[str, Any]) -> str:
    """A short human-readable type for a JSON schema fragment."""
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        return f"[{name}](#{name.lower()})"
    if "anyOf" in schema:
        parts = [type_of(s) for s in schema["anyOf"]]
        return " or ".join(dict.fromkeys(parts))
    if "enum" in schema:
        return " \\| ".join(f"`{v}`" for v in schema["enum"])
    kind = schema.get("type")
    if kind == "array":
        return f"list of {type_of(schema.get('items', {}))}"
    if kind == "object" or (kind is None and "additionalProperties" in schema):
        return "object"
    if kind == "string" and "format" in schema:
        return f"string ({schema['format']})"
    return str(kind) if kind else "any"


def constraints(schema: dict[str, Any]) -> str:
    names = {"minimum": "≥", "maximum": "≤", "minLength": "min length", "maxLength": "max length",
             "pattern": "pattern", "maxItems": "max items"}
    found = [f"{label} `{schema[k]}`" for k, label in names.items() if k in schema]
    for alt in schema.get("anyOf", []):
        found += [f"{label} `{alt[k]}`" for k, label in names.items() if k in alt]
    return ", ".join(found)


def render_operation(path: str, method: str, op: dict[str, Any]) -> list[str]:
    lines = [f"### `{method.upper()} {path}`", ""]
    if op.get("summary"):
        lines += [f"**{op['summary']}.**" + (f" {op['description']}" if op.get("description") else ""), ""]
    auth = "Bearer API key" if op.get("security") else "none"
    lines += [f"Authentication: {auth}.", ""]
    params = op.get("parameters", [])
    if params:
        lines += ["| parameter | in | type | required | default | constraints |",
                  "| --- | --- | --- | --- | --- | --- |"]
        for p in params:
            s = p.get("schema", {})
            default = f"`{s['default']}`" if "default" in s else ""
            lines.append(f"| `{p['name']}` | {p['in']} | {type_of(s)} | "
                         f"{'yes' if p.get('required') else 'no'} | {default} | {constraints(s)} |")
        lines.append("")
    body = op.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema")
    if body:
        lines += [f"Request body (JSON): {type_of(body)}.", ""]
    lines += ["| status | meaning | body |", "| --- | --- | --- |"]
    for code, resp in sorted(op.get("responses", {}).items()):
        schema = resp.get("content", {}).get("application/json", {}).get("schema")
        lines.append(f"| {code} | {resp.get('description', '')} | {type_of(schema) if schema else ''} |")
    return [*lines, ""]


def render_schema(name: str, schema: dict[str, Any]) -> list[str]:
    lines = [f"### {name}", ""]
    if schema.get("description"):
        lines += [schema["description"].strip(), ""]
    props = schema.get("properties", {})
    if "enum" in schema:
        return [*lines, "One of: " + ", ".join(f"`{v}`" for v in schema["enum"]) + ".", ""]
    if not props:
        return [*lines, "An object.", ""]
    required = set(schema.get("required", []))
    lines += ["| field | type | required | default |", "| --- | --- | --- | --- |"]
    for field, s in props.items():
        default = s.get("default")
        shown = f"`{default}`" if "default" in s and default not in ({}, []) else ""
        lines.append(f"| `{field}` | {type_of(s)} | {'yes' if field in required else 'no'} | {shown} |")
    return [*lines, ""]


def render(schema: dict[str, Any]) -> str:
    lines = [INTRO, f"API version: `{schema['info']['version']}`.", "", "## Endpoints", ""]
    for path, item in schema["paths"].items():
        for method in METHODS:
            if method in item:
                lines += render_operation(path, method, item[method])
    lines += ["## Schemas", ""]
    for name, s in sorted(schema.get("components", {}).get("schemas", {}).items()):
        lines += render_schema(name, s)
    return "\n".join(lines).rstrip() + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--check", action="store_true", help="fail when docs/api.md is stale")
    args = parser.parse_args()
    text = render(build_schema())
    if args.check:
        if not OUT.is_file() or OUT.read_text() != text:
            print("docs/api.md is stale: run python scripts/gen_api_docs.py", file=sys.stderr)
            return 1
        return 0
    OUT.write_text(text)
    print(f"wrote {OUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
