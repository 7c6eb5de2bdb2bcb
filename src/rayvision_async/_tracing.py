"""OpenTelemetry spans: the caller's first plug-in, free when nobody listens.

One span per endpoint call, named ``rayvision <group>.<method>`` (``rayvision
query.task_info``), kind CLIENT, with these attributes:

=========================  ==============================================================
``rayvision.endpoint``     the wire path (``/api/render/handle/queryTaskInfo/v2``)
``rayvision.attempts``     requests sent for the call (retries included), an int
``rayvision.outcome``      ``ok``, ``error``, or ``unknown`` (the call may have been processed)
``rayvision.request_id``   the service's ``requestId``, when it sent one (scrubbed of secrets)
``rayvision.code``         the envelope's error code, when the service refused the call
``error.type``             the exception's class name, on failure
=========================  ==============================================================

``poll``, ``watch`` and ``wait`` each get one parent span (``rayvision poll`` …)
whose children are their batch calls. Nothing secret is ever put in a span: no
credential, signature, header or body.

The SDK never imports OpenTelemetry itself: spans go through the global tracer
provider once the program has imported ``opentelemetry.trace`` and set one (a
``ProxyTracerProvider``, the API's placeholder, means nobody listens, and no span
is started), or through the ``tracer_provider=`` given to the client. Retries
stay the SDK's own: each attempt is counted on the call's span, not traced as
an HTTP request of its own.
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Awaitable, Callable, Iterator
from typing import Any, TypeVar

from . import errors
from ._request import Exchange
from ._version import __version__
from .api._row import Endpoint

__all__ = ["Tracing"]

T = TypeVar("T")

INSTRUMENTATION = "rayvision_async"


class Tracing:
    """Where spans go: the global tracer provider (default) or the one given; ``tracer()`` is None when unheard."""

    __slots__ = ("_cache", "provider")

    def __init__(self, tracer_provider: Any = None) -> None:
        if tracer_provider is not None and not callable(getattr(tracer_provider, "get_tracer", None)):
            raise errors.ConfigurationError("tracer_provider must be an OpenTelemetry TracerProvider")
        #: The provider given to the client (None: the global one).
        self.provider = tracer_provider
        self._cache: tuple[Any, Any] = (None, None)

    def __repr__(self) -> str:
        return f"Tracing({'global provider' if self.provider is None else type(self.provider).__name__})"

    def tracer(self) -> Any:
        """The tracer to use now, or None: no provider given and none set globally (or OTel not imported)."""
        provider = self.provider
        if provider is None:
            trace = sys.modules.get("opentelemetry.trace")
            if trace is None:
                return None
            provider = trace.get_tracer_provider()
            if isinstance(provider, trace.ProxyTracerProvider):
                return None
        cached_provider, tracer = self._cache
        if cached_provider is not provider:
            tracer = provider.get_tracer(INSTRUMENTATION, __version__)
            self._cache = (provider, tracer)
        return tracer

    async def traced_call(
        self, tracer: Any, row: Endpoint, path: str, run: Callable[[Exchange], Awaitable[T]],
        *, scrub: Callable[[str | None], str | None],
    ) -> T:
        """Run one endpoint call (``run``) inside its CLIENT span."""
        trace = sys.modules["opentelemetry.trace"]
        exchange = Exchange()
        with tracer.start_as_current_span(
                f"rayvision {row.group}.{row.name}", kind=trace.SpanKind.CLIENT,
                attributes={"rayvision.endpoint": path}, record_exception=False,
                set_status_on_exception=False) as span:
            try:
                result = await run(exchange)
            except BaseException as exc:
                unknown = isinstance(exc, errors.RequestOutcomeUnknownError) or (
                    not row.idempotent and exchange.attempts > 0 and not isinstance(exc, errors.RayvisionError))
                _failed(trace, span, exc, "unknown" if unknown else "error")
                raise
            else:
                span.set_attribute("rayvision.outcome", "ok")
            finally:
                span.set_attribute("rayvision.attempts", exchange.attempts)
                request_id = scrub(exchange.request_id)
                if request_id:
                    span.set_attribute("rayvision.request_id", request_id)
        return result

    @contextlib.contextmanager
    def parent(self, name: str) -> Iterator[Any]:
        """A span (``rayvision <name>``) current for the block, so the calls made in it are its children.

        Yields the span, or None when nobody listens.
        """
        tracer = self.tracer()
        if tracer is None:
            yield None
            return
        trace = sys.modules["opentelemetry.trace"]
        with tracer.start_as_current_span(f"rayvision {name}", record_exception=False,
                                          set_status_on_exception=False) as span:
            try:
                yield span
            except BaseException as exc:
                _failed(trace, span, exc, "error")
                raise
            span.set_attribute("rayvision.outcome", "ok")

    def start(self, name: str) -> Any:
        """A parent span that is not made current (for work that yields, like ``watch``); None when unheard.

        Make it current around each piece of work with :meth:`within`, and :meth:`end` it.
        """
        tracer = self.tracer()
        return None if tracer is None else tracer.start_span(f"rayvision {name}")

    @staticmethod
    @contextlib.contextmanager
    def within(span: Any) -> Iterator[None]:
        """``span`` current for the block (nothing when it is None); it is not ended here."""
        if span is None:
            yield
            return
        trace = sys.modules["opentelemetry.trace"]
        with trace.use_span(span, end_on_exit=False, record_exception=False, set_status_on_exception=False):
            yield

    @staticmethod
    def end(span: Any, error: BaseException | None = None) -> None:
        """End a span from :meth:`start` (marked failed when ``error`` is given)."""
        if span is None:
            return
        if error is None:
            span.set_attribute("rayvision.outcome", "ok")
        else:
            _failed(sys.modules["opentelemetry.trace"], span, error, "error")
        span.end()


def _failed(trace: Any, span: Any, exc: BaseException, outcome: str) -> None:
    """Mark ``span`` failed: the outcome, the error's class and code; never its message (server text)."""
    span.set_attribute("rayvision.outcome", outcome)
    span.set_attribute("error.type", type(exc).__name__)
    if isinstance(exc, errors.APIError):
        span.set_attribute("rayvision.code", exc.code)
    span.set_status(trace.Status(trace.StatusCode.ERROR, type(exc).__name__))
