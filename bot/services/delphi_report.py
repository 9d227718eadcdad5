"""What a Delphi study's report holds beyond its results: each round's participation, what the stopping rules said
after it, how the questions went from one round to the next, and what the panellists read before a question asked
again.

The report is for the Secretariat to circulate, beyond the admins, so it names nobody, by the rules everything
else keeps: the panel's make-up and participation are `delphi_results.participation`'s flow, its groups merged
under the study's `min_group` as every split is (`shown_groups`); the feedback is `delphi_results.feedback` read
for no panellist in particular, so the group's figures and only the comments the Secretariat showed, never
anyone's own answer. Both are worked out again from the answers as they are stored now: a panellist who deleted
their data since is left out.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass

from bot.delphi_models import RoundFile
from bot.services.authority import require_admin
from bot.services.delphi_results import (
    Compared,
    Conclusion,
    Feedback,
    Participation,
    Results,
    StudyResults,
    conclude,
    feedback,
    participation,
)
from bot.storage.database import Reader
from bot.storage.delphi import StoredRound


@dataclass(frozen=True)
class Changes:
    """A later round's questions against the previous round's (ids, in the files' order)."""

    repeated: list[str]
    added: list[str]
    dropped: list[str]


def changes(before: RoundFile, after: RoundFile) -> Changes:
    """A loaded later round lists its repeated questions in `repeat`; any other question is new (an id of the
    previous round that is not repeated is refused at loading)."""
    asked_after = {question.id for question in after.questions}
    return Changes(
        repeated=[question.id for index, question in enumerate(after.questions) if after.repeated(index)],
        added=[question.id for question in after.questions if before.index_of(question.id) is None],
        dropped=[question.id for question in before.questions if question.id not in asked_after],
    )


@dataclass(frozen=True)
class ReportRound:
    results: Results
    participation: Participation | None  # None before the round opens: no panel yet
    conclusion: Conclusion  # what the stopping rules say of its questions
    changes: Changes | None  # None for the study's first round
    fed_back: dict[str, Feedback]  # by the id of the question asked again: what every panellist read before it


@dataclass(frozen=True)
class Report:
    rounds: list[ReportRound]
    stability: list[Compared]  # each pair of consecutive rounds, in order

    @property
    def least(self) -> int:
        """The smallest group shown apart: the study's `min_group`, its latest round's."""
        return self.rounds[-1].results.least


async def report(db: Reader, actor: int, admins: Collection[int], found: StudyResults) -> Report:
    """The study's results (`delphi_results.study`, already read for the messages) with what the report adds."""
    require_admin(actor, admins)
    flows = [await participation(db, item.round) if item.round.opened_at is not None else None for item in found.rounds]
    return assembled(found, flows, [await fed_back(db, item.round) for item in found.rounds])


async def fed_back(db: Reader, stored: StoredRound) -> dict[str, Feedback]:
    """What every panellist of a round read before each question asked again, once it has opened: before,
    nobody has read anything."""
    if stored.opened_at is None:
        return {}
    said = {}
    for index, question in enumerate(stored.file.questions):
        found = await feedback(db, stored, index, None)
        if found is not None:
            said[question.id] = found
    return said


def assembled(found: StudyResults, flows: Sequence[Participation | None], fed: Sequence[dict[str, Feedback]]) -> Report:
    """The report of the rounds, each with its participation and its feedback (in the rounds' order), and what the
    stopping rules say after each, judged with its stability against the round before."""
    compared = {pair.after: pair for pair in found.stability}
    made: list[ReportRound] = []
    previous: Results | None = None
    for item, flow, said in zip(found.rounds, flows, fed, strict=True):
        stop = conclude(item, compared.get(item.round.file.round))
        changed = changes(previous.round.file, item.round.file) if previous is not None else None
        made.append(ReportRound(item, flow, stop, changed, said))
        previous = item
    return Report(made, found.stability)
