"""Delphi rounds, their panels, what each panellist is asked, answers, and due reminders.

Questions are numbered by their place in the round's file (0, 1, …): the file is stored
whole (`definition`) and never changes once the round has opened.
"""

from __future__ import annotations

import secrets
from collections import Counter
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.delphi_models import Panel, RoundFile
from bot.models import Lane, Payload
from bot.storage.database import Reader, Transaction, from_text, to_text

INVITATION_KIND, REMINDER_KIND = "delphi_invitation", "delphi_reminder"


class OfRound(Payload):
    """Which round an invitation or a reminder is about; queued here by SQL as `json_object('round', …)`."""

    round: int


@dataclass(frozen=True)
class StoredRound:
    id: int
    file: RoundFile
    closes_at: datetime  # the file's, unless extended or closed early
    opened_at: datetime | None
    closed_at: datetime | None
    published_at: datetime | None = None  # its aggregates shown on the public site, by the Secretariat's choice

    @property
    def study(self) -> str:
        return self.file.study

    def is_open(self, now: datetime) -> bool:
        return self.opened_at is not None and self.closed_at is None and now < self.closes_at


@dataclass(frozen=True)
class Answer:
    question: int
    value: float | None
    text: str | None
    comment: str | None


@dataclass(frozen=True)
class Given:
    """An answer as the results read it: whose only as a pseudonym's input, with the panellist's groups."""

    question: int
    person_id: int
    value: float | None
    text: str | None
    comment: str | None
    region: str | None
    stakeholder_type: str | None


@dataclass(frozen=True)
class Waiting:
    round_id: int
    question: int
    what: str  # "answer" or "comment"
    since_update: int  # the update that set it (0: an invitation), and when: see services/redelivery.py
    since_at: datetime | None


@dataclass(frozen=True)
class Response:
    """Of one question or one task force: answers given against answers expected."""

    key: str
    asked: int
    answered: int


ROUND_COLUMNS = "id, definition, closes_at, opened_at, closed_at, published_at"


def _round(row: object) -> StoredRound:
    return StoredRound(
        id=row["id"],  # type: ignore[index]
        file=RoundFile.model_validate_json(row["definition"]),  # type: ignore[index]
        closes_at=datetime.fromisoformat(row["closes_at"]),  # type: ignore[index]
        opened_at=from_text(row["opened_at"]),  # type: ignore[index]
        closed_at=from_text(row["closed_at"]),  # type: ignore[index]
        published_at=from_text(row["published_at"]),  # type: ignore[index]
    )


async def get(db: Reader, round_id: int) -> StoredRound | None:
    row = await db.fetchone(f"SELECT {ROUND_COLUMNS} FROM delphi_rounds WHERE id = ?", (round_id,))
    return _round(row) if row else None


async def find(db: Reader, study: str, number: int | None = None) -> StoredRound | None:
    """The study's round `number`, or its latest."""
    row = await db.fetchone(
        f"SELECT {ROUND_COLUMNS} FROM delphi_rounds WHERE study = ? AND (? IS NULL OR round = ?)"
        " ORDER BY round DESC LIMIT 1",
        (study, number, number),
    )
    return _round(row) if row else None


async def rounds_of_study(db: Reader, study: str) -> list[StoredRound]:
    rows = await db.fetchall(f"SELECT {ROUND_COLUMNS} FROM delphi_rounds WHERE study = ? ORDER BY round", (study,))
    return [_round(row) for row in rows]


async def set_published(tx: Transaction, round_id: int, at: datetime | None) -> None:
    await tx.execute("UPDATE delphi_rounds SET published_at = ? WHERE id = ?", (to_text(at), round_id))


async def published(db: Reader) -> list[StoredRound]:
    """Rounds whose figures the Secretariat put on the public site, by study and round."""
    rows = await db.fetchall(
        f"SELECT {ROUND_COLUMNS} FROM delphi_rounds WHERE published_at IS NOT NULL ORDER BY study, round"
    )
    return [_round(row) for row in rows]


async def answer_count(db: Reader, round_id: int) -> int:
    row = await db.fetchone("SELECT COUNT(*) FROM delphi_answers WHERE round_id = ?", (round_id,))
    return int(row[0]) if row else 0


