"""Start-up refuses a bad setting or objectives.json with one line that names it."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from bot.config import SHIPPED_OBJECTIVES, SettingsError, load_settings
from bot.services.catalogue import CatalogueError, load_catalogue
from bot.views.site import Links
from tests.harness import TOKEN, clean_environment


def run_bot(env: dict[str, str], cwd: Path, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot"],
        env=clean_environment(**env),
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def test_missing_token_exits_naming_the_variable(tmp_path: Path) -> None:
    result = run_bot({}, tmp_path)
    assert result.returncode == 2
    assert result.stderr.strip().count("\n") == 0 and "BOT_TOKEN" in result.stderr


def test_empty_token_is_refused_in_words(tmp_path: Path) -> None:
    result = run_bot({"BOT_TOKEN": " "}, tmp_path)
    assert result.returncode == 2 and "BOT_TOKEN" in result.stderr and "must not be empty" in result.stderr


SECRET = "AAHfiqksKZ8WmR2zSjiQ7_v4TMAKdiHm9T0"  # 35 characters, as @BotFather's


@pytest.mark.parametrize(
    ("token", "said"),
    [
        pytest.param(f"123456789{SECRET}", "not shaped like a token", id="colon-missing"),  # issue 19, point 10
        pytest.param(f"bot123456789:{SECRET}", "not shaped like a token", id="copied-from-a-URL"),
        pytest.param(f"123456789:{SECRET[:12]}", "not shaped like a token", id="cut-short"),
        pytest.param(f"123456789:{SECRET[:12]} {SECRET[12:]}", "not shaped like a token", id="space-inside"),
        pytest.param(f'"123456789:{SECRET}"', "not shaped like a token", id="quoted"),
        pytest.param(f"123456789:{SECRET}:{SECRET}", "not shaped like a token", id="pasted-twice"),
        pytest.param(f" 123456789:{SECRET}", "has a leading space", id="leading-space"),
        pytest.param(f"123456789:{SECRET} ", "has a trailing space", id="trailing-space"),
        pytest.param(f"123456789:{SECRET}\n", "has a trailing space or line break", id="trailing-line-break"),
    ],
)
def test_a_malformed_token_is_named_and_never_shown(tmp_path: Path, token: str, said: str) -> None:
    """Refused before any request (nothing listens at that URL: a request would be retried for
    ever), in one line that names BOT_TOKEN and holds no part of the token's secret."""
    result = run_bot({"BOT_TOKEN": token, "BOT_API_URL": "http://127.0.0.1:9/bot"}, tmp_path, timeout=20)
    assert result.returncode == 2
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("taskforce-bot: BOT_TOKEN: ") and said in lines[0]
    assert token.strip() not in result.stderr and SECRET[:6] not in result.stderr and SECRET[-6:] not in result.stderr
    assert result.stdout == ""


def test_malformed_setting_exits_naming_the_variable(tmp_path: Path) -> None:
    result = run_bot({"BOT_TOKEN": TOKEN, "BOT_MAX_TASKFORCES": "many"}, tmp_path)
    assert result.returncode == 2 and "BOT_MAX_TASKFORCES" in result.stderr


def test_broken_objectives_exits_naming_file_and_field(tmp_path: Path) -> None:
    data = json.loads(SHIPPED_OBJECTIVES.read_text())
    del data["objectives"][3]["target_2030"]
    broken = tmp_path / "objectives.json"
    broken.write_text(json.dumps(data))
    result = run_bot({"BOT_TOKEN": TOKEN, "BOT_OBJECTIVES": str(broken)}, tmp_path)
    assert result.returncode == 2
    assert str(broken) in result.stderr and "objectives.3.target_2030" in result.stderr


@pytest.mark.parametrize("admins", ["1,two", "x"])
def test_admins_must_be_numbers(admins: str) -> None:
    with pytest.raises(SettingsError, match="BOT_ADMINS"):
        load_settings(token=TOKEN, admins=admins)


