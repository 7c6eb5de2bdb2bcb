"""The proxy for a URL from ``HTTP(S)_PROXY`` / ``ALL_PROXY`` and ``NO_PROXY``, by httpx's rule.

The default transport and an ``http_client=httpx.AsyncClient()`` must send the
same request through the same proxy, so the default transport reads the
environment exactly as httpx 0.28/0.29 does (``httpx._utils.get_environment_proxies``
and ``URLPattern``, re-implemented here rather than imported: they are private):

* ``urllib.request.getproxies()`` gives the variables; the ``http``, ``https``
  and ``all`` proxies apply to their scheme (``all`` to both), a proxy without
  ``://`` is ``http://`` + it.
* ``NO_PROXY`` is split on commas, each entry stripped. ``*`` bypasses every
  proxy. An entry with ``://`` is a pattern as written (``http://host``: that
  scheme only). An IPv4 address, an IPv6 address (unbracketed, ``::1``) and
  ``localhost`` match exactly that host. Any other entry ``e`` matches the host
  ``e`` and its subdomains (``example.com`` matches ``example.com`` and
  ``www.example.com``, not ``wwwexample.com``); a leading dot (``.example.com``)
  matches subdomains only. ``host:port`` matches only that port (a port is
  compared as httpx sees it: the scheme's default port counts as none, so
  ``example.com:443`` never matches ``https://example.com``). Address ranges
  (``10.0.0.0/8``) are not ranges: only their first address matches, as in httpx.
* The most specific pattern wins: one with a port first, then the longest host,
  then the longest scheme; ties keep the order above.

An entry httpx cannot parse (``[::1]``, ``example.com:abc``) makes
``httpx.AsyncClient()`` fail; here it is a
:class:`~rayvision_async.errors.ConfigurationError` when the client is built.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Mapping

import httpx

from .. import errors

__all__ = ["EnvironmentProxies"]


def _is_address(text: str, kind: type[ipaddress.IPv4Address] | type[ipaddress.IPv6Address]) -> bool:
    try:
        kind(text.split("/")[0])
    except ValueError:
        return False
    return True


class _Pattern:
    """One mount pattern (``scheme://host:port``, ``all`` and ``*`` as wildcards), matched as httpx matches."""

    __slots__ = ("host", "port", "regex", "scheme")

    def __init__(self, text: str) -> None:
        url = httpx.URL(text)  # httpx.InvalidURL for what httpx cannot parse either
        self.scheme = "" if url.scheme == "all" else url.scheme
        self.host = "" if url.host == "*" else url.host
        self.port = url.port
        if not self.host:
            self.regex: re.Pattern[str] | None = None
        elif self.host.startswith("*."):
            self.regex = re.compile(rf"^.+\.{re.escape(self.host[2:])}$")
        elif self.host.startswith("*"):
            self.regex = re.compile(rf"^(.+\.)?{re.escape(self.host[1:])}$")
        else:
            self.regex = re.compile(rf"^{re.escape(self.host)}$")

    def matches(self, url: httpx.URL) -> bool:
        if self.scheme and self.scheme != url.scheme:
            return False
        if self.regex is not None and not self.regex.match(url.host):
            return False
        return self.port is None or self.port == url.port

    @property
    def priority(self) -> tuple[int, int, int]:
        return (0 if self.port is not None else 1, -len(self.host), -len(self.scheme))


class EnvironmentProxies:
    """The environment's proxies and ``NO_PROXY`` exceptions (``getproxies()``'s mapping), as httpx applies them."""

    def __init__(self, variables: Mapping[str, str]) -> None:
        mounts: dict[str, str | None] = {}
        for scheme in ("http", "https", "all"):
            proxy = variables.get(scheme)
            if proxy:
                mounts[f"{scheme}://"] = proxy if "://" in proxy else f"http://{proxy}"
        if mounts:  # without a proxy NO_PROXY changes nothing (and a bad entry is not worth refusing)
            for entry in (part.strip() for part in variables.get("no", "").split(",")):
                if entry == "*":
                    mounts = {}
                    break
                if entry:
                    mounts[self._pattern_text(entry)] = None
        try:
            patterns = [(_Pattern(text), proxy) for text, proxy in mounts.items()]
        except httpx.InvalidURL as exc:
            raise errors.ConfigurationError(
                f"NO_PROXY (or a proxy variable) holds an entry httpx cannot read either ({exc}): fix or remove it"
            ) from None
        #: (pattern, proxy URL or None for "direct"), most specific first.
        self._patterns = sorted(patterns, key=lambda item: item[0].priority)

    @staticmethod
    def _pattern_text(entry: str) -> str:
        if "://" in entry:
            return entry
        if _is_address(entry, ipaddress.IPv4Address):
            return f"all://{entry}"
        if _is_address(entry, ipaddress.IPv6Address):
            return f"all://[{entry}]"
        if entry.lower() == "localhost":
            return f"all://{entry}"
        return f"all://*{entry}"

    def __bool__(self) -> bool:
        """Whether any proxy is configured (else no URL needs a look-up)."""
        return any(proxy is not None for _, proxy in self._patterns)

    def for_url(self, url: httpx.URL) -> str | None:
        """The proxy URL for ``url``, or None: connect directly."""
        for pattern, proxy in self._patterns:
            if pattern.matches(url):
                return proxy
        return None
