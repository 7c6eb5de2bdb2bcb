"""Certificates: an untrusted one fails at once (``CertificateError``); ``verify=`` trusts a private CA.

A loopback TLS server with a certificate from a private CA (``trustme``). Without ``verify=`` the default
transport (lean lane and httpx path) and an ``http_client=`` raise ``CertificateError`` after exactly one
attempt, for a creating call too (a certificate check comes before the request: nothing was sent).
``verify=`` a CA bundle path or an ``ssl.SSLContext`` (and ``SSL_CERT_FILE``, read when the client is
built) trusts the CA; bad values are ``ConfigurationError`` before anything is sent.
"""

from __future__ import annotations

import shutil
import ssl
import subprocess
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import trustme

from helpers.loopback import Server, serve
from rayvision_async import AsyncRayvisionAPI, RetryPolicy, errors
from rayvision_async.wire import AiohttpTransport

ACCESS_ID = "AKIDtlscheck00001"
ACCESS_KEY = "tls-secret-key-00001"


class MyTransport(AiohttpTransport):
    """A caller's subclass: the httpx transport API."""


@pytest.fixture(scope="module")
def ca() -> trustme.CA:
    return trustme.CA()


@pytest.fixture
async def tls(ca: trustme.CA) -> AsyncIterator[Server]:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1", "localhost").configure_cert(context)
    async with serve(ssl_context=context) as server:
        yield server


@pytest.fixture
def ca_file(ca: trustme.CA, tmp_path: Path) -> Path:
    path = tmp_path / "private-ca.pem"
    ca.cert_pem.write_to_path(str(path))
    return path


@pytest.fixture
def trusting(ca: trustme.CA) -> ssl.SSLContext:
    context = ssl.create_default_context()
    ca.configure_trust(context)
    return context


