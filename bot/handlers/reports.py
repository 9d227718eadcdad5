"""/export and /stats: the Secretariat's view of everything, a facilitator's of their task forces."""

from __future__ import annotations

import asyncio
import tempfile
from pathlib import Path

from telegram import Update
from telegram.ext import CommandHandler, filters

from bot.chat.common import Context, Handler, deps, refuse, send, send_file, tr, user_id
from bot.services import reports
from bot.services.errors import Refused
from bot.views import exports, stats

PRIVATE = filters.ChatType.PRIVATE


async def export_command(update: Update, context: Context) -> None:
    """Both files, written in a worker thread a batch at a time: everyone else is still answered meanwhile."""
    d = deps(context)
    _ = tr(update, context)
    try:
        codes, count = await reports.export(d.db, user_id(update), d.settings.admins, d.now())
    except Refused as refused:
        await refuse(update, context, refused)
        return
    await send(update, _("Preparing the export of {count} registrations…").format(count=count))
    with tempfile.TemporaryDirectory(prefix="export-") as folder:
        files = exports.ExportFiles(_, d.catalogue, Path(folder))
        async for batch in reports.export_batches(d.db, codes):
            await asyncio.to_thread(files.add, batch)
        table, book = await asyncio.to_thread(files.finish, f"taskforces-{d.now():%Y-%m-%d}")
        await send_file(update, table.read_bytes(), table.name)
        await send_file(update, book.read_bytes(), book.name, _("Registrations, profiles and decisions."))


async def stats_command(update: Update, context: Context) -> None:
    d = deps(context)
    _ = tr(update, context)
    try:
        figures = await reports.statistics(d.db, user_id(update), d.settings.admins, d.catalogue, d.now())
    except Refused as refused:
        await refuse(update, context, refused)
        return
    scoped = user_id(update) not in d.settings.admins
    await send(update, stats.summary(_, figures, d.catalogue, d.now(), scoped))
    picture = await asyncio.to_thread(stats.chart, _, figures)
    await send_file(update, picture, "stats.png", picture=True)


def handlers() -> list[Handler]:
    return [
        CommandHandler("export", export_command, filters=PRIVATE),
        CommandHandler("stats", stats_command, filters=PRIVATE),
    ]
