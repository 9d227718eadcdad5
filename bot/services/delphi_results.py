"""What a Delphi round says, for the Secretariat only: response rates, figures, verdicts, comments.

Panellists appear only as pseudonyms: a keyed hash (HMAC-SHA-256) of their id with the
study's own random key, kept in the database and never shown, so the same person has the
same pseudonym in every round of a study and nobody can turn it back into a Telegram id
without the key. Facilitators get nothing here: individual answers are nobody's business
but the panellist's.

Groups (a stakeholder type, a region, a type in a region) are shown apart only from the
study's `min_group` answers (or panellists) up: smaller ones are merged into one group of
"other groups" (`OTHER`), so that no figure of a group is one person's answer.
"""

from __future__ import annotations

import hashlib
import hmac
import itertools
from collections import Counter
from collections.abc import Collection, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import TypeVar

from bot.delphi_models import DEFAULT_MIN_GROUP, Question, QuestionType, StopWhen
from bot.services.arguments import storable
from bot.services.authority import require_admin
from bot.services.consensus import Figures, Outcome, Verdict, band, bands, distribution, figures, judge, kappa
from bot.services.errors import Refused
from bot.storage import delphi as rows
from bot.storage.database import Database, Reader
from bot.storage.delphi import Answer, Given, Panellist, Response, StoredRound

PSEUDONYM_LENGTH = 10  # hex digits: collisions among thousands of panellists stay improbable
OTHER = ""  # the name of the groups merged together (no stakeholder type nor region is empty: those are "—")
Name = TypeVar("Name", bound=Hashable)
Member = TypeVar("Member")


@dataclass(frozen=True)
class Status:
    round: StoredRound
    by_question: list[Response]
    by_taskforce: list[Response]
    unreachable: int  # panellists who blocked the bot: no reminder goes to them
    participation: Participation | None  # None before the round opens: no panel yet


async def status(db: Database, actor: int, admins: Collection[int], study: str | None, now: datetime) -> list[Status]:
    """The running rounds (or the study's latest round): answers given against answers asked."""
    require_admin(actor, admins)
    if study is not None:
        found = await rows.find(db, study)
        if found is None:
            raise Refused("no_study", study=study)
        chosen = [found]
    else:
        chosen = await rows.running(db, now)
    return [
        Status(
            stored,
            await rows.response_by_question(db, stored.id),
            await rows.response_by_taskforce(db, stored.id),
            await rows.unreachable_panellists(db, stored.id),
            await participation(db, stored) if stored.opened_at is not None else None,
        )
        for stored in chosen
    ]


# ---------------------------------------------------------------- participation


@dataclass(frozen=True)
class Flow:
    """How a round's panel (or a group of it) took part."""

    invited: int
    unreachable: int  # their invitation failed: they blocked the bot or deleted their account
    answered_any: int  # at least one question
    answered_all: int  # every question they were asked
    dropped: int  # answered the previous round, nothing in this one (0 in a first round)


@dataclass(frozen=True)
class Participation:
    """A round's participation flow, in all and by group (groups under `least` panellists merged)."""

    round: int
    previous: int | None  # the round `dropped` counts from; None for a first round
    total: Flow
    by_type: dict[str, Flow]
    by_region: dict[str, Flow]
    least: int


async def participation(db: Reader, stored: StoredRound) -> Participation:
    """The flow of a round that has opened; callers check who asks (the Secretariat's status, results, report)."""
    previous = await rows.find(db, stored.study, stored.file.round - 1) if stored.file.round > 1 else None
    people = await rows.panellists(db, stored.id, previous.id if previous is not None else None)
    least = await smallest_group(db, stored.study)

    def grouped(key: str) -> dict[str, Flow]:
        return {name: _flow(members) for name, members in shown_groups(_by(people, key), least).items()}

    number = previous.file.round if previous is not None else None
    return Participation(
        stored.file.round, number, _flow(people), grouped("stakeholder_type"), grouped("region"), least
    )


