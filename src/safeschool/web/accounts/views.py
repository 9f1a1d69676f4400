"""Login, password change and password reset, all with Django's own views; the language switcher and the
language kept in the profile.

Every login form (this site's and the admin's) goes through `login_throttled`: failed attempts are counted per
normalised username and per client address in the shared cache, and a locked username is unlocked by resetting
its password by e-mail.
"""

from __future__ import annotations

import functools

from django.conf import settings
from django.contrib import admin, messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils import translation
from django.utils.translation import gettext
from django.views import i18n
from django.views.decorators.http import require_POST

from safeschool.web.accounts.forms import LanguageForm, PasswordResetForm
from safeschool.web.accounts.ratelimit import (
    client_ip,
    login_blocked,
    login_failure_record,
    login_failures_clear,
    too_many,
)
from safeschool.web.accounts.selectors import profile_language
from safeschool.web.accounts.services import profile_language_set

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
    form_class = PasswordResetForm  # the e-mail in the account holder's language
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


class PasswordChangeView(auth_views.PasswordChangeView):
    """The account page: the password, and the language kept in the profile."""

    template_name = "accounts/password_change_form.html"
    success_url = reverse_lazy("accounts:password_change_done")

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            language_form=LanguageForm(initial={"language": profile_language(self.request.user)}), **kwargs)


@require_POST
def set_language(request):
    """The switcher: Django's set_language (cookie, then back to `next`); signed in, the choice is also saved to the
    profile so that the next login anywhere is in that language. An unknown code is refused."""
    language = request.POST.get("language", "")
    if language not in dict(settings.LANGUAGES):
        return HttpResponseBadRequest(gettext("That language is not offered here."))
    if request.user.is_authenticated:
        profile_language_set(user=request.user, language=language)
    return i18n.set_language(request)


@login_required
@require_POST
def language_preference(request):
    """Save the profile's language from the account page; 'follow my browser' also forgets the switcher's cookie."""
    form = LanguageForm(request.POST)
    if not form.is_valid():
        return HttpResponseBadRequest(gettext("That language is not offered here."))
    language = form.cleaned_data["language"]
    profile_language_set(user=request.user, language=language)
    response = redirect("accounts:password_change")
    if language:
        response.set_cookie(settings.LANGUAGE_COOKIE_NAME, language, max_age=settings.LANGUAGE_COOKIE_AGE,
                            samesite=settings.LANGUAGE_COOKIE_SAMESITE, secure=settings.LANGUAGE_COOKIE_SECURE)
    else:
        response.delete_cookie(settings.LANGUAGE_COOKIE_NAME)
    with translation.override(language or translation.get_language_from_request(request)):
        messages.success(request, gettext("Your language is saved."))
    return response
