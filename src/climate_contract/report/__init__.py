"""What the pipeline tells people: the steward's campaign follow-up and partner reminders."""

from climate_contract.report.campaign import (
    FollowUp,
    Reminder,
    campaign_follow_up,
    is_watched,
    reminders_for,
    write_follow_up,
)

__all__ = [
    "FollowUp",
    "Reminder",
    "campaign_follow_up",
    "is_watched",
    "reminders_for",
    "write_follow_up",
]
