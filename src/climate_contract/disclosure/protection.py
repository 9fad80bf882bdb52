"""How closely published sums pin down confidential contributions.

Someone who knows every published sum, and every public contribution, can
bound each confidential one: the smallest and largest values consistent with
everything published are the optima of two linear programmes (solved by HiGHS
through SciPy). A contribution is protected when that interval reaches at least
``protection_share`` of its value on each side. The attacker is granted the
sign of each unknown: amounts are not negative, and what an action delivers is
taken as known to be a gain or a loss.

What is protected: each partner's confidential contributions that no published
sum tells apart, and each partner's share of each published sum; against an
outsider, and against each other partner of the same sums, who knows its own
contributions exactly and subtracts them (the insider).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.optimize import linprog


@dataclass(frozen=True)
class Exposure:
    """A partner's confidential figure pinned closer than the protection interval
    (by ``insider``, knowing its own figures, or by anyone when None)."""

    partner_id: str
    contributions: frozenset[int]
    lowest: float
    highest: float
    value: float
    insider: str | None = None


def exposures(
    contributions: pd.DataFrame, published: Sequence[frozenset[int]], protection_share: float
) -> list[Exposure]:
    """Every confidential figure the ``published`` sums (each a set of row numbers
    of ``contributions``, confidential ones only) pin down."""
    equations_of: dict[int, set[int]] = defaultdict(set)
    for equation, members in enumerate(published):
        for row in members:
            equations_of[row].add(equation)
    partners = contributions["partner_id"].to_numpy()
    values = contributions["value"].to_numpy(dtype=float)
    # Contributions that no published sum separates are one unknown.
    unknowns: dict[tuple[str, frozenset[int]], list[int]] = defaultdict(list)
    for row, equations in equations_of.items():
        unknowns[(partners[row], frozenset(equations))].append(row)
    found: dict[tuple[str, frozenset[int]], Exposure] = {}
    for component in _components(list(unknowns)):
        for insider in (None, *sorted({partner for partner, _ in component})):
            for exposure in _component_exposures(
                component, unknowns, values, protection_share, insider
            ):
                found.setdefault((exposure.partner_id, exposure.contributions), exposure)
    return list(found.values())


def _components(
    unknowns: list[tuple[str, frozenset[int]]],
) -> list[list[tuple[str, frozenset[int]]]]:
    """Unknowns grouped by the published sums that link them (solved apart)."""
    parent = list(range(len(unknowns)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    first_with: dict[int, int] = {}
    for i, (_, equations) in enumerate(unknowns):
        for equation in equations:
            j = first_with.setdefault(equation, i)
            parent[root(i)] = root(j)
    groups: dict[int, list[tuple[str, frozenset[int]]]] = defaultdict(list)
    for i, unknown in enumerate(unknowns):
        groups[root(i)].append(unknown)
    return list(groups.values())


def _component_exposures(
    component: list[tuple[str, frozenset[int]]],
    unknowns: dict[tuple[str, frozenset[int]], list[int]],
    values: np.ndarray,
    protection_share: float,
    insider: str | None,
) -> list[Exposure]:
    equations = sorted(set().union(*(equations for _, equations in component)))
    matrix = np.array(
        [[equation in unknown[1] for unknown in component] for equation in equations], dtype=float
    )
    truth = np.array([values[unknowns[unknown]].sum() for unknown in component])
    bounds = [
        (value, value) if partner == insider else (0, None) if value >= 0 else (None, 0)
        for (partner, _), value in zip(component, truth, strict=True)
    ]
    figures: dict[tuple[int, ...], str] = {}
    for i, (partner, _) in enumerate(component):
        figures[(i,)] = partner
    for equation in equations:
        by_partner: dict[str, list[int]] = defaultdict(list)
        for i, (partner, unknown_equations) in enumerate(component):
            if equation in unknown_equations:
                by_partner[partner].append(i)
        for partner, members in by_partner.items():
            figures[tuple(members)] = partner
    found = []
    for members, partner in figures.items():
        if partner == insider:
            continue
        weights = np.zeros(len(component))
        weights[list(members)] = 1
        value = float(weights @ truth)
        if abs(value) < 1e-9:
            continue
        lowest, highest = (
            _optimum(sign * weights, matrix, matrix @ truth, bounds) * sign for sign in (1, -1)
        )
        margin = protection_share * abs(value)
        tolerance = 1e-7 * max(1.0, abs(value))
        if lowest > value - margin + tolerance or highest < value + margin - tolerance:
            rows = frozenset(row for i in members for row in unknowns[component[i]])
            found.append(Exposure(partner, rows, lowest, highest, value, insider))
    return found


def _optimum(
    objective: np.ndarray,
    matrix: np.ndarray,
    sums: np.ndarray,
    bounds: list[tuple[float | None, float | None]],
) -> float:
    """The least value of ``objective · x`` over the published sums; -inf when none."""
    result = linprog(objective, A_eq=matrix, b_eq=sums, bounds=bounds, method="highs")
    if result.status == 3:
        return -np.inf
    if result.status != 0:
        raise RuntimeError(f"the disclosure audit could not be solved: {result.message}")
    return float(result.fun)
