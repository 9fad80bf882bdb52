"""The daily follow-up of a campaign: who is up to date, missing, late or rejected."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any, Literal

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from climate_contract import aggregate, warehouse
from climate_contract.reference import Campaign, ReferenceData
from climate_contract.report.mail import Mail, record_once, written
from climate_contract.report.partner import answer_path
from climate_contract.safe_text import write_spreadsheet_csv
from climate_contract.settings import Settings
from climate_contract.wording import Wording, local_time

FOLLOW_UP_HEADERS = (
    "Partenaire",
    "Identifiant",
    "Situation",
    "En retard",
    "Contact",
    "Dernier envoi (heure de Paris)",
    "Dernier fichier",
    "Erreurs",
    "Avertissements",
    "Dernier rapport",
)
State = Literal["a_jour", "attendu", "en_retard", "rejete_sans_nouvel_envoi"]
STATE_LABELS: dict[str, Wording] = {
    "a_jour": Wording("À jour : fichier accepté", "Up to date: file accepted"),
    "attendu": Wording(
        "Attendu : rien reçu, échéance non passée", "Expected: nothing received, deadline ahead"
    ),
    "en_retard": Wording(
        "En retard : aucun fichier accepté à l'échéance",
        "Late: no file accepted by the deadline",
    ),
    "rejete_sans_nouvel_envoi": Wording(
        "Rejeté : dernier fichier refusé, pas de nouvel envoi",
        "Rejected: last file refused, none sent since",
    ),
}
REMINDED_STATES = frozenset({"en_retard", "rejete_sans_nouvel_envoi"})


@dataclass(frozen=True)
class FollowUp:
    campaign_id: str
    checked_on: date
    partner_id: str
    partner_name: str
    state: State
    late: bool
    latest_status: str | None
    latest_file_name: str | None
    latest_error_count: int
    latest_warning_count: int = 0
    last_received_at: datetime | None = None
    """When the latest file arrived (UTC)."""
    contact: str = ""
    latest_report: str | None = None
    """The answer to the latest file in the partner's outbox, while it is there."""

    def as_dict(self) -> dict[str, Any]:
        received = self.last_received_at
        return asdict(self) | {
            "checked_on": self.checked_on.isoformat(),
            "last_received_at": received.isoformat() if received else None,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> FollowUp:
        received = data.get("last_received_at")
        return cls(
            **data
            | {
                "checked_on": date.fromisoformat(data["checked_on"]),
                "last_received_at": datetime.fromisoformat(received) if received else None,
            }
        )


@dataclass(frozen=True, kw_only=True)
class Reminder(Mail):
    campaign_id: str
    partner_id: str
    state: State
    checked_on: date


def is_watched(campaign: Campaign, today: date, days_after_deadline: int) -> bool:
    """A campaign is followed daily from its opening until some days past its deadline,
    and no longer once it is closed."""
    last_day = campaign.deadline + timedelta(days=days_after_deadline)
    if campaign.closed_on is not None:
        last_day = min(last_day, campaign.closed_on)
    return campaign.opens_on <= today <= last_day


def _state(row: sa.Row) -> State:
    if row.accepted:
        return "a_jour"
    if row.latest_status == "rejected":
        return "rejete_sans_nouvel_envoi"
    return "en_retard" if row.late else "attendu"


def campaign_follow_up(
    settings: Settings, reference: ReferenceData, campaign_id: str, today: date
) -> list[FollowUp]:
    """Every expected partner's state on ``today`` (a run's logical date), computed
    afresh from the ledger as it stood that day (the campaign_coverage model, run as
    a query rather than read from the mart): a re-run gives the same answer."""
    reference.campaign(campaign_id)  # UnknownReference names the declared ones
    rows = aggregate.query_model(settings, "campaign_coverage", today)
    follow_ups = []
    for row in rows:
        if row.campaign_id != campaign_id or not row.expected:
            continue
        partner = reference.partner(row.partner_id)
        report = None
        if row.latest_file_name is not None:
            outbox = settings.shared_folder("outbox", row.partner_id)
            answer = answer_path(
                outbox, row.last_received_at, row.latest_file_name, partner.language, "report"
            )
            report = str(answer) if answer.is_file() else None
        follow_ups.append(
            FollowUp(
                campaign_id=campaign_id,
                checked_on=today,
                partner_id=row.partner_id,
                partner_name=row.partner_name or row.partner_id,
                state=_state(row),
                late=bool(row.late),
                latest_status=row.latest_status,
                latest_file_name=row.latest_file_name,
                latest_error_count=int(row.latest_error_count),
                latest_warning_count=int(row.latest_warning_count),
                last_received_at=row.last_received_at,
                contact=partner.contact,
                latest_report=report,
            )
        )
    return follow_ups


def write_follow_up(engine: Engine, follow_ups: list[FollowUp], folder: Path) -> Path:
    """Store today's follow-up in the warehouse (replacing today's earlier one) and as a
    CSV file for the steward; return the file."""
    if not follow_ups:
        raise ValueError("no partner is expected in this campaign")
    first = follow_ups[0]
    table = warehouse.campaign_follow_up
    with engine.begin() as connection:
        connection.execute(
            table.delete().where(
                table.c.campaign_id == first.campaign_id, table.c.checked_on == first.checked_on
            )
        )
        stored = [column.name for column in table.columns]
        connection.execute(
            table.insert(), [{name: getattr(f, name) for name in stored} for f in follow_ups]
        )
    return write_spreadsheet_csv(
        folder / f"suivi-{first.campaign_id}-{first.checked_on.isoformat()}.csv",
        FOLLOW_UP_HEADERS,
        (
            [
                follow_up.partner_name,
                follow_up.partner_id,
                STATE_LABELS[follow_up.state].fr,
                "oui" if follow_up.late else "non",
                follow_up.contact,
                local_time(follow_up.last_received_at),
                follow_up.latest_file_name or "",
                follow_up.latest_error_count,
                follow_up.latest_warning_count,
                follow_up.latest_report or "",
            ]
            for follow_up in sorted(follow_ups, key=lambda f: (f.state, f.partner_id))
        ),
    )


def reminders_for(follow_ups: list[FollowUp], reference: ReferenceData) -> list[Reminder]:
    """A reminder, in the partner's language, to each partner who is late or whose last
    file was rejected."""
    campaigns = {campaign.id: campaign for campaign in reference.campaigns}
    reminders = []
    for follow_up in follow_ups:
        if follow_up.state not in REMINDED_STATES:
            continue
        partner = reference.partner(follow_up.partner_id)
        campaign = campaigns[follow_up.campaign_id]
        subject, body = written(
            f"reminder_{follow_up.state}",
            partner.language,
            partner=partner,
            campaign=campaign,
            follow_up=follow_up,
        )
        reminders.append(
            Reminder(
                to=partner.contact,
                subject=subject,
                body=body,
                campaign_id=follow_up.campaign_id,
                partner_id=partner.id,
                state=follow_up.state,
                checked_on=follow_up.checked_on,
            )
        )
    return reminders


def record_reminder(engine: Engine, reminder: Reminder, recorded_at: datetime) -> bool:
    """Whether to send ``reminder``: False when it was sent for its day already."""
    return record_once(
        engine,
        warehouse.reminders,
        {
            "campaign_id": reminder.campaign_id,
            "partner_id": reminder.partner_id,
            "state": reminder.state,
            "checked_on": reminder.checked_on,
        },
        {"recipient": reminder.to, "recorded_at": recorded_at},
    )
