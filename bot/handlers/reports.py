"""/export and /stats: the Secretariat's view of everything, a facilitator's of their task forces."""

from __future__ import annotations

import asyncio
import tempfile
from pathlib import Path

from telegram import Update

from bot.chat.common import send, send_file
from bot.chat.context import BotContext
from bot.chat.feature import Feature, Handler, command
from bot.services import project_catalogue, reports
from bot.views import exports
from bot.views import project_catalogue as project_catalogue_views
from bot.views import reports as views


async def export_command(update: Update, context: BotContext) -> None:
    """The files, written in a worker thread a batch at a time: everyone else is still answered meanwhile."""
    d, _ = context.deps, context.tr
    codes, count = await reports.export(d.db, context.person_id, d.settings.admins, d.now())
    await send(update, views.export_preparing(_, count))
    with tempfile.TemporaryDirectory(prefix="export-") as folder:
        files = exports.ExportFiles(_, d.catalogue, Path(folder))
        async for batch in reports.export_batches(d.db, codes):
            await asyncio.to_thread(files.add, batch)
        async for people in reports.export_people(d.db, codes):
            await asyncio.to_thread(files.add_people, people)
        table, people_table, book = await asyncio.to_thread(files.finish, f"taskforces-{d.now():%Y-%m-%d}")
        await send_file(update, table.read_bytes(), table.name)
        await send_file(update, people_table.read_bytes(), people_table.name, views.people_caption(_))
        await send_file(update, book.read_bytes(), book.name, views.workbook_caption(_))


async def stats_command(update: Update, context: BotContext) -> None:
    d, _, person = context.deps, context.tr, context.person_id
    figures = await reports.statistics(d.db, person, d.settings.admins, d.catalogue, d.now())
    scoped = person not in d.settings.admins
    await send(update, views.summary(_, figures, d.catalogue, d.now(), scoped))
    catalogue = await project_catalogue.figures(d.db, person, d.settings.admins)
    await send(update, project_catalogue_views.figures_text(_, catalogue, d.catalogue))
    picture = await asyncio.to_thread(views.chart, _, figures)
    await send_file(update, picture, "stats.png", picture=True)


def _handlers() -> list[Handler]:
    return [command("export", export_command), command("stats", stats_command)]


FEATURE = Feature(name="reports", handlers=_handlers, commands=views.reports_commands)
