"""``scalesafe server``: serve the API and the review page over a data folder."""

from __future__ import annotations

import argparse
import os
import sys

from ._keys import home_of


def register(subparsers: argparse._SubParsersAction) -> None:
    s = subparsers.add_parser("server", help="run the ScaleSafe API server and review page")
    s.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    s.add_argument("--port", type=int, default=8750, help="port (default 8750)")
    s.add_argument("--home", help="data folder (like SCALESAFE_HOME)")
    s.add_argument("--admin-token", default=None,
                   help="token for admin calls and the review page (or SCALESAFE_ADMIN_TOKEN)")
    s.add_argument("--rate-limit", type=float, default=None,
                   help="requests per second per key (default: unlimited)")
    s.add_argument("--max-body-mb", type=float, default=8.0, help="request body limit in MiB")
    s.add_argument("--no-access-log", action="store_true", help="do not log each request")
    s.set_defaults(func=_serve)


def _serve(args: argparse.Namespace) -> int:
    try:
        from ..server import Limits, serve
    except ImportError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    home = home_of(args)
    token = args.admin_token or os.environ.get("SCALESAFE_ADMIN_TOKEN") or None
    limits = Limits(max_body_bytes=int(args.max_body_mb * 1024 * 1024), rate=args.rate_limit)
    print(f"ScaleSafe server on http://{args.host}:{args.port} (data: {home}; "
          f"review page: /ui; admin token {'set' if token else 'not set'})", file=sys.stderr)
    serve(home, host=args.host, port=args.port, admin_token=token, limits=limits,
          access_log=not args.no_access_log)
    return 0
