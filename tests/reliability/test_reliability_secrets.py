"""No secret ends up in a log line, a model's repr/str, a client's repr or any SDK exception.

A realistic session against the simulator (retries, 610 and 611, the Raysync key, the transfer
configuration with its passwords, a failed submission…) runs with DEBUG logging on for the SDK
and the root logger. Every signature sent is captured at the transport. Then every log message,
the repr/str of every model class (built from data full of secrets), of the clients, their groups
and transports, and the text of an instance of every exception class in ``rayvision_async.errors``
(raised the way a user would meet it) is searched for every secret.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
import ssl
from collections.abc import Awaitable, Callable
from datetime import datetime
from decimal import Decimal
from types import NoneType, UnionType
from typing import Any, Union, get_args, get_origin, get_type_hints

import attrs
import httpx
import pytest

from helpers import internals
from helpers.texts import texts_of
from rayvision_async import AsyncRayvisionAPI, RetryPolicy, SigningTransport, Timeouts, errors, models
from rayvision_async.flows import _bulk as bulk
from rayvision_async.flows import _renders as renders
from rayvision_async.models import Page
from rayvision_async.models._converter import structure, wire_name
from rayvision_async.simulator import Account, Farm, Simulator, SimulatorTransport
from rayvision_async.simulator.farm import _catalog as catalog

ACCESS_ID = "AKIDsecretsession0042"
ACCESS_KEY = "SECRET-ACCESS-KEY-q8Zr1Kx"
WRONG_KEY = "SECRET-WRONG-KEY-b3Hd7Pn"
TRANSFER_PASSWORD = "SECRET-TRANSFER-PASSWORD-x2Vn"
RAYSYNC_KEY = "SECRET-RAYSYNC-USER-KEY-9hQe"
USER_KEY = "SECRET-USER-KEY-m4Lp"
RAYSYNC_SIGNATURE = "SECRET-RAYSYNC-SIGNATURE-w7Tb"
RETURNED = (TRANSFER_PASSWORD, RAYSYNC_KEY, USER_KEY, RAYSYNC_SIGNATURE)
FAST = RetryPolicy(attempts=3)
ONCE = RetryPolicy(attempts=1)
WIRE_SECRETS = {"password": TRANSFER_PASSWORD, "raySyncUserKey": RAYSYNC_KEY, "userKey": USER_KEY,
                "signature": RAYSYNC_SIGNATURE}


class SecretAccount(Account):
    def raysync_key(self, now_ms: int) -> dict[str, Any]:
        return {**super().raysync_key(now_ms), "raySyncUserKey": RAYSYNC_KEY, "userKey": USER_KEY,
                "signature": RAYSYNC_SIGNATURE}


class Recording(SimulatorTransport):
    """The simulator's transport, remembering every signature it is handed."""

    def __init__(self, sim: Simulator, signatures: list[str], **options: Any) -> None:
        super().__init__(sim, **options)
        self.signatures = signatures

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.signatures.append(request.headers["signature"])
        return await super().handle_async_request(request)




def exception_classes() -> list[type[BaseException]]:
    found = [cls for _, cls in inspect.getmembers(errors, inspect.isclass)
             if issubclass(cls, BaseException) and cls.__module__ == errors.__name__]
    return [*found, bulk.TasksNotFoundError, bulk.WaitTimeoutError, bulk.PartialPollError,
            renders.DuplicateRenderError, renders.RenderOutcomeUnknownError]


# -- models built from data full of secrets ------------------------------------------------------


def _sample(tp: Any, subst: dict[Any, Any], depth: int) -> Any:
    tp = subst.get(tp, tp)
    origin = get_origin(tp)
    if origin in (Union, UnionType):
        return _sample(next(arm for arm in get_args(tp) if arm is not NoneType), subst, depth)
    if origin is tuple:
        return [_sample(get_args(tp)[0], subst, depth + 1)] if depth < 4 else []
    if attrs.has(origin or tp):
        return model_data(tp, depth + 1)
    if isinstance(tp, type) and issubclass(tp, models.TolerantIntEnum):
        return int(next(iter(tp)))
    return {str: "plain", int: 7, bool: True, float: 1.5, Decimal: "1.25", datetime: 1_700_000_000_000}.get(tp, "x")


