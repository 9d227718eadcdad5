"""The suite gives the same result whatever the developer's shell or .env says.

Part of the suite is run again in a child pytest whose environment and working folder
are hostile: BOT_* variables and a .env that would change outcomes if anything read
them (a cap of one task force, reminders after an hour, a missing objectives.json, a
token and API URL of nothing).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

HOSTILE = {
    "BOT_TOKEN": "999:HOSTILE-token-of-nothing-0123456789",
    "BOT_API_URL": "http://127.0.0.1:9/bot",
    "BOT_MAX_TASKFORCES": "1",
    "BOT_REMINDER_HOURS": "1",
    "BOT_DECISION_REMINDER_HOURS": "1",
    "BOT_OBJECTIVES": "/nonexistent/objectives.json",
    "BOT_ADMINS": "424242",
    "BOT_TICK_SECONDS": "3600",
}
CHILD = "TASKFORCE_HOSTILE_CHILD"
REPRESENTATIVE = ["test_join_flow.py", "test_facilitation.py", "test_restart.py", "test_startup.py"]


@pytest.mark.skipif(CHILD in os.environ, reason="this is the child run")
def test_hostile_settings_change_no_outcome(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("".join(f"{name}={value}\n" for name, value in HOSTILE.items()))
    tests = Path(__file__).parent
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *(str(tests / t) for t in REPRESENTATIVE)],
        cwd=tmp_path,
        env={**os.environ, **HOSTILE, CHILD: "1"},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout[-3000:]
    assert " passed" in result.stdout and "failed" not in result.stdout
