"""The official SDK's ``user_info`` dict, for dict-based code and the official transfer tools.

The official client fills ``api.user_info`` at login: ``local_os``, ``domain`` and ``platform``
(the client's), then every key of the profile, the settings and the transfer bids merged in that
order, each renamed from camelCase to snake_case (``userId`` → ``user_id``), except the
profile's own ``platform``. Here the parts are models, so a field a later part leaves empty
(``None``) does not replace an earlier part's value. Its transfer package reads ``user_id``, ``local_os``, ``domain``,
``platform`` and the ``*_bid`` keys from it.
"""

from __future__ import annotations

import platform as platform_module
import re
from typing import Any

from ..models import TransferBid, UserProfile, UserSetting

__all__ = ["camel_to_snake", "user_info"]

_HUMP = re.compile(r"([a-z0-9])([A-Z])")


def camel_to_snake(name: str) -> str:
    """The official rename: an uppercase letter after a lowercase letter or digit gets ``_``; then lowercase."""
    return _HUMP.sub(r"\1_\2", name).lower()


def user_info(profile: UserProfile, setting: UserSetting, bid: TransferBid, *, domain: str, platform: str,
              local_os: str | None = None) -> dict[str, Any]:
    """The merged snapshot with the official keys (values in :meth:`~.models.ServiceModel.to_dict` form)."""
    info: dict[str, Any] = {"local_os": local_os or platform_module.system().lower(), "domain": domain,
                            "platform": platform}
    for part in (profile.to_dict(), setting.to_dict(), bid.to_dict()):
        for key, value in part.items():
            snake = camel_to_snake(key)
            if snake != "platform" and (value is not None or info.get(snake) is None):
                info[snake] = value
    return info
