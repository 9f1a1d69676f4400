"""Login, password change and password reset, all with Django's own views.

Every login form (this site's and the admin's) goes through `login_throttled`: failed attempts are counted per
normalised username and per client address in the shared cache, and a locked username is unlocked by resetting
its password by e-mail.
"""

from __future__ import annotations

import functools

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.shortcuts import render
from django.urls import reverse_lazy

from safeschool.web.accounts.ratelimit import (
    client_ip,
    login_blocked,
    login_failure_record,
    login_failures_clear,
    too_many,
)

RESET_LIMIT = (5, 900)  # reset e-mails asked for from one address in 15 minutes


def login_throttled(view):
    """Wrap a login view: refuse (429) while the username or the address is locked; count a POST that shows the
    form again (a failed login) against both. A successful login redirects and counts nothing."""

    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        if request.method != "POST":
            return view(request, *args, **kwargs)
        username, address = request.POST.get("username", ""), client_ip(request)
        if login_blocked(username=username, address=address):
            return render(request, "accounts/login_throttled.html", status=429)
        response = view(request, *args, **kwargs)
        if response.status_code == 200:
            login_failure_record(username=username, address=address)
        return response

    return wrapped


login = login_throttled(auth_views.LoginView.as_view(template_name="accounts/login.html"))
admin_login = login_throttled(admin.site.login)


class PasswordResetView(auth_views.PasswordResetView):
    template_name = "accounts/password_reset_form.html"
    email_template_name = "accounts/password_reset_email.txt"
    subject_template_name = "accounts/password_reset_subject.txt"
    success_url = reverse_lazy("accounts:password_reset_done")

    def post(self, request, *args, **kwargs):
        if too_many("password-reset", client_ip(request), limit=RESET_LIMIT[0], window=RESET_LIMIT[1]):
            return render(request, "core/429.html", {"what": "password reset requests"}, status=429)
        return super().post(request, *args, **kwargs)


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("accounts:password_reset_complete")

    def form_valid(self, form):
        # the owner proved who they are: failed logins by someone else no longer lock them out
        login_failures_clear(username=form.user.get_username())
        return super().form_valid(form)