async def panel_taskforces(db: Reader, round_id: int) -> list[str]:
    """The task forces the round's panel came through."""
    rows = await db.fetchall(
        "SELECT DISTINCT taskforce FROM delphi_places WHERE round_id = ? ORDER BY taskforce", (round_id,)
    )
    return [str(row["taskforce"]) for row in rows]


async def running(db: Reader, now: datetime) -> list[StoredRound]:
    """Rounds opened and not closed, oldest first."""
    rows = await db.fetchall(
        f"SELECT {ROUND_COLUMNS} FROM delphi_rounds WHERE opened_at IS NOT NULL AND closed_at IS NULL"
        " AND closes_at > ? ORDER BY id",
        (to_text(now),),
    )
    return [_round(row) for row in rows]


async def save(tx: Transaction, file: RoundFile, by: int, now: datetime, replaces: int | None) -> int:
    """A new round, or the same study and round loaded again before it opened (its rows go)."""
    if replaces is not None:  # its reminders go with it (ON DELETE CASCADE)
        await tx.execute("DELETE FROM delphi_rounds WHERE id = ?", (replaces,))
    cursor = await tx.execute(
        "INSERT INTO delphi_rounds (study, round, definition, opens_at, closes_at, loaded_by, loaded_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?)",
        (file.study, file.round, file.model_dump_json(), to_text(file.opens), to_text(file.closes), by, to_text(now)),
    )
    round_id = int(cursor.lastrowid or 0)
    key = secrets.token_bytes(32)
    await tx.execute("INSERT OR IGNORE INTO delphi_studies (study, secret) VALUES (?, ?)", (file.study, key))
    return round_id


async def secret(db: Reader, study: str) -> bytes:
    """The study's own key for panellists' pseudonyms: the same across its rounds, never shown."""
    row = await db.fetchone("SELECT secret FROM delphi_studies WHERE study = ?", (study,))
    return bytes(row["secret"]) if row else b""


def _codes_filter(column: str, codes: tuple[str, ...]) -> tuple[str, list[str]]:
    """`column IN (…)` for the given codes; none given: any."""
    if not codes:
        return "1", []
    return f"{column} IN ({', '.join('?' for _ in codes)})", list(codes)


async def panel_preview(db: Reader, panel: Panel | None, previous_id: int | None) -> tuple[int, dict[str, int]]:
    """Who would be on the panel now (the previous round's panel, and whom the file adds): in all, per task force."""
    places: set[tuple[str, int]] = set()
    if previous_id is not None:
        rows = await db.fetchall(
            f"SELECT taskforce, person_id FROM delphi_places WHERE round_id = ? AND {_PANELLIST}",
            (previous_id, previous_id),
        )
        places |= {(row["taskforce"], row["person_id"]) for row in rows}
    if panel is not None:
        where, params = _codes_filter("taskforce", panel.taskforces)
        cutoff = to_text(panel.registered_before)
        rows = await db.fetchall(
            f"SELECT taskforce, person_id FROM registrations WHERE {_REGISTERED.format(where=where)}",
            (*params, cutoff, cutoff),
        )
        places |= {(row["taskforce"], row["person_id"]) for row in rows}
    return len({person for _code, person in places}), dict(Counter(code for code, _person in places))


# A registration that puts its person on a panel: active or pending, made before the cut-off.
_REGISTERED = "person_id IS NOT NULL AND status IN ('active', 'pending') AND {where} AND (? IS NULL OR created_at < ?)"
# A place of the previous round's panel (its panellists were asked at least one question).
_PANELLIST = "person_id IN (SELECT person_id FROM delphi_panel WHERE round_id = ?)"


async def due_to_open(db: Reader, now: datetime) -> list[int]:
    """Ids, not rounds: a round whose file no longer reads fails alone, when it is opened."""
    rows = await db.fetchall(
        "SELECT id FROM delphi_rounds WHERE opened_at IS NULL AND closed_at IS NULL AND opens_at <= ?",
        (to_text(now),),
    )
    return [int(row["id"]) for row in rows]


