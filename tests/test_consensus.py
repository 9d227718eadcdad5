"""Every statistic and consensus rule, against values computed by hand and published worked examples."""

from __future__ import annotations

import random
import statistics

import numpy
import pytest

from bot.delphi_models import Consensus
from bot.services.consensus import (
    Figures,
    Verdict,
    band,
    band_points,
    bands,
    distribution,
    figures,
    ipras,
    kappa,
    percentile,
    rand_ucla,
    third,
    verdict,
)

SEVENTY_FIFTEEN, RAND_UCLA = Consensus(rule="70/15"), Consensus(rule="rand-ucla")


def scores(**counts: int) -> list[float]:
    """scores(p7=5, p8=2) → five 7s and two 8s."""
    return [float(point[1:]) for point, count in counts.items() for _ in range(count)]


# ---------------------------------------------------------------- percentiles


def test_percentiles_follow_hyndman_and_fan_definition_7() -> None:
    # R's documentation example, quantile(1:10, 0.3) (type 7, R's default) = 3.7;
    # Excel's PERCENTILE.INC({1..10}, 0.3) gives the same.
    assert percentile([float(v) for v in range(1, 11)], 0.3) == pytest.approx(3.7)
    values = sorted(random.Random(7).uniform(0, 100) for _ in range(101))
    for share in (0.0, 0.25, 0.3, 0.5, 0.7, 0.75, 1.0):
        assert percentile(values, share) == pytest.approx(numpy.percentile(values, share * 100, method="linear"))
    assert [percentile(values, q) for q in (0.25, 0.5, 0.75)] == pytest.approx(
        statistics.quantiles(values, n=4, method="inclusive")
    )


def test_odd_count() -> None:
    found = figures([5.0, 1.0, 3.0, 2.0, 4.0])
    assert found == Figures(
        count=5, median=3.0, q1=2.0, q3=4.0, mean=3.0, sd=pytest.approx(1.5811388), p30=2.2, p70=3.8
    )
    assert found is not None and found.iqr == 2.0


def test_even_count_interpolates() -> None:
    found = figures([1.0, 2.0, 3.0, 4.0])  # h = 3p: Q1 at 0.75 → 1.75, median 2.5, Q3 at 2.25 → 3.25
    assert found is not None
    assert (found.median, found.q1, found.q3, found.iqr) == (2.5, 1.75, 3.25, 1.5)
    assert found.sd == pytest.approx(1.2909944)


def test_ties_all_equal_one_answer_and_none() -> None:
    tied = figures(scores(p7=3, p8=1))  # 7, 7, 7, 8
    assert tied is not None and (tied.median, tied.q1, tied.q3) == (7.0, 7.0, 7.25)
    same = figures([6.0] * 8)
    assert same is not None and (same.median, same.iqr, same.sd) == (6.0, 0.0, 0.0)
    alone = figures([4.0])
    assert alone is not None and (alone.median, alone.q1, alone.q3, alone.mean, alone.sd) == (4.0, 4.0, 4.0, 4.0, None)
    assert figures([]) is None


def test_thirds_of_scales() -> None:
    assert [third(p, 9) for p in range(1, 10)] == [0, 0, 0, 1, 1, 1, 2, 2, 2]
    assert [third(p, 5) for p in range(1, 6)] == [0, 0, 1, 2, 2]
    assert [third(p, 7) for p in range(1, 8)] == [0, 0, 1, 1, 1, 2, 2]
    assert [band(p, 9) for p in range(1, 10)] == [third(p, 9) for p in range(1, 10)]  # odd scales: thirds
    assert bands(scores(p1=1, p5=1, p9=2), 9) == (0.25, 0.25, 0.5)
    assert bands([], 9) == (0.0, 0.0, 0.0)
    assert distribution(scores(p1=2, p9=1), 9) == [2, 0, 0, 0, 0, 0, 0, 0, 1]


def test_a_scale_without_a_midpoint_is_never_cut_in_thirds() -> None:
    """4 points in thirds were 1 | 2–3 | 4: a 2 (disagree a little) and a 3 (agree a little) in one band."""
    assert [band(p, 4) for p in range(1, 5)] == [0, 0, 2, 2]
    assert band_points(6) == ([1, 2, 3], [], [4, 5, 6])
    assert band(2, 4) != band(3, 4)


def test_an_agreement_region_its_mirror_and_what_lies_between() -> None:
    assert band_points(4, (3, 4)) == ([1, 2], [], [3, 4])
    assert band_points(5, (4, 5)) == ([1, 2], [3], [4, 5])
    assert band_points(8, (6, 7, 8)) == ([1, 2, 3], [4, 5], [6, 7, 8])
    assert band_points(8, (3, 4, 5, 6, 7, 8)) == ([1, 2], [], [3, 4, 5, 6, 7, 8])  # its mirror is what it leaves
    assert band_points(4, (1,)) == ([4], [2, 3], [1])  # a scale read from 1 = agree
    assert bands([2.0, 3.0, 3.0, 4.0], 4, (3, 4)) == (0.25, 0.0, 0.75)


