"""Announcements from the Secretariat (anyone registered) and from facilitators (their task forces).

A broadcast is a row from the moment it is written: its audience is changed on the row,
Send writes one outbox row per recipient in the same transaction that marks it sending,
and pause, resume and cancel act on those rows. The sender delivers them on the bulk
lane, so answers and people's own notices always go first.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from bot.models import Audience, Broadcast, BroadcastState, Catalogue, Content, ContentType, Lane, Payload, Role
from bot.services import authority
from bot.services.errors import Refused
from bot.storage import announcements as rows
from bot.storage import audit, outbox
from bot.storage.announcements import Counts, Reach
from bot.storage.database import Database, Transaction

MESSAGE_LIMIT = 4096  # Telegram's, in characters without the markup
CAPTION_LIMIT = 1024
AUTHOR_NAME_LIMIT = 100  # the name that signs an announcement is cut there
# Characters the footer (who sent it, how to turn announcements off) takes for an author's name and
# scope, as Telegram counts them: given by the views, which write it.
FooterRoom = Callable[[str, list[str] | None], int]
FILE_LIMITS = {ContentType.PHOTO: 10_000_000, ContentType.DOCUMENT: 50_000_000}  # the Bot API's upload limits
PROGRESS_EVERY = 3.0  # seconds between two edits of the author's progress message
KIND = rows.KIND
RECENT = 10
PROGRESS_KIND = "broadcast_progress"


class OfBroadcast(Payload):
    """Whose progress an edit of the author's progress message shows (read by `progress_waiting` in SQL)."""

    broadcast: int


class Steer(StrEnum):
    PAUSE = "pause"
    RESUME = "resume"
    CANCEL = "cancel"


@dataclass(frozen=True)
class Progress:
    broadcast: Broadcast
    counts: Counts


async def scope(db: Database, actor: int, admins: Collection[int]) -> list[str] | None:
    """None for the Secretariat (everyone); a facilitator's task forces; anyone else is refused."""
    try:
        return await authority.oversight(db, actor, admins)
    except Refused:
        raise Refused("broadcast_not_allowed") from None