def model_data(cls: Any, depth: int = 0) -> dict[str, Any]:
    """Wire data for ``cls``: every field filled, secret fields with secrets, plus secret extra keys."""
    base = get_origin(cls) or cls
    subst: dict[Any, Any] = {}
    for generic in (cls, *getattr(base, "__orig_bases__", ())):
        origin = get_origin(generic)
        if origin is not None and getattr(origin, "__parameters__", None):
            subst.update(zip(origin.__parameters__, get_args(generic), strict=True))
    hints = get_type_hints(base)
    data: dict[str, Any] = {**WIRE_SECRETS, "accessKey": ACCESS_KEY, "transferPassword": TRANSFER_PASSWORD}
    for field in attrs.fields(base):
        key = wire_name(field)
        data[key] = WIRE_SECRETS.get(key) or _sample(hints[field.name], subst, depth)
    return data


def model_classes() -> list[Any]:
    plain = [cls for name in models.__all__ if attrs.has(cls := getattr(models, name)) and cls is not Page]
    return [*plain, Page[models.TaskInfo], Page[models.FrameInfo], Page[models.OperationRecord]]


def test_every_model_keeps_secrets_out_of_repr_and_str() -> None:
    stored = 0
    for cls in model_classes():
        instance = structure(model_data(cls), cls)
        for text in (repr(instance), str(instance)):
            for secret in (*RETURNED, ACCESS_KEY):
                assert secret not in text, f"{secret} in {cls}: {text}"
        stored += sum(value in RETURNED for value in attrs.asdict(instance, recurse=False).values())
    assert stored == 4  # EngineAccount.password and RaySyncUserKey's three secrets really were set
    config = structure(model_data(models.TransferConfig), models.TransferConfig)
    assert config.engines[0].accounts[0].password == TRANSFER_PASSWORD  # nested ones too
    assert "EngineAccount(bid='plain', name='plain')" in repr(config)


# -- the session -----------------------------------------------------------------------------------


async def _instant(seconds: float) -> None:
    await asyncio.sleep(0)


async def catch(call: Callable[[], Awaitable[Any]]) -> BaseException:
    with pytest.raises(Exception) as caught:  # noqa: PT011 - the type is checked by the caller
        await call()
    return caught.value


