"""Settings read from the environment (BOT_*) and an optional `.env` file.

Every operational knob lives here so that start-up can refuse a bad value with one
line naming the variable, instead of failing later in the middle of a chat.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, TypeVar
from urllib.parse import urlsplit

from pydantic import Field, SecretStr, ValidationError, ValidationInfo, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

SHIPPED_OBJECTIVES = Path(__file__).with_name("objectives.json")
TELEGRAM_API_URL = "https://api.telegram.org/bot"
PROXY_SCHEMES = ("http://", "https://", "socks4://", "socks5://")
WEBHOOK_PORTS = (443, 80, 88, 8443)  # setWebhook: "Ports currently supported: 443, 80, 88, 8443"
# What @BotFather gives: the bot's id, a colon, a secret of about 35 characters (35 today).
TOKEN_SHAPE = re.compile(r"[0-9]{1,20}:[A-Za-z0-9_-]{30,60}")


class SettingsError(Exception):
    """A setting is missing or malformed; the message names the variable."""


S = TypeVar("S", bound="DatabaseSettings")


class DatabaseSettings(BaseSettings):
    """What `taskforce-bot backup` and `restore` need: where the database is, read as the bot reads it."""

    model_config = SettingsConfigDict(env_prefix="BOT_", env_file=".env", extra="ignore")

    database: Path = Path("taskforce.sqlite3")


class Settings(DatabaseSettings):
    """What an operator can set; defaults fit a bot talking to the public Bot API."""

    token: SecretStr
    api_url: str = TELEGRAM_API_URL
    api_file_url: str | None = None
    admins: Annotated[frozenset[int], NoDecode] = frozenset()
    objectives: Path = SHIPPED_OBJECTIVES
    max_taskforces: int = Field(default=5, ge=1, le=24)
    reminder_hours: float = Field(default=24.0, gt=0)
    tick_seconds: float = Field(default=30.0, gt=0)
    # Messages a second to people who did not just write (broadcasts, invitations, notices); Telegram
    # allows about 30, answers to people who just wrote are counted per chat only (bot/chat/pace.py).
    messages_per_second: float = Field(default=29.0, gt=0)
    # Announcements as Telegram's paid broadcasts: up to 1 000 a second, paid in Telegram Stars.
    paid_broadcast: bool = False
    # Messages to one person at once before they are paced at about one a second (Telegram: short bursts).
    chat_burst: int = Field(default=3, ge=1, le=1000)
    decision_reminder_hours: float = Field(default=48.0, gt=0)
    digest_hour: int = Field(default=8, ge=0, le=23)
    proxy: str | None = None
    flood_limit: int = Field(default=20, ge=5, le=1000)
    # Months between the progress updates asked of a running entry of the catalogue.
    progress_months: int = Field(default=3, ge=1, le=24)
    # The bot's own HTTP server (health, metrics, the webhook): off unless an address is given.
    http_listen: str | None = None
    # Set: Telegram posts updates to this public HTTPS address (the operator's reverse proxy forwards them to
    # BOT_HTTP_LISTEN) instead of the bot long-polling; removed again when the bot next starts polling.
    webhook_url: str | None = None
    backup_dir: Path | None = None  # default: a `backups` folder beside the database
    backup_hour: int = Field(default=3, ge=0, le=23)  # UTC; the day's backup is taken from this hour on
    # The public site (docs/public-site.md): off unless turned on. It has a listener of its own, so that the
    # reverse proxy may forward everything it receives there: /metrics, /healthz and the webhook are never on it.
    site: bool = False
    site_listen: str = Field(default="127.0.0.1:8081", validate_default=True)
    # The site's public address as readers type it (its path is where the site's pages are, the proxy passing
    # it on unchanged); needed when the site is on: its pages name their other languages by full address.
    public_url: str | None = Field(default=None, validate_default=True)

    @field_validator("admins", mode="before")
    @classmethod
    def _parse_admins(cls, value: object) -> object:
        if isinstance(value, str):
            return frozenset(int(part) for part in value.split(",") if part.strip())
        return value

    @field_validator("token")
    @classmethod
    def _token_shaped(cls, value: SecretStr) -> SecretStr:
        """Checked before any request, and said without a character of the token: a malformed one
        would otherwise be printed whole where only the bot id should appear."""
        token = value.get_secret_value()
        if not token.strip():
            raise ValueError("must not be empty (the token @BotFather gave you)")
        if token != token.strip():
            where = "a leading" if token[0].isspace() else "a trailing"
            raise ValueError(f"has {where} space or line break; remove it")
        if not TOKEN_SHAPE.fullmatch(token):
            raise ValueError(
                "is not shaped like a token from @BotFather (digits, a colon, then about 35 letters,"
                " digits, - or _); copy it again"
            )
        return value

    @field_validator("api_url", "api_file_url")
    @classmethod
    def _check_url(cls, value: str | None) -> str | None:
        """The token is appended to the URL as it is: a trailing slash would break every call."""
        if value is None:
            return None
        if not value.startswith(("http://", "https://")):
            raise ValueError("must start with http:// or https://")
        return value.rstrip("/")

    @field_validator("proxy")
    @classmethod
    def _check_proxy(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith(PROXY_SCHEMES):
            raise ValueError(f"must start with one of {', '.join(PROXY_SCHEMES)}")
        return value or None

    @field_validator("http_listen")
    @classmethod
    def _check_listen(cls, value: str | None) -> str | None:
        if value:
            listen_address(value)
        return value or None

    @field_validator("site_listen")
    @classmethod
    def _check_site_listen(cls, value: str, info: ValidationInfo) -> str:
        listen_address(value)
        if info.data.get("site") and value == info.data.get("http_listen"):
            raise ValueError("must differ from BOT_HTTP_LISTEN: /metrics and /healthz stay off the public listener")
        return value

    @field_validator("public_url")
    @classmethod
    def _check_public_url(cls, value: str | None, info: ValidationInfo) -> str | None:
        if not value:
            if info.data.get("site"):
                raise ValueError("needs to be set when BOT_SITE is on: the site's public address, https://…")
            return None
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.hostname or parts.query or parts.fragment:
            raise ValueError("must be the site's public address, https://host or https://host/path")
        return value.rstrip("/")

    @field_validator("webhook_url")
    @classmethod
    def _check_webhook(cls, value: str | None, info: ValidationInfo) -> str | None:
        if not value:
            return None
        parts = urlsplit(value)
        if parts.scheme != "https" or not parts.hostname:
            raise ValueError("must be the public https:// address Telegram posts updates to")
        if (parts.port or 443) not in WEBHOOK_PORTS:  # no port written: HTTPS's 443
            raise ValueError(f"Telegram posts only to the ports {', '.join(map(str, WEBHOOK_PORTS))}")
        if info.data.get("http_listen") is None:
            raise ValueError("needs BOT_HTTP_LISTEN, the address the reverse proxy forwards it to")
        return value

    @property
    def backups(self) -> Path:
        return self.backup_dir or self.database.parent / "backups"

    @property
    def webhook_path(self) -> str:
        """The path Telegram posts to, as the reverse proxy passes it on."""
        return urlsplit(self.webhook_url or "").path or "/"

    @model_validator(mode="after")
    def _derive_file_url(self) -> Settings:
        # A self-hosted Bot API server serves files under /file/bot<token>/, beside /bot<token>/.
        if self.api_file_url is None:
            base = self.api_url
            if base.endswith("/bot"):
                base = base[: -len("/bot")] + "/file/bot"
            self.api_file_url = base
        return self


def load_settings(**overrides: object) -> Settings:
    return _loaded(lambda: Settings(**overrides))  # type: ignore[arg-type]


def database_setting() -> Path:
    """BOT_DATABASE alone, for the commands that need no token."""
    return _loaded(DatabaseSettings).database


def _loaded(make: Callable[[], S]) -> S:
    """Build the settings, turning pydantic's report into one line per problem, naming the variable."""
    try:
        return make()
    except ValidationError as error:
        lines = [
            f"BOT_{_field(problem['loc'])}: {problem['msg'].removeprefix('Value error, ')}"
            for problem in error.errors()
        ]
        raise SettingsError("\n".join(lines)) from None


def listen_address(value: str) -> tuple[str, int]:
    """`host:port`, `[::1]:port` too; a ValueError says what is wrong."""
    host, colon, port = value.rpartition(":")
    if not colon or not host or not port.isascii() or not port.isdigit() or not 0 < int(port) < 65536:
        raise ValueError("must be host:port, for example 127.0.0.1:8080")
    return host.strip("[]"), int(port)


def bot_id(token: str) -> str:
    """The part of a token that may be shown: the bot's id (digits before the colon), else nothing."""
    head, colon, _secret = token.partition(":")
    return head if colon and head.isascii() and head.isdigit() else "?"


def _field(location: tuple[int | str, ...]) -> str:
    return str(location[0]).upper() if location else "?"
