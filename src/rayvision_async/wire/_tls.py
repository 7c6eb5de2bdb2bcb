"""Which certificates the default transport trusts: the client's ``verify=`` setting, checked.

``verify`` takes what httpx's does, less one value:

* ``True`` (the default): the system's CAs, as aiohttp loads them; when
  ``SSL_CERT_FILE`` or ``SSL_CERT_DIR`` is set when the client is built, that
  file or directory instead (as httpx reads them), whenever aiohttp was imported.
* a path (``str`` or ``os.PathLike``) of a PEM CA bundle, or of a directory of
  hashed CA files (``c_rehash``): trust those CAs (a private CA), and only them.
* an ``ssl.SSLContext`` for client connections, used as it is (client
  certificates, pinned CAs, TLS versions); it must verify certificates and
  host names.

``verify=False`` is refused (:class:`~rayvision_async.errors.ConfigurationError`):
with a path or a context any certificate the caller has reason to trust can be
trusted, so turning verification off only serves to trust everyone, and every
signed request (replayable) and the access id would go to whoever answers. A
context that does not check certificates or host names is refused for the same
reason. With ``http_client=`` the client's own ``verify`` applies.
"""

from __future__ import annotations

import os
import ssl

from .. import errors

__all__ = ["ssl_context"]

_HOW = ("To trust a private or self-signed certificate pass verify='/path/to/ca.pem' (its CA, or the certificate "
        "itself) or an ssl.SSLContext that verifies")


def _from_locations(what: str, *, cafile: str | None = None, capath: str | None = None) -> ssl.SSLContext:
    try:
        return ssl.create_default_context(cafile=cafile, capath=capath)
    except (OSError, ValueError) as exc:  # ssl.SSLError is an OSError
        raise errors.ConfigurationError(f"{what} is not a readable PEM CA bundle or CA directory "
                                        f"({type(exc).__name__}: {exc})") from None


def _from_path(value: str | os.PathLike[str], what: str) -> ssl.SSLContext:
    try:
        path = os.fspath(value)
    except TypeError:
        raise errors.ConfigurationError(f"{what} must be a path of text, not bytes") from None
    if not isinstance(path, str) or not path or "\x00" in path:
        raise errors.ConfigurationError(f"{what} must be a non-empty path")
    if os.path.isdir(path):
        return _from_locations(f"{what} ({path!r})", capath=path)
    if not os.path.isfile(path):
        raise errors.ConfigurationError(f"{what} ({path!r}) is not a file or directory")
    return _from_locations(f"{what} ({path!r})", cafile=path)


def ssl_context(verify: object) -> ssl.SSLContext | None:
    """The TLS context for ``verify`` (None: aiohttp's default context); ConfigurationError for a bad value."""
    if verify is True:
        if os.environ.get("SSL_CERT_FILE"):
            return _from_path(os.environ["SSL_CERT_FILE"], "SSL_CERT_FILE")
        if os.environ.get("SSL_CERT_DIR"):
            return _from_path(os.environ["SSL_CERT_DIR"], "SSL_CERT_DIR")
        return None
    if verify is False:
        raise errors.ConfigurationError(
            f"verify=False is refused: it would send signed requests and the access id to whoever answers. {_HOW}")
    if isinstance(verify, ssl.SSLContext):
        if verify.protocol is ssl.PROTOCOL_TLS_SERVER:
            raise errors.ConfigurationError("verify= got a server-side ssl.SSLContext; create one with "
                                            "ssl.create_default_context() (a client context)")
        if verify.verify_mode == ssl.CERT_NONE or not verify.check_hostname:
            raise errors.ConfigurationError("verify= got an ssl.SSLContext that does not check certificates or host "
                                            f"names (verify_mode CERT_NONE or check_hostname False). {_HOW}")
        return verify
    if isinstance(verify, (str, os.PathLike)):
        return _from_path(verify, "verify=")
    raise errors.ConfigurationError(
        f"verify must be True, a CA bundle path or an ssl.SSLContext, not {type(verify).__name__}")
