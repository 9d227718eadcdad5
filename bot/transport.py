"""python-telegram-bot's requests carried by aiohttp instead of httpx.

Measured in bench/join_flow.py: per request, httpx with httpcore and anyio costs the
bot several times the CPU of aiohttp, and a button press needs two requests
(answerCallbackQuery, editMessageText). PTB allows any BaseRequest; this one maps
its timeouts and errors the way HTTPXRequest does. Bodies go out as one JSON
document, which the Bot API accepts for every method but uploads: PTB's form
encoding JSON-encodes each value on its own and then URL-encodes the lot, twice
the work for the same request. A request with a file stays multipart.
"""

from __future__ import annotations

import json
from collections.abc import Callable

import aiohttp
from aiohttp_socks import ProxyConnector
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData

JSON_HEADERS = {"Content-Type": "application/json"}
Observer = Callable[[str, int], None]  # told (url, HTTP status) after each request; status 0: no answer


class AiohttpRequest(BaseRequest):
    """One aiohttp session with a bounded connection pool."""

    def __init__(
        self,
        connection_pool_size: int = 256,
        read_timeout: float | None = 5.0,
        write_timeout: float | None = 5.0,
        connect_timeout: float | None = 5.0,
        media_write_timeout: float | None = 20.0,
        proxy: str | None = None,
        observer: Observer | None = None,
    ) -> None:
        self._pool_size = connection_pool_size
        self._observer = observer
        self._proxy = proxy
        self._read_timeout = read_timeout
        self._write_timeout = write_timeout
        self._connect_timeout = connect_timeout
        self._media_write_timeout = media_write_timeout
        self._session: aiohttp.ClientSession | None = None

    @property
    def read_timeout(self) -> float | None:
        return self._read_timeout

    async def initialize(self) -> None:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(
                connector=self._connector(),
                headers={"User-Agent": self.USER_AGENT},
                proxy=self._proxy if self._proxy and self._proxy.startswith("http") else None,
            )

    def _connector(self) -> aiohttp.BaseConnector:
        """http(s) proxies are aiohttp's own; socks proxies go through aiohttp-socks' connector."""
        if self._proxy and self._proxy.startswith("socks"):
            return ProxyConnector.from_url(self._proxy, limit=self._pool_size)
        return aiohttp.TCPConnector(limit=self._pool_size)

    async def shutdown(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: object = BaseRequest.DEFAULT_NONE,
        write_timeout: object = BaseRequest.DEFAULT_NONE,
        connect_timeout: object = BaseRequest.DEFAULT_NONE,
        pool_timeout: object = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        if self._session is None or self._session.closed:
            raise RuntimeError("AiohttpRequest is not initialized")
        has_files = bool(request_data and request_data.contains_files)
        default_write = self._media_write_timeout if has_files else self._write_timeout
        # One overall bound (sending, then waiting for the answer) is one timer per request.
        timeout = aiohttp.ClientTimeout(
            total=_sum(_chosen(write_timeout, default_write), _chosen(read_timeout, self._read_timeout)),
            sock_connect=_chosen(connect_timeout, self._connect_timeout),
        )
        body = _body(request_data)
        headers = JSON_HEADERS if isinstance(body, bytes) else None
        status = 0
        try:
            async with self._session.request(method, url, data=body, headers=headers, timeout=timeout) as response:
                status = response.status
                return status, await response.read()
        except TimeoutError as error:
            raise TimedOut from error
        except aiohttp.ClientError as error:
            raise NetworkError(_describe(error)) from error
        finally:
            if self._observer is not None:
                self._observer(url, status)


def _describe(error: aiohttp.ClientError) -> str:
    """What went wrong, in one short line for the log (no URL: it holds the token)."""
    if isinstance(error, aiohttp.ClientConnectorDNSError):
        return f"the name {error.host} cannot be resolved"
    if isinstance(error, aiohttp.ClientConnectorError):
        if isinstance(error.os_error, ConnectionRefusedError):
            return "connection refused"
        return f"cannot connect ({error.os_error.strerror or error.os_error})"
    if isinstance(error, aiohttp.ServerDisconnectedError):
        return "the server closed the connection"
    return f"{type(error).__name__}: {error}"


def _chosen(value: object, default: float | None) -> float | None:
    """PTB's documented test for "not given" is `is BaseRequest.DEFAULT_NONE` (its type is private)."""
    if value is BaseRequest.DEFAULT_NONE:
        return default
    if value is None or isinstance(value, int | float):
        return value
    raise TypeError(f"a timeout must be a number or None, not {value!r}")


def _sum(write: float | None, read: float | None) -> float | None:
    """No bound if either part has none."""
    return None if write is None or read is None else write + read


def _body(request_data: RequestData | None) -> aiohttp.FormData | bytes | None:
    """The parameters as one JSON document, or multipart when a file is attached."""
    if request_data is None:
        return None
    if not request_data.contains_files:
        return json.dumps(request_data.parameters, ensure_ascii=False).encode()
    form = aiohttp.FormData()
    for name, value in request_data.json_parameters.items():
        form.add_field(name, value)
    for name, (filename, content, mimetype) in request_data.multipart_data.items():
        form.add_field(name, content, filename=filename, content_type=mimetype)
    return form
