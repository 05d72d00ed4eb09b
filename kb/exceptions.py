"""Domain errors. Each carries a message fit to show an editor as it is."""

from __future__ import annotations


class KBError(Exception):
    """Base class: something the editorial rules do not allow."""

    def __init__(self, message: str, *, problems: list[str] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.problems = problems or []

    def __str__(self) -> str:
        if not self.problems:
            return self.message
        return self.message + " " + "; ".join(self.problems)


class TransitionNotAllowed(KBError):
    """The revision or condition is not in a state that allows this move."""


class NotPermitted(KBError):
    """The person lacks the permission the move needs."""


class FourEyesViolation(NotPermitted):
    """I3: nobody approves a revision they created or edited."""


class ImmutableRevision(KBError):
    """I2: approved revisions, their sections and citations never change."""


class AppendOnly(KBError):
    """I4: the workflow log and the reviews are never changed or deleted."""


class StaleEdit(KBError):
    """I6: someone else saved this draft after it was opened; nothing was overwritten."""


class ContentProblems(KBError):
    """The content cannot go forward until the listed problems are fixed (e.g. I7)."""