@pytest.fixture(autouse=True)
def _no_cert_variables(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    for name in ("SSL_CERT_FILE", "SSL_CERT_DIR", "HTTPS_PROXY", "https_proxy", "ALL_PROXY", "all_proxy"):
        monkeypatch.delenv(name, raising=False)
    return


def client(server: Server, **options: Any) -> AsyncRayvisionAPI:
    return AsyncRayvisionAPI(ACCESS_ID, ACCESS_KEY, base_url=f"https://127.0.0.1:{server.port}",
                             retry=RetryPolicy(attempts=3), **options)


@pytest.mark.parametrize("path", ["default", "transport-subclass", "http_client"])
@pytest.mark.parametrize("call", ["create_task", "task_info"])
async def test_an_untrusted_certificate_fails_at_once_and_says_so(tls: Server, path: str, call: str) -> None:
    options: dict[str, Any] = {}
    http = httpx.AsyncClient()
    if path == "transport-subclass":
        options["transport"] = MyTransport()
    elif path == "http_client":
        options["http_client"] = http
    async with http, client(tls, **options) as api:
        attempt = api.task.create_task(count=1) if call == "create_task" else api.query.task_info([7])
        with pytest.raises(errors.CertificateError) as caught:
            await attempt
        assert api.requests_sent == 1  # never retried: the same certificate would come again
    assert tls.received == []
    assert f"127.0.0.1:{tls.port}" in str(caught.value)
    assert "not trusted" in str(caught.value)
    assert "verify=" in str(caught.value)
    assert "CERTIFICATE_VERIFY_FAILED" in str(caught.value) or "certificate verify failed" in str(caught.value)
    assert not caught.value.unvouched  # nothing was sent, whatever the transport: not "outcome unknown"


@pytest.mark.parametrize("how", ["path", "str-path", "context"])
async def test_verify_trusts_a_private_ca_on_the_default_transport(
    tls: Server, ca_file: Path, trusting: ssl.SSLContext, how: str,
) -> None:
    verify: Any = {"path": ca_file, "str-path": str(ca_file), "context": trusting}[how]
    async with client(tls, verify=verify) as api:
        assert (await api.task.create_task(count=1)).task_id_list == (42,)  # the lean lane
        assert (await api.query.task_info([7])).items[0].id == 7
    assert len(tls.received) == 2


async def test_verify_on_a_transport_subclass(tls: Server, ca_file: Path) -> None:
    async with client(tls, transport=MyTransport(verify=ca_file)) as api:
        assert (await api.query.task_info([7])).items[0].id == 7


async def test_a_ca_directory_is_trusted(tls: Server, ca: trustme.CA, tmp_path: Path) -> None:
    """A directory of CA files named by subject hash (``c_rehash``), the other form httpx takes."""
    subject_hash = _subject_hash(ca, tmp_path)
    directory = tmp_path / "certs"
    directory.mkdir()
    ca.cert_pem.write_to_path(str(directory / f"{subject_hash}.0"))
    async with client(tls, verify=directory) as api:
        assert (await api.query.task_info([7])).items[0].id == 7


def _subject_hash(ca: trustme.CA, tmp_path: Path) -> str:
    """OpenSSL's subject hash of the CA (the name a CA directory finds it by; ``ssl`` has no API for it)."""
    openssl = shutil.which("openssl")
    if openssl is None:
        pytest.skip("the openssl command names CA files by subject hash; it is not installed")
    pem = tmp_path / "ca.pem"
    ca.cert_pem.write_to_path(str(pem))
    return subprocess.run([openssl, "x509", "-subject_hash", "-noout", "-in", str(pem)], capture_output=True,
                          text=True, timeout=30, check=True).stdout.strip()


async def test_the_same_through_an_http_client(tls: Server, trusting: ssl.SSLContext) -> None:
    async with httpx.AsyncClient(verify=trusting) as http, client(tls, http_client=http) as api:
        assert (await api.task.create_task(count=1)).task_id_list == (42,)


async def test_ssl_cert_file_is_read_when_the_client_is_built(
    tls: Server, ca_file: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    import aiohttp  # already imported: its default context was made without this CA

    assert aiohttp
    monkeypatch.setenv("SSL_CERT_FILE", str(ca_file))
    async with client(tls) as api:
        assert (await api.query.task_info([7])).items[0].id == 7
    monkeypatch.setenv("SSL_CERT_FILE", str(ca_file.parent / "missing.pem"))
    with pytest.raises(errors.ConfigurationError, match="SSL_CERT_FILE"):
        client(tls)


def _no_checks() -> ssl.SSLContext:
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    return context


def _no_hostname() -> ssl.SSLContext:
    context = ssl.create_default_context()
    context.check_hostname = False
    return context


@pytest.mark.parametrize(("verify", "match"), [
    (False, "verify=False is refused"),
    (None, "verify must be"),
    (1, "verify must be"),
    (0, "verify must be"),
    ("yes", "not a file or directory"),
    ("", "non-empty path"),
    ("a\x00b", "non-empty path"),
    (b"/etc/ssl/certs/ca-certificates.crt", "verify must be"),
    ("{missing}", "not a file or directory"),
    ("{not_pem}", "not a readable PEM CA bundle"),
    ("{empty}", "not a readable PEM CA bundle"),
    (_no_checks, "does not check certificates"),
    (_no_hostname, "does not check certificates"),
    (lambda: ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER), "server-side"),
    ([], "verify must be"),
], ids=["False", "None", "1", "0", "word", "empty", "nul", "bytes", "missing", "not-pem", "empty-file",
        "cert-none", "no-hostname", "server-context", "list"])
async def test_bad_verify_values_are_configuration_errors_before_anything_is_sent(
    verify: Any, match: str, tmp_path: Path, tls: Server,
) -> None:
    (tmp_path / "not.pem").write_text("this is not a certificate\n")
    (tmp_path / "empty.pem").write_text("")
    if isinstance(verify, str):
        verify = verify.format(missing=tmp_path / "missing.pem", not_pem=tmp_path / "not.pem",
                               empty=tmp_path / "empty.pem")
    elif callable(verify):
        verify = verify()
    with pytest.raises(errors.ConfigurationError, match=match):
        client(tls, verify=verify)
    with pytest.raises(errors.ConfigurationError, match=match):
        AiohttpTransport(verify=verify)
    assert tls.received == []


async def test_verify_with_a_transport_or_client_of_the_callers_is_refused(tls: Server, ca_file: Path) -> None:
    async with httpx.AsyncClient() as http:
        with pytest.raises(errors.ConfigurationError, match="set it on your http_client"):
            client(tls, http_client=http, verify=ca_file)
    with pytest.raises(errors.ConfigurationError, match="default transport only"):
        client(tls, transport=MyTransport(), verify=ca_file)
    assert tls.received == []