async def run_session(sim: Simulator, transport: Recording) -> tuple[list[BaseException], list[str], list[str]]:
    raised: list[BaseException] = []
    hostile_signatures: list[str] = []
    reprs: list[str] = []
    api = AsyncRayvisionAPI(ACCESS_ID, ACCESS_KEY, transport=transport, retry=FAST, timeout=Timeouts(read=1.0))
    once = api.with_options(retry=ONCE)
    reprs += [repr(api), str(api), repr(once), repr(transport), repr(internals.signer(api)),
              repr(internals.channel(api)), repr(api._caller), repr(api.with_raw_response)]
    reprs += [repr(getattr(api, group)) for group in ("user", "task", "query", "tag", "env", "transmit")]
    async with api:
        sim.inject("query_user_profile", "reset", before_sending=True)  # retried
        sim.inject("task_info", "http_5xx", status=503)  # retried after Retry-After
        sim.inject("get_transfer_bid", "clock_skew", skew=120.0)  # 610: resynced, retried
        await api.user.query_user_profile()
        await api.user.get_transfer_bid()
        key = await api.query.get_raysync_user_key()
        config = await api.transmit.get_transfer_config()
        assert (key.ray_sync_user_key, key.user_key, key.signature) == (RAYSYNC_KEY, USER_KEY, RAYSYNC_SIGNATURE)
        assert config.engine("aspera").accounts[0].password == TRANSFER_PASSWORD  # type: ignore[union-attr]
        reprs += [repr(key), str(key), repr(config), str(config)]
        task_id = await api.submit_task_json({"task_info": {"cg_id": "2001"}})
        assert (await api.query.task_info([task_id])).items[0].id == task_id

        # Each inject() registers its fault now; the task_info calls below consume them in list order.
        def inject(kind: str, operation: str = "task_info", **options: Any) -> Callable[[], Awaitable[Any]]:
            sim.inject(operation, kind, **options)  # type: ignore[arg-type]
            return lambda: once.query.task_info([task_id])

        sim.inject("create_task", "reset", after_processing=True)
        calls: list[Callable[[], Awaitable[Any]]] = [
            lambda: api.task.create_task(count=0),  # InvalidInputError
            lambda: api.submit_task_json({"task_info": {}}),  # RequestOutcomeUnknownError (createTask) with a note
            inject("reset", after_processing=True),  # TransportError
            inject("reset", before_sending=True),  # ConnectError
            inject("slow", delay=5.0),  # TimeoutError
            inject("http_5xx", status=502),  # HTTPStatusError
            inject("malformed_json"),  # MalformedResponseError
            inject("error", code=999),  # APIError
            lambda: api.task.submit_task(task_id),  # FailError: already submitted
            inject("error", code=605),  # PermissionDeniedError
            lambda: api.query.task_frames(1),  # NotFoundError
            inject("error", code=500),  # ServerError
            inject("error", code=602),  # LoginRequiredError
            inject("error", code=608),  # RegionMismatchError
            inject("clock_skew", skew=900.0, times=2),  # SignatureExpiredError: one resync, then raised
            inject("error", code=812),  # IPProhibitedError
            inject("error", code=603, times=2),  # IllegalRequestError: resent once, signed again, then raised
            lambda: api.wait([98_765_432], interval=0.001),  # TasksNotFoundError
            lambda: api.wait(task_id, timeout=0.05, interval=0.01),  # WaitTimeoutError
        ]
        for call in calls:
            raised.append(await catch(call))
        sim.inject("submit_task", "reset", after_processing=True)
        sim.inject("task_info", "latency", delay=0.0)  # the key's lookup reads the listed tasks' labels: it passes
        sim.inject("task_info", "error", code=602)  # the read that would settle the submit fails (not retried)
        raised.append(await catch(lambda: api.submit_task_json({"task_info": {}}, render_key="scan-1")))
        for duplicate in sim.farm.create_tasks(2, labels=["render-key:scan-2"]):
            sim.farm.submit(duplicate.id, require_task_json=False)
        raised.append(await catch(lambda: api.find_render("scan-2")))  # DuplicateRenderError
        sim.inject("task_info", "error", code=600, times=3)
        partial = await catch(lambda: once.poll(range(1, 301)))  # PartialPollError of 3 ParameterErrors
        raised += [partial, partial.__cause__]
        sim.farm.paging_end = "code700"
        raised.append(await catch(lambda: api.query.get_task_list(page_num=50)))  # NoMoreRecordsError
        sim.inject("task_info", "latency", delay=0.5)
        crowded = AsyncRayvisionAPI(ACCESS_ID, ACCESS_KEY, transport=Recording(sim, transport.signatures),
                                    max_concurrency=1, timeout=Timeouts(read=5.0, pool=0.05), retry=ONCE)
        async with crowded:
            holder = asyncio.create_task(crowded.query.task_info([task_id]))
            await asyncio.sleep(0.05)
            raised.append(await catch(lambda: crowded.query.task_info([task_id])))  # PoolTimeoutError
            await holder
    raised.append(await catch(lambda: api.query.task_info([1])))  # ClientClosedError
    wrong = AsyncRayvisionAPI(ACCESS_ID, WRONG_KEY, transport=transport, retry=FAST)
    async with wrong:
        raised.append(await catch(lambda: wrong.query.task_info([1])))  # SignatureInvalidError
    # RedirectError (a hostile Location), ProxyError, CertificateError
    for hostile in hostile_networks(hostile_signatures):
        async with AsyncRayvisionAPI(ACCESS_ID, ACCESS_KEY, transport=httpx.MockTransport(hostile), retry=ONCE) as odd:
            raised.append(await catch(lambda: odd.task.create_task(count=1)))
    legacy = AsyncRayvisionAPI(ACCESS_ID, ACCESS_KEY, protocol="2018", transport=transport)
    raised.append(await catch(legacy.transmit.get_transfer_config))  # UnsupportedOperationError
    # The encoder's last guard, met by a user signing bodies of their own with the public SigningTransport.
    signer = SigningTransport(httpx.MockTransport(lambda request: httpx.Response(200)), access_id=ACCESS_ID,
                              access_key=ACCESS_KEY, domain="task.renderbus.com", platform="4")
    async with httpx.AsyncClient(transport=signer, base_url="https://task.renderbus.com") as raw:
        raised.append(await catch(lambda: raw.post("/api/x", json=[ACCESS_KEY])))  # BodyEncodingError
    try:
        AsyncRayvisionAPI(ACCESS_ID, ACCESS_KEY + "\n")  # a key pasted with its newline
    except errors.ConfigurationError as exc:
        raised.append(exc)
    reprs += [repr(wrong), repr(legacy), repr(internals.inner(AsyncRayvisionAPI(ACCESS_ID, ACCESS_KEY)))]
    return raised, reprs, hostile_signatures


