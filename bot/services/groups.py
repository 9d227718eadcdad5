"""Each task force's group chat: linked by its facilitators or the Secretariat, entered by its members only.

Nothing is decided from memory: the link and every decided join request are rows, and
each step Telegram must take (approve, decline, remove, welcome) is an outbox row
queued in the transaction that decided it, so a restart neither loses nor repeats one.
"""

from __future__ import annotations

import logging
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from bot.models import Catalogue, Lane, Payload, RegistrationStatus
from bot.services import authority
from bot.services.errors import Refused
from bot.storage import audit, facilitators, groups, outbox, registrations
from bot.storage.database import Database, Transaction
from bot.storage.groups import GroupLink

log = logging.getLogger("bot.groups")

GROUP_TYPES = ("group", "supergroup")


class GroupStep(StrEnum):
    APPROVE = "approve"
    DECLINE = "decline"
    REMOVE = "remove"  # ban then unban: out of the group, free to come back through the bot


ACTION_KIND = "group_action"


class Action(Payload):
    """A step Telegram takes on someone's place in the group; the row is emptied once settled (names them)."""

    step: GroupStep
    user: int


WELCOME_KIND = "group_welcome"


class Welcome(Payload):
    """Whom to welcome in the task force's group; `user` is None once they deleted their data."""

    code: str
    user: int | None = None


DECLINED_KIND = "group_declined"  # to the person declined
BROKEN_KIND = "group_broken"  # to the Secretariat and the facilitators


class OfTaskForce(Payload):
    """A notice about a task force's group: which task force."""

    code: str


@dataclass(frozen=True)
class BotRights:
    """What the bot may do in the group, as getChatMember on itself says."""

    administrator: bool
    invite_users: bool
    restrict_members: bool

    @property
    def missing(self) -> list[str]:
        """The rights still to give, by name: "invite", "ban"."""
        if not self.administrator:
            return ["admin", "invite", "ban"]
        return [name for name, given in (("invite", self.invite_users), ("ban", self.restrict_members)) if not given]


async def _may_link(db: Database | Transaction, actor: int, code: str, admins: Collection[int]) -> None:
    if not await authority.may_oversee(db, actor, code, admins):
        log.warning("a group link for %s was refused: no authority", code)
        raise Refused("not_your_taskforce", code=code)


async def check_link(
    db: Database,
    actor: int,
    admins: Collection[int],
    code: str,
    chat_id: int,
    chat_type: str,
    rights: BotRights,
    catalogue: Catalogue,
) -> None:
    """Everything that must hold before an invite link is made; each refusal names its reason."""
    if chat_type not in GROUP_TYPES:
        raise Refused("link_in_group")
    if catalogue.objective(code) is None:
        raise Refused("unknown_code", code=code)
    await _may_link(db, actor, code, admins)
    other = await groups.of_chat(db, chat_id)
    if other is not None and other.taskforce != code:
        raise Refused("group_taken", code=other.taskforce)
    if rights.missing:
        raise Refused("group_rights", rights=rights.missing)


async def link(
    db: Database,
    actor: int,
    admins: Collection[int],
    code: str,
    chat: tuple[int, str],
    invite_link: str,
    manner: tuple[str, bool],
    now: datetime,
) -> GroupLink:
    """Store the link (authority read again); the group a task force had before is replaced.

    `manner`: the group's language, and whether the bot welcomes each member let in.
    """
    chat_id, title = chat
    async with db.transaction() as tx:
        await _may_link(tx, actor, code, admins)
        await groups.save(tx, code, chat_id, title, invite_link, manner, actor, now)
        await audit.record(tx, now, actor, "group.linked", taskforce=code, detail={"chat": chat_id})
    found = await groups.of_taskforce(db, code)
    assert found is not None
    return found


async def unlink(db: Database, actor: int, admins: Collection[int], code: str, now: datetime) -> None:
    async with db.transaction() as tx:
        await _may_link(tx, actor, code, admins)
        if await groups.of_taskforce(tx, code) is None:
            raise Refused("no_group", code=code)
        await groups.delete(tx, code)
        await audit.record(tx, now, actor, "group.unlinked", taskforce=code)


async def of_taskforce(db: Database, code: str) -> GroupLink | None:
    return await groups.of_taskforce(db, code)


async def of_chat(db: Database, chat_id: int) -> GroupLink | None:
    return await groups.of_chat(db, chat_id)


async def decide_request(db: Database, chat_id: int, user_id: int, asked_at: datetime, now: datetime) -> bool | None:
    """Approve a member of the group's task force, decline anyone else; None when the group is not a
    task force's, or this request was decided before (Telegram delivered it again after a restart)."""
    found = await groups.of_chat(db, chat_id)
    if found is None or not found.working:
        return None  # not a task force's group, or the bot cannot act there any more
    async with db.transaction() as tx:
        held = await registrations.places_held(tx, user_id)
        approved = any(r.taskforce == found.taskforce and r.status is RegistrationStatus.ACTIVE for r in held)
        if not await groups.first_request(tx, chat_id, user_id, asked_at, approved, now):
            return None
        step = GroupStep.APPROVE if approved else GroupStep.DECLINE
        await outbox.enqueue(tx, chat_id, ACTION_KIND, now, payload=Action(step=step, user=user_id))
        if approved and found.welcome:
            welcome = Welcome(code=found.taskforce, user=user_id)
            await outbox.enqueue(tx, chat_id, WELCOME_KIND, now, payload=welcome)
        if not approved:
            await outbox.enqueue(tx, user_id, DECLINED_KIND, now, payload=OfTaskForce(code=found.taskforce))
    return approved


async def queue_removal(tx: Transaction, code: str, user_id: int | None, now: datetime) -> None:
    """A place ended (left, withdrawn, data deleted): out of the task force's group too, if it has one."""
    found = await groups.of_taskforce(tx, code)
    if found is None or user_id is None:
        return
    await outbox.enqueue(tx, found.chat_id, ACTION_KIND, now, payload=Action(step=GroupStep.REMOVE, user=user_id))


async def broken(db: Database, chat_id: int, reason: str, admins: Collection[int], now: datetime) -> bool:
    """The bot lost its rights or the group: the link is marked, and the Secretariat and the task
    force's facilitators are told once."""
    found = await groups.of_chat(db, chat_id)
    if found is None:
        return False
    async with db.transaction() as tx:
        if not await groups.mark_broken(tx, chat_id, reason, now):
            return False
        await audit.record(tx, now, None, "group.broken", taskforce=found.taskforce, detail={"reason": reason})
        told = {*admins, *(user.telegram_id for _, user in await facilitators.assigned(tx, found.taskforce))}
        for person in sorted(told):
            told_of = OfTaskForce(code=found.taskforce)
            await outbox.enqueue(tx, person, BROKEN_KIND, now, payload=told_of, lane=Lane.NOTICE)
    return True


async def moved(db: Database, old_chat_id: int, new_chat_id: int) -> None:
    async with db.transaction() as tx:
        await groups.move(tx, old_chat_id, new_chat_id)
