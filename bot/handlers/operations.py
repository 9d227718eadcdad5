"""Running the bot: the day's backup of its database, and the Secretariat told when it fails."""

from __future__ import annotations

from bot.chat.context import Deps
from bot.chat.feature import Feature
from bot.chat.sender import OutboxKind, Rendered
from bot.i18n import Translate
from bot.models import OutboxItem
from bot.services import backups
from bot.views import operations as views


async def _backup_when_due(d: Deps) -> None:
    await d.backups.run(d.db, d.settings.admins, d.now())


async def _failed(d: Deps, item: OutboxItem, failure: backups.Failure, _: Translate) -> Rendered | None:
    return views.backup_failed(_, failure.reason), None


FEATURE = Feature(
    name="operations",
    outbox_kinds=(OutboxKind(backups.FAILED_KIND, _failed, backups.Failure),),
    jobs=(_backup_when_due,),
)
