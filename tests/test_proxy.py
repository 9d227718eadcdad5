"""BOT_PROXY: the bot reaches the Bot API through an http or a socks5 proxy.

Both proxies are small relays served on 127.0.0.1 inside the test; each records what it
was asked for, so the test sees that the bot's calls went through it.
"""

from __future__ import annotations

import asyncio
import contextlib
import struct
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import pytest

from bot.models import Catalogue
from tests.harness import ChatUser, bot_with
from tests.standin import BotApiStandIn

Opening = Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[tuple[str, int, bytes]]]


async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    with contextlib.suppress(ConnectionError):
        while data := await reader.read(65536):
            writer.write(data)
            await writer.drain()
    writer.close()


class Relay:
    """A proxy: `opening` reads the client's request for a target; then bytes flow both ways."""

    def __init__(self, opening: Opening) -> None:
        self.opening = opening
        self.targets: list[str] = []
        self.port = 0
        self._server: asyncio.Server | None = None

    async def __aenter__(self) -> Relay:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    async def __aexit__(self, *_: object) -> None:
        assert self._server is not None
        self._server.close()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        host, port, first_bytes = await self.opening(reader, writer)
        self.targets.append(f"{host}:{port}")
        upstream_reader, upstream_writer = await asyncio.open_connection(host, port)
        upstream_writer.write(first_bytes)
        await asyncio.gather(_pipe(reader, upstream_writer), _pipe(upstream_reader, writer))


async def http_opening(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> tuple[str, int, bytes]:
    """A plain-http proxy request: an absolute URL in the request line (or CONNECT)."""
    head = await reader.readuntil(b"\r\n\r\n")
    method, target, _ = head.split(b"\r\n", 1)[0].decode().split(" ")
    if method == "CONNECT":
        host, port = target.rsplit(":", 1)
        writer.write(b"HTTP/1.1 200 Connection established\r\n\r\n")
        return host, int(port), b""
    authority = target.split("://", 1)[1].split("/", 1)[0]
    host, port = authority.rsplit(":", 1)
    return host, int(port), head


async def socks5_opening(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> tuple[str, int, bytes]:
    """RFC 1928, no authentication, CONNECT to an IPv4 address or a name."""
    _, methods = await reader.readexactly(2)
    await reader.readexactly(methods)
    writer.write(b"\x05\x00")
    _, _, _, kind = await reader.readexactly(4)
    if kind == 1:
        host = ".".join(str(part) for part in await reader.readexactly(4))
    else:
        host = (await reader.readexactly((await reader.readexactly(1))[0])).decode()
    (port,) = struct.unpack("!H", await reader.readexactly(2))
    writer.write(b"\x05\x00\x00\x01\x00\x00\x00\x00\x00\x00")
    return host, port, b""


@pytest.fixture(params=[("http", http_opening), ("socks5", socks5_opening)], ids=["http", "socks5"])
async def proxy(request: pytest.FixtureRequest) -> AsyncIterator[tuple[str, Relay]]:
    scheme, opening = request.param
    async with Relay(opening) as relay:
        yield f"{scheme}://127.0.0.1:{relay.port}", relay


async def test_the_bot_talks_through_the_proxy(
    proxy: tuple[str, Relay], standin: BotApiStandIn, tmp_path: Path, catalogue: Catalogue
) -> None:
    url, relay = proxy
    async with bot_with(standin, tmp_path, catalogue, proxy=url):
        answer = await ChatUser(standin, 1001).say("/help")
    assert "/mytaskforces" in answer.text
    assert relay.targets and set(relay.targets) == {f"127.0.0.1:{standin.port}"}
