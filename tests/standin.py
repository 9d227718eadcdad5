"""A small Bot API stand-in served on 127.0.0.1, for end-to-end tests and benchmarks.

It speaks the Bot API as python-telegram-bot uses it: form, JSON or multipart bodies,
`{"ok": …, "result": …}` answers, long-polling getUpdates, and the error answers
(403, 429 with retry_after, 400) that the bot must survive.
"""

from __future__ import annotations

import asyncio
import bisect
import contextlib
import itertools
import json
import math
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import aiohttp
from aiohttp import web

from tests import telegram_html

BOT_ID = 999000
MESSAGE_METHODS = {"sendMessage", "editMessageText", "sendDocument", "sendPhoto", "editMessageReplyMarkup"}
TEXT_FIELDS = {"text", "caption", "callback_query_id", "parse_mode", "url", "filename", "secret_token"}
SECRET_TOKEN = re.compile(r"[A-Za-z0-9_-]*")
WEBHOOK_PORTS = (443, 80, 88, 8443)
WEBHOOK_CONFLICT = (
    "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first"
)


@dataclass
class Sent:
    """One call the bot made, with its decoded parameters."""

    method: str
    params: dict[str, Any]
    at: float = field(default_factory=time.monotonic)
    files: dict[str, bytes] = field(default_factory=dict)
    message_id: int | None = None
    content_type: str = ""

    @property
    def chat_id(self) -> int | None:
        value = self.params.get("chat_id")
        return int(value) if value is not None else None

    @property
    def text(self) -> str:
        return str(self.params.get("text") or self.params.get("caption") or "")

    @property
    def buttons(self) -> list[tuple[str, str]]:
        """(label, callback data) of the inline keyboard, row by row."""
        markup = self.params.get("reply_markup") or {}
        return [
            (button["text"], button.get("callback_data", ""))
            for row in markup.get("inline_keyboard", [])
            for button in row
        ]


