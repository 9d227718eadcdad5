"""Loading objectives.json, refusing a broken file with one line that names it."""

from __future__ import annotations

import json
from pathlib import Path

from pydantic import ValidationError

from bot.models import Catalogue


class CatalogueError(Exception):
    """objectives.json cannot be used; the message names the file and the field."""


def load_catalogue(path: Path) -> Catalogue:
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise CatalogueError(f"{path}: cannot be read ({error.strerror})") from None
    except json.JSONDecodeError as error:
        raise CatalogueError(f"{path}: not valid JSON (line {error.lineno}: {error.msg})") from None
    try:
        return Catalogue.model_validate(raw)
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "(top level)"
        raise CatalogueError(f"{path}: {where}: {first['msg']}") from None