def _flow(people: Sequence[Panellist]) -> Flow:
    return Flow(
        invited=len(people),
        unreachable=sum(person.unreachable for person in people),
        answered_any=sum(person.answered > 0 for person in people),
        answered_all=sum(person.answered >= person.asked for person in people),
        dropped=sum(person.answered_before and not person.answered for person in people),
    )


# ---------------------------------------------------------------- groups too small to show apart


async def smallest_group(db: Reader, study: str) -> int:
    """The study's `min_group` as its latest round sets it: a later round may raise it, never lower it, so the
    latest is the highest, and every round's figures shown from then on keep to it."""
    latest = await rows.find(db, study)
    return latest.file.min_group if latest is not None else DEFAULT_MIN_GROUP


def apart(sizes: Mapping[Name, int], least: int) -> set[Name]:
    """The groups big enough to show apart; the others are merged into one.

    A group under `least` joins the merged one. While that one is not empty and still under
    `least`, the smallest group left joins it too: shown beside the whole, a small merged group
    would be the whole less the groups shown apart (with a choice's counts, exactly its members'
    answers), as readable as if it were shown itself.
    """
    kept = {name for name, size in sizes.items() if size >= least}
    merged = sum(size for name, size in sizes.items() if name not in kept)
    while kept and 0 < merged < least:
        smallest = min(kept, key=lambda name: (sizes[name], str(name)))
        kept.discard(smallest)
        merged += sizes[smallest]
    return kept


def shown_groups(groups: Mapping[str, Sequence[Member]], least: int) -> dict[str, list[Member]]:
    """The groups shown apart, by name, then `OTHER` (the others merged) when any; nothing when no group is big
    enough to stand apart (the merged group would be the whole again, or too small to show)."""
    shown = shown_counts({name: len(members) for name, members in groups.items()}, least)
    merged = [member for name in sorted(groups) if name not in shown for member in groups[name]]
    return {name: list(groups[name]) if name != OTHER else merged for name in shown}


def shown_counts(sizes: Mapping[str, int], least: int) -> dict[str, int]:
    """`shown_groups` for groups known by their sizes only (a task force's members by region, on the public site)."""
    kept = apart(sizes, least)
    if not kept:
        return {}
    merged = sum(size for name, size in sizes.items() if name not in kept)
    return {name: sizes[name] for name in sorted(kept)} | ({OTHER: merged} if merged else {})


def _by(members: Iterable[Member], key: str) -> dict[str, list[Member]]:
    """Members by their region or stakeholder type ("—" when they have none)."""
    groups: dict[str, list[Member]] = {}
    for member in members:
        groups.setdefault(getattr(member, key) or "—", []).append(member)
    return groups


def table_groups(rounds: Sequence[Results]) -> dict[int, tuple[str, str]]:
    """Each panellist's (stakeholder type, region) as the study's CSV may show it beside their pseudonym.

    A type in a region with fewer panellists than the minimum would name them to whoever reads
    /members: such a cell shows the type alone (region `OTHER`) when the type's small cells hold
    enough panellists together, else neither (`OTHER`, `OTHER`), merged as `apart` merges groups.
    A panellist keeps their first round's groups throughout, as the rounds do.
    """
    least = max((found.least for found in rounds), default=DEFAULT_MIN_GROUP)
    cells: dict[int, tuple[str, str]] = {}
    for found in rounds:
        for answer in found.given:
            cells.setdefault(answer.person_id, (answer.stakeholder_type or "—", answer.region or "—"))
    full = Counter(cells.values())
    typed: Counter[str] = Counter()  # per type, the panellists in its cells too small to show
    for (kind, _region), count in full.items():
        if count < least:
            typed[kind] += count
    narrowed = {
        person: cell if full[cell] >= least else (cell[0], OTHER) if typed[cell[0]] >= least else (OTHER, OTHER)
        for person, cell in cells.items()
    }
    kept = apart(Counter(narrowed.values()), least)  # only (OTHER, OTHER) can be under the minimum here
    return {person: cell if cell in kept else (OTHER, OTHER) for person, cell in narrowed.items()}


