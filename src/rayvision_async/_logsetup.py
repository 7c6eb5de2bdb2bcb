"""``RAYVISION_LOG=debug|info``: the SDK's log to stderr without writing logging code.

Only the ``rayvision_async`` logger is touched (its level and one stderr
handler, added once); the root logger never is. What is logged is the same as
always: request lines with ``accessId`` and ``signature`` redacted, response
lines without bodies, retries.
"""

from __future__ import annotations

import logging
import os

from . import errors

__all__ = ["LOG_LEVELS", "log_from_environment"]

LOG_LEVELS = {"debug": logging.DEBUG, "info": logging.INFO}
_MARK = "_rayvision_from_environment"


def log_from_environment() -> None:
    """Apply ``$RAYVISION_LOG`` (unset or empty: leave logging alone)."""
    value = os.environ.get("RAYVISION_LOG", "").strip().lower()
    if not value:
        return
    level = LOG_LEVELS.get(value)
    if level is None:
        raise errors.ConfigurationError("RAYVISION_LOG must be 'debug' or 'info' (or unset)")
    logger = logging.getLogger("rayvision_async")
    if not any(getattr(handler, _MARK, False) for handler in logger.handlers):
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        setattr(handler, _MARK, True)
        logger.addHandler(handler)
    logger.setLevel(level)
