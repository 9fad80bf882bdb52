"""E-mails to partners: reminders of the daily follow-up and the answer to each file.

Each is written from a text template in the partner's language, whose first line
is the subject, and recorded in the warehouse before it is sent, so that a retried
task or a repeated run never sends it twice.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from html import escape
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from jinja2 import Environment, PackageLoader, StrictUndefined
from sqlalchemy.engine import Engine

from climate_contract import warehouse
from climate_contract.load import LedgerEntry
from climate_contract.reference import Campaign, Partner
from climate_contract.wording import Language, local_time

_texts = Environment(
    loader=PackageLoader("climate_contract.report"),
    undefined=StrictUndefined,
    keep_trailing_newline=True,
)
_texts.filters["local_time"] = local_time


@dataclass(frozen=True, kw_only=True)
class Mail:
    to: str
    subject: str
    body: str
    attachments: tuple[Path, ...] = ()

    @property
    def html(self) -> str:
        """The body as HTML paragraphs, for mailers that send HTML only."""
        return "".join(f"<p>{escape(paragraph)}</p>" for paragraph in self.body.split("\n\n"))


def written(template: str, language: Language, **context: Any) -> tuple[str, str]:
    """The subject and body of ``template`` in ``language``, said with ``context``."""
    text = _texts.get_template(f"{template}.{language}.txt.j2").render(**context)
    subject, _, body = text.partition("\n\n")
    return subject.strip(), body


@dataclass(frozen=True, kw_only=True)
class AnswerMail(Mail):
    """The answer to one submission, with the partner's report attached."""

    submission_id: str
    partner_id: str


def answer_mail(
    partner: Partner, campaign: Campaign, entry: LedgerEntry, attachments: tuple[Path, ...]
) -> AnswerMail:
    """The answer to the submission ``entry`` of the ledger, ``attachments`` attached."""
    subject, body = written(
        "answer_rejected" if entry.status == "rejected" else "answer_accepted",
        partner.language,
        partner=partner,
        campaign=campaign,
        file_name=entry.file_name,
        received_at=entry.received_at,
        superseded=entry.status == "superseded",
        error_count=entry.error_count,
        warning_count=entry.warning_count,
        attached=[path.name for path in attachments],
    )
    return AnswerMail(
        to=partner.contact,
        subject=subject,
        body=body,
        attachments=attachments,
        submission_id=entry.submission_id,
        partner_id=partner.id,
    )


def record_answer_mail(engine: Engine, mail: AnswerMail, recorded_at: datetime) -> bool:
    return record_once(
        engine,
        warehouse.answer_mails,
        {"submission_id": mail.submission_id},
        {"partner_id": mail.partner_id, "recipient": mail.to, "recorded_at": recorded_at},
    )


def record_once(
    engine: Engine, table: sa.Table, key: Mapping[str, Any], values: Mapping[str, Any]
) -> bool:
    """Record a mail before it is sent, in its own transaction; False when ``key``
    was recorded already (by an earlier try or run): not to send again."""
    try:
        with engine.begin() as connection:
            known = connection.execute(
                sa.select(sa.func.count()).where(*(table.c[k] == v for k, v in key.items()))
            ).scalar_one()
            if known:
                return False
            connection.execute(table.insert(), {**key, **values})
    except sa.exc.IntegrityError:
        return False  # another run recorded it at the same moment
    return True