@dataclass(frozen=True)
class Part:
    """The figures of one question among some of the panel (everyone, a region, a stakeholder type)."""

    count: int
    figures: Figures | None  # Likert and number
    outcome: Outcome | None  # by the file's rule, where it applies
    counts: list[int]  # per point of a Likert scale, per option of a choice
    bands: tuple[float, float, float] | None  # Likert: disagreement, between, agreement (consensus.band)


@dataclass(frozen=True)
class QuestionResult:
    index: int
    question: Question
    asked: int
    whole: Part
    by_type: dict[str, Part]  # groups of the minimum size up, then `OTHER` (see `shown_groups`)
    by_region: dict[str, Part]
    comments: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Results:
    round: StoredRound
    questions: list[QuestionResult]
    given: list[Given]
    pseudonyms: dict[int, str]
    least: int  # the smallest group shown apart (the study's `min_group`)


async def results(
    db: Database, actor: int, admins: Collection[int], study: str, number: int | None
) -> tuple[Results, Conclusion]:
    """One round (the latest when `number` is None), and what the stopping rules say of its questions."""
    require_admin(actor, admins)
    found = await round_results(db, await named_round(db, study, number))
    return found, await concluded(db, found)


async def named_round(db: Reader, study: str, number: int | None) -> StoredRound:
    """The study's round `number` (None: its latest), as an admin named them: either may not exist."""
    stored = await rows.find(db, study, number) if number is None or storable(number) else None
    if stored is None:
        if number is not None and await rows.find(db, study) is not None:
            raise Refused("no_round", study=study, round=number)
        raise Refused("no_study", study=study)
    return stored


async def round_results(db: Reader, stored: StoredRound) -> Results:
    given = await rows.given(db, stored.id)
    asked = await rows.asked_counts(db, stored.id)
    key = await rows.secret(db, stored.study)
    least = await smallest_group(db, stored.study)
    by_question: dict[int, list[Given]] = {}
    for answer in given:
        by_question.setdefault(answer.question, []).append(answer)
    questions = [
        _question_result(stored, index, question, asked.get(index, 0), by_question.get(index, []), least=least)
        for index, question in enumerate(stored.file.questions)
    ]
    pseudonyms = {person: pseudonym(key, person) for person in {answer.person_id for answer in given}}
    return Results(stored, questions, given, pseudonyms, least)


CONSENSUS = frozenset({Verdict.IN, Verdict.OUT, Verdict.APPROPRIATE, Verdict.INAPPROPRIATE})


def pseudonym(key: bytes, person_id: int) -> str:
    return hmac.new(key, str(person_id).encode(), hashlib.sha256).hexdigest()[:PSEUDONYM_LENGTH]


def _question_result(
    stored: StoredRound,
    index: int,
    question: Question,
    asked: int,
    answers: list[Given],
    *,
    least: int,
    split: bool = True,
) -> QuestionResult:
    """`split`: also by stakeholder type and by region, groups under `least` answers merged (most of the work;
    a panellist's feedback skips it)."""

    def grouped(key: str) -> dict[str, Part]:
        if not split:
            return {}
        return {
            name: part(stored, question, members) for name, members in shown_groups(_by(answers, key), least).items()
        }

    return QuestionResult(
        index=index,
        question=question,
        asked=asked,
        whole=part(stored, question, answers),
        by_type=grouped("stakeholder_type"),
        by_region=grouped("region"),
        comments=[answer.comment for answer in answers if answer.comment],
    )


