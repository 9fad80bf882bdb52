"""What a collection run tells whoever watches it; here, not in the pipeline, so that
the command line can show it without importing the stages."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from climate_contract.pipeline import SubmissionOutcome


class RunProgress:
    """A run's watcher (the command line's progress bar); by default, nobody."""

    def waiting(self, names: list[str]) -> None:
        """Files left in the inboxes because they are still settling."""

    def found(self, count: int) -> None:
        """How many settled files this run takes."""

    def processed(self, outcome: SubmissionOutcome) -> None:
        """One file is done: loaded or answered."""

    def stage(self, name: str) -> None:
        """The run has gone on to ``name`` (marts, publication)."""