async def open_round(tx: Transaction, stored: StoredRound, now: datetime, previous_id: int | None) -> int:
    """Form the panel, write what each panellist is asked, queue the invitations; the panel's size.

    The panel: the previous round's (everyone invited again, whether they answered or not),
    and the people the file's `panel` names, from the registrations as they are now. All in
    the caller's transaction.
    """
    file, round_id = stored.file, stored.id
    if previous_id is not None:
        await tx.execute(
            "INSERT INTO delphi_places (round_id, taskforce, person_id) SELECT ?, taskforce, person_id"
            f" FROM delphi_places WHERE round_id = ? AND {_PANELLIST}",
            (round_id, previous_id, previous_id),
        )
    if file.panel is not None:
        where, params = _codes_filter("taskforce", file.panel.taskforces)
        cutoff = to_text(file.panel.registered_before)
        await tx.execute(
            "INSERT OR IGNORE INTO delphi_places (round_id, taskforce, person_id)"
            f" SELECT DISTINCT ?, taskforce, person_id FROM registrations WHERE {_REGISTERED.format(where=where)}",
            (round_id, *params, cutoff, cutoff),
        )
    for index, question in enumerate(file.questions):
        narrowed, codes = _codes_filter("taskforce", question.taskforces)
        await tx.execute(
            "INSERT OR IGNORE INTO delphi_asked (round_id, person_id, question)"
            f" SELECT round_id, person_id, ? FROM delphi_places WHERE round_id = ? AND {narrowed}",
            (index, round_id, *codes),
        )
    if previous_id is not None:  # a panellist's groups stay those of the study's first round
        await tx.execute(
            "INSERT INTO delphi_panel (round_id, person_id, region, stakeholder_type)"
            " SELECT ?, person_id, region, stakeholder_type FROM delphi_panel WHERE round_id = ?"
            " AND person_id IN (SELECT person_id FROM delphi_asked WHERE round_id = ?)",
            (round_id, previous_id, round_id),
        )
    await tx.execute(
        "INSERT OR IGNORE INTO delphi_panel (round_id, person_id, region, stakeholder_type)"
        " SELECT ?, people.telegram_id, people.region, people.stakeholder_type FROM people"
        " WHERE people.telegram_id IN (SELECT person_id FROM delphi_asked WHERE round_id = ?)",
        (round_id, round_id),
    )
    await tx.execute("UPDATE delphi_rounds SET opened_at = ? WHERE id = ?", (to_text(now), round_id))
    await _reschedule_reminders(tx, round_id, stored.closes_at, file.reminders, now)
    cursor = await tx.execute(
        "INSERT INTO outbox (chat_id, kind, params, created_at, lane)"
        " SELECT person_id, ?, json_object('round', round_id), ?, ? FROM delphi_panel WHERE round_id = ?"
        " ORDER BY person_id",
        (INVITATION_KIND, to_text(now), int(Lane.BULK), round_id),
    )
    return int(cursor.rowcount)


async def _reschedule_reminders(
    tx: Transaction, round_id: int, closes_at: datetime, offsets: tuple[timedelta, ...], now: datetime
) -> None:
    """Reminders not yet sent are due at their offsets before closing; those already past are dropped."""
    await tx.execute("DELETE FROM delphi_reminders WHERE round_id = ? AND sent_at IS NULL", (round_id,))
    for offset in offsets:
        due = closes_at - offset
        if due > now:
            await tx.execute(
                "INSERT OR IGNORE INTO delphi_reminders (round_id, due_at) VALUES (?, ?)", (round_id, to_text(due))
            )


async def set_closing(tx: Transaction, stored: StoredRound, closes_at: datetime, now: datetime) -> None:
    await tx.execute("UPDATE delphi_rounds SET closes_at = ? WHERE id = ?", (to_text(closes_at), stored.id))
    await _reschedule_reminders(tx, stored.id, closes_at, stored.file.reminders, now)


async def due_to_close(db: Reader, now: datetime) -> list[int]:
    rows = await db.fetchall(
        "SELECT id FROM delphi_rounds WHERE opened_at IS NOT NULL AND closed_at IS NULL AND closes_at <= ?",
        (to_text(now),),
    )
    return [int(row["id"]) for row in rows]