def part(stored: StoredRound, question: Question, answers: Sequence[Given]) -> Part:
    values = [answer.value for answer in answers if answer.value is not None]
    rule = stored.file.consensus
    if question.type is QuestionType.LIKERT:
        scale = question.scale or 0
        found, shares = figures(values), bands(values, scale, question.agree)
        return Part(len(answers), found, judge(rule, found, shares), distribution(values, scale), shares)
    if question.type is QuestionType.NUMBER:
        found = figures(values)
        return Part(len(answers), found, judge(rule, found, None) if rule.name == "iqr" else None, [], None)
    if question.type is QuestionType.CHOICE:
        counted = Counter(int(value) for value in values)
        return Part(len(answers), None, None, [counted[place] for place in range(len(question.options))], None)
    return Part(len(answers), None, None, [], None)


# ---------------------------------------------------------------- feedback before a repeated question

COMMENTS_HEARD = 3


@dataclass(frozen=True)
class Feedback:
    """What the previous round said about a question asked again, as one panellist sees it (without `own`, as
    every panellist read it)."""

    round: int  # the previous round's number
    result: QuestionResult
    own: Answer | None
    comments: list[str]  # at most three, from different positions
    outside: bool  # their answer lay outside the group's interquartile range


async def feedback(
    db: Reader, stored: StoredRound, index: int, person: int | None, *, split: bool = False
) -> Feedback | None:
    """None for a question that is not asked again from the previous round; `split` adds the groups; `person`:
    whose own answer is added, None for what every panellist read alike (the study's report).

    Only the comments the Secretariat chose to show are in it (`delphi_comments`): a comment may name
    someone, and nothing here is read by fewer than the whole panel. The groups keep to the round's
    own `min_group`: the round being answered is the study's latest."""
    if not stored.file.repeated(index):
        return None
    previous = await rows.find(db, stored.study, stored.file.round - 1)
    question = stored.file.questions[index]
    before = previous.file.index_of(question.id) if previous is not None else None
    if previous is None or before is None:
        return None
    answers = await rows.given_to(db, previous.id, before)  # the comments shown only
    asked = await rows.asked_count(db, previous.id, before)
    result = _question_result(previous, before, question, asked, answers, least=stored.file.min_group, split=split)
    mine = next((a for a in answers if a.person_id == person), None)
    own = Answer(before, mine.value, mine.text, mine.comment) if mine is not None else None
    spread = result.whole.figures
    outside = bool(
        own is not None and own.value is not None and spread is not None and not spread.q1 <= own.value <= spread.q3
    )
    return Feedback(previous.file.round, result, own, heard(question, answers, spread), outside)


def heard(question: Question, answers: Sequence[Given], spread: Figures | None) -> list[str]:
    """Up to three comments that hear different positions: the earliest from below, at and above the median
    (for a choice: from the most chosen options, in that order), then the next ones if places are left."""
    commented = [answer for answer in answers if answer.comment]
    first_of: dict[float | None, Given] = {}
    for answer in commented:
        first_of.setdefault(_position(answer, spread), answer)
    if question.type is QuestionType.CHOICE:
        order: list[float | None] = [place for place, _count in Counter(a.value for a in answers).most_common()]
    else:
        order = [-1.0, 0.0, 1.0, None]
    picked = [first_of[place] for place in order if place in first_of]
    picked += [answer for answer in commented if answer not in picked]
    return [answer.comment or "" for answer in picked[:COMMENTS_HEARD]]


def _position(answer: Given, spread: Figures | None) -> float | None:
    """Below (-1), at (0) or above (1) the median; a choice's option; None for a text."""
    if answer.value is None or spread is None:
        return answer.value
    return float((answer.value > spread.median) - (answer.value < spread.median))


# ---------------------------------------------------------------- a study across its rounds

STABLE_MOVE = 15.0  # percentage points: no band's share moved more, the distribution is stable