class BotApiStandIn:
    """Serve with `await standin.start()`; `base_url` is what the bot's BOT_API_URL takes."""

    def __init__(self, token: str = "123:TEST") -> None:
        self.token = token
        self.sent: list[Sent] = []
        self.menus: dict[str, list[tuple[str, str]]] = {}
        self.polls = 0
        # While set, updates the bot confirmed (by asking for a later offset) are kept, as Telegram
        # keeps them when the bot is killed before it confirms: the next bot gets them again.
        self.keep_confirmed = False
        self.forbidden_chats: set[int] = set()
        self.refused_chats: dict[int, str] = {}  # chat id → the 400 every message to it gets
        self.retry_after: dict[str, int] = {}
        self.flood_chats: dict[int, int] = {}  # chat id → retry_after of its next message (once)
        # Telegram's limits, enforced when set (see _over_limits); beyond them a 429.
        self.enforce_limits = False
        self.too_many = 0
        self.limits_hit: list[tuple[str, int, str]] = []  # (method, chat, which limit) of each such 429
        self._deliveries: list[tuple[float, int, bool, bool]] = []  # (when, chat, unsolicited, paid)
        self.wrote_at: dict[int, float] = {}  # chat → when someone there last wrote or pressed (monotonic)
        self.fail_next: dict[str, tuple[int, str]] = {}
        # Texts Telegram would refuse (method, why): the `standin` fixture fails a test that leaves any.
        self.refused: list[tuple[str, str]] = []
        self.delays: dict[str, float] = {}
        # What each message shows now, so that an edit changing nothing is refused as Telegram does.
        self._contents: dict[tuple[int, int], tuple[object, ...]] = {}
        self.pushed_at: dict[int, float] = {}
        self._updates: list[dict[str, Any]] = []
        self._new_update = asyncio.Condition()
        self._update_ids = itertools.count(1)
        self._message_ids = itertools.count(1000)
        self._callback_ids = itertools.count(1)
        self._runner: web.AppRunner | None = None
        self._sent_event = asyncio.Event()
        self.on_sent: Callable[[Sent], None] | None = None
        self.port = 0
        # Group chats: the bot's rights in each (missing: a plain member), and what was done there.
        self.bot_rights: dict[int, dict[str, bool]] = {}
        self.group_calls: list[tuple[str, int, int]] = []  # (method, chat, user)
        self.files: dict[str, bytes] = {}  # file_id → content, served by getFile and the file URL
        # A webhook set by the bot (setWebhook's parameters), and where its public HTTPS address really is:
        # the reverse proxy's part, public prefix → the bot's local http://host:port.
        self.webhook: dict[str, Any] | None = None
        self.webhook_routes: dict[str, str] = {}
        self.webhook_errors: list[str] = []
        self.webhook_posts = 0
        self._delivery: asyncio.Task[None] | None = None

    # ------------------------------------------------------------ server

    async def start(self, port: int = 0) -> None:
        """Serve on `port` (0: any free one)."""
        app = web.Application(client_max_size=60 * 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._handle)
        app.router.add_get("/file/bot{token}/documents/{file_id}", self._download)  # as Telegram serves files
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", port)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]

    async def stop(self) -> None:
        await self._stop_delivery()
        async with self._new_update:
            self._new_update.notify_all()
        if self._runner is not None:
            await self._runner.cleanup()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/bot"

    async def _handle(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return _error(401, "Unauthorized")
        method = request.match_info["method"]
        params, files = await _decode(request)
        if method in self.retry_after:
            seconds = self.retry_after.pop(method)
            return _error(429, f"Too Many Requests: retry after {seconds}", {"retry_after": seconds})
        if method in self.delays:
            await asyncio.sleep(self.delays.pop(method))
        if method in self.fail_next:
            status, description = self.fail_next.pop(method)
            return _error(status, description)
        handler = getattr(self, f"_api_{method}", None)
        if handler is None:
            return _error(404, "Not Found: method not found")
        if method == "setWebhook" and (problem := _webhook_problem(params)) is not None:
            return _error(400, problem)
        if method == "getUpdates" and self.webhook is not None:
            return _error(409, WEBHOOK_CONFLICT)
        if method == "getUpdates":
            self.polls += 1
            self._sent_event.set()
            return web.json_response({"ok": True, "result": await handler(params)})
        problem = self._refusal(method, params)
        if problem is not None:
            return problem
        result = await handler(params)
        sent = Sent(method, params, files=files, content_type=request.content_type)
        if isinstance(result, dict):
            sent.message_id = result.get("message_id")
        self.sent.append(sent)
        self._sent_event.set()
        if self.on_sent is not None:
            self.on_sent(sent)
        return web.json_response({"ok": True, "result": result})

    async def _download(self, request: web.Request) -> web.Response:
        content = self.files.get(request.match_info["file_id"])
        if request.match_info["token"] != self.token or content is None:
            return web.Response(status=404)
        return web.Response(body=content)

    def _refusal(self, method: str, params: dict[str, Any]) -> web.Response | None:
        chat_id = params.get("chat_id")
        if chat_id is not None and int(chat_id) in self.forbidden_chats:
            return _error(403, "Forbidden: bot was blocked by the user")
        if chat_id is not None and int(chat_id) in self.refused_chats:
            return _error(400, self.refused_chats[int(chat_id)])
        if chat_id is not None and int(chat_id) in self.flood_chats:
            seconds = self.flood_chats.pop(int(chat_id))
            return _error(429, f"Too Many Requests: retry after {seconds}", {"retry_after": seconds})
        limit = self._over_limits(int(chat_id), params) if chat_id is not None and method in MESSAGE_METHODS else None
        if limit is not None:
            self.too_many += 1
            self.limits_hit.append((method, int(chat_id), limit))
            return _error(429, "Too Many Requests: retry after 1", {"retry_after": 1})
        problem = _text_problem(method, params)
        if problem is not None:
            self.refused.append((method, problem))
            return _error(400, problem)
        markup = params.get("reply_markup") or {}
        for row in markup.get("inline_keyboard", []):
            for button in row:
                data = button.get("callback_data")
                if data is not None and not 1 <= len(data.encode()) <= 64:
                    return _error(400, "Bad Request: BUTTON_DATA_INVALID")
        if method.startswith("editMessage") and self._unchanged_by(method, params):
            return _error(
                400,
                "Bad Request: message is not modified: specified new message content and reply markup"
                " are exactly the same as a current content and reply markup of the message",
            )
        return None

    def _over_limits(self, chat_id: int, params: dict[str, Any]) -> str | None:
        """Telegram's limits as its maintainers state them (tdlib/td#3034, tdlib/telegram-bot-api#648).

        No limit on messages overall; about 30 a second for broadcasting, i.e. messages to chats
        that did not write in the last 30 s (paid broadcasts: 1 000 a second, not counted in the 30);
        to one chat a short burst (4 in a second) and about one a second for longer (14 in ten
        seconds), sends and edits alike; 20 a minute to one group.
        """
        if not self.enforce_limits:
            return None
        now = time.monotonic()
        self._deliveries = [entry for entry in self._deliveries if now - entry[0] < 60]
        paid = bool(params.get("allow_paid_broadcast"))
        unsolicited = now - self.wrote_at.get(chat_id, -math.inf) >= 30 and not paid
        last_second = [entry for entry in self._deliveries if now - entry[0] < 1]
        if unsolicited and sum(1 for entry in last_second if entry[2]) >= 30:
            return "30 a second to people who did not write"
        if paid and sum(1 for entry in last_second if entry[3]) >= 1000:
            return "1 000 paid broadcasts a second"
        mine = [entry[0] for entry in self._deliveries if entry[1] == chat_id]
        if chat_id < 0 and len(mine) >= 20:
            return "20 a minute to a group"
        if chat_id > 0 and sum(1 for at in mine if now - at < 1) >= 4:
            return "4 a second to a chat"
        if chat_id > 0 and sum(1 for at in mine if now - at < 10) >= 14:
            return "14 in ten seconds to a chat"
        self._deliveries.append((now, chat_id, unsolicited, paid))
        return None

    def peak(self, unsolicited: bool = False, paid: bool = False) -> int:
        """The most messages (only those to chats that had not written, or paid ones, if asked) within any one
        second of the last minute."""
        times = sorted(
            at for at, _chat, free, bought in self._deliveries if (free or not unsolicited) and (bought or not paid)
        )
        return max((bisect.bisect_left(times, at + 1) - i for i, at in enumerate(times)), default=0)

    def _unchanged_by(self, method: str, params: dict[str, Any]) -> bool:
        key = (int(params["chat_id"]), int(params.get("message_id") or 0))
        current = self._contents.get(key)
        if current is None:
            return False
        text = params.get("text", "") if method == "editMessageText" else current[0]
        return (text, params.get("reply_markup") or None) == current

    # ------------------------------------------------------------ Bot API methods

    async def _api_getMe(self, params: dict[str, Any]) -> dict[str, Any]:
        return {
            "id": BOT_ID,
            "is_bot": True,
            "first_name": "Task Force Bot",
            "username": "taskforce_test_bot",
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
        }

    async def _api_deleteWebhook(self, params: dict[str, Any]) -> bool:
        await self._stop_delivery()
        self.webhook = None
        if params.get("drop_pending_updates"):
            self._updates.clear()
        return True

    async def _api_setWebhook(self, params: dict[str, Any]) -> bool:
        if not params.get("url"):
            return await self._api_deleteWebhook(params)
        await self._stop_delivery()
        self.webhook = params
        if params.get("drop_pending_updates"):
            self._updates.clear()
        self._delivery = asyncio.create_task(self._deliver_updates())
        return True

    async def _api_getWebhookInfo(self, params: dict[str, Any]) -> dict[str, Any]:
        info: dict[str, Any] = {
            "url": (self.webhook or {}).get("url", ""),
            "has_custom_certificate": False,
            "pending_update_count": len(self._updates),
        }
        if self.webhook_errors:
            info |= {"last_error_date": int(time.time()), "last_error_message": self.webhook_errors[-1]}
        return info

    async def _stop_delivery(self) -> None:
        if self._delivery is not None:
            self._delivery.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._delivery
            self._delivery = None

    async def _deliver_updates(self) -> None:
        """As Telegram does with a webhook: each update POSTed as JSON with the secret header, removed once
        answered with a 2xx, tried again (after a pause) otherwise. Up to `max_connections` (default 40)
        at once, as Telegram does; one at a time per chat, in order (our reading: never kinder than that)."""
        assert self.webhook is not None
        places = asyncio.Semaphore(int(self.webhook.get("max_connections") or 40))
        in_flight: dict[int, asyncio.Task[None]] = {}  # update id → its delivery
        async with aiohttp.ClientSession() as session:
            while True:
                busy_chats = {_chat_of(u) for u in self._updates if u["update_id"] in in_flight}
                for update in list(self._updates):
                    chat = _chat_of(update)
                    if update["update_id"] in in_flight or (chat is not None and chat in busy_chats):
                        continue
                    busy_chats.add(chat)
                    in_flight[update["update_id"]] = asyncio.create_task(self._post(session, places, update))
                async with self._new_update:
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(self._new_update.wait(), 0.05)
                for update_id, task in list(in_flight.items()):
                    if task.done():
                        del in_flight[update_id]

    async def _post(self, session: aiohttp.ClientSession, places: asyncio.Semaphore, update: dict[str, Any]) -> None:
        assert self.webhook is not None
        url = self.webhook["url"]
        local = next(
            (base + url[len(public) :] for public, base in self.webhook_routes.items() if url.startswith(public)), None
        )
        secret = self.webhook.get("secret_token")
        headers = {"X-Telegram-Bot-Api-Secret-Token": secret} if secret else {}
        async with places:
            try:
                if local is None:
                    raise aiohttp.ClientConnectionError("Connection refused")
                self.webhook_posts += 1
                async with session.post(local, json=update, headers=headers) as response:
                    if 200 <= response.status < 300:
                        self._updates.remove(update)
                        async with self._new_update:
                            self._new_update.notify_all()
                        return
                    self.webhook_errors.append(f"Wrong response from the webhook: {response.status} {response.reason}")
            except aiohttp.ClientError as error:
                self.webhook_errors.append(f"Connection failed: {error}")
            await asyncio.sleep(0.5)

    async def _api_setMyCommands(self, params: dict[str, Any]) -> bool:
        self.menus[_menu_key(params.get("scope"), params.get("language_code"))] = [
            (c["command"], c["description"]) for c in params.get("commands", [])
        ]
        return True

    async def _api_deleteMyCommands(self, params: dict[str, Any]) -> bool:
        self.menus.pop(_menu_key(params.get("scope"), params.get("language_code")), None)
        return True

    def menu(self, chat_id: int | None = None, language: str | None = None) -> list[str]:
        """The command names last set for a chat (or the default scope) and language."""
        return [name for name, _ in self.menu_entries(chat_id, language)]

    def menu_entries(self, chat_id: int | None = None, language: str | None = None) -> list[tuple[str, str]]:
        scope = {"type": "chat", "chat_id": chat_id} if chat_id is not None else None
        return self.menus.get(_menu_key(scope, language), [])

    async def _api_answerCallbackQuery(self, params: dict[str, Any]) -> bool:
        return True

    async def _api_getUpdates(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        offset = int(params.get("offset") or 0)
        timeout = float(params.get("timeout") or 0)
        if not self.keep_confirmed:
            self._updates = [u for u in self._updates if u["update_id"] >= offset]
        waiting = [u for u in self._updates if u["update_id"] >= offset]
        if not waiting and timeout:
            async with self._new_update:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._new_update.wait(), timeout)
        return [u for u in self._updates if u["update_id"] >= offset][: int(params.get("limit") or 100)]

    async def _api_sendMessage(self, params: dict[str, Any]) -> dict[str, Any]:
        return self._message(params, text=params.get("text", ""))

    async def _api_editMessageText(self, params: dict[str, Any]) -> dict[str, Any]:
        return self._message(params, text=params.get("text", ""), message_id=params.get("message_id"))

    async def _api_editMessageReplyMarkup(self, params: dict[str, Any]) -> dict[str, Any]:
        current = self._contents.get((int(params["chat_id"]), int(params.get("message_id") or 0)))
        return self._message(params, text=current[0] if current else "", message_id=params.get("message_id"))

    async def _api_sendDocument(self, params: dict[str, Any]) -> dict[str, Any]:
        message = self._message(params, caption=params.get("caption", ""))
        message["document"] = {"file_id": "doc", "file_unique_id": "doc", "file_name": "file"}
        return message

    async def _api_sendPhoto(self, params: dict[str, Any]) -> dict[str, Any]:
        message = self._message(params, caption=params.get("caption", ""))
        message["photo"] = [{"file_id": "photo", "file_unique_id": "photo", "width": 1, "height": 1}]
        return message

    async def _api_getFile(self, params: dict[str, Any]) -> dict[str, Any]:
        file_id = str(params["file_id"])
        if file_id not in self.files:
            raise web.HTTPBadRequest(text="file not found")
        size = len(self.files[file_id])
        return {"file_id": file_id, "file_unique_id": file_id, "file_size": size, "file_path": f"documents/{file_id}"}

    async def _api_getChatMember(self, params: dict[str, Any]) -> dict[str, Any]:
        rights = self.bot_rights.get(int(params["chat_id"]))
        if rights is None:
            return {"status": "member", "user": BOT_USER}
        return administrator(**rights)

    async def _api_createChatInviteLink(self, params: dict[str, Any]) -> dict[str, Any]:
        return {
            "invite_link": f"https://t.me/+join{abs(int(params['chat_id']))}",
            "creator": {"id": BOT_ID, "is_bot": True, "first_name": "Task Force Bot"},
            "creates_join_request": bool(params.get("creates_join_request")),
            "is_primary": False,
            "is_revoked": False,
            "name": params.get("name"),
        }

    async def _group_call(self, method: str, params: dict[str, Any]) -> bool:
        self.group_calls.append((method, int(params["chat_id"]), int(params["user_id"])))
        return True

    async def _api_approveChatJoinRequest(self, params: dict[str, Any]) -> bool:
        return await self._group_call("approve", params)

    async def _api_declineChatJoinRequest(self, params: dict[str, Any]) -> bool:
        return await self._group_call("decline", params)

    async def _api_banChatMember(self, params: dict[str, Any]) -> bool:
        return await self._group_call("ban", params)

    async def _api_unbanChatMember(self, params: dict[str, Any]) -> bool:
        return await self._group_call("unban", params)

    def _message(self, params: dict[str, Any], message_id: object = None, **content: Any) -> dict[str, Any]:
        chat_id = int(params["chat_id"])
        message = {
            "message_id": int(message_id) if message_id is not None else next(self._message_ids),
            "date": int(time.time()),
            "chat": {"id": chat_id, "type": "private" if chat_id > 0 else "group"},
            "from": {"id": BOT_ID, "is_bot": True, "first_name": "Task Force Bot"},
            **{key: value for key, value in content.items()},
        }
        if params.get("reply_markup"):
            message["reply_markup"] = params["reply_markup"]
        self._contents[(chat_id, message["message_id"])] = (
            content.get("text", content.get("caption", "")),
            params.get("reply_markup") or None,
        )
        return message

    # ------------------------------------------------------------ test side

    def document(self, content: bytes, name: str = "round.json") -> dict[str, Any]:
        """A document a person sends: kept here, so that the bot can download it."""
        file_id = f"file{len(self.files) + 1}"
        self.files[file_id] = content
        return {
            "file_id": file_id,
            "file_unique_id": file_id,
            "file_name": name,
            "mime_type": "application/json",
            "file_size": len(content),
        }

    def next_message_id(self) -> int:
        """Message ids of a private chat are one sequence for both sides, as in Telegram."""
        return next(self._message_ids)

    async def push(self, update: dict[str, Any]) -> int:
        update_id = next(self._update_ids)
        update["update_id"] = update_id
        self.pushed_at[update_id] = time.monotonic()
        if (chat := _chat_of(update)) is not None:
            self.wrote_at[chat] = self.pushed_at[update_id]
        self._updates.append(update)
        async with self._new_update:
            self._new_update.notify_all()
        return update_id

    async def wait_for_poll(self, timeout: float = 20.0) -> None:
        """Until the bot polls for updates (after its start-up calls)."""
        polls, deadline = self.polls, time.monotonic() + timeout
        while self.polls == polls:
            if time.monotonic() > deadline:
                raise AssertionError(f"the bot did not poll within {timeout}s")
            self._sent_event.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._sent_event.wait(), 0.1)

    async def wait_for(self, predicate: Callable[[Sent], bool], timeout: float = 10.0, start: int = 0) -> Sent:
        """The first call since index `start` that matches, waiting for it if need be."""
        deadline = time.monotonic() + timeout
        while True:
            for sent in self.sent[start:]:
                if predicate(sent):
                    return sent
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise AssertionError(f"no matching call within {timeout}s; last calls: {self.sent[-5:]}")
            self._sent_event.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._sent_event.wait(), remaining)