async def close(tx: Transaction, round_id: int, now: datetime) -> bool:
    """True when this call closed it (a second call changes nothing)."""
    cursor = await tx.execute(
        "UPDATE delphi_rounds SET closed_at = ?, closes_at = MIN(closes_at, ?) WHERE id = ? AND closed_at IS NULL",
        (to_text(now), to_text(now), round_id),
    )
    await tx.execute("DELETE FROM delphi_reminders WHERE round_id = ? AND sent_at IS NULL", (round_id,))
    await tx.execute("DELETE FROM delphi_waiting WHERE round_id = ?", (round_id,))
    return bool(cursor.rowcount)


async def completion(db: Reader, round_id: int) -> tuple[int, int]:
    """The panel's size, and how many panellists answered every question they were asked."""
    row = await db.fetchone(
        "SELECT COUNT(*) AS panel, COALESCE(SUM(done), 0) AS complete FROM (SELECT a.person_id,"
        " MIN(EXISTS (SELECT 1 FROM delphi_answers x WHERE x.round_id = a.round_id AND x.question = a.question"
        " AND x.person_id = a.person_id)) AS done FROM delphi_asked a WHERE a.round_id = ? GROUP BY a.person_id)",
        (round_id,),
    )
    return (int(row["panel"]), int(row["complete"])) if row else (0, 0)


async def due_reminders(db: Reader, now: datetime) -> list[tuple[int, str]]:
    """(round, due time) of reminders due in open rounds."""
    rows = await db.fetchall(
        "SELECT r.round_id, r.due_at FROM delphi_reminders r JOIN delphi_rounds d ON d.id = r.round_id"
        " WHERE r.sent_at IS NULL AND r.due_at <= ? AND d.opened_at IS NOT NULL AND d.closed_at IS NULL"
        " ORDER BY r.due_at",
        (to_text(now),),
    )
    return [(int(row["round_id"]), str(row["due_at"])) for row in rows]


async def queue_reminder(tx: Transaction, round_id: int, due_at: str, now: datetime) -> int:
    """One row per panellist with a question unanswered, but for those Telegram said cannot be reached (a
    reminder would fail as their invitation did); the reminder marked sent in the same transaction."""
    cursor = await tx.execute(
        "UPDATE delphi_reminders SET sent_at = ? WHERE round_id = ? AND due_at = ? AND sent_at IS NULL",
        (to_text(now), round_id, due_at),
    )
    if not cursor.rowcount:
        return 0
    cursor = await tx.execute(
        "INSERT INTO outbox (chat_id, kind, params, created_at, lane)"
        " SELECT DISTINCT a.person_id, ?, json_object('round', a.round_id), ?, ? FROM delphi_asked a"
        " WHERE a.round_id = ? AND NOT EXISTS (SELECT 1 FROM delphi_answers x WHERE x.round_id = a.round_id"
        " AND x.question = a.question AND x.person_id = a.person_id)"
        " AND a.person_id NOT IN (SELECT telegram_id FROM known_users WHERE unreachable_at IS NOT NULL)",
        (REMINDER_KIND, to_text(now), int(Lane.BULK), round_id),
    )
    return int(cursor.rowcount)


# A round's invitations: `open_round` queues them with the round in their JSON.
_INVITATIONS = "kind = ? AND json_extract(params, '$.round') = ?"


@dataclass(frozen=True)
class Undelivered:
    """An invitation that failed for good: to whom, and whether they cannot be reached at all."""

    name: str
    unreachable: bool  # blocked the bot or deleted the account (403); else refused (400) or not sent after retries


async def invitations_settled(db: Reader) -> list[int]:
    """Opened rounds none of whose invitations waits any more, the Secretariat not told of them yet: ids."""
    rows = await db.fetchall(
        "SELECT id FROM delphi_rounds d WHERE d.opened_at IS NOT NULL AND d.invitations_told_at IS NULL"
        " AND NOT EXISTS (SELECT 1 FROM outbox o WHERE o.sent_at IS NULL AND o.failed_at IS NULL"
        " AND o.kind = ? AND json_extract(o.params, '$.round') = d.id)",
        (INVITATION_KIND,),
    )
    return [int(row["id"]) for row in rows]