# ---------------------------------------------------------------- 70/15


def test_seventy_fifteen_at_its_thresholds() -> None:
    # COMET Handbook (Williamson et al., Trials 2017;18:280): consensus in when ≥ 70 % score 7–9
    # and < 15 % score 1–3; consensus out in the mirror image.
    assert verdict(SEVENTY_FIFTEEN, scores(p7=7, p5=3), 9).verdict is Verdict.IN  # exactly 70 %
    assert verdict(SEVENTY_FIFTEEN, scores(p7=69, p5=31), 9).verdict is Verdict.NONE  # 69 %
    assert verdict(SEVENTY_FIFTEEN, scores(p9=14, p2=2, p5=4), 9).verdict is Verdict.IN  # 10 % low
    assert verdict(SEVENTY_FIFTEEN, scores(p9=17, p2=3), 9).verdict is Verdict.NONE  # exactly 15 % low: not under
    assert verdict(SEVENTY_FIFTEEN, scores(p1=7, p9=1, p5=2), 9).verdict is Verdict.OUT
    assert verdict(SEVENTY_FIFTEEN, scores(p1=17, p9=3), 9).verdict is Verdict.NONE
    assert verdict(SEVENTY_FIFTEEN, [], 9).verdict is Verdict.NO_ANSWERS
    assert verdict(SEVENTY_FIFTEEN, [8.0], 9).verdict is Verdict.IN  # one answer decides alone


def test_percent_and_iqr_rules() -> None:
    seventy = Consensus(rule="percent:70")
    assert verdict(seventy, scores(p8=7, p4=3), 9).verdict is Verdict.IN
    assert verdict(seventy, scores(p8=13, p4=7), 9).verdict is Verdict.NONE  # 65 %
    assert verdict(Consensus(rule="percent:50"), scores(p5=1, p4=1), 5).verdict is Verdict.IN  # 4–5 is the top
    # A 4-point scale agreeing at 3–4: 3 of 4 answers there (a 3 counts, which the top third 4 alone missed).
    assert verdict(seventy, scores(p3=2, p4=1, p2=1), 4, (3, 4)).verdict is Verdict.IN
    assert verdict(seventy, scores(p3=2, p4=1, p2=2), 4, (3, 4)).verdict is Verdict.NONE  # 60 %
    assert verdict(seventy, scores(p1=3, p2=1), 4, (1, 2)).verdict is Verdict.IN  # agreement at the 1 end
    iqr_one = Consensus(rule="iqr:1")
    assert verdict(iqr_one, [1.0, 2.0, 2.0, 3.0, 3.0], None).verdict is Verdict.IN  # IQR exactly 1
    assert verdict(iqr_one, [1.0, 2.0, 3.0, 4.0], None).verdict is Verdict.NONE  # IQR 1.5


# ---------------------------------------------------------------- RAND/UCLA


def test_rand_ucla_worked_example_of_bmj_open_2012() -> None:
    """BMJ Open 2012;2:e001431, table 1: 15 panellists, median 7, 30th percentile 7, 70th 8, IPR 1,
    IPR central point 7.5, asymmetry index 2.5, IPRAS 6.1 (2.35 + 2.5 × 1.5): appropriate, no
    disagreement. The table gives one rating each at three points below 7; wherever they are, the
    figures are the same."""
    for low in ((4, 5, 6), (1, 2, 3)):
        values = [float(v) for v in low] + scores(p7=5, p8=5, p9=2)
        outcome = verdict(RAND_UCLA, values, 9)
        found = figures(values)
        assert found is not None and (found.median, found.p30, found.p70) == (7.0, 7.0, 8.0)
        assert outcome.verdict is Verdict.APPROPRIATE and not outcome.disagreement
        assert (outcome.ipr, outcome.ipras) == (1.0, pytest.approx(6.1))


def test_rand_ucla_ipras_and_the_disagreement_boundary() -> None:
    # The manual's table of IPRAS: 2.35 at a central point of 5, 8.35 at 1 or 9.
    assert ipras(4.0, 6.0) == pytest.approx(2.35)
    assert ipras(9.0, 9.0) == pytest.approx(8.35) == ipras(1.0, 1.0)
    # Eleven ratings: the 30th and 70th percentiles are the 4th and the 8th.
    just_under = verdict(RAND_UCLA, [1, 2, 3, 3, 4, 5, 5, 6, 6, 8, 9], 9)  # IPR 3 < IPRAS 3.1
    assert (just_under.ipr, just_under.ipras, just_under.disagreement) == (3.0, pytest.approx(3.1), False)
    assert just_under.verdict is Verdict.UNCERTAIN  # median 5
    split = verdict(RAND_UCLA, [1, 1, 1, 1, 8, 8, 8, 8, 8, 9, 9], 9)  # median 8, IPR 7 > IPRAS 3.1
    assert split.disagreement and split.verdict is Verdict.UNCERTAIN
    # Exactly at the IPRAS is not "exceeds": no disagreement.
    p70 = (9.85 + 0.25 * 3) / 1.75
    at = Figures(count=9, median=8.0, q1=3.0, q3=8.0, mean=6.0, sd=2.0, p30=3.0, p70=p70)
    assert p70 - 3.0 == pytest.approx(ipras(3.0, p70))
    assert rand_ucla(at).verdict is Verdict.APPROPRIATE and not rand_ucla(at).disagreement


