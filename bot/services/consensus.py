"""The figures of a Delphi question and the verdict of the rule fixed in its file.

One percentile definition everywhere: Hyndman and Fan's definition 7 (linear interpolation
between the closest ranks: R's and numpy's default, Excel's PERCENTILE.INC). The median,
the quartiles and the RAND/UCLA 30th and 70th percentiles all come from it, so that the
figures a panellist sees and the verdict agree.

A scale's answers fall in three bands: disagreement, between, agreement. A question that names its
agreement region (`"agree": [3, 4]`) has that region, its mirror image and what lies between. Otherwise
a scale with a midpoint (an odd number of points) is cut in thirds by position, symmetric for any
number of points: on 9 points 1–3, 4–6 and 7–9; on 5 points 1–2, 3 and 4–5; on 7 points 1–2, 3–5 and
6–7. A scale without a midpoint is cut in halves (4 points: 1–2 and 3–4), never in thirds, whose middle
would hold opposite answers (2 and 3).

Individual stability between two rounds is Cohen's weighted kappa (Cohen 1968) with quadratic weights
(Fleiss and Cohen 1973): a panellist moving two points counts four times one moving one point, and
the figure equals the intraclass correlation of the paired answers, the reliability measure of ratings
read as numbers, as the median and the interquartile range read them too. Options of a choice are
nominal: their kappa is Cohen's unweighted one (1960).
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from enum import StrEnum

from bot.delphi_models import Consensus

IN_SHARE, AGAINST_SHARE = 0.70, 0.15  # 70/15: COMET Handbook, Williamson et al., Trials 2017
IPRAS_BASE, IPRAS_ASYMMETRY = 2.35, 1.5  # RAND/UCLA manual, Fitch et al. 2001, chapter 8
EPSILON = 1e-9  # shares and ranges computed in floating point are compared with this slack


def percentile(ordered: Sequence[float], share: float) -> float:
    """Definition 7 of Hyndman and Fan on sorted values: rank h = (n − 1)·p, interpolated."""
    if not ordered:
        raise ValueError("no values")
    rank = (len(ordered) - 1) * share
    below = math.floor(rank)
    above = min(below + 1, len(ordered) - 1)
    return ordered[below] + (rank - below) * (ordered[above] - ordered[below])


@dataclass(frozen=True)
class Figures:
    """What the answers to a Likert or number question say; `sd` needs two answers."""

    count: int
    median: float
    q1: float
    q3: float
    mean: float
    sd: float | None
    p30: float
    p70: float

    @property
    def iqr(self) -> float:
        return self.q3 - self.q1


def figures(values: Sequence[float]) -> Figures | None:
    """None without answers."""
    if not values:
        return None
    ordered = sorted(values)
    mean = math.fsum(ordered) / len(ordered)
    sd = math.sqrt(math.fsum((v - mean) ** 2 for v in ordered) / (len(ordered) - 1)) if len(ordered) > 1 else None
    return Figures(
        count=len(ordered),
        median=percentile(ordered, 0.5),
        q1=percentile(ordered, 0.25),
        q3=percentile(ordered, 0.75),
        mean=mean,
        sd=sd,
        p30=percentile(ordered, 0.30),
        p70=percentile(ordered, 0.70),
    )


def third(point: float, scale: int) -> int:
    """0 for the bottom third of a 1…scale scale, 1 for the middle, 2 for the top."""
    position = 3 * (point - 1)
    if position < scale - 1:
        return 0
    return 2 if position > 2 * (scale - 1) else 1


def band(point: float, scale: int, agree: Collection[int] = ()) -> int:
    """0 disagreement, 1 between, 2 agreement: the agreement region, its mirror image (the points whose
    reflection lies in it, outside it) and the rest; without a region, thirds or halves (above)."""
    if agree:
        if point in agree:
            return 2
        return 0 if scale + 1 - point in agree else 1
    if scale % 2 == 0:
        return 0 if 2 * point <= scale else 2
    return third(point, scale)


def band_points(scale: int, agree: Collection[int] = ()) -> tuple[list[int], list[int], list[int]]:
    """The points of each band, in the order of `band` (a band may be empty: halves have no middle)."""
    found: tuple[list[int], list[int], list[int]] = ([], [], [])
    for point in range(1, scale + 1):
        found[band(point, scale, agree)].append(point)
    return found


def bands(values: Sequence[float], scale: int, agree: Collection[int] = ()) -> tuple[float, float, float]:
    """The shares (0…1) of answers in each band; zeros without answers."""
    if not values:
        return (0.0, 0.0, 0.0)
    counted = Counter(band(v, scale, agree) for v in values)
    return (counted[0] / len(values), counted[1] / len(values), counted[2] / len(values))


def distribution(values: Sequence[float], scale: int) -> list[int]:
    """How many answers gave each point 1…scale."""
    counted = Counter(int(v) for v in values)
    return [counted[point] for point in range(1, scale + 1)]


class Verdict(StrEnum):
    NO_ANSWERS = "no_answers"
    IN = "in"  # consensus in (70/15), or consensus (percent:N, iqr:N)
    OUT = "out"  # consensus out (70/15)
    NONE = "none"  # no consensus
    APPROPRIATE = "appropriate"  # RAND/UCLA
    UNCERTAIN = "uncertain"
    INAPPROPRIATE = "inappropriate"


@dataclass(frozen=True)
class Outcome:
    verdict: Verdict
    disagreement: bool = False  # RAND/UCLA: the 30th–70th range exceeds the IPRAS
    ipr: float | None = None
    ipras: float | None = None


def ipras(p30: float, p70: float) -> float:
    """The interpercentile range adjusted for symmetry: 2.35 + 1.5 × |5 − the range's central point|."""
    return IPRAS_BASE + IPRAS_ASYMMETRY * abs(5 - (p30 + p70) / 2)