async def mark_invitations_told(tx: Transaction, round_id: int, now: datetime) -> bool:
    """Marks the round told (once: a second call changes nothing); True when this call did and some of its
    invitations failed, so that the Secretariat is to hear of them."""
    cursor = await tx.execute(
        "UPDATE delphi_rounds SET invitations_told_at = ? WHERE id = ? AND invitations_told_at IS NULL",
        (to_text(now), round_id),
    )
    if not cursor.rowcount:
        return False
    row = await tx.fetchone(
        f"SELECT 1 FROM outbox WHERE failed_at IS NOT NULL AND {_INVITATIONS}", (INVITATION_KIND, round_id)
    )
    return row is not None


async def invitations(db: Reader, round_id: int) -> tuple[int, list[Undelivered]]:
    """How many invitations the round queued, and those that failed, by name."""
    row = await db.fetchone(f"SELECT COUNT(*) AS n FROM outbox WHERE {_INVITATIONS}", (INVITATION_KIND, round_id))
    failed = await db.fetchall(
        "SELECT COALESCE(p.name, k.full_name, '') AS name, o.failure LIKE 'unreachable%' AS unreachable"
        " FROM outbox o LEFT JOIN people p ON p.telegram_id = o.chat_id"
        " LEFT JOIN known_users k ON k.telegram_id = o.chat_id"
        f" WHERE o.failed_at IS NOT NULL AND {_INVITATIONS} ORDER BY name",
        (INVITATION_KIND, round_id),
    )
    return (int(row["n"]) if row else 0), [Undelivered(r["name"], bool(r["unreachable"])) for r in failed]


async def unreachable_panellists(db: Reader, round_id: int) -> int:
    """Panellists Telegram last said cannot be reached (they blocked the bot), until they write again."""
    row = await db.fetchone(
        "SELECT COUNT(*) AS n FROM delphi_panel p JOIN known_users k ON k.telegram_id = p.person_id"
        " WHERE p.round_id = ? AND k.unreachable_at IS NOT NULL",
        (round_id,),
    )
    return int(row["n"]) if row else 0


async def asked(db: Reader, round_id: int, person_id: int) -> list[int]:
    """The questions this panellist is asked, in the file's order."""
    rows = await db.fetchall(
        "SELECT question FROM delphi_asked WHERE round_id = ? AND person_id = ? ORDER BY question",
        (round_id, person_id),
    )
    return [int(row["question"]) for row in rows]


async def answers_of(db: Reader, round_id: int, person_id: int) -> dict[int, Answer]:
    rows = await db.fetchall(
        "SELECT question, value, text, comment FROM delphi_answers WHERE round_id = ? AND person_id = ?",
        (round_id, person_id),
    )
    return {int(row["question"]): Answer(row["question"], row["value"], row["text"], row["comment"]) for row in rows}


async def rounds_of(db: Reader, person_id: int, now: datetime) -> list[StoredRound]:
    """The running rounds this person is on the panel of."""
    rows = await db.fetchall(
        f"SELECT {ROUND_COLUMNS} FROM delphi_rounds WHERE opened_at IS NOT NULL AND closed_at IS NULL"
        " AND closes_at > ? AND id IN (SELECT round_id FROM delphi_panel WHERE person_id = ?) ORDER BY id",
        (to_text(now), person_id),
    )
    return [_round(row) for row in rows]


async def save_answer(
    tx: Transaction, round_id: int, question: int, person_id: int, value: float | None, text: str | None, now: datetime
) -> None:
    """A changed answer keeps its comment."""
    await tx.execute(
        "INSERT INTO delphi_answers (round_id, question, person_id, value, text, answered_at)"
        " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (round_id, question, person_id)"
        " DO UPDATE SET value = excluded.value, text = excluded.text, answered_at = excluded.answered_at",
        (round_id, question, person_id, value, text, to_text(now)),
    )


async def save_comment(tx: Transaction, round_id: int, question: int, person_id: int, comment: str) -> None:
    await tx.execute(
        "UPDATE delphi_answers SET comment = ? WHERE round_id = ? AND question = ? AND person_id = ?",
        (comment, round_id, question, person_id),
    )