def test_rand_ucla_medians() -> None:
    assert verdict(RAND_UCLA, scores(p2=5, p3=4), 9).verdict is Verdict.INAPPROPRIATE
    assert verdict(RAND_UCLA, scores(p3=2, p4=2), 9).verdict is Verdict.UNCERTAIN  # median 3.5
    assert verdict(RAND_UCLA, scores(p6=2, p7=2), 9).verdict is Verdict.UNCERTAIN  # median 6.5
    assert verdict(RAND_UCLA, scores(p7=1), 9).verdict is Verdict.APPROPRIATE


# ---------------------------------------------------------------- kappa between two rounds

# irr's anxiety data (R package irr, Gamer et al.): 20 subjects rated 1…6 by three raters; raters 2 and 3.
ANXIETY_2 = [3, 6, 4, 6, 2, 4, 2, 4, 3, 3, 2, 3, 3, 3, 2, 2, 1, 3, 3, 4]
ANXIETY_3 = [2, 1, 4, 4, 3, 2, 1, 6, 1, 1, 1, 2, 3, 3, 1, 1, 3, 3, 2, 2]


def kappa_by_matrices(pairs: list[tuple[int, int]], categories: int, weights: str) -> float:
    """Cohen's weighted kappa from its definition on the k × k table, with numpy: 1 − Σ w·O / Σ w·E."""
    table = numpy.zeros((categories, categories))
    for before, after in pairs:
        table[before, after] += 1
    table /= table.sum()
    expected = numpy.outer(table.sum(axis=1), table.sum(axis=0))
    places = numpy.arange(categories)
    distance = numpy.abs(places[:, None] - places[None, :])
    weight = {"quadratic": distance**2, "none": (distance > 0) * 1.0}[weights]
    return float(1 - (weight * table).sum() / (weight * expected).sum())


def test_kappa_matches_published_values() -> None:
    """R irr's kappa2 on raters 2 and 3 of its anxiety data, as printed in statsmodels' tests: unweighted
    -0.006289308, "squared" (quadratic) 0.2520325. irr drops the level nobody used (5), so 6 is the fifth."""
    level = {1: 1, 2: 2, 3: 3, 4: 4, 6: 5}
    pairs = [(level[before], level[after]) for before, after in zip(ANXIETY_2, ANXIETY_3, strict=True)]
    assert kappa(pairs, ordinal=True) == pytest.approx(0.2520325, abs=1e-7)
    assert kappa(pairs, ordinal=False) == pytest.approx(-0.006289308, abs=1e-9)
    # SAS's example (statsmodels' tests): [[0, 4, 1], [0, 8, 0], [0, 1, 5]], simple kappa 0.4842.
    table = [[0, 4, 1], [0, 8, 0], [0, 1, 5]]
    sas = [
        (row, column) for row, counts in enumerate(table) for column, count in enumerate(counts) for _ in range(count)
    ]
    assert kappa(sas, ordinal=False) == pytest.approx(0.4842, abs=5e-5)


def test_kappa_matches_its_definition_computed_with_numpy() -> None:
    generator = random.Random(22)
    for _ in range(50):
        scale = generator.randint(2, 10)
        before = [generator.randint(0, scale - 1) for _ in range(generator.randint(2, 40))]
        pairs = [(b, min(scale - 1, max(0, b + generator.choice((-2, -1, 0, 0, 0, 1))))) for b in before]
        for ordinal, weights in ((True, "quadratic"), (False, "none")):
            if len({place for pair in pairs for place in pair}) == 1:  # one place in both rounds: undefined
                assert kappa(pairs, ordinal=ordinal) is None
                continue
            assert kappa(pairs, ordinal=ordinal) == pytest.approx(kappa_by_matrices(pairs, scale, weights))


def test_kappa_of_no_change_and_when_undefined() -> None:
    assert kappa([(1, 1), (5, 5), (9, 9)], ordinal=True) == 1.0
    assert kappa([(7, 7), (7, 7)], ordinal=True) is None  # chance alone agrees perfectly: undefined
    assert kappa([], ordinal=True) is None
    # Everyone moving one point in a spread panel still agrees far beyond chance; a reversal disagrees.
    shifted = kappa([(p, p + 1) for p in range(1, 9)], ordinal=True)
    assert shifted is not None and 0.8 < shifted < 1
    reversed_kappa = kappa([(p, 10 - p) for p in range(1, 10)], ordinal=True)
    assert reversed_kappa is not None and reversed_kappa < 0
