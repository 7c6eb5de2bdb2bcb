"""The client's settings, checked before anything is built or sent (every refusal a ``ConfigurationError``)."""

from __future__ import annotations

import ipaddress
import os
import re
from typing import Any

from . import errors
from ._retry import RetryPolicy

__all__ = ["checked", "checked_domain", "checked_platform", "credential", "retry_policy"]

_DOMAIN = re.compile(r"(?=.{1,253}(:|$))[A-Za-z0-9]([A-Za-z0-9-]{0,62}[A-Za-z0-9])?"
                     r"(\.[A-Za-z0-9]([A-Za-z0-9-]{0,62}[A-Za-z0-9])?)*(:[0-9]{1,5})?")
_CREDENTIAL = re.compile(r"[\x21-\x7e]{4,256}")
_PLATFORM = re.compile(r"[0-9]{1,4}")  # ASCII digits: it is sent as a header


def _credential(value: str | None, env: str, what: str) -> str:
    value = os.environ.get(env) if value is None else value
    if value is None:
        raise errors.ConfigurationError(f"no {what}: pass {what.replace(' ', '_')}= or set {env}")
    if not isinstance(value, str) or not _CREDENTIAL.fullmatch(value):
        raise errors.ConfigurationError(f"{what} must be 4 to 256 printable ASCII characters without spaces")
    return value


_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
#: ``http(s)://host[:port]`` and nothing else: no userinfo (it would add ``Authorization: Basic`` to every
#: request), path, query or fragment (every call would go to another URL), and only ASCII (no NUL, no
#: IDNA guesswork): a host name, an IPv4 address, or an IPv6 address in brackets.
_BASE_URL = re.compile(
    rf"https?://(?P<host>{_LABEL}(?:\.{_LABEL})*|\[(?P<ipv6>[0-9A-Fa-f:.]{{2,45}})\])(?::(?P<port>[0-9]{{1,5}}))?")
_BASE_URL_RULE = ("must look like https://host[:port]: an ASCII host name or address, port 1-65535, "
                  "no user:password@, path, query or fragment")


def _valid_base_url(base_url: object) -> bool:
    if not isinstance(base_url, str) or len(base_url) > 300:
        return False
    match = _BASE_URL.fullmatch(base_url)
    if match is None or len(match["host"]) > 255:
        return False
    if match["ipv6"] is not None:
        try:
            ipaddress.IPv6Address(match["ipv6"])
        except ValueError:
            return False
    return match["port"] is None or 1 <= int(match["port"]) <= 65535


def credential(value: Any, what: str) -> str:
    """An access id or key given as such (no environment fall-back): 4 to 256 printable ASCII characters."""
    if not isinstance(value, str):
        raise errors.ConfigurationError(f"{what} must be a str, got a {type(value).__name__}")
    return _credential(value, "", what)


def checked_domain(domain: Any) -> str:
    """The signed domain: a host name with an optional ``:port``, without a scheme."""
    if not isinstance(domain, str) or "://" in domain or not _DOMAIN.fullmatch(domain) \
            or not 1 <= int(domain.partition(":")[2] or 443) <= 65535:
        raise errors.ConfigurationError("domain must be a host name with an optional :port, without a scheme")
    return domain


def checked_platform(platform: Any) -> str:
    """The platform header: a number such as ``"2"`` (an int of it is taken as its digits)."""
    if isinstance(platform, int) and not isinstance(platform, bool) and 0 <= platform <= 9999:
        platform = str(platform)  # (a wider int stays an int and is refused below, before str() of it)
    if not isinstance(platform, str) or not _PLATFORM.fullmatch(platform):
        raise errors.ConfigurationError("platform must be a number such as '2' (see query.platforms())")
    return platform


def retry_policy(max_retries: int) -> RetryPolicy:
    if isinstance(max_retries, bool) or not isinstance(max_retries, int) or not 0 <= max_retries <= 10:
        raise errors.ConfigurationError("max_retries must be an int from 0 to 10")
    return RetryPolicy(attempts=max_retries + 1)


def checked(
    *, access_id: str | None, access_key: str | None, domain: Any, platform: Any, protocol: Any, retry: Any,
    max_concurrency: Any, transport: Any, base_url: Any, max_response_bytes: Any,
) -> tuple[str, str, str, str, str | None]:
    """The credentials (from the environment if not given), domain, platform and base URL, all checked."""
    access_id = _credential(access_id, "RAYVISION_API_ACCESS_ID", "access id")
    access_key = _credential(access_key, "RAYVISION_API_KEY", "access key")
    domain = checked_domain(domain)
    platform = checked_platform(platform)
    if not isinstance(protocol, str) or protocol not in ("current", "2018"):
        raise errors.ConfigurationError("protocol must be 'current' or '2018'")
    if retry is not None and not isinstance(retry, RetryPolicy):
        raise errors.ConfigurationError("retry must be a RetryPolicy")
    if isinstance(max_concurrency, bool) or not isinstance(max_concurrency, int) \
            or not 1 <= max_concurrency <= 1000:
        raise errors.ConfigurationError("max_concurrency must be an int from 1 to 1000")
    if transport is not None and not callable(getattr(transport, "handle_async_request", None)):
        raise errors.ConfigurationError("transport must be an httpx.AsyncBaseTransport")
    if base_url is None and os.environ.get("RAYVISION_BASE_URL"):
        base_url = os.environ["RAYVISION_BASE_URL"]
        if not _valid_base_url(base_url):
            raise errors.ConfigurationError(f"RAYVISION_BASE_URL {_BASE_URL_RULE}")
    if base_url is not None and not _valid_base_url(base_url):
        raise errors.ConfigurationError(f"base_url {_BASE_URL_RULE}")
    if isinstance(max_response_bytes, bool) or not isinstance(max_response_bytes, int) \
            or not 1024 <= max_response_bytes <= 2**31:
        raise errors.ConfigurationError("max_response_bytes must be an int from 1024 to 2**31")
    return access_id, access_key, domain, platform, base_url
