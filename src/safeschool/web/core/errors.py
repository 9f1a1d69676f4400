"""What a user reads when an action is refused."""

from django.core.exceptions import PermissionDenied, ValidationError


def reason(exc: Exception) -> str:
    """A PermissionDenied's message, or a ValidationError's messages joined, as one line for a page or a message."""
    return str(exc) if isinstance(exc, PermissionDenied) else " ".join(exc.messages)


def add_to_form(form, exc: Exception) -> None:
    """A refused action's errors on the form: a ValidationError's per-field messages beside their fields (those
    the form does not have, and everything else, at the top)."""
    if isinstance(exc, PermissionDenied):
        form.add_error(None, str(exc))
    elif hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


def submitted(request, form, act):
    """A valid POSTed form's cleaned data handed to `act` (a service call that returns the response, usually a
    redirect). None when the page is shown again: not a POST, the form's errors, or the service's refusal, which
    goes on the form."""
    if request.method == "POST" and form.is_valid():
        try:
            return act(form.cleaned_data)
        except (PermissionDenied, ValidationError) as exc:
            add_to_form(form, exc)
    return None
