"""Run the server with uvicorn (what ``scalesafe server`` calls)."""

from __future__ import annotations

import logging
import os
import sys
from pathlib import Path

from ._app import create_app
from ._limits import Limits


def serve(home: str | os.PathLike[str], *, host: str = "127.0.0.1", port: int = 8750,
          admin_token: str | None = None, limits: Limits | None = None,
          access_log: bool = True) -> None:
    """Serve ``home`` until interrupted. Logs go to stderr as JSON lines."""
    import uvicorn

    _configure_logging(access_log)
    app = create_app(Path(home), admin_token, limits=limits)
    uvicorn.run(app, host=host, port=port, log_level="warning", access_log=False,
                server_header=False, timeout_graceful_shutdown=5)


def _configure_logging(access_log: bool) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(name)s %(levelname)s %(message)s"))
    for name in ("scalesafe.server", "scalesafe.server.access"):
        logger = logging.getLogger(name)
        if not logger.handlers:
            logger.addHandler(handler)
        logger.setLevel(logging.INFO)
        logger.propagate = False
    if not access_log:
        logging.getLogger("scalesafe.server.access").setLevel(logging.WARNING)