@dataclass(frozen=True)
class Stability:
    """A question asked in two consecutive rounds: how much the answers of those who gave both moved.

    Only panellists who answered in both rounds count (`paired`): one who drops out, or one who answers
    for the first time, is no change of opinion, and is counted apart."""

    question: Question
    paired: int  # panellists who answered in both rounds
    dropped: int  # answered the round before, not this one
    joined: int  # answered this round, not the one before
    changed: int  # of the paired, those who gave another answer
    changed_band: int  # of the paired, those whose answer moved to another band
    kappa: float | None  # weighted kappa of the paired answers; None where it is undefined
    before: Figures | None  # of the paired answers to a scale or a number
    after: Figures | None
    largest_move: float  # percentage points, the band whose share among the paired moved most

    @property
    def stable(self) -> bool:
        """No band's share moved 15 points or more; not judged (False) when nobody answered both rounds."""
        return self.paired > 0 and self.largest_move < STABLE_MOVE


@dataclass(frozen=True)
class Compared:
    """Two consecutive rounds of a study, question by question."""

    before: int  # the rounds' numbers
    after: int
    questions: list[Stability]

    def of(self, question_id: str) -> Stability | None:
        return next((item for item in self.questions if item.question.id == question_id), None)


class Stop(StrEnum):
    """What the study's stopping rules say of a question after a round."""

    CONSENSUS = "consensus"  # stops: it reached consensus
    STABLE = "stable"  # stops: its answers are stable
    LAST_ROUND = "last_round"  # stops: the study's last round
    GOES_ON = "goes_on"  # asked again in the next round unless the file lists others
    NOT_JUDGED = "not_judged"  # no rule it stops by judges it (a text; a choice when only consensus stops)


@dataclass(frozen=True)
class Conclusion:
    """The stopping rules on a round: per question (by id) whether it stops and why, and so whether the study
    is complete (its last round reached, or no question goes on)."""

    round: StoredRound
    stops: dict[str, Stop]

    @property
    def last_round(self) -> bool:
        return self.round.file.stopping.last(self.round.file.round)

    @property
    def complete(self) -> bool:
        return self.last_round or Stop.GOES_ON not in self.stops.values()

    @property
    def going_on(self) -> list[str]:
        """The questions a next round asks again by default."""
        return [question_id for question_id, stop in self.stops.items() if stop is Stop.GOES_ON]


@dataclass(frozen=True)
class StudyResults:
    rounds: list[Results]
    stability: list[Compared]  # each pair of consecutive rounds, in order, once the later has opened

    @property
    def conclusion(self) -> Conclusion:
        """The stopping rules on the latest round."""
        latest = self.rounds[-1]
        compared = self.stability[-1] if self.stability else None
        return conclude(latest, compared if compared and compared.after == latest.round.file.round else None)


async def study(db: Database, actor: int, admins: Collection[int], name: str) -> StudyResults:
    """Every round of the study, and the stability of each pair of rounds whose later one has opened: a round
    loaded and not open yet has no answers, and its whole panel would count as dropped out."""
    require_admin(actor, admins)
    stored = await rows.rounds_of_study(db, name)
    if not stored:
        raise Refused("no_study", study=name)
    found = [await round_results(db, item) for item in stored]
    opened = [(before, after) for before, after in itertools.pairwise(found) if after.round.opened_at is not None]
    return StudyResults(found, [compare(before, after) for before, after in opened])


async def concluded(db: Reader, found: Results) -> Conclusion:
    """The stopping rules on one round, read with the round before (its stability needs it)."""
    number = found.round.file.round
    previous = await rows.find(db, found.round.study, number - 1) if number > 1 else None
    compared = compare(await round_results(db, previous), found) if previous is not None else None
    return conclude(found, compared)


async def conclusion_of(db: Reader, stored: StoredRound) -> Conclusion:
    return await concluded(db, await round_results(db, stored))


def conclude(found: Results, compared: Compared | None) -> Conclusion:
    """Each question's stop by the round's stopping rules; `compared`: this round against the one before."""
    rules, last = found.round.file.stopping, found.round.file.stopping.last(found.round.file.round)
    stops = {}
    for result in found.questions:
        stop = _stop(result, compared.of(result.question.id) if compared else None, rules.when)
        stops[result.question.id] = Stop.LAST_ROUND if stop is Stop.GOES_ON and last else stop
    return Conclusion(found.round, stops)