def check_content(content: Content, file_size: int | None, footer_room: int) -> None:
    """Empty, too long once the footer (`footer_room` characters) is added, or a file over the Bot API's
    limits: refused. The limit told is exact: that many characters and the footer fill Telegram's."""
    if content.type is ContentType.TEXT and not content.html.strip():
        raise Refused("empty")
    limit = (MESSAGE_LIMIT if content.type is ContentType.TEXT else CAPTION_LIMIT) - footer_room
    if content.length > limit:
        raise Refused("too_long", limit=limit, length=content.length)
    size_limit = FILE_LIMITS.get(content.type)
    if size_limit is not None and (file_size or 0) > size_limit:
        raise Refused("file_too_large", megabytes=size_limit // 1_000_000)


async def create(
    db: Database,
    actor: int,
    author_name: str,
    admins: Collection[int],
    content: Content,
    file_size: int | None,
    now: datetime,
    footer_room: FooterRoom,
) -> Broadcast:
    """A draft; its audience starts as everyone the author may reach. Signed with the name Telegram shows."""
    codes = await scope(db, actor, admins)
    name = author_name[:AUTHOR_NAME_LIMIT] or "—"
    check_content(content, file_size, footer_room(name, codes))
    async with db.transaction() as tx:
        broadcast_id = await rows.create(tx, actor, name, codes, content, now)
    return await _own(db, actor, broadcast_id, admins)


async def rewrite(
    db: Database,
    actor: int,
    broadcast_id: int,
    admins: Collection[int],
    content: Content,
    file_size: int | None,
    footer_room: FooterRoom,
) -> Broadcast:
    """The draft's text, photo or document replaced by a new one (after a preview Telegram refused, say);
    its audience is kept."""
    await _own(db, actor, broadcast_id, admins)
    async with db.transaction() as tx:
        current = await rows.get(tx, broadcast_id)
        if current is None or current.state is not BroadcastState.DRAFT:
            raise Refused("stale")
        # Signed as stored at drafting, which is what recipients get (not the author's scope now).
        check_content(content, file_size, footer_room(current.author_name, current.author_scope))
        await rows.set_content(tx, broadcast_id, content)
    return await _own(db, actor, broadcast_id, admins)


# How Telegram says (lower-cased by python-telegram-bot) that it no longer has a file under that id.
_FILE_GONE = ("wrong file identifier", "wrong remote file identifier", "file reference", "file_reference")
_UNREADABLE = "can't parse entities"
_OFFSET = re.compile(r"byte offset (\d+)")
NEAR = 30  # bytes of the text shown on each side of where Telegram stopped reading


def preview_refused(content: Content, sent: str, description: str) -> Refused:
    """Why Telegram would not show an announcement (the description of its 400), as a refusal the views word:
    its file is gone (send it again), or its text could not be read (where), or anything else (Telegram's words).
    `sent` is the text or caption as it was sent."""
    said = description.strip()
    lowered = said.lower()
    if content.type is not ContentType.TEXT and any(words in lowered for words in _FILE_GONE):
        return Refused("file_gone", kind=content.type.value)
    if _UNREADABLE in lowered:
        detail = said[lowered.index(_UNREADABLE) + len(_UNREADABLE) :].lstrip(" :") or said
        offset = _OFFSET.search(said)
        near = ""
        if offset is not None:
            raw = sent.encode()
            at = int(offset.group(1))
            near = raw[max(0, at - NEAR) : at + NEAR].decode(errors="ignore")
        return Refused("text_unreadable", detail=detail, near=" ".join(near.split()))
    if "too long" in lowered:
        return Refused("text_too_long")
    return Refused("preview_refused", detail=said)


async def _own(
    db: Database, actor: int, broadcast_id: int, admins: Collection[int], state: BroadcastState = BroadcastState.DRAFT
) -> Broadcast:
    """The author's own broadcast in `state`, its scope read again now (a facilitator may have been removed)."""
    broadcast = await rows.get(db, broadcast_id)
    if broadcast is None or broadcast.author_id != actor or broadcast.state is not state:
        raise Refused("stale")
    return broadcast.model_copy(update={"author_scope": await scope(db, actor, admins)})


def toggle(audience: Audience, part: str, value: str) -> Audience:
    """Add or remove one value of one criterion; "all" clears every criterion (everyone)."""
    if part == "all":
        return Audience()
    values: list[str] = [str(v) for v in getattr(audience, part)]
    values = [v for v in values if v != value] if value in values else sorted([*values, value])
    return audience.model_copy(update={part: [Role(v) for v in values] if part == "roles" else values})


def check_audience(audience: Audience, codes: list[str] | None, catalogue: Catalogue) -> None:
    """Only known values; a facilitator's task forces only."""
    unknown = [code for code in audience.taskforces if catalogue.objective(code) is None]
    unknown += [r for r in audience.regions if r not in catalogue.region_names]
    unknown += [t for t in audience.types if t not in catalogue.stakeholder_type_names]
    if unknown:
        raise Refused("stale")
    outside = sorted(set(audience.taskforces) - set(codes)) if codes is not None else []
    if outside:
        raise Refused("not_your_taskforce", code=outside[0])


def effective(audience: Audience, codes: list[str] | None) -> Audience:
    """A facilitator's "any task force" means any of theirs, never everyone."""
    if codes is not None and not audience.taskforces:
        return audience.model_copy(update={"taskforces": codes})
    return audience


async def change_audience(
    db: Database, actor: int, broadcast_id: int, admins: Collection[int], part: str, value: str, catalogue: Catalogue
) -> Broadcast:
    broadcast = await _own(db, actor, broadcast_id, admins)
    audience = toggle(broadcast.audience, part, value)
    check_audience(audience, broadcast.author_scope, catalogue)
    async with db.transaction() as tx:
        await rows.set_audience(tx, broadcast_id, audience)
    return broadcast.model_copy(update={"audience": audience})


async def draft(db: Database, actor: int, broadcast_id: int, admins: Collection[int]) -> tuple[Broadcast, Reach]:
    """The author's draft and how many its audience reaches now: what the preview shows."""
    broadcast = await _own(db, actor, broadcast_id, admins)
    return broadcast, await rows.reach(db, effective(broadcast.audience, broadcast.author_scope))


async def discard(db: Database, actor: int, broadcast_id: int, admins: Collection[int]) -> None:
    """A draft cancelled before sending leaves nothing behind."""
    await _own(db, actor, broadcast_id, admins)
    async with db.transaction() as tx:
        await rows.delete_draft(tx, broadcast_id)


async def send(
    db: Database,
    actor: int,
    broadcast_id: int,
    admins: Collection[int],
    catalogue: Catalogue,
    progress_message: tuple[int, int],
    now: datetime,
) -> int:
    """Queue one row per reachable recipient, all in one transaction; the audit says who, to whom, how many."""
    broadcast = await _own(db, actor, broadcast_id, admins)
    check_audience(broadcast.audience, broadcast.author_scope, catalogue)  # a task force since taken away
    audience = effective(broadcast.audience, broadcast.author_scope)
    async with db.transaction() as tx:
        current = await rows.get(tx, broadcast_id)
        if current is None or current.state is not BroadcastState.DRAFT:
            raise Refused("stale")  # pressed twice: the first press sent it
        total = await rows.queue(tx, broadcast.model_copy(update={"audience": audience}), now, *progress_message)
        if total == 0:
            raise Refused("no_recipients")  # the transaction rolls back: nothing queued, still a draft
        detail = {"broadcast": broadcast_id, "audience": audience.model_dump(mode="json"), "total": total}
        await audit.record(tx, now, actor, "broadcast.sent", detail=detail)
    return total


async def steer(
    db: Database, actor: int, broadcast_id: int, admins: Collection[int], action: Steer, now: datetime
) -> Broadcast:
    """Pause, resume or cancel: the Secretariat any broadcast, a facilitator their own."""
    broadcast = await rows.get(db, broadcast_id)
    if broadcast is None or (actor not in admins and broadcast.author_id != actor):
        raise Refused("stale")
    allowed = {
        Steer.PAUSE: (BroadcastState.SENDING,),
        Steer.RESUME: (BroadcastState.PAUSED,),
        Steer.CANCEL: (BroadcastState.SENDING, BroadcastState.PAUSED),
    }[action]
    async with db.transaction() as tx:
        current = await rows.get(tx, broadcast_id)
        if current is None or current.state not in allowed:
            raise Refused("broadcast_over" if current and current.state in _OVER else "stale")
        if action is Steer.PAUSE:
            await rows.hold_rows(tx, broadcast_id, held=True)
            state = BroadcastState.PAUSED
        elif action is Steer.RESUME:
            await rows.hold_rows(tx, broadcast_id, held=False)
            state = BroadcastState.SENDING
        else:
            await rows.drop_rows(tx, broadcast_id, now)
            state = BroadcastState.CANCELLED
        await rows.set_state(tx, broadcast_id, state, now)
        await audit.record(tx, now, actor, f"broadcast.{action.value}", detail={"broadcast": broadcast_id})
        await _queue_progress(tx, current, now)
    return current.model_copy(update={"state": state})


_OVER = (BroadcastState.DONE, BroadcastState.CANCELLED)


async def get(db: Database, broadcast_id: int) -> Broadcast | None:
    return await rows.get(db, broadcast_id)


async def progress(db: Database, broadcast_id: int) -> Progress | None:
    broadcast = await rows.get(db, broadcast_id)
    return None if broadcast is None else Progress(broadcast, await rows.counts(db, broadcast_id))


async def settle(db: Database, broadcast_id: int, now: datetime) -> None:
    """After a row is sent or failed: finish the broadcast when nothing waits, and keep its
    author's progress message a few seconds fresh. Reads first: most rows need no write."""
    broadcast = await rows.get(db, broadcast_id)
    if broadcast is None or broadcast.state is not BroadcastState.SENDING:
        return
    finishing = not await rows.any_waiting(db, broadcast_id)
    stale = broadcast.progress_at is None or (now - broadcast.progress_at).total_seconds() >= PROGRESS_EVERY
    if not (finishing or stale):
        return
    async with db.transaction() as tx:
        if finishing and await rows.finish(tx, broadcast_id, now):
            counts = await rows.counts(tx, broadcast_id)
            detail = {
                "broadcast": broadcast_id,
                "sent": counts.sent,
                "unreachable": counts.unreachable,
                "failed": counts.failed,
            }
            await audit.record(tx, now, broadcast.author_id, "broadcast.done", detail=detail)
        elif not await rows.claim_progress(tx, broadcast_id, now, PROGRESS_EVERY):
            return
        await _queue_progress(tx, broadcast, now)


async def settle_all(db: Database, now: datetime) -> None:
    """The periodic safety net: a broadcast whose last row settled just before a kill is finished."""
    for broadcast_id in await rows.sending(db):
        await settle(db, broadcast_id, now)


async def _queue_progress(tx: Transaction, broadcast: Broadcast, now: datetime) -> None:
    """One edit of the author's progress message, unless one is already waiting (it reads counts when sent)."""
    if broadcast.progress_chat_id is None or broadcast.progress_message_id is None:
        return
    if await rows.progress_waiting(tx, broadcast.id):
        return
    await outbox.enqueue(
        tx,
        broadcast.progress_chat_id,
        PROGRESS_KIND,
        now,
        edit_message_id=broadcast.progress_message_id,
        payload=OfBroadcast(broadcast=broadcast.id),
        lane=Lane.NOTICE,
    )


async def recent(db: Database, actor: int, admins: Collection[int]) -> list[Progress]:
    """/broadcasts: the Secretariat sees all of them, a facilitator their own."""
    await scope(db, actor, admins)
    found = await rows.recent(db, None if actor in admins else actor, RECENT)
    return [Progress(b, await rows.counts(db, b.id)) for b in found]


async def set_announcements(db: Database, telegram_id: int, on: bool, now: datetime) -> None:
    async with db.transaction() as tx:
        if not await rows.set_announcements(tx, telegram_id, on):
            raise Refused("no_profile")
        await audit.record(tx, now, telegram_id, "announcements.on" if on else "announcements.off", telegram_id)


async def announcements_on(db: Database, telegram_id: int) -> bool | None:
    return await rows.announcements_on(db, telegram_id)
