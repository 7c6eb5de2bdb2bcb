"""OpenTelemetry spans, the caller's plug-in: one per endpoint call, one parent per poll/watch/wait.

Spans are read back with the OpenTelemetry SDK's in-memory exporter, through ``tracer_provider=``
(the global provider, which can be set once per process, is tested in a subprocess).
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from typing import Any

import pytest
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind, StatusCode

from helpers import internals
from rayvision_async import AsyncRayvisionAPI, RequestOutcomeUnknownError, errors
from rayvision_async._tracing import Tracing
from rayvision_async.simulator import Farm, Simulator, SimulatorTransport


@pytest.fixture
def exporter() -> InMemorySpanExporter:
    return InMemorySpanExporter()


@pytest.fixture
def provider(exporter: InMemorySpanExporter) -> Iterator[TracerProvider]:
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    yield provider
    provider.shutdown()


@pytest.fixture
def sim() -> Simulator:
    return Simulator(farm=Farm(seed=7))


def client(sim: Simulator, provider: TracerProvider | None, **options: Any) -> AsyncRayvisionAPI:
    return AsyncRayvisionAPI(sim.access_id, sim.access_key, sim.domain, transport=SimulatorTransport(sim),
                             tracer_provider=provider, **options)


def attributes(span: Any) -> dict[str, Any]:
    return dict(span.attributes or {})


async def test_one_client_span_per_endpoint_call(sim: Simulator, provider: TracerProvider,
                                                 exporter: InMemorySpanExporter) -> None:
    task = sim.farm.create_tasks(1)[0]
    async with client(sim, provider) as api:
        await api.query.task_info([task.id])
    (span,) = exporter.get_finished_spans()
    assert span.name == "rayvision query.task_info"
    assert span.kind is SpanKind.CLIENT
    assert span.instrumentation_scope.name == "rayvision_async"
    found = attributes(span)
    assert found["rayvision.endpoint"] == "/api/render/handle/queryTaskInfo/v2"
    assert found["rayvision.attempts"] == 1
    assert found["rayvision.outcome"] == "ok"
    assert str(found["rayvision.request_id"]).startswith("SIM")
    assert span.status.status_code is StatusCode.UNSET


async def test_retries_are_attempts_of_one_span(sim: Simulator, provider: TracerProvider,
                                                exporter: InMemorySpanExporter) -> None:
    sim.inject("query_user_profile", "http_5xx", status=502, times=2)
    async with client(sim, provider) as api:
        await api.user.query_user_profile()
    (span,) = exporter.get_finished_spans()
    assert attributes(span)["rayvision.attempts"] == 3
    assert attributes(span)["rayvision.outcome"] == "ok"


async def test_a_creating_call_that_may_have_been_processed_is_unknown(
        sim: Simulator, provider: TracerProvider, exporter: InMemorySpanExporter) -> None:
    sim.inject("create_task", "reset", after_processing=True)
    async with client(sim, provider) as api:
        with pytest.raises(RequestOutcomeUnknownError):
            await api.task.create_task()
    (span,) = exporter.get_finished_spans()
    found = attributes(span)
    assert (found["rayvision.outcome"], found["error.type"], found["rayvision.attempts"]) == (
        "unknown", "RequestOutcomeUnknownError", 1)
    assert span.status.status_code is StatusCode.ERROR
    assert span.status.description == "RequestOutcomeUnknownError"  # the class only: no server text


async def test_a_refused_call_is_an_error_with_its_code(sim: Simulator, provider: TracerProvider,
                                                       exporter: InMemorySpanExporter) -> None:
    sim.inject("query_user_profile", "error", code=600)
    async with client(sim, provider) as api:
        with pytest.raises(errors.ParameterError):
            await api.user.query_user_profile()
    found = attributes(exporter.get_finished_spans()[0])
    assert (found["rayvision.outcome"], found["error.type"], found["rayvision.code"]) == (
        "error", "ParameterError", 600)


async def test_poll_is_one_parent_with_the_batch_calls_as_children(
        sim: Simulator, provider: TracerProvider, exporter: InMemorySpanExporter) -> None:
    ids = [task.id for task in sim.farm.create_tasks(250)]
    async with client(sim, provider) as api:
        await api.poll(ids, batch_size=100)
    spans = exporter.get_finished_spans()
    (parent,) = [span for span in spans if span.name == "rayvision poll"]
    children = [span for span in spans if span.name == "rayvision query.task_info"]
    assert len(children) == 3
    assert {child.parent.span_id for child in children} == {parent.context.span_id}  # type: ignore[union-attr]
    assert {child.context.trace_id for child in children} == {parent.context.trace_id}
    assert attributes(parent)["rayvision.tasks"] == 250
    assert attributes(parent)["rayvision.outcome"] == "ok"


async def test_watch_and_wait_are_one_parent_each(sim: Simulator, provider: TracerProvider,
                                                  exporter: InMemorySpanExporter) -> None:
    async with client(sim, provider) as api:
        ids = [await api.submit_task_json({"task_info": {"frames": "1-3[1]"}}) for _ in range(3)]
        sim.farm.advance(100_000)  # they render and end
        exporter.clear()
        seen = [event.task_id async for event in api.watch(ids, interval=0.001)]  # all ended: one round
        assert sorted(seen) == sorted(ids)
        watch_spans = exporter.get_finished_spans()
        exporter.clear()
        await api.wait(ids, interval=0.001)
        wait_spans = exporter.get_finished_spans()
    for spans, name in ((watch_spans, "rayvision watch"), (wait_spans, "rayvision wait")):
        (parent,) = [span for span in spans if span.name == name]
        calls = [span for span in spans if span.name == "rayvision query.task_info"]
        assert calls
        assert {call.parent.span_id for call in calls} == {parent.context.span_id}  # type: ignore[union-attr]
        assert not [span for span in spans if span.name == "rayvision poll"]  # no poll span in between
        assert attributes(parent)["rayvision.outcome"] == "ok"


async def test_no_secret_reaches_a_span(sim: Simulator, provider: TracerProvider,
                                        exporter: InMemorySpanExporter) -> None:
    task = sim.farm.create_tasks(1)[0]
    sim.inject("query_user_profile", "error", code=611)
    async with client(sim, provider) as api:
        await api.query.task_info([task.id])
        with pytest.raises(errors.SignatureInvalidError):
            await api.user.query_user_profile()
        signatures = list(internals.signer(api)._signatures)
    assert signatures
    for span in exporter.get_finished_spans():
        text = repr((span.name, attributes(span), span.status.description, [e.attributes for e in span.events]))
        for secret in (sim.access_id, sim.access_key, *signatures):
            assert secret not in text


async def test_a_hostile_request_id_is_scrubbed_in_the_span(provider: TracerProvider,
                                                           exporter: InMemorySpanExporter) -> None:
    import httpx

    def reply(request: httpx.Request) -> httpx.Response:
        echoed = f"{request.headers['accessId']}/{request.headers['signature']}"
        return httpx.Response(200, json={"code": 200, "data": None, "requestId": echoed})

    async with AsyncRayvisionAPI("AKIDsecretid", "the-access-key", transport=httpx.MockTransport(reply),
                                 tracer_provider=provider) as api:
        await api.task.stop_task([1])
    found = attributes(exporter.get_finished_spans()[0])
    assert found["rayvision.request_id"] == "***/***"


def test_no_span_work_without_a_listener(monkeypatch: pytest.MonkeyPatch) -> None:
    tracing = Tracing()
    assert tracing.tracer() is None  # the API's proxy provider: nobody set one
    monkeypatch.delitem(sys.modules, "opentelemetry.trace")
    assert tracing.tracer() is None  # OpenTelemetry never imported: never looked for


def test_a_tracer_provider_that_is_not_one_is_a_configuration_error() -> None:
    with pytest.raises(errors.ConfigurationError, match="tracer_provider"):
        AsyncRayvisionAPI("AKIDtest", "secretkey", tracer_provider=object())


def test_spans_reach_the_global_provider_once_one_is_set(tmp_path: Any) -> None:
    script = textwrap.dedent("""
        import asyncio
        from opentelemetry import trace
        from opentelemetry.sdk.trace import TracerProvider
        from opentelemetry.sdk.trace.export import SimpleSpanProcessor
        from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
        from rayvision_async import AsyncRayvisionAPI
        from rayvision_async.simulator import Farm, Simulator, SimulatorTransport

        async def main():
            sim = Simulator(farm=Farm(seed=1))
            async with AsyncRayvisionAPI(sim.access_id, sim.access_key, sim.domain,
                                         transport=SimulatorTransport(sim)) as api:
                await api.user.query_user_profile()  # before any provider: no span
                exporter = InMemorySpanExporter()
                provider = TracerProvider()
                provider.add_span_processor(SimpleSpanProcessor(exporter))
                trace.set_tracer_provider(provider)
                await api.user.query_user_profile()
                print([span.name for span in exporter.get_finished_spans()])

        asyncio.run(main())
    """)
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120,
                            check=False, env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)})
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "['rayvision user.query_user_profile']"