def _stop(result: QuestionResult, moved: Stability | None, when: StopWhen) -> Stop:
    """Consensus judges what the consensus rule judges (scales; numbers under `iqr:N`); stability judges every
    question but a text, once it was asked in the round before too."""
    outcome = result.whole.outcome
    by_consensus = when is not StopWhen.STABLE and outcome is not None
    by_stability = when is not StopWhen.CONSENSUS and result.question.type is not QuestionType.TEXT
    if by_consensus and outcome is not None and outcome.verdict in CONSENSUS:
        return Stop.CONSENSUS
    if by_stability and moved is not None and moved.stable:
        return Stop.STABLE
    return Stop.GOES_ON if by_consensus or by_stability else Stop.NOT_JUDGED


def compare(before: Results, after: Results) -> Compared:
    return Compared(before.round.file.round, after.round.file.round, stability(before, after))


def stability(before: Results, after: Results) -> list[Stability]:
    """For each question of a round that the round before asked too (scales, choices, numbers), among the
    panellists who answered it in both rounds.

    The test: the shares of their answers in each band move by under 15 percentage points. Bands are
    those of a scale (`consensus.band`: its agreement region, its mirror and what lies between, else
    thirds, or halves without a midpoint), the options of a choice, and for a number the quartile bands
    of their answers in the round before (below Q1, Q1 to Q3, above Q3). Kappa: on a scale's points and
    a number's bands with quadratic weights, on a choice's options unweighted (`consensus.kappa`).
    """
    found = []
    for index, question in enumerate(after.round.file.questions):
        earlier = before.round.file.index_of(question.id)
        if earlier is None or question.type is QuestionType.TEXT:
            continue
        old, new = _values(before, earlier), _values(after, index)
        paired = [person for person in new if person in old]
        spread = figures([old[person] for person in paired]) if question.type is not QuestionType.CHOICE else None
        old_bands = {person: _band(question, old[person], spread) for person in paired}
        new_bands = {person: _band(question, new[person], spread) for person in paired}
        moves = _moves(Counter(old_bands.values()), Counter(new_bands.values()), len(paired))
        ranked = [
            (_place(question, old[who], old_bands[who]), _place(question, new[who], new_bands[who])) for who in paired
        ]
        found.append(
            Stability(
                question=question,
                paired=len(paired),
                dropped=sum(1 for person in old if person not in new),
                joined=len(new) - len(paired),
                changed=sum(1 for person in paired if new[person] != old[person]),
                changed_band=sum(1 for person in paired if new_bands[person] != old_bands[person]),
                kappa=kappa(ranked, ordinal=question.type is not QuestionType.CHOICE),
                before=spread,
                after=figures([new[person] for person in paired]) if spread is not None else None,
                largest_move=max(moves, default=0.0),
            )
        )
    return found


def _values(found: Results, index: int) -> dict[int, float]:
    return {a.person_id: a.value for a in found.given if a.question == index and a.value is not None}


def _moves(old: Counter[int], new: Counter[int], count: int) -> list[float]:
    """How far each band's share moved, in percentage points."""
    return [abs(new[place] - old[place]) * 100 / count for place in old.keys() | new.keys()]


def _band(question: Question, value: float, previous: Figures | None) -> int:
    if question.type is QuestionType.LIKERT:
        return band(value, question.scale or 0, question.agree)
    if question.type is QuestionType.CHOICE or previous is None:
        return int(value)
    return 0 if value < previous.q1 else 2 if value > previous.q3 else 1


def _place(question: Question, value: float, its_band: int) -> int:
    """What kappa compares: a scale's point, a choice's option, a number's band."""
    return its_band if question.type is QuestionType.NUMBER else int(value)
