"""Every exception the SDK raises, under one base class.

Three families:

* :class:`InvalidInputError` and :class:`ConfigurationError` — raised before
  anything is sent (bad arguments, bad credentials or settings).
* :class:`TransportError` and :class:`HTTPStatusError` /
  :class:`MalformedResponseError` — the request did not produce a readable
  envelope. :class:`RequestOutcomeUnknownError` is the one to handle with care:
  a call that creates or submits work may have reached the server, so the SDK
  did not retry it.
* :class:`APIError` subclasses — the service answered with an envelope whose
  ``code`` is not 200. Each carries ``code``, ``message``, ``path`` and
  ``request_id``.

No message built here contains a credential or a signature: the SDK never
passes them in, and :func:`scrub` removes any known secret from text that
comes from elsewhere.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable
from typing import Any

__all__ = [
    "APIError",
    "BodyEncodingError",
    "CertificateError",
    "ClientClosedError",
    "ConfigurationError",
    "ConnectError",
    "FailError",
    "HTTPStatusError",
    "IPProhibitedError",
    "IllegalRequestError",
    "InvalidInputError",
    "LoginRequiredError",
    "MalformedResponseError",
    "NoMoreRecordsError",
    "NotFoundError",
    "ParameterError",
    "PermissionDeniedError",
    "PoolTimeoutError",
    "ProxyError",
    "RayvisionError",
    "RedirectError",
    "RegionMismatchError",
    "RequestOutcomeUnknownError",
    "RequestTimeoutError",
    "ServerError",
    "SignatureExpiredError",
    "SignatureInvalidError",
    "TransportError",
    "UnsupportedOperationError",
    "error_for_code",
]


class RayvisionError(Exception):
    """Base class of every exception raised by ``rayvision_async``."""


# -- raised before sending -------------------------------------------------------------------------


class InvalidInputError(RayvisionError, ValueError, TypeError):
    """An argument is missing, of the wrong type or out of range; nothing was sent.

    It is both a ``ValueError`` and a ``TypeError``, so code written against
    either convention catches it.
    """


class ConfigurationError(InvalidInputError):
    """The client was built with missing or malformed credentials, domain, platform or settings."""


class BodyEncodingError(InvalidInputError):
    """A request body holds a value the SDK refuses to put on the wire; nothing was sent.

    The last guard before sending (``wire._signing.encode_body``): a value that
    is not a ``str``, an int within the service's 64-bit range, a list or a
    dict with string keys, or a string that is not valid Unicode text.
    """


class ClientClosedError(RayvisionError, RuntimeError):
    """The client was closed (``aclose`` or the end of ``async with``); nothing was sent."""


class UnsupportedOperationError(InvalidInputError):
    """The operation does not exist in the path set this client speaks (e.g. the 2018 set)."""


# -- no usable envelope ----------------------------------------------------------------------------


class TransportError(RayvisionError):
    """The HTTP exchange failed (connection, timeout, reset)."""

    #: True when a custom transport (not the SDK's own) raised it: "never sent" cannot be vouched for.
    unvouched: bool = False

    def __init__(self, message: str, *, path: str | None = None) -> None:
        super().__init__(message)
        self.path = path


class ConnectError(TransportError):
    """The connection could not be opened: the request never reached the server."""


class ProxyError(ConnectError):
    """A proxy refused to carry the request; nothing reached the service.

    Raised when the proxy answers ``CONNECT`` with an error (an ``https://``
    service through an HTTP proxy), and for a reply only a proxy that did not
    pass the request on gives: HTTP 407, or a ``Proxy-Status`` error saying it
    never reached the next hop (RFC 9209). ``status`` is the proxy's HTTP status
    (None when it gave none, e.g. a SOCKS refusal). A 5xx (the proxy could not
    reach the service) is retried like a connection failure; a 4xx (refused by
    policy, authentication required) is raised at once, since the proxy answers
    the same way each time.
    """

    def __init__(self, message: str, *, path: str | None = None, status: int | None = None) -> None:
        super().__init__(message, path=path)
        self.status = status


class CertificateError(ConnectError):
    """The service's TLS certificate was not trusted (or not for its name); nothing was sent.

    Never retried: the same certificate is presented again. To trust a private
    CA, pass ``verify=`` a CA bundle path or an ``ssl.SSLContext`` (or configure
    your ``http_client=``).
    """


class RequestTimeoutError(TransportError):
    """The server did not answer within the read timeout.

    Formerly ``errors.TimeoutError``, a name that shadowed the builtin; that name is a deprecated
    alias (accessing it warns).
    """


class PoolTimeoutError(TransportError):
    """No connection slot became free within the pool timeout; nothing was sent."""


class RequestOutcomeUnknownError(TransportError):
    """A call that creates or changes work failed after it may have reached the server.

    The SDK did not retry it, because a retry could duplicate the work. Check the
    state on the service (for example with ``query.get_task_list``) before
    trying again.
    """


class HTTPStatusError(RayvisionError):
    """The server answered with a non-2xx HTTP status (often an HTML error page from a proxy)."""

    def __init__(self, status_code: int, *, path: str, retry_after: float | None = None, detail: str = "") -> None:
        super().__init__(f"HTTP {status_code} from {path}{': ' + detail if detail else ''}")
        self.status_code = status_code
        self.path = path
        self.retry_after = retry_after


class RedirectError(HTTPStatusError):
    """The server answered with a redirect (HTTP 3xx), which the SDK never follows.

    The service's API has no redirects: a 3xx comes from something else at
    ``base_url`` (a misconfigured URL, a gateway, a captive portal, a hostile
    server), and following it would hand the signed request to another host.
    ``location`` is where it pointed (``host[:port]`` only; None when it named
    none). Never retried. A 303 ("See Other", HTTP's answer after processing a
    request) to a call that creates or changes work is reported as
    :class:`RequestOutcomeUnknownError` with this error as its cause; any other
    3xx means the request was not applied where it was sent.
    """

    def __init__(self, status_code: int, *, path: str, location: str | None = None, followed: bool = False) -> None:
        target = f"a redirect to {location}" if location else "a redirect without a usable Location"
        if followed:
            detail = (f"{target}, followed by the transport given to the SDK, so the signed request reached that "
                      "host; its reply was not used (give the SDK a transport that does not follow redirects)")
        else:
            detail = (f"{target}, not followed (the Rayvision API never redirects: check base_url and any proxy or "
                      "gateway between)")
        super().__init__(status_code, path=path, detail=detail)
        self.location = location
        #: True when a caller's transport followed it (the SDK itself never does).
        self.followed = followed


class MalformedResponseError(RayvisionError):
    """The body was not JSON, not an envelope, or its ``data`` did not fit the response model."""

    def __init__(self, reason: str, *, path: str) -> None:
        super().__init__(f"malformed response from {path}: {reason}")
        self.reason = reason
        self.path = path


# -- the service said no ---------------------------------------------------------------------------


class APIError(RayvisionError):
    """The service answered with an envelope whose ``code`` is not 200."""

    def __init__(self, code: int, message: str, *, path: str, request_id: str | None = None) -> None:
        rid = f", request id {request_id}" if request_id else ""
        super().__init__(f"{path} failed with code {code}: {message}{rid}")
        self.code = code
        self.message = message
        self.path = path
        self.request_id = request_id


class FailError(APIError):
    """Code 100: the service reports a generic failure."""


class PermissionDeniedError(APIError):
    """Codes 403 and 605: no authorization, or insufficient permissions."""


class NotFoundError(APIError):
    """Code 404: the resource does not exist."""


class ServerError(APIError):
    """Code 500: the service failed internally."""


class ParameterError(APIError):
    """Codes 600 and 601: a parameter is invalid or missing, as judged by the service."""


class LoginRequiredError(APIError):
    """Code 602: the service requires a login."""


class IllegalRequestError(APIError):
    """Code 603: the service's protocol check refused the request before doing anything.

    Among its causes is a replay: a nonce the service has already accepted from the same access id
    within the signature window. Two processes that share an access key can draw the same six-digit
    nonce by chance, so the SDK signs the request again and resends it once (see :mod:`._retry`).
    """


class RegionMismatchError(APIError):
    """Code 608: the account's region does not match the domain (China vs. overseas)."""


