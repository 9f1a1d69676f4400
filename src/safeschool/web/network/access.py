"""Acting as a network member: a page sends a signed-in account without a network profile (an administrator, a
researcher) to create one, with a message; a service refuses it with its reason. Neither fails on `user.member`."""

from __future__ import annotations

import functools

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect

NEEDS_PROFILE = "This needs a network profile: create yours first (it takes a minute)."


def member_required(view):
    """For views behind login_required: redirect to network:join when the user has no network profile."""

    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        if getattr(request.user, "member", None) is None:
            messages.info(request, NEEDS_PROFILE)
            return redirect("network:join")
        return view(request, *args, **kwargs)

    return wrapped


def member_or_refuse(user, reason: str):
    """The user's network profile; PermissionDenied(reason) when they have none."""
    member = getattr(user, "member", None)
    if member is None:
        raise PermissionDenied(reason)
    return member