def verdict(rule: Consensus, values: Sequence[float], scale: int | None, agree: Collection[int] = ()) -> Outcome:
    """The file's rule on a Likert question's answers (`scale` points) or, for `iqr:N`, a number's."""
    return judge(rule, figures(values), bands(values, scale, agree) if scale is not None else None)


def judge(rule: Consensus, found: Figures | None, shares: tuple[float, float, float] | None) -> Outcome:
    """The rule on figures and bands already computed (the results show them too): `percent:N` counts the
    agreement band, 70/15 the thirds of its 9 points."""
    if found is None:
        return Outcome(Verdict.NO_ANSWERS)
    if rule.name == "iqr":
        return Outcome(Verdict.IN if found.iqr <= rule.threshold + EPSILON else Verdict.NONE)
    assert shares is not None, "the other rules are for Likert questions"
    low, _, high = shares
    if rule.name == "percent":
        return Outcome(Verdict.IN if high * 100 >= rule.threshold - EPSILON else Verdict.NONE)
    if rule.name == "rand-ucla":
        return rand_ucla(found)
    return Outcome(_seventy_fifteen(low, high))


def _seventy_fifteen(low: float, high: float) -> Verdict:
    """In: ≥ 70 % score 7–9 and < 15 % score 1–3; out: the mirror image; otherwise none."""
    if high >= IN_SHARE - EPSILON and low < AGAINST_SHARE - EPSILON:
        return Verdict.IN
    if low >= IN_SHARE - EPSILON and high < AGAINST_SHARE - EPSILON:
        return Verdict.OUT
    return Verdict.NONE


def rand_ucla(found: Figures) -> Outcome:
    """Median 7–9 appropriate, 1–3 inappropriate, else uncertain (3.5 and 6.5 too); disagreement → uncertain."""
    ipr, adjusted = found.p70 - found.p30, ipras(found.p30, found.p70)
    disagreement = ipr > adjusted + EPSILON
    if disagreement or 3 < found.median < 7:
        return Outcome(Verdict.UNCERTAIN, disagreement, ipr, adjusted)
    return Outcome(Verdict.APPROPRIATE if found.median >= 7 else Verdict.INAPPROPRIATE, False, ipr, adjusted)


def kappa(pairs: Sequence[tuple[int, int]], *, ordinal: bool) -> float | None:
    """Cohen's kappa of paired answers (before, after), as places on the scale or options: quadratic weights
    when `ordinal`, none otherwise. 1 − observed weighted disagreement / the one expected by chance, the
    chance one from each round's own distribution. None when chance alone would agree perfectly (every
    answer in one place in both rounds): kappa is undefined there."""

    def weight(before: int, after: int) -> float:
        return float((before - after) ** 2) if ordinal else float(before != after)

    if not pairs:
        return None
    befores, afters = Counter(before for before, _ in pairs), Counter(after for _, after in pairs)
    observed = math.fsum(weight(before, after) for before, after in pairs) / len(pairs)
    expected = (
        math.fsum(
            count * other * weight(before, after)
            for before, count in befores.items()
            for after, other in afters.items()
        )
        / len(pairs) ** 2
    )
    return None if expected < EPSILON else 1 - observed / expected
