"""``scalesafe keys create|list|revoke``: API keys of the server's data folder."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from ._common import print_json, print_table


def register(subparsers: argparse._SubParsersAction) -> None:
    k = subparsers.add_parser("keys", help="API keys for the ScaleSafe server")
    sub = k.add_subparsers(dest="keys_command", metavar="ACTION")
    sub.required = True

    create = sub.add_parser("create", help="mint a key for a model system (shown once)")
    create.add_argument("--model", required=True, help="the model system this key may use")
    create.add_argument("--home", help="the server's data folder (like SCALESAFE_HOME)")
    create.add_argument("--json", action="store_true", help="machine-readable output")
    create.set_defaults(func=_create)

    ls = sub.add_parser("list", help="list keys (prefix only, never the key)")
    ls.add_argument("--model", help="only this model system's keys")
    ls.add_argument("--home", help="the server's data folder (like SCALESAFE_HOME)")
    ls.add_argument("--json", action="store_true", help="machine-readable output")
    ls.set_defaults(func=_list)

    revoke = sub.add_parser("revoke", help="revoke a key by its id or prefix")
    revoke.add_argument("key", metavar="PREFIX_OR_ID")
    revoke.add_argument("--home", help="the server's data folder (like SCALESAFE_HOME)")
    revoke.add_argument("--json", action="store_true", help="machine-readable output")
    revoke.set_defaults(func=_revoke)


def home_of(args: argparse.Namespace) -> Path:
    """``--home``, else SCALESAFE_HOME, else the per-user data folder."""
    from .._settings import default_home

    value = getattr(args, "home", None) or os.environ.get("SCALESAFE_HOME")
    return Path(value).expanduser() if value else default_home()


def _store(args: argparse.Namespace):  # type: ignore[no-untyped-def]
    from ..server._keys import KeyStore

    return KeyStore(home_of(args))


def _create(args: argparse.Namespace) -> int:
    key, info = _store(args).create(args.model)
    if args.json:
        print_json({"key": key, "id": info.id, "prefix": info.prefix,
                    "model_system": info.model_system, "created_at": info.created_at})
        return 0
    print(key)
    print(f"key {info.id} for model system {info.model_system!r}: shown once, store it now "
          "(set it as SCALESAFE_API_KEY)", file=sys.stderr)
    return 0


def _list(args: argparse.Namespace) -> int:
    keys = _store(args).list(args.model)
    if args.json:
        print_json([{"id": k.id, "prefix": k.prefix, "model_system": k.model_system,
                     "created_at": k.created_at, "revoked_at": k.revoked_at} for k in keys])
        return 0
    rows = [(k.prefix + "…", k.model_system, k.created_at, k.revoked_at or "active", k.id)
            for k in keys]
    print_table(["prefix", "model system", "created", "state", "id"], rows,
                title=f"{len(keys)} key(s) in {home_of(args)}")
    return 0


def _revoke(args: argparse.Namespace) -> int:
    info = _store(args).revoke(args.key)
    if args.json:
        print_json({"id": info.id, "prefix": info.prefix, "model_system": info.model_system,
                    "revoked_at": info.revoked_at})
        return 0
    print(f"revoked key {info.prefix}… ({info.model_system}) at {info.revoked_at}")
    return 0
