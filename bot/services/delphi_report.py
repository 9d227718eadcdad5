"""What a Delphi study's report holds beyond its results: each round's panel, how the questions went from one
round to the next, and what the panellists read before a question asked again.

The report is for the Secretariat to circulate, beyond the admins, so it names nobody: the panel's
make-up counts groups of at least `MIN_GROUP` panellists and the rest together, and the feedback is
what every panellist read alike (the group's figures, the comments chosen for all), never anyone's
own answer. What was fed back is worked out again from the answers as they are stored now, by the
rule that chose it (`delphi_results.heard`): a panellist who deleted their data since is left out.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass

from bot.delphi_models import RoundFile
from bot.services.authority import require_admin
from bot.services.delphi_results import QuestionResult, Results, Stability, StudyResults, heard
from bot.storage import delphi as rows
from bot.storage.database import Reader

# Panellists: a smaller stakeholder type or region is counted with the others under "other". The study file's own
# minimum group size (issue 22, anonymity) is to replace this one figure.
MIN_GROUP = 5


@dataclass(frozen=True)
class Groups:
    """Panellists per stakeholder type or per region: the groups of at least MIN_GROUP, largest first, and the
    panellists of all smaller groups together."""

    shown: list[tuple[str, int]]  # the stored (English) name, "" when the panellist did not say
    other: int


def groups(counts: Mapping[str, int], minimum: int = MIN_GROUP) -> Groups:
    shown = sorted(((name, count) for name, count in counts.items() if count >= minimum), key=lambda g: (-g[1], g[0]))
    return Groups(shown, sum(count for count in counts.values() if count < minimum))


@dataclass(frozen=True)
class Composition:
    """A round's panel: everyone invited, with the groups they were in when it opened."""

    panel: int
    complete: int  # panellists who answered every question they were asked
    by_type: Groups
    by_region: Groups


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
class FedBack:
    """What every panellist read before a question asked again (each also read their own previous answer)."""

    round: int  # the previous round's number
    result: QuestionResult  # the group's result in it
    comments: list[str]


def fed_back(previous: Results, question_id: str) -> FedBack | None:
    """The previous round's result and comments on a question, as `delphi_results.feedback` shows them."""
    index = previous.round.file.index_of(question_id)
    if index is None:
        return None
    result = previous.questions[index]
    answers = [answer for answer in previous.given if answer.question == index]
    return FedBack(previous.round.file.round, result, heard(result.question, answers, result.whole.figures))


@dataclass(frozen=True)
class ReportRound:
    results: Results
    composition: Composition
    changes: Changes | None  # None for the study's first round
    fed_back: dict[str, FedBack]  # by the id of the question asked again


@dataclass(frozen=True)
class Report:
    rounds: list[ReportRound]
    stability: list[Stability]  # between the last two rounds


async def report(db: Reader, actor: int, admins: Collection[int], found: StudyResults) -> Report:
    """The study's results (`delphi_results.study`, already read for the messages) with what the report adds."""
    require_admin(actor, admins)
    return assembled(found, [await composition(db, item.round.id) for item in found.rounds])


async def composition(db: Reader, round_id: int) -> Composition:
    by_type: Counter[str] = Counter()
    by_region: Counter[str] = Counter()
    for kind, region, count in await rows.panel_groups(db, round_id):
        by_type[kind or ""] += count
        by_region[region or ""] += count
    panel, complete = await rows.completion(db, round_id)
    return Composition(panel, complete, groups(by_type), groups(by_region))


def assembled(found: StudyResults, compositions: Sequence[Composition]) -> Report:
    """The report of the rounds, each with its panel's composition (in the same order)."""
    made: list[ReportRound] = []
    previous: Results | None = None
    for item, panel in zip(found.rounds, compositions, strict=True):
        made.append(_round(item, panel, previous))
        previous = item
    return Report(made, found.stability[-1].questions if found.stability else [])


def _round(item: Results, panel: Composition, previous: Results | None) -> ReportRound:
    """A later round's feedback once it has opened: before, nobody has read any."""
    if previous is None:
        return ReportRound(item, panel, None, {})
    file = item.round.file
    opened = item.round.opened_at is not None
    said = {
        question.id: found
        for index, question in enumerate(file.questions)
        if opened and file.repeated(index) and (found := fed_back(previous, question.id)) is not None
    }
    return ReportRound(item, panel, changes(previous.round.file, file), said)
