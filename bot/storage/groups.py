"""Each task force's group chat: the link row, and the join requests already decided."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import aiosqlite

from bot.storage.database import Reader, Transaction, from_text, to_text


@dataclass(frozen=True)
class GroupLink:
    taskforce: str
    chat_id: int
    title: str
    invite_link: str | None
    language: str
    welcome: bool
    broken_at: datetime | None
    broken_reason: str | None

    @property
    def working(self) -> bool:
        return self.broken_at is None


def _link(row: aiosqlite.Row) -> GroupLink:
    return GroupLink(
        taskforce=row["taskforce"],
        chat_id=row["chat_id"],
        title=row["title"],
        invite_link=row["invite_link"],
        language=row["language"],
        welcome=bool(row["welcome"]),
        broken_at=from_text(row["broken_at"]),
        broken_reason=row["broken_reason"],
    )


async def of_taskforce(db: Reader, code: str) -> GroupLink | None:
    row = await db.fetchone("SELECT * FROM group_links WHERE taskforce = ?", (code,))
    return None if row is None else _link(row)


async def of_chat(db: Reader, chat_id: int) -> GroupLink | None:
    row = await db.fetchone("SELECT * FROM group_links WHERE chat_id = ?", (chat_id,))
    return None if row is None else _link(row)


async def save(
    tx: Transaction,
    code: str,
    chat_id: int,
    title: str,
    invite_link: str,
    manner: tuple[str, bool],
    actor: int,
    now: datetime,
) -> None:
    """Link (or link again, repaired) the task force's group; `manner` is (language, welcome)."""
    language, welcome = manner
    await tx.execute(
        "INSERT INTO group_links (taskforce, chat_id, title, invite_link, language, welcome, linked_by, linked_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (taskforce) DO UPDATE SET chat_id = excluded.chat_id,"
        " title = excluded.title, invite_link = excluded.invite_link, language = excluded.language,"
        " welcome = excluded.welcome, linked_by = excluded.linked_by, linked_at = excluded.linked_at,"
        " broken_at = NULL, broken_reason = NULL",
        (code, chat_id, title[:200], invite_link, language, int(welcome), actor, to_text(now)),
    )


async def delete(tx: Transaction, code: str) -> None:
    await tx.execute("DELETE FROM group_links WHERE taskforce = ?", (code,))


async def mark_broken(tx: Transaction, chat_id: int, reason: str, now: datetime) -> bool:
    """True when the link was working until now (so that the news is told once)."""
    cursor = await tx.execute(
        "UPDATE group_links SET broken_at = ?, broken_reason = ? WHERE chat_id = ? AND broken_at IS NULL",
        (to_text(now), reason, chat_id),
    )
    return cursor.rowcount == 1


async def move(tx: Transaction, old_chat_id: int, new_chat_id: int) -> None:
    """A group became a supergroup: same group, new id."""
    await tx.execute("UPDATE group_links SET chat_id = ? WHERE chat_id = ?", (new_chat_id, old_chat_id))


async def first_request(
    tx: Transaction, chat_id: int, user_id: int, asked_at: datetime, approved: bool, now: datetime
) -> bool:
    """Record the decision on a join request; False when this very request was decided before (redelivered)."""
    cursor = await tx.execute(
        "INSERT OR IGNORE INTO join_requests (chat_id, user_id, asked_at, approved, decided_at) VALUES (?, ?, ?, ?, ?)",
        (chat_id, user_id, to_text(asked_at), int(approved), to_text(now)),
    )
    return cursor.rowcount == 1


async def forget_user(tx: Transaction, user_id: int) -> None:
    """Their join requests go; a group they linked stays linked, without who linked it."""
    await tx.execute("DELETE FROM join_requests WHERE user_id = ?", (user_id,))
    await tx.execute("UPDATE group_links SET linked_by = NULL WHERE linked_by = ?", (user_id,))
