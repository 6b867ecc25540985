"""The teacher over HTTPS: a test CA made here, the mock serving TLS on 127.0.0.1.

Certificates are checked unless ``--tls-insecure``; a client certificate (with an encrypted key
and its password) is sent when the server asks for one; an ``openai.OpenAI`` / ``AsyncOpenAI``
object given to the SDK brings its URL, key and TLS settings.
"""

from __future__ import annotations

import asyncio
import ssl
from collections.abc import Iterator
from pathlib import Path

import pytest
import trustme

from instructlab.errors import FileError, RequestFailed
from instructlab.llm.client import LLMClient, client_from
from instructlab.llm.tls import ssl_context
from instructlab.testing import MockOpenAI, Rule

BODY = {"model": "mock-teacher", "messages": [{"role": "user", "content": "hello"}]}
PASSWORD = "s3cret"


class Certs:
    """A CA, a server certificate for 127.0.0.1 and a client certificate, on disk."""

    def __init__(self, folder: Path) -> None:
        from cryptography.hazmat.primitives import serialization

        folder.mkdir(parents=True, exist_ok=True)
        self.ca = trustme.CA()
        self.server = self.ca.issue_cert("127.0.0.1")
        client = self.ca.issue_cert("teacher-client@example.com")
        self.ca_file = folder / "ca.pem"
        self.ca.cert_pem.write_to_path(str(self.ca_file))
        self.client_cert = folder / "client.pem"
        self.client_cert.write_bytes(b"".join(b.bytes() for b in client.cert_chain_pems))
        self.client_key = folder / "client.key"
        client.private_key_pem.write_to_path(str(self.client_key))
        key = serialization.load_pem_private_key(client.private_key_pem.bytes(), None)
        self.encrypted_key = folder / "client-encrypted.key"
        self.encrypted_key.write_bytes(
            key.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.BestAvailableEncryption(PASSWORD.encode()),
            )
        )
        # A certificate from another CA: the server must refuse it.
        self.stranger = folder / "stranger.pem"
        self.stranger.write_bytes(
            trustme.CA().issue_cert("x@example.com").private_key_and_cert_chain_pem.bytes()
        )

    def server_context(self, require_client_cert: bool = False) -> ssl.SSLContext:
        ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        self.server.configure_cert(ctx)
        if require_client_cert:
            self.ca.configure_trust(ctx)
            ctx.verify_mode = ssl.CERT_REQUIRED
        return ctx

    def trusting(self, **kw: object) -> ssl.SSLContext:
        """A client context that trusts the test CA (what SSL_CERT_FILE gives the CLI)."""
        ctx = ssl_context(**kw) or ssl.create_default_context()  # type: ignore[arg-type]
        ctx.load_verify_locations(cafile=str(self.ca_file))
        return ctx


@pytest.fixture(scope="module")
def certs(tmp_path_factory: pytest.TempPathFactory) -> Certs:
    return Certs(tmp_path_factory.mktemp("certs"))


@pytest.fixture
def https(certs: Certs) -> Iterator[MockOpenAI]:
    with MockOpenAI([Rule("hello", ["hi"])], ssl_context=certs.server_context()) as server:
        yield server


@pytest.fixture
def mtls(certs: Certs) -> Iterator[MockOpenAI]:
    ctx = certs.server_context(require_client_cert=True)
    with MockOpenAI([Rule("hello", ["hi"])], ssl_context=ctx) as server:
        yield server


def _ask(url: str, ctx: ssl.SSLContext | None, **kw: object) -> list[str | None]:
    async def go() -> list[str | None]:
        client = LLMClient(url, ssl_context=ctx, max_attempts=1, **kw)  # type: ignore[arg-type]
        try:
            await client.models()
            return (await client.generate("chat", BODY, 1)).texts
        finally:
            await client.aclose()

    return asyncio.run(go())


