"""The open clients' secrets out of httpx's and httpcore's own log records.

With ``http_client=`` (or an httpx ``transport=``) every signed attempt goes
through httpx and httpcore, whose DEBUG logs (``httpcore.http11`` and friends)
print the reply's headers as the server sent them: a hostile or careless server
that echoes ``accessId`` or ``signature`` back would put them in the log. While a
client is open, :class:`SecretsFilter` sits on those loggers and replaces the
access id, the access key and the client's recent signatures with ``***`` in
every record (message and arguments rendered first). It is installed when the
first client opens and removed when the last one closes (or is garbage
collected); several clients at once each have their secrets removed.

A logger's filter applies to the records logged *to that logger*, not to those
of its children, so it is put on each logger httpx and httpcore log to.
"""

from __future__ import annotations

import logging
import threading
import weakref
from typing import Protocol

__all__ = ["LOGGERS", "SecretsFilter", "unwatch", "watch"]

#: The loggers httpx 0.28/0.29 and httpcore 1.x log to.
LOGGERS = ("httpx", "httpcore", "httpcore.connection", "httpcore.http11", "httpcore.http2", "httpcore.proxy",
           "httpcore.socks")


class _Scrubber(Protocol):
    def scrub(self, text: str) -> str: ...


class SecretsFilter(logging.Filter):
    """Replaces every open client's secrets in a record's message with ``***`` (it never drops a record)."""

    def __init__(self) -> None:
        super().__init__("rayvision_async.secrets")
        # Reentrant: a garbage collection run inside add() may call _collected() in the same thread.
        self._lock = threading.RLock()
        self._watched: tuple[weakref.ref[_Scrubber], ...] = ()

    def add(self, signer: _Scrubber) -> None:
        """Watch ``signer``'s secrets (the filter is put on the loggers with the first)."""
        with self._lock:
            self._watched = (*self._watched, weakref.ref(signer, self._collected))
            self._placed(True)

    def remove(self, signer: _Scrubber) -> None:
        """Stop watching ``signer`` (the filter leaves the loggers with the last)."""
        with self._lock:
            self._watched = tuple(ref for ref in self._watched if ref() is not signer and ref() is not None)
            self._placed(bool(self._watched))

    def _collected(self, ref: weakref.ref[_Scrubber]) -> None:
        with self._lock:
            self._watched = tuple(item for item in self._watched if item is not ref)
            self._placed(bool(self._watched))

    def _placed(self, on: bool) -> None:
        for name in LOGGERS:
            logger = logging.getLogger(name)
            if on and self not in logger.filters:
                logger.addFilter(self)
            elif not on:
                logger.removeFilter(self)

    def filter(self, record: logging.LogRecord) -> bool:
        signers = [signer for ref in self._watched if (signer := ref()) is not None]
        if not signers:
            return True
        try:
            message = record.getMessage()
        except Exception:  # a record that cannot be rendered is logging's business, not ours
            return True
        scrubbed = message
        for signer in signers:
            scrubbed = signer.scrub(scrubbed)
        if scrubbed != message:
            record.msg, record.args = scrubbed, None
        return True


_FILTER = SecretsFilter()


def watch(signer: _Scrubber) -> None:
    """Keep ``signer``'s secrets out of httpx's and httpcore's records until :func:`unwatch`."""
    _FILTER.add(signer)


def unwatch(signer: _Scrubber) -> None:
    """Stop scrubbing ``signer``'s secrets; the filter goes once no client is watched."""
    _FILTER.remove(signer)
