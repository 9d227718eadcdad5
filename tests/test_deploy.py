"""The deployment recipe is checked by what this machine has: hadolint for the Dockerfile, systemd's own
verifier for the unit (where systemd is installed)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

DEPLOY = Path(__file__).resolve().parents[1] / "deploy"


def test_the_dockerfile_passes_hadolint() -> None:
    result = subprocess.run(
        [Path(sys.executable).with_name("hadolint"), "--no-color", DEPLOY / "Dockerfile"],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0 and result.stdout == "", result.stdout


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd is not installed here")
def test_the_unit_passes_systemd_analyze_verify(tmp_path: Path) -> None:
    """Verified as installed, but for the program's path, which must exist for the verifier: this one's."""
    unit = (DEPLOY / "taskforce-bot.service").read_text()
    installed = unit.replace(
        "/opt/taskforce-bot/.venv/bin/taskforce-bot", str(Path(sys.executable).with_name("taskforce-bot"))
    )
    assert installed != unit
    (tmp_path / "taskforce-bot.service").write_text(installed.replace("EnvironmentFile=/", "EnvironmentFile=-/"))
    result = subprocess.run(
        ["systemd-analyze", "verify", str(tmp_path / "taskforce-bot.service")], capture_output=True, text=True
    )
    assert result.returncode == 0 and result.stderr == "" and result.stdout == "", result.stderr


def test_the_unit_keeps_the_hardening_the_operations_guide_promises() -> None:
    unit = dict(
        line.split("=", 1)
        for line in (DEPLOY / "taskforce-bot.service").read_text().splitlines()
        if "=" in line and not line.startswith("#")
    )
    assert unit["DynamicUser"] == "yes" and unit["StateDirectory"] == "taskforce-bot"
    assert unit["ProtectSystem"] == "strict" and unit["NoNewPrivileges"] == "yes"
    assert unit["Restart"] == "on-failure" and unit["EnvironmentFile"] == "/etc/taskforce-bot/env"