def hostile_networks(signatures: list[str]) -> list[Callable[[httpx.Request], httpx.Response]]:
    """A redirect to a host named after the access id, a proxy's refusal and an untrusted certificate, echoing secrets.

    Each one's signature goes to ``signatures``.
    """

    def redirect(request: httpx.Request) -> httpx.Response:
        signature = request.headers["signature"]
        signatures.append(signature)
        return httpx.Response(307, headers={"Location": f"https://{ACCESS_ID}:{signature}@{ACCESS_ID}.evil.example"
                                                        f"/steal?key={ACCESS_KEY}&sig={signature}"})

    def proxy(request: httpx.Request) -> httpx.Response:
        signatures.append(request.headers["signature"])
        raise httpx.ProxyError(f"403 Forbidden for {request.headers['accessId']} {request.headers['signature']}")

    def certificate(request: httpx.Request) -> httpx.Response:
        signatures.append(request.headers["signature"])
        try:
            raise ssl.SSLCertVerificationError(1, f"certificate verify failed ({request.headers['signature']})")
        except ssl.SSLError as exc:
            raise httpx.ConnectError(f"{exc} {ACCESS_KEY}") from exc

    return [redirect, proxy, certificate]


async def test_a_realistic_session_leaks_no_secret(caplog: pytest.LogCaptureFixture,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    caplog.set_level(logging.DEBUG)
    caplog.set_level(logging.DEBUG, logger="rayvision_async")
    original = catalog.transfer_config

    def with_password(*args: Any) -> dict[str, Any]:
        config = original(*args)
        for engine in config["resqEngines"]:
            for account in engine["resqEngineAccounts"] or ():
                account["password"] = TRANSFER_PASSWORD
        return config

    monkeypatch.setattr(catalog, "transfer_config", with_password)
    sim = Simulator(ACCESS_ID, ACCESS_KEY, farm=Farm(speed=0.0, account=SecretAccount()))
    transport = Recording(sim, [], sleep=_instant)
    async with asyncio.timeout(60):
        raised, reprs, hostile_signatures = await run_session(sim, transport)

    by_type = {type(exc): exc for exc in raised}
    assert len(by_type) == len(raised), [type(exc).__name__ for exc in raised]
    assert set(exception_classes()) - set(by_type) == {errors.RayvisionError}  # the base is never raised as such
    assert by_type[errors.RequestOutcomeUnknownError].__notes__[0].startswith("nothing was submitted")
    assert by_type[renders.RenderOutcomeUnknownError].render_key == "scan-1"
    assert len(by_type[bulk.PartialPollError].errors) == 3
    assert by_type[bulk.PartialPollError].__cause__ is by_type[errors.ParameterError]
    assert sim.counts["get_raysync_user_key"] == sim.counts["get_transfer_config"] == 1
    signatures = set(transport.signatures)
    assert len(signatures) == len(transport.signatures) == sum(sim.counts.values()) > 40

    assert len(hostile_signatures) == 3
    secrets = [ACCESS_KEY, WRONG_KEY, *RETURNED, *signatures, *hostile_signatures]
    records = caplog.records
    assert any(r.levelno == logging.DEBUG and r.name == "rayvision_async" for r in records)
    assert any("retry 1 of 2" in r.getMessage() for r in records)
    assert any("signature expired" in r.getMessage() for r in records)
    texts = [text for r in records for text in (r.getMessage(), logging.Formatter().format(r), repr(r.args))]
    texts += reprs + [text for exc in raised for text in texts_of(exc)]
    for text in texts:
        for secret in secrets:
            assert secret not in text, f"secret {secret[:12]}… in {text[:300]!r}"