def test_settings_derive_the_file_url_and_parse_admins() -> None:
    settings = load_settings(token=TOKEN, api_url="http://127.0.0.1:8081/bot", admins="5, 7")
    assert settings.api_file_url == "http://127.0.0.1:8081/file/bot"
    assert settings.admins == frozenset({5, 7})


def test_duplicate_code_and_bad_json_are_named(tmp_path: Path) -> None:
    data = json.loads(SHIPPED_OBJECTIVES.read_text())
    data["objectives"][1]["code"] = "A1"
    duplicate = tmp_path / "dup.json"
    duplicate.write_text(json.dumps(data))
    with pytest.raises(CatalogueError, match="duplicate 'A1'"):
        load_catalogue(duplicate)
    garbage = tmp_path / "garbage.json"
    garbage.write_text("{not json")
    with pytest.raises(CatalogueError, match="not valid JSON"):
        load_catalogue(garbage)


def test_the_site_is_off_unless_turned_on_and_then_needs_its_public_address(tmp_path: Path) -> None:
    assert load_settings(token=TOKEN).site is False
    result = run_bot({"BOT_TOKEN": TOKEN, "BOT_SITE": "true"}, tmp_path)
    assert result.returncode == 2
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("taskforce-bot: BOT_PUBLIC_URL: needs to be set when BOT_SITE is on")


@pytest.mark.parametrize(
    ("settings", "named"),
    [
        pytest.param({"site": "maybe", "public_url": "https://example.org"}, "BOT_SITE", id="site-not-a-yes-or-no"),
        pytest.param({"site": "true", "public_url": "ftp://example.org"}, "BOT_PUBLIC_URL", id="not-http"),
        pytest.param({"site": "true", "public_url": "https://"}, "BOT_PUBLIC_URL", id="no-host"),
        pytest.param({"site": "true", "public_url": "https://example.org/?lang=fr"}, "BOT_PUBLIC_URL", id="a-query"),
        pytest.param(
            {"site": "true", "public_url": "https://x.org", "site_listen": "8081"}, "BOT_SITE_LISTEN", id="no-host"
        ),
        pytest.param(
            {
                "site": "true",
                "public_url": "https://x.org",
                "site_listen": "127.0.0.1:8080",
                "http_listen": "127.0.0.1:8080",
            },
            "BOT_SITE_LISTEN",
            id="the-private-listener",
        ),
    ],
)
def test_a_broken_site_setting_is_named(settings: dict[str, str], named: str) -> None:
    with pytest.raises(SettingsError) as refused:
        load_settings(token=TOKEN, **settings)
    assert [line.split(":")[0] for line in str(refused.value).splitlines()] == [named]


def test_the_public_address_is_kept_without_its_last_slash() -> None:
    root = load_settings(token=TOKEN, site="true", public_url="https://taskforces.example.org/")
    assert (root.public_url, Links(root.public_url or "", "bot").base, root.site_listen) == (
        "https://taskforces.example.org",
        "",
        "127.0.0.1:8081",
    )
    under = load_settings(token=TOKEN, site="true", public_url="https://example.org/taskforces/")
    assert Links(under.public_url or "", "bot").base == "/taskforces"
    # Off, the site's listener may be the private one's address: nothing listens there.
    assert load_settings(token=TOKEN, http_listen="127.0.0.1:8081").site is False


def test_the_bot_starts_without_the_pdf_and_chart_libraries() -> None:
    """fpdf2 and matplotlib cost half a second to import: they are imported when a PDF or a chart is made, never by
    `import bot.app` (a module that imports them at its top would make every start of the bot slower)."""
    script = "import sys, bot.app; print(*{name.split('.')[0] for name in sys.modules})"
    run = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True, timeout=60)
    loaded = set(run.stdout.split())
    assert {"bot", "telegram"} <= loaded and not loaded & {"fpdf", "matplotlib"}
