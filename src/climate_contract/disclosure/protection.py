"""How closely published sums pin down confidential contributions.

Someone who knows every published sum, and every public contribution, can
bound each confidential one: the smallest and largest values consistent with
everything published are the optima of two linear programmes (HiGHS). A
contribution is protected when that interval reaches at least
``protection_share`` of its value on each side. The attacker is granted the
sign of each unknown: amounts are not negative, and what an action delivers is
taken as known to be a gain or a loss.

An answer on a scale (a maturity level: columns ``scale_lowest`` and
``scale_highest`` of the contributions) is bounded by the scale's ends, which the
attacker knows too; it is protected when the interval reaches another level than
the answer, one step (1) below or above it: a mean of the scale's top level pins
every answer behind it, and is withheld. The programme is the continuous
relaxation of the levels: an attacker reasoning on whole levels may narrow an
interval further than this audit sees.

What is protected: each partner's confidential contributions that no published
sum tells apart, and each partner's share of each published sum; against an
outsider, and against each other partner of the same sums, who knows its own
contributions exactly and subtracts them (the insider).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

import highspy
import numpy as np
import pandas as pd
from scipy import sparse

from climate_contract.contract import SCALE_ENDS


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
    scales = [
        contributions[column].to_numpy(dtype=float)
        if column in contributions
        else np.full(len(contributions), np.nan)
        for column in SCALE_ENDS
    ]
    # Contributions that no published sum separates are one unknown.
    unknowns: dict[tuple[str, frozenset[int]], list[int]] = defaultdict(list)
    for row, equations in equations_of.items():
        unknowns[(partners[row], frozenset(equations))].append(row)
    found: dict[tuple[str, frozenset[int]], Exposure] = {}
    for component in _components(list(unknowns)):
        for exposure in _component_exposures(component, unknowns, values, scales, protection_share):
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


def _figures(component: list[tuple[str, frozenset[int]]]) -> list[tuple[list[int], str]]:
    """Each partner's unknowns one by one, and its share of each published sum."""
    figures: dict[tuple[int, ...], str] = {
        (i,): partner for i, (partner, _) in enumerate(component)
    }
    shares: dict[int, dict[str, list[int]]] = defaultdict(lambda: defaultdict(list))
    for i, (partner, equations) in enumerate(component):
        for equation in equations:
            shares[equation][partner].append(i)
    for equation in sorted(shares):
        for partner, members in shares[equation].items():
            figures[tuple(members)] = partner
    return [(list(members), partner) for members, partner in figures.items()]


SCALE_STEP = 1.0
"""How far from an answer on a scale the interval must reach: the next level."""


def _component_exposures(
    component: list[tuple[str, frozenset[int]]],
    unknowns: dict[tuple[str, frozenset[int]], list[int]],
    values: np.ndarray,
    scales: list[np.ndarray],
    protection_share: float,
) -> list[Exposure]:
    """The figures of one component pinned by an outsider, then by each of its
    partners as an insider (each figure reported once, for the first who pins it)."""
    truth = np.array([values[unknowns[unknown]].sum() for unknown in component])
    # An unknown's bounds add up its answers' (NaN for amounts: only the sign known).
    lowest, highest = (
        np.array([scale[unknowns[unknown]].sum() for unknown in component]) for scale in scales
    )
    figures = _figures(component)
    weights = sparse.csr_array(
        (
            np.ones(sum(len(members) for members, _ in figures)),
            np.concatenate([members for members, _ in figures]),
            np.cumsum([0, *(len(members) for members, _ in figures)]),
        ),
        shape=(len(figures), len(component)),
    )
    values_of = weights @ truth
    on_scale = np.array([not np.isnan(lowest[members]).any() for members, _ in figures])
    attacker = _Attacker(component, truth, lowest, highest)
    found: dict[int, Exposure] = {}
    for insider in (None, *sorted({partner for partner, _ in component})):
        attacker.knowing(insider)
        seen = _Seen(attacker, figures, weights, values_of, protection_share, on_scale)
        for index, (members, partner) in enumerate(figures):
            if partner == insider or index in found or abs(values_of[index]) < 1e-9:
                continue
            if not seen.pinned(index):
                continue
            for sign in (1.0, -1.0):
                seen.push(index, sign)  # an exposure reports both ends exactly
            rows = frozenset(row for i in members for row in unknowns[component[i]])
            found[index] = Exposure(
                partner,
                rows,
                float(seen.lowest[index]),
                float(seen.highest[index]),
                float(values_of[index]),
                insider,
            )
    return list(found.values())