def _text_problem(method: str, params: dict[str, Any]) -> str | None:
    """Why Telegram would refuse a message's text or caption (None: it would not).

    HTML is parsed as TDLib parses it (tests/telegram_html.py), and the limits count what
    is left after parsing and trimming. An alert's text (answerCallbackQuery) is plain.
    """
    if method in ("sendMessage", "editMessageText"):
        return telegram_html.refusal(params.get("text"), params.get("parse_mode"), caption=False)
    if method in ("sendDocument", "sendPhoto") and params.get("caption") is not None:
        return telegram_html.refusal(str(params["caption"]), params.get("parse_mode"), caption=True)
    if method == "answerCallbackQuery" and len(str(params.get("text", ""))) > telegram_html.CALLBACK_ANSWER_LIMIT:
        return "Bad Request: MESSAGE_TOO_LONG"
    return None


def _webhook_problem(params: dict[str, Any]) -> str | None:
    """setWebhook's refusals, as the Bot API words them."""
    url, secret = str(params.get("url") or ""), params.get("secret_token")
    if url and not url.startswith("https://"):
        return "Bad Request: bad webhook: An HTTPS URL must be provided for webhook"
    port = urlsplit(url).port or 443 if url else 443
    if port not in WEBHOOK_PORTS:
        return "Bad Request: bad webhook: Webhook can be set up only on ports 80, 88, 443 or 8443"
    if secret is not None and len(str(secret)) > 256:
        return "Bad Request: secret token is too long"
    if secret is not None and not SECRET_TOKEN.fullmatch(str(secret)):
        return "Bad Request: secret token contains unallowed characters"
    return None


