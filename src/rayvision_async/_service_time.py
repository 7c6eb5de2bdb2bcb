"""The service's time zone: the one definition the client and the simulator share.

The protocol documents give times as "yyyy-MM-dd HH:mm:ss" wall-clock text in
China Standard Time (UTC+8), without an offset.
"""

from __future__ import annotations

import datetime as dt

__all__ = ["SERVICE_TZ"]

#: The zone the service reads and writes "yyyy-MM-dd HH:mm:ss" text in (UTC+8).
SERVICE_TZ = dt.timezone(dt.timedelta(hours=8))