class SignatureExpiredError(APIError):
    """Code 610: the request's timestamp was outside the service's window (clock skew)."""

    #: The reply's ``serverTime`` (epoch milliseconds), None when it sent none or an unusable one.
    server_time_ms: int | None = None


class SignatureInvalidError(APIError):
    """Code 611: the signature did not verify (wrong access key, or a mangled request)."""


class IPProhibitedError(APIError):
    """Code 812: requests from this IP address are prohibited for the account."""


class NoMoreRecordsError(APIError):
    """Code 700: no more records. Pagers treat it as the end of the data, not as an error."""


_BY_CODE: dict[int, type[APIError]] = {
    100: FailError,
    403: PermissionDeniedError,
    404: NotFoundError,
    500: ServerError,
    600: ParameterError,
    601: ParameterError,
    602: LoginRequiredError,
    603: IllegalRequestError,
    605: PermissionDeniedError,
    608: RegionMismatchError,
    610: SignatureExpiredError,
    611: SignatureInvalidError,
    700: NoMoreRecordsError,
    812: IPProhibitedError,
}


def error_for_code(code: int, message: str, *, path: str, request_id: str | None = None) -> APIError:
    """The :class:`APIError` subclass for an envelope ``code`` (any unknown code → ``APIError``)."""
    return _BY_CODE.get(code, APIError)(code, message, path=path, request_id=request_id)


def scrub(text: str, secrets: Iterable[str]) -> str:
    """Replace every occurrence of each non-empty secret in ``text`` with ``***``."""
    for secret in secrets:
        if secret:
            text = text.replace(secret, "***")
    return text


#: Deprecated names → (their replacement's name, the object).
_DEPRECATED: dict[str, tuple[str, type[Exception]]] = {"TimeoutError": ("RequestTimeoutError", RequestTimeoutError)}


def __getattr__(name: str) -> Any:
    """Deprecated aliases: ``errors.TimeoutError`` is :class:`RequestTimeoutError`, with a warning."""
    if name in _DEPRECATED:
        new_name, value = _DEPRECATED[name]
        warnings.warn(f"rayvision_async.errors.{name} is deprecated; use {new_name} (it shadows the builtin)",
                      DeprecationWarning, stacklevel=2)
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