def _chat_of(update: dict[str, Any]) -> int | None:
    """The chat in which someone wrote or pressed a button (what makes the bot's next message an answer)."""
    if "message" in update:
        return int(update["message"]["chat"]["id"])
    query = update.get("callback_query")
    if query is not None and "message" in query:
        return int(query["message"]["chat"]["id"])
    return None


def _menu_key(scope: dict[str, Any] | None, language: str | None) -> str:
    return json.dumps([scope or {"type": "default"}, language or ""], sort_keys=True)


def user(
    user_id: int,
    first_name: str = "Ada",
    last_name: str | None = "Lovelace",
    language_code: str | None = "en",
    username: str | None = None,
) -> dict[str, Any]:
    data: dict[str, Any] = {"id": user_id, "is_bot": False, "first_name": first_name}
    if last_name:
        data["last_name"] = last_name
    if username:
        data["username"] = username
    if language_code:
        data["language_code"] = language_code
    return data


def message_update(
    sender: dict[str, Any], text: str, chat: dict[str, Any] | None = None, message_id: int = 1
) -> dict[str, Any]:
    chat = chat or {"id": sender["id"], "type": "private", "first_name": sender["first_name"]}
    message: dict[str, Any] = {
        "message_id": message_id,
        "date": int(time.time()),
        "chat": chat,
        "from": sender,
        "text": text,
    }
    if text.startswith("/"):
        command = text.split()[0]
        message["entities"] = [{"type": "bot_command", "offset": 0, "length": len(command)}]
    return {"message": message}


