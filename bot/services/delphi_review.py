"""The Secretariat's review of a round's comments, before any of them is read by the next round's panel.

Before a question asked again, each panellist reads up to three comments of the previous
round (`delphi_results.heard`). A comment may name someone, or its author, and would then
reach the whole panel: so only the comments an admin has shown are ever fed back, and by
default none is (a comment nobody looked at stays with the Secretariat, rather than going out
because nobody looked). A round's comments are reviewed once it has closed, when they can no
longer change. Each decision is audit-logged with the author's pseudonym, never their id.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from bot.delphi_models import Question
from bot.services.authority import require_admin
from bot.services.delphi_results import named_round, pseudonym
from bot.services.errors import Refused
from bot.storage import audit
from bot.storage import delphi as rows
from bot.storage.database import Database, Reader
from bot.storage.delphi import StoredRound

Decision = Literal["show", "hide"]


@dataclass(frozen=True)
class Comment:
    """A comment as the Secretariat reviews it: its question, its author only as the study's pseudonym."""

    index: int  # the question's place in the round's file
    question: Question
    author: str
    text: str
    shown: bool | None  # None: not reviewed yet, so not shown


@dataclass(frozen=True)
class Review:
    round: StoredRound
    comments: list[Comment]

    def count(self, shown: bool | None) -> int:
        return sum(comment.shown is shown for comment in self.comments)


async def review(db: Database, actor: int, admins: Collection[int], study: str, number: int | None) -> Review:
    """The comments of round `number`, or of the study's latest closed round (those the next round feeds back)."""
    require_admin(actor, admins)
    stored = await named_round(db, study, number)
    if number is None and stored.closed_at is None and stored.file.round > 1:  # the latest is open: the one before
        stored = await rows.find(db, study, stored.file.round - 1) or stored
    if stored.closed_at is None:
        raise Refused("comments_not_closed", study=study, round=stored.file.round)
    return await _review(db, stored)


async def review_of(db: Database, actor: int, admins: Collection[int], round_id: int) -> Review:
    """A page turned: the round of the button, re-read."""
    require_admin(actor, admins)
    return await _review(db, await _closed(db, round_id))


async def decide(
    db: Database,
    actor: int,
    admins: Collection[int],
    round_id: int,
    index: int,
    author: str,
    decision: Decision,
    now: datetime,
) -> Review:
    """Show or hide one comment; a comment that is no longer there (its author forgot their data) is stale."""
    require_admin(actor, admins)
    async with db.transaction() as tx:
        stored = await _closed(tx, round_id)
        key = await rows.secret(tx, stored.study)
        person = next(
            (
                found.person_id
                for found in await rows.comments(tx, round_id)
                if found.question == index and pseudonym(key, found.person_id) == author
            ),
            None,
        )
        if person is None:
            raise Refused("stale")
        await rows.review_comment(tx, round_id, index, person, decision == "show")
        detail = {
            "study": stored.study,
            "round": stored.file.round,
            "question": stored.file.questions[index].id,
            "author": author,
        }
        await audit.record(
            tx, now, actor, f"delphi.comment_{'shown' if decision == 'show' else 'hidden'}", detail=detail
        )
    return await _review(db, stored)


async def _closed(db: Reader, round_id: int) -> StoredRound:
    stored = await rows.get(db, round_id)
    if stored is None or stored.closed_at is None:
        raise Refused("stale")
    return stored


async def _review(db: Reader, stored: StoredRound) -> Review:
    key = await rows.secret(db, stored.study)
    return Review(
        stored,
        [
            Comment(
                found.question,
                stored.file.questions[found.question],
                pseudonym(key, found.person_id),
                found.comment,
                found.shown,
            )
            for found in await rows.comments(db, stored.id)
        ],
    )
