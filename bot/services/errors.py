"""A rule said no. Views turn the code into a polite, translated sentence."""

from __future__ import annotations

from typing import Any


class Refused(Exception):
    """The request breaks a rule; nothing was changed."""

    def __init__(self, reason: str, **params: Any) -> None:
        super().__init__(reason)
        self.reason = reason
        self.params = params