BOT_USER = {"id": BOT_ID, "is_bot": True, "first_name": "Task Force Bot"}


def administrator(invite: bool = False, ban: bool = False) -> dict[str, Any]:
    """The bot as an administrator of a group: only the two rights it needs vary."""
    flags = ("can_manage_chat", "can_delete_messages", "can_manage_video_chats", "can_promote_members")
    flags += ("can_change_info", "can_post_stories", "can_edit_stories", "can_delete_stories")
    return {
        "status": "administrator",
        "user": BOT_USER,
        "can_be_edited": False,
        "is_anonymous": False,
        **dict.fromkeys(flags, False),
        "can_invite_users": invite,
        "can_restrict_members": ban,
    }


def group(chat_id: int, title: str = "Soil friends") -> dict[str, Any]:
    return {"id": chat_id, "type": "supergroup", "title": title}


def join_request_update(sender: dict[str, Any], chat_id: int, date: int | None = None) -> dict[str, Any]:
    """Someone asks to enter a group through an invite link that needs approval."""
    return {
        "chat_join_request": {
            "chat": group(chat_id),
            "from": sender,
            "user_chat_id": sender["id"],
            "date": date if date is not None else int(time.time()),
        }
    }


def bot_member_update(chat_id: int, status: str, **rights: bool) -> dict[str, Any]:
    """The bot's own place in a group changed (removed, or its rights as administrator)."""
    new = administrator(**rights) if status == "administrator" else {"status": status, "user": BOT_USER}
    if status == "kicked":
        new["until_date"] = 0
    return {
        "my_chat_member": {
            "chat": group(chat_id),
            "from": {"id": 1, "is_bot": False, "first_name": "Owner"},
            "date": int(time.time()),
            "old_chat_member": {"status": "member", "user": BOT_USER},
            "new_chat_member": new,
        }
    }