class _Seen:
    """The least and greatest value of each figure over the points an attacker has
    found consistent with what it knows, the truth first: bounds of each figure's
    interval from inside, so that a figure the optima found for others already
    spread wide enough needs no programme of its own."""

    def __init__(
        self,
        attacker: _Attacker,
        figures: list[tuple[list[int], str]],
        weights: sparse.csr_array,
        values: np.ndarray,
        protection_share: float,
        on_scale: np.ndarray,
    ) -> None:
        self.attacker = attacker
        self.figures = figures
        self.weights = weights
        self.on_scale = on_scale
        margins = np.where(on_scale, SCALE_STEP, protection_share * np.abs(values))
        tolerances = 1e-7 * np.maximum(1.0, np.abs(values))
        self.protected_below = values - margins + tolerances
        self.protected_above = values + margins - tolerances
        self.lowest = values.copy()
        self.highest = values.copy()

    def pinned(self, index: int) -> bool:
        """Whether the figure is pinned closer than its protection, solving only for
        the ends not yet known to reach it: an amount must reach its margin on both
        sides, an answer on a scale another level on either."""
        for sign in (1.0, -1.0):
            if self.on_scale[index] and self._reaches_either(index):
                return False
            if not self.reaches(index, sign):
                self.push(index, sign)
        if self.on_scale[index]:
            return not self._reaches_either(index)
        return not all(self.reaches(index, sign) for sign in (1.0, -1.0))

    def _reaches_either(self, index: int) -> bool:
        return self.reaches(index, 1.0) or self.reaches(index, -1.0)

    def reaches(self, index: int, sign: float) -> bool:
        """Whether the figure's interval is known to reach the protection margin
        below it (``sign`` 1) or above it (-1)."""
        if sign > 0:
            return bool(self.lowest[index] <= self.protected_below[index])
        return bool(self.highest[index] >= self.protected_above[index])

    def push(self, index: int, sign: float) -> None:
        """Solve for the figure's least (``sign`` 1) or greatest (-1) value."""
        point = self.attacker.extreme(self.figures[index][0], sign)
        if point is None:
            (self.lowest if sign > 0 else self.highest)[index] = -sign * np.inf
            return
        reach = self.weights @ point
        np.minimum(self.lowest, reach, out=self.lowest)
        np.maximum(self.highest, reach, out=self.highest)


_DECIDED = (
    highspy.HighsModelStatus.kOptimal,
    # The truth is consistent with everything published: never infeasible.
    highspy.HighsModelStatus.kUnbounded,
    highspy.HighsModelStatus.kUnboundedOrInfeasible,
)


class _Attacker:
    """The published sums of a component as one linear programme, given to HiGHS
    once: between solves only the objective, and the columns the insider knows,
    change (HiGHS starts again from the last basis)."""

    def __init__(
        self,
        component: list[tuple[str, frozenset[int]]],
        truth: np.ndarray,
        lowest: np.ndarray,
        highest: np.ndarray,
    ) -> None:
        equations = sorted(set().union(*(equations for _, equations in component)))
        row_of = {equation: row for row, equation in enumerate(equations)}
        rows = [sorted(row_of[equation] for equation in eqs) for _, eqs in component]
        starts = np.cumsum([0, *(len(r) for r in rows)]).astype(np.int32)
        index = np.array([row for r in rows for row in r], dtype=np.int32)
        sums = np.zeros(len(equations))
        np.add.at(sums, index, np.repeat(truth, np.diff(starts)))
        self.truth = truth
        self.partners = np.array([partner for partner, _ in component])
        self.columns = np.arange(len(component), dtype=np.int32)
        signed = (
            np.where(truth >= 0, 0.0, -highspy.kHighsInf),
            np.where(truth >= 0, highspy.kHighsInf, 0.0),
        )
        self.lower = np.where(np.isnan(lowest), signed[0], lowest)
        self.upper = np.where(np.isnan(highest), signed[1], highest)
        model = highspy.HighsLp()
        model.num_col_ = len(component)
        model.num_row_ = len(equations)
        model.col_cost_ = np.zeros(len(component))
        model.col_lower_ = self.lower
        model.col_upper_ = self.upper
        model.row_lower_ = sums
        model.row_upper_ = sums
        model.a_matrix_.format_ = highspy.MatrixFormat.kColwise
        model.a_matrix_.start_ = starts
        model.a_matrix_.index_ = index
        model.a_matrix_.value_ = np.ones(len(index))
        # The bare solver: ``highspy.Highs`` sets up Python callbacks first, and
        # HiGHS prints its banner to stdout before any option can silence it.
        self.solver = highspy._Highs()
        self.solver.setOptionValue("output_flag", False)
        self.solver.setOptionValue("presolve", "off")
        self.solver.passModel(model)

    def knowing(self, insider: str | None) -> None:
        """From now on, ``insider``'s own figures are known exactly (None: none)."""
        own = self.partners == insider
        self.solver.changeColsBounds(
            len(self.columns),
            self.columns,
            np.where(own, self.truth, self.lower),
            np.where(own, self.truth, self.upper),
        )

    def extreme(self, members: list[int], sign: float) -> np.ndarray | None:
        """A point consistent with everything known where the sum of ``members``
        is least (``sign`` 1) or greatest (-1); None when it is unbounded."""
        cost = np.zeros(len(self.columns))
        cost[members] = sign
        self.solver.changeColsCost(len(self.columns), self.columns, cost)
        self.solver.run()
        status = self.solver.getModelStatus()
        if status not in _DECIDED:
            # Starting from the last basis can leave HiGHS undecided: from scratch.
            self.solver.clearSolver()
            self.solver.run()
            status = self.solver.getModelStatus()
        if status not in _DECIDED:
            raise RuntimeError(
                "the disclosure audit could not be solved: "
                + self.solver.modelStatusToString(status)
            )
        if status != highspy.HighsModelStatus.kOptimal:
            return None
        return np.array(self.solver.getSolution().col_value)