async def waiting(db: Reader, person_id: int) -> Waiting | None:
    row = await db.fetchone(
        "SELECT round_id, question, what, since_update, since_at FROM delphi_waiting WHERE person_id = ?",
        (person_id,),
    )
    if row is None:
        return None
    return Waiting(row["round_id"], row["question"], row["what"], row["since_update"], from_text(row["since_at"]))


async def wait_for(
    tx: Transaction, person_id: int, round_id: int, question: int, what: str, since_update: int, now: datetime
) -> None:
    """The person's next typed message answers this (until another flow asks something)."""
    await tx.execute(
        "INSERT INTO delphi_waiting (person_id, round_id, question, what, since_update, since_at)"
        " VALUES (?, ?, ?, ?, ?, ?)"
        " ON CONFLICT (person_id) DO UPDATE SET round_id = excluded.round_id, question = excluded.question,"
        " what = excluded.what, since_update = excluded.since_update, since_at = excluded.since_at",
        (person_id, round_id, question, what, since_update, to_text(now)),
    )


async def stop_waiting(tx: Transaction, person_id: int) -> None:
    await tx.execute("DELETE FROM delphi_waiting WHERE person_id = ?", (person_id,))


async def people_waiting(db: Reader) -> set[int]:
    return {int(row["person_id"]) for row in await db.fetchall("SELECT person_id FROM delphi_waiting")}


async def response_by_question(db: Reader, round_id: int) -> list[Response]:
    rows = await db.fetchall(
        "SELECT a.question AS key, COUNT(*) AS asked, COUNT(x.person_id) AS answered FROM delphi_asked a"
        " LEFT JOIN delphi_answers x ON x.round_id = a.round_id AND x.question = a.question"
        " AND x.person_id = a.person_id WHERE a.round_id = ? GROUP BY a.question ORDER BY a.question",
        (round_id,),
    )
    return [Response(str(row["key"]), row["asked"], row["answered"]) for row in rows]


async def response_by_taskforce(db: Reader, round_id: int) -> list[Response]:
    """Per task force of the panel: the answers its panellists were asked for, and gave."""
    rows = await db.fetchall(
        "SELECT p.taskforce AS key, COUNT(*) AS asked, COUNT(x.person_id) AS answered FROM delphi_places p"
        " JOIN delphi_asked a ON a.round_id = p.round_id AND a.person_id = p.person_id"
        " LEFT JOIN delphi_answers x ON x.round_id = a.round_id AND x.question = a.question"
        " AND x.person_id = a.person_id WHERE p.round_id = ? GROUP BY p.taskforce ORDER BY p.taskforce",
        (round_id,),
    )
    return [Response(row["key"], row["asked"], row["answered"]) for row in rows]


async def given(db: Reader, round_id: int) -> list[Given]:
    """Every answer of the round with the panellist's region and stakeholder type, by question."""
    rows = await db.fetchall(f"{_GIVEN} WHERE x.round_id = ? ORDER BY x.question, x.answered_at", (round_id,))
    return [Given(*row) for row in rows]


_ANSWERS = (
    "SELECT x.question, x.person_id, x.value, x.text, {comment}, p.region, p.stakeholder_type"
    " FROM delphi_answers x LEFT JOIN delphi_panel p ON p.round_id = x.round_id AND p.person_id = x.person_id"
)
_GIVEN = _ANSWERS.format(comment="x.comment")


async def given_to(db: Reader, round_id: int, question: int) -> list[Given]:
    """The answers to one question, with the panellists' groups, as the next round's panel may read them: a
    comment only when the Secretariat showed it."""
    rows = await db.fetchall(
        _ANSWERS.format(comment="CASE WHEN x.comment_shown = 1 THEN x.comment END")
        + " WHERE x.round_id = ? AND x.question = ? ORDER BY x.answered_at",
        (round_id, question),
    )
    return [Given(*row) for row in rows]


async def asked_count(db: Reader, round_id: int, question: int) -> int:
    row = await db.fetchone(
        "SELECT COUNT(*) AS n FROM delphi_asked WHERE round_id = ? AND question = ?", (round_id, question)
    )
    return int(row["n"]) if row else 0


async def asked_counts(db: Reader, round_id: int) -> dict[int, int]:
    rows = await db.fetchall(
        "SELECT question, COUNT(*) AS n FROM delphi_asked WHERE round_id = ? GROUP BY question", (round_id,)
    )
    return {int(row["question"]): int(row["n"]) for row in rows}


