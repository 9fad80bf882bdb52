"""What the pipeline tells people: partners' reports and annotated workbooks, the
steward's campaign follow-up, partner reminders, and the campaign report for
elected officials."""

from climate_contract.lazy import lazy_surface
from climate_contract.wording import Wording

REPORT_NAME = Wording("rapport", "report")
"""The campaign report's file name in each language (``rapport.html``...); here, not
in ``officials``, so that saying where reports are imports no template engine."""

__all__, __getattr__ = lazy_surface(
    __name__,
    {
        "campaign": (
            "FollowUp",
            "Reminder",
            "campaign_follow_up",
            "is_watched",
            "record_reminder",
            "reminders_for",
            "write_follow_up",
        ),
        "exports": ("export_documents",),
        "mail": ("AnswerMail", "Mail", "answer_mail", "record_answer_mail"),
        "officials": ("Publication", "campaign_report", "report_documents"),
        "partner": ("Feedback", "answer_path", "write_annotated_copy", "write_report"),
    },
)
