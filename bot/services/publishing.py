"""What the public site shows beyond the Strategic Plan is published by people who answer for it: an entry of
the catalogue by the facilitators of one of its task forces (or the Secretariat), a Delphi round's aggregates by
the Secretariat. Each choice is re-checked in the transaction that records it, audited, and taken back the same way.

An entry is public only while it is in the catalogue: leaving it (back to review, withdrawn) clears the mark
(`storage/projects.set_status`), and an entry whose contact deleted their data is hidden until another is named.
"""

from __future__ import annotations

import logging
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime

from bot.project_models import Project, ProjectStatus
from bot.services.authority import require_admin
from bot.services.delphi_results import named_round
from bot.services.errors import Refused
from bot.storage import audit, facilitators
from bot.storage import delphi as delphi_rows
from bot.storage import projects as project_rows
from bot.storage.database import Database, Reader
from bot.storage.delphi import StoredRound

log = logging.getLogger("bot.publishing")


async def may_publish(db: Reader, actor: int, project: Project, admins: Collection[int]) -> bool:
    """The Secretariat, and the facilitators of one of the entry's task forces."""
    return actor in admins or bool(set(project.taskforces) & set(await facilitators.taskforces_of(db, actor)))


async def set_entry_public(
    db: Database, actor: int, project_id: int, public: bool, admins: Collection[int], now: datetime
) -> Project:
    """Mark an entry of the catalogue public, or not; one no longer in it is stale, someone else's refused."""
    async with db.transaction() as tx:
        project = await project_rows.get_project(tx, project_id)
        if project is None or project.status is not ProjectStatus.ACCEPTED or project.author_id is None:
            raise Refused("stale")
        if not await may_publish(tx, actor, project, admins):
            log.warning("publishing entry %s was refused: no authority", project_id)
            raise Refused("not_your_taskforce", code=", ".join(project.taskforces))
        if (project.public_at is not None) != public:
            await project_rows.set_public(tx, project_id, now if public else None)
            action = "project.published" if public else "project.unpublished"
            await audit.record(tx, now, actor, action, None, None, {"project": project_id})
    return project.model_copy(update={"public_at": now if public else None})


@dataclass(frozen=True)
class PublishedRound:
    round: StoredRound
    taskforces: list[str]  # whose public pages show it: those its panel came through


async def publish_round(
    db: Database, actor: int, admins: Collection[int], study: str, number: int, public: bool, now: datetime
) -> PublishedRound:
    """A closed round's aggregates on the public site (groups under the study's minimum merged; no text answer, no
    comment), or taken off it. An open round is refused: its figures still move."""
    require_admin(actor, admins)
    async with db.transaction() as tx:
        stored = await named_round(tx, study, number)
        if stored.closed_at is None:
            raise Refused("round_still_open", study=study, round=number)
        if (stored.published_at is not None) != public:
            await delphi_rows.set_published(tx, stored.id, now if public else None)
            action = "delphi.published" if public else "delphi.unpublished"
            await audit.record(tx, now, actor, action, None, None, {"study": study, "round": number})
        codes = await delphi_rows.panel_taskforces(tx, stored.id)
    return PublishedRound(stored, codes)
