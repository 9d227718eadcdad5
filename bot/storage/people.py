"""Profiles: one row per person who joined, what they told about themselves and their organisation."""

from __future__ import annotations

from datetime import datetime

import aiosqlite

from bot.models import Person, Profile
from bot.storage.database import Reader, Transaction, from_text, to_text


async def get_person(db: Reader, telegram_id: int) -> Person | None:
    row = await db.fetchone("SELECT * FROM people WHERE telegram_id = ?", (telegram_id,))
    return None if row is None else person_from(row)


async def save_person(tx: Transaction, telegram_id: int, profile: Profile, now: datetime) -> None:
    """Insert or update the person's profile; every field of `profile` must be filled."""
    await tx.execute(
        """
        INSERT INTO people (telegram_id, name, organisation, country, region, stakeholder_type,
                            member_status, email, created_at, updated_at)
        VALUES (:id, :name, :organisation, :country, :region, :stakeholder_type,
                :member_status, :email, :now, :now)
        ON CONFLICT (telegram_id) DO UPDATE SET
            name = excluded.name, organisation = excluded.organisation,
            country = excluded.country, region = excluded.region,
            stakeholder_type = excluded.stakeholder_type,
            member_status = excluded.member_status, email = excluded.email,
            updated_at = excluded.updated_at
        """,
        {
            "id": telegram_id,
            "name": profile.name,
            "organisation": profile.organisation,
            "country": profile.country,
            "region": profile.region,
            "stakeholder_type": profile.stakeholder_type,
            "member_status": profile.member_status,
            "email": profile.email,
            "now": to_text(now),
        },
    )


async def set_member_claim(tx: Transaction, telegram_id: int, confirmed: bool, now: datetime) -> None:
    """A confirmed claim stays; a rejected one makes the person a non-member."""
    await tx.execute(
        "UPDATE people SET member_status_confirmed = ?,"
        " member_status = CASE WHEN ? THEN member_status ELSE 'neither' END, updated_at = ?"
        " WHERE telegram_id = ?",
        (int(confirmed), int(confirmed), to_text(now), telegram_id),
    )


async def set_listed(tx: Transaction, telegram_id: int, listed: bool, now: datetime) -> bool:
    """False when the person has no profile."""
    cursor = await tx.execute(
        "UPDATE people SET listed = ?, updated_at = ? WHERE telegram_id = ?", (int(listed), to_text(now), telegram_id)
    )
    return cursor.rowcount > 0


async def delete_person(tx: Transaction, telegram_id: int) -> None:
    """The profile goes; the person's registrations stay as anonymous counts, without what they wrote."""
    await tx.execute(
        "UPDATE registrations SET person_id = NULL, motivation = NULL, reason = NULL WHERE person_id = ?",
        (telegram_id,),
    )
    # What they decided stays decided, without who decided or the reason they wrote.
    await tx.execute("UPDATE registrations SET decided_by = 0, reason = NULL WHERE decided_by = ?", (telegram_id,))
    await tx.execute("DELETE FROM people WHERE telegram_id = ?", (telegram_id,))


def person_from(row: aiosqlite.Row) -> Person:
    """A profile from a row holding the people columns (a join may bring others, left aside)."""
    data = {key: row[key] for key in _PERSON_COLUMNS}
    data["created_at"] = from_text(data["created_at"])
    data["updated_at"] = from_text(data["updated_at"])
    return Person(**data)


_PERSON_COLUMNS = (
    "telegram_id", "name", "organisation", "country", "region", "stakeholder_type",
    "member_status", "email", "created_at", "updated_at", "member_status_confirmed", "listed",
)  # fmt: skip
