"""The optional parts of the data contract: what a territory collects beyond its
partners' actions, money and impacts. A campaign turns a part on (``parts`` in
``campaigns.yaml``); a campaign that does not sees nothing of it: its template
has no such column, and what a partner types there anyway is not kept."""

from __future__ import annotations

from typing import Literal

from climate_contract.wording import Wording

Part = Literal["jobs"]

PART_TITLES: dict[Part, Wording] = {
    "jobs": Wording(
        "Emplois et activités créés (développement local)",
        "Jobs and activities created (local development)",
    ),
}
