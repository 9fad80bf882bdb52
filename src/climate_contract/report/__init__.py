"""What the pipeline tells people: partners' reports and annotated workbooks, the
steward's campaign follow-up, and partner reminders."""

from climate_contract.report.campaign import (
    FollowUp,
    Reminder,
    campaign_follow_up,
    is_watched,
    record_reminder,
    reminders_for,
    write_follow_up,
)
from climate_contract.report.partner import Feedback, write_annotated_copy, write_report

__all__ = [
    "Feedback",
    "FollowUp",
    "Reminder",
    "campaign_follow_up",
    "is_watched",
    "record_reminder",
    "reminders_for",
    "write_annotated_copy",
    "write_follow_up",
    "write_report",
]