def test_an_unknown_ca_is_refused_and_insecure_skips_the_check(
    https: MockOpenAI, certs: Certs
) -> None:
    assert https.base_url.startswith("https://127.0.0.1:")
    with pytest.raises(RequestFailed, match="CERTIFICATE_VERIFY_FAILED"):
        _ask(https.base_url, None)
    assert https.stats.requests == 0
    assert _ask(https.base_url, ssl_context(insecure=True)) == ["hi"]
    assert _ask(https.base_url, certs.trusting()) == ["hi"]
    assert https.stats.requests == 2


def test_a_client_certificate_is_sent_when_the_server_requires_one(
    mtls: MockOpenAI, certs: Certs
) -> None:
    with pytest.raises(RequestFailed):
        _ask(mtls.base_url, certs.trusting())
    with pytest.raises(RequestFailed):
        _ask(mtls.base_url, certs.trusting(cert=certs.stranger))
    assert mtls.stats.requests == 0
    plain = certs.trusting(cert=certs.client_cert, key=certs.client_key)
    assert _ask(mtls.base_url, plain) == ["hi"]
    encrypted = certs.trusting(cert=certs.client_cert, key=certs.encrypted_key, password=PASSWORD)
    assert _ask(mtls.base_url, encrypted) == ["hi"]
    assert mtls.stats.requests == 2


def test_a_wrong_key_password_names_the_certificate(certs: Certs) -> None:
    with pytest.raises(FileError, match=r"client\.pem: cannot load the TLS client"):
        ssl_context(cert=certs.client_cert, key=certs.encrypted_key, password="wrong")
    with pytest.raises(FileError, match=r"nope\.pem"):
        ssl_context(cert=certs.client_cert.with_name("nope.pem"))


def test_an_openai_client_brings_its_url_key_and_tls_settings(certs: Certs) -> None:
    import openai

    ctx = certs.server_context(require_client_cert=True)
    with MockOpenAI([Rule("hello", ["hi"])], ssl_context=ctx, api_key="sk-right") as server:
        tls = certs.trusting(cert=certs.client_cert, key=certs.client_key)
        for given in (
            openai.OpenAI(
                base_url=server.base_url,
                api_key="sk-right",
                http_client=openai.DefaultHttpxClient(verify=tls),
            ),
            openai.AsyncOpenAI(
                base_url=server.base_url,
                api_key="sk-right",
                http_client=openai.DefaultAsyncHttpxClient(verify=tls),
            ),
        ):
            client = client_from(given, max_attempts=1)
            assert client.base_url == server.base_url
            assert client.api_key == "sk-right"
            assert client.timeout == 600.0  # the OpenAI client's default read timeout

            async def go(client: LLMClient = client) -> list[str | None]:
                try:
                    return (await client.generate("chat", BODY, 1)).texts
                finally:
                    await client.aclose()

            assert asyncio.run(go()) == ["hi"]
        assert server.stats.requests == 2
        timed = openai.OpenAI(
            base_url=server.base_url, api_key="k", timeout=openai.Timeout(42.0, connect=3.0)
        )
        assert client_from(timed).timeout == 42.0
        # The same object without the client certificate is refused by the server.
        bare = openai.OpenAI(
            base_url=server.base_url,
            api_key="sk-right",
            http_client=openai.DefaultHttpxClient(verify=certs.trusting()),
        )
        with pytest.raises(RequestFailed):
            asyncio.run(client_from(bare, max_attempts=1).generate("chat", BODY, 1))
        assert server.stats.requests == 2


def test_an_openai_client_that_skips_verification_is_followed(https: MockOpenAI) -> None:
    import openai

    unchecked = openai.OpenAI(
        base_url=https.base_url, api_key="k", http_client=openai.DefaultHttpxClient(verify=False)
    )
    client = client_from(unchecked, max_attempts=1)

    async def go() -> list[str | None]:
        try:
            return (await client.generate("chat", BODY, 1)).texts
        finally:
            await client.aclose()

    assert asyncio.run(go()) == ["hi"]
    checked = openai.OpenAI(base_url=https.base_url, api_key="k")
    with pytest.raises(RequestFailed, match="CERTIFICATE_VERIFY_FAILED"):
        asyncio.run(client_from(checked, max_attempts=1).generate("chat", BODY, 1))
