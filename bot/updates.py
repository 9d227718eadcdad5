"""Updates the library cannot read are skipped, one log line each, instead of stopping everything.

PTB's updater, when it cannot parse a batch of getUpdates (an older self-hosted Bot API
server's poll without `persistent_id`, a message without a date, a callback without an
id), logs a critical traceback and asks for the same batch again, at once, forever:
nothing after it is ever handled. Here such an update becomes an empty Update with its
id, so the batch is confirmed and the updates after it are handled. The raw answer is
read again only when parsing failed: the usual path costs nothing.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from telegram import Update
from telegram.error import TelegramError
from telegram.ext import ExtBot

from bot.transport import AiohttpRequest

log = logging.getLogger("bot.updates")


class _ParsingHandledHere(logging.Filter):
    """PTB logs the whole raw batch (people's messages included) before raising: said here instead."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not str(record.msg).startswith("Error while parsing updates!")


for _name in ("telegram.Bot", "telegram.ext.ExtBot"):
    logging.getLogger(_name).addFilter(_ParsingHandledHere())


class UpdatesRequest(AiohttpRequest):
    """The getUpdates transport; it keeps the last answer, in case the library cannot read it."""

    last_body: bytes = b""

    async def do_request(self, url: str, method: str, *args: Any, **kwargs: Any) -> tuple[int, bytes]:
        status, body = await super().do_request(url, method, *args, **kwargs)
        self.last_body = body
        return status, body


class TolerantBot(ExtBot[Any]):
    """PTB's bot, whose getUpdates skips what it cannot read instead of failing the whole batch."""

    def __init__(self, token: str, *, updates_request: UpdatesRequest, **options: Any) -> None:
        super().__init__(token, get_updates_request=updates_request, **options)
        self._updates_request = updates_request

    async def get_updates(
        self,
        offset: int | None = None,
        limit: int | None = None,
        timeout: int | timedelta | None = None,
        allowed_updates: Sequence[str] | None = None,
        **options: Any,
    ) -> tuple[Update, ...]:
        try:
            return await super().get_updates(offset, limit, timeout, allowed_updates, **options)
        except TelegramError:
            raise
        except Exception:  # the answer came, but some update in it cannot be read
            return self._readable_updates()

    def _readable_updates(self) -> tuple[Update, ...]:
        found = (readable(data, self) for data in json.loads(self._updates_request.last_body).get("result", []))
        return tuple(update for update in found if update is not None)


def readable(data: object, bot: ExtBot[Any]) -> Update | None:
    """The update, or an empty Update with its id when the library cannot read it (so that it is confirmed
    and skipped); None without an id."""
    try:
        return Update.de_json(data, bot)  # type: ignore[arg-type]
    except Exception as error:  # any shape the library refuses
        update_id = data.get("update_id") if isinstance(data, dict) else None
        if not isinstance(update_id, int):
            log.warning("an update without an id cannot be read; skipped")
            return None
        # The reason names what is missing, never what anyone wrote.
        log.warning("update %s cannot be read (%s: %s); skipped", update_id, type(error).__name__, error)
        return Update(update_id)
