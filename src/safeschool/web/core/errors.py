"""What a user reads when an action is refused."""

from django.core.exceptions import PermissionDenied


def reason(exc: Exception) -> str:
    """A PermissionDenied's message, or a ValidationError's messages joined, as one line for a page or a message."""
    return str(exc) if isinstance(exc, PermissionDenied) else " ".join(exc.messages)
