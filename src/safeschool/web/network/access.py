"""Pages that act as a network member: a signed-in account without a network profile (an administrator, a
researcher) is sent to create one, with a message, instead of failing on `user.member`."""

from __future__ import annotations

import functools

from django.contrib import messages
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