async def forget_person(tx: Transaction, person_id: int) -> None:
    """Withdrawn from every study: their answers and comments go with them; a round they loaded stays,
    without who loaded it."""
    for table in ("delphi_answers", "delphi_asked", "delphi_places", "delphi_panel", "delphi_waiting"):
        await tx.execute(f"DELETE FROM {table} WHERE person_id = ?", (person_id,))
    await tx.execute("UPDATE delphi_rounds SET loaded_by = NULL WHERE loaded_by = ?", (person_id,))


# ---------------------------------------------------------------- participation and the comments reviewed


@dataclass(frozen=True)
class Panellist:
    """A panellist of a round as the participation flow counts them: their groups and what they did, not who."""

    region: str | None
    stakeholder_type: str | None
    asked: int
    answered: int
    answered_before: bool  # gave an answer in the previous round
    unreachable: bool  # their invitation failed: Telegram said they cannot be reached


async def panellists(db: Reader, round_id: int, previous_id: int | None) -> list[Panellist]:
    """Every panellist of the round (one aggregate per table, not a lookup per panellist)."""
    rows = await db.fetchall(
        "SELECT p.region, p.stakeholder_type, COALESCE(a.n, 0) AS asked, COALESCE(x.n, 0) AS answered,"
        " b.person_id IS NOT NULL AS answered_before,"
        " p.person_id IN (SELECT chat_id FROM outbox WHERE failed_at IS NOT NULL AND failure LIKE 'unreachable%'"
        f" AND {_INVITATIONS}) AS unreachable"
        " FROM delphi_panel p"
        " LEFT JOIN (SELECT person_id, COUNT(*) AS n FROM delphi_asked WHERE round_id = ? GROUP BY person_id) a"
        " ON a.person_id = p.person_id"
        " LEFT JOIN (SELECT person_id, COUNT(*) AS n FROM delphi_answers WHERE round_id = ? GROUP BY person_id) x"
        " ON x.person_id = p.person_id"
        " LEFT JOIN (SELECT DISTINCT person_id FROM delphi_answers WHERE round_id = ?) b ON b.person_id = p.person_id"
        " WHERE p.round_id = ?",
        (INVITATION_KIND, round_id, round_id, round_id, previous_id, round_id),
    )
    return [
        Panellist(
            row["region"],
            row["stakeholder_type"],
            row["asked"],
            row["answered"],
            bool(row["answered_before"]),
            bool(row["unreachable"]),
        )
        for row in rows
    ]


@dataclass(frozen=True)
class Commented:
    """A comment of a round, with whether the Secretariat shows it to the next round's panel."""

    question: int
    person_id: int
    comment: str
    shown: bool | None  # None: not reviewed yet, so not shown


async def comments(db: Reader, round_id: int) -> list[Commented]:
    """The round's comments by question, then in the order they were given."""
    rows = await db.fetchall(
        "SELECT question, person_id, comment, comment_shown FROM delphi_answers"
        " WHERE round_id = ? AND comment != '' ORDER BY question, answered_at, person_id",
        (round_id,),
    )
    return [
        Commented(row["question"], row["person_id"], row["comment"], _reviewed(row["comment_shown"])) for row in rows
    ]


def _reviewed(value: int | None) -> bool | None:
    return None if value is None else bool(value)


async def review_comment(tx: Transaction, round_id: int, question: int, person_id: int, shown: bool) -> None:
    await tx.execute(
        "UPDATE delphi_answers SET comment_shown = ? WHERE round_id = ? AND question = ? AND person_id = ?",
        (int(shown), round_id, question, person_id),
    )


async def unreviewed_comments(db: Reader, round_id: int, questions: Collection[int]) -> int:
    """The comments on these questions of the round that the Secretariat has not reviewed yet."""
    if not questions:
        return 0
    places = ", ".join("?" for _ in questions)
    row = await db.fetchone(
        "SELECT COUNT(*) AS n FROM delphi_answers WHERE round_id = ? AND comment != '' AND comment_shown IS NULL"
        f" AND question IN ({places})",
        (round_id, *questions),
    )
    return int(row["n"]) if row else 0