def callback_update(
    sender: dict[str, Any], data: str, message_id: int, callback_id: int = 1, markup: dict[str, Any] | None = None
) -> dict[str, Any]:
    """A press as Telegram sends it; with the keyboard of the message pressed, when known (Telegram always sends it)."""
    update: dict[str, Any] = {
        "callback_query": {
            "id": str(callback_id),
            "from": sender,
            "chat_instance": str(sender["id"]),
            "data": data,
            "message": {
                "message_id": message_id,
                "date": int(time.time()),
                "chat": {"id": sender["id"], "type": "private", "first_name": sender["first_name"]},
                "from": {"id": BOT_ID, "is_bot": True, "first_name": "Task Force Bot"},
                "text": "…",
            },
        }
    }
    if markup:
        update["callback_query"]["message"]["reply_markup"] = markup
    return update


async def _decode(request: web.Request) -> tuple[dict[str, Any], dict[str, bytes]]:
    """Form fields, JSON-decoded where python-telegram-bot JSON-encoded them; files apart."""
    params: dict[str, Any] = {}
    files: dict[str, bytes] = {}
    if request.content_type == "multipart/form-data":
        reader = await request.multipart()
        async for part in reader:
            if part.filename:
                files[part.name or "file"] = await part.read()
            else:
                params[part.name or ""] = _value(part.name or "", await part.text())
    elif request.content_type == "application/json":
        params = await request.json()
    else:
        form = await request.post()
        params = {key: _value(key, str(value)) for key, value in form.items()}
    return params, files


def _value(key: str, raw: str) -> Any:
    if key in TEXT_FIELDS:
        return raw
    try:
        return json.loads(raw)
    except ValueError:
        return raw


def _error(status: int, description: str, parameters: dict[str, Any] | None = None) -> web.Response:
    body: dict[str, Any] = {"ok": False, "error_code": status, "description": description}
    if parameters:
        body["parameters"] = parameters
    return web.json_response(body, status=status)
