"""The optional parts of the data contract: what a territory collects beyond its
partners' actions, money and impacts. A campaign turns a part on (``parts`` in
``campaigns.yaml``); a campaign that does not sees nothing of it: its template
has no such column, and what a partner types there anyway is not kept."""

from __future__ import annotations

from typing import Literal

Part = Literal["jobs", "self_assessment", "roadmap"]
"""jobs: jobs and activities each action creates (columns of the Actions sheet);
self_assessment: each partner's maturity on seven themes (a sheet); roadmap: the
territory's roadmap and where its milestones stand, in the campaign's report (no
column or sheet: its figures come from the warehouse, the partner registry and the
steward's workbook, ``reference/roadmap.yaml``)."""

BY_COMMUNE: frozenset[Part] = frozenset({"jobs"})
"""The parts whose figures are counted by the commune each action names: there, a
commune the reference does not identify is told to the partner."""
