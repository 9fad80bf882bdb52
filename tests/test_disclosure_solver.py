"""The audit's interval search against the plain one it replaces.

``protection.exposures`` solves one HiGHS model per linked group of figures and
skips a figure when optima found for others already spread it past the
protection margin. A mistake there would let a pinned figure through. Here an
independent attacker, written from the definition (every figure, every attacker,
its least and greatest value by SciPy's ``linprog``, nothing skipped), is run on
random publications, some of which pin figures by construction.
"""

from __future__ import annotations

import random
from collections import defaultdict

import numpy as np
import pandas as pd
import pytest
from scipy.optimize import linprog

from climate_contract.disclosure.protection import exposures

SHARE = 0.1


def _plain_attack(
    contributions: pd.DataFrame, published: list[frozenset[int]]
) -> dict[tuple[str, frozenset[int]], tuple[str | None, float, float]]:
    """For each pinned figure, the first attacker (outsider, then partners in
    order) who pins it, and the interval that attacker finds."""
    rows = sorted(set().union(*published))
    partner = dict(zip(contributions.index, contributions["partner_id"], strict=True))
    value = dict(zip(contributions.index, contributions["value"], strict=True))
    # Rows that no published sum tells apart are one unknown to anyone.
    signature: dict[tuple[str, frozenset[int]], list[int]] = defaultdict(list)
    for row in rows:
        signature[(partner[row], frozenset(i for i, s in enumerate(published) if row in s))].append(
            row
        )
    unknowns = list(signature.values())
    truth = np.array([sum(value[r] for r in unknown) for unknown in unknowns])
    owner = [partner[unknown[0]] for unknown in unknowns]
    matrix = np.array(
        [[float(unknown[0] in members) for unknown in unknowns] for members in published]
    )
    figures: dict[frozenset[int], str] = {}
    for i, unknown in enumerate(unknowns):
        figures[frozenset(unknown)] = owner[i]
    for members in published:
        for someone in {partner[r] for r in members}:
            share = frozenset(r for r in members if partner[r] == someone)
            figures[share] = someone
    pinned: dict[tuple[str, frozenset[int]], tuple[str | None, float, float]] = {}
    for attacker in (None, *sorted(set(owner))):
        bounds = [
            (t, t) if o == attacker else (0, None) if t >= 0 else (None, 0)
            for o, t in zip(owner, truth, strict=True)
        ]
        for figure, someone in figures.items():
            if someone == attacker or (someone, figure) in pinned:
                continue
            weights = np.array([float(unknown[0] in figure) for unknown in unknowns])
            total = float(weights @ truth)
            if abs(total) < 1e-9:
                continue
            ends = []
            for sign in (1, -1):
                result = linprog(
                    sign * weights, A_eq=matrix, b_eq=matrix @ truth, bounds=bounds, method="highs"
                )
                ends.append(-sign * np.inf if result.status == 3 else sign * result.fun)
            margin = SHARE * abs(total) - 1e-7 * max(1.0, abs(total))
            if ends[0] > total - margin or ends[1] < total + margin:
                pinned[(someone, figure)] = (attacker, ends[0], ends[1])
    return pinned


def _publication(seed: int) -> tuple[pd.DataFrame, list[frozenset[int]]]:
    """Random confidential contributions of a few partners, and sums over them;
    some sums differ by a single partner's rows, which pins them."""
    rng = random.Random(seed)
    partners = [f"p{i}" for i in range(rng.randint(3, 6))]
    count = rng.randint(6, 14)
    frame = pd.DataFrame(
        {
            "partner_id": [rng.choice(partners) for _ in range(count)],
            "value": [
                round(rng.uniform(1, 1000) * (-1 if rng.random() < 0.2 else 1), 2)
                for _ in range(count)
            ],
        }
    )
    rows = list(range(count))
    sums = {
        frozenset(rng.sample(rows, rng.randint(count // 2, count)))
        for _ in range(rng.randint(1, 4))
    }
    if rng.random() < 0.5:  # a sum and the same sum less one partner's rows
        base = max(sums, key=len)
        dropped = frame.loc[sorted(base), "partner_id"].iloc[0]
        smaller = frozenset(r for r in base if frame.at[r, "partner_id"] != dropped)
        if smaller:
            sums.add(smaller)
    return frame, sorted(sums, key=sorted)


def test_the_interval_search_pins_exactly_what_the_plain_attack_pins() -> None:
    pinned_somewhere = nothing_pinned = by_insider = 0
    for seed in range(60):
        contributions, published = _publication(seed)
        expected = _plain_attack(contributions, published)
        found = {
            (e.partner_id, e.contributions): (e.insider, e.lowest, e.highest)
            for e in exposures(contributions, published, SHARE)
        }
        assert found.keys() == expected.keys(), seed
        for key, (insider, lowest, highest) in found.items():
            plain_insider, plain_lowest, plain_highest = expected[key]
            assert insider == plain_insider, (seed, key)
            assert lowest == pytest.approx(plain_lowest, rel=1e-6, abs=1e-6), (seed, key)
            assert highest == pytest.approx(plain_highest, rel=1e-6, abs=1e-6), (seed, key)
        pinned_somewhere += bool(found)
        nothing_pinned += not found
        by_insider += any(insider is not None for insider, _, _ in found.values())
    # The random publications exercised every outcome.
    assert pinned_somewhere >= 10
    assert nothing_pinned >= 5
    assert by_insider >= 5


def test_a_three_partner_sum_protects_each_and_its_difference_with_a_two_partner_one_does_not() -> (
    None
):
    contributions = pd.DataFrame({"partner_id": ["a", "b", "c"], "value": [120.5, 340.25, 99.75]})
    everyone, without_c = frozenset({0, 1, 2}), frozenset({0, 1})

    assert exposures(contributions, [everyone], SHARE) == []
    pinned = {
        (e.partner_id, e.insider): (e.lowest, e.highest)
        for e in exposures(contributions, [everyone, without_c], SHARE)
    }

    # Anyone subtracts the sums to find c's figure; a and b each find the other's.
    assert pinned == {
        ("c", None): (pytest.approx(99.75), pytest.approx(99.75)),
        ("a", "b"): (pytest.approx(120.5), pytest.approx(120.5)),
        ("b", "a"): (pytest.approx(340.25), pytest.approx(340.25)),
    }
