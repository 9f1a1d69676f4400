"""Thin views for the network: join, my profile (level, visibility, consents, export, erase), the directory."""

import json

from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from safeschool.vocabulary import MIN_CELL
from safeschool.web.accounts.ratelimit import client_ip, too_many
from safeschool.web.core.errors import add_to_form
from safeschool.web.core.permissions import authorize
from safeschool.web.network import selectors, services
from safeschool.web.network.access import member_required
from safeschool.web.network.forms import (
    ConsentWithdrawForm,
    DirectoryFilter,
    JoinForm,
    ParentalConsentForm,
    ProfileForm,
)
from safeschool.web.network.models import ConsentText

JOIN_LIMIT = (5, 3600)  # sign-ups per address per hour
DIRECTORY_FIELDS = ("newsletters", "in_directory", "show_organisation", "show_country", "show_type", "show_topics")


def _profile(d: dict) -> dict:
    """The join form's profile, consent and directory choices as the services take them."""
    fields = ("display_name", "stakeholder_type", "sector", "country", "organisation", "languages", "topics", "level",
              "birth_year", "consent", "consent_version")
    return {k: d[k] for k in fields} | {"directory": {k: d[k] for k in DIRECTORY_FIELDS}}


def home(request):
    return render(request, "network/home.html", {"counts": selectors.network_counts(), "small": MIN_CELL})


def join(request):
    text = selectors.consent_text_current(ConsentText.Kind.MEMBERSHIP)
    signed_in = request.user.is_authenticated
    if signed_in and hasattr(request.user, "member"):
        return redirect("network:me")
    form = JoinForm(request.POST or None, initial={"consent_version": text.version}, signed_in=signed_in)
    if request.method == "POST" and signed_in:
        if form.is_valid():
            d = form.cleaned_data
            try:
                services.member_profile_create(user=request.user, **_profile(d))
            except ValidationError as exc:
                add_to_form(form, exc)
            else:
                return redirect("network:me")
    elif request.method == "POST":
        if too_many("join", client_ip(request), limit=JOIN_LIMIT[0], window=JOIN_LIMIT[1]):
            return render(request, "core/429.html", status=429, context={
                "message": _("There have been too many sign-ups from this address in a short time.")})
        if form.is_valid():
            d = form.cleaned_data
            try:
                member = services.member_join(username=d["username"], password=d["password"], email=d["email"],
                                              **_profile(d))
            except ValidationError as exc:
                add_to_form(form, exc)
            else:
                login(request, member.user, backend="django.contrib.auth.backends.ModelBackend")
                return redirect("network:me")
    return render(request, "network/join.html", {"form": form, "text": text}, status=400 if form.errors else 200)


@login_required
def me(request):
    if not hasattr(request.user, "member"):
        return redirect("network:join")  # signed in without a network profile: complete one first
    authorize(request.user, "network.edit_profile")
    member = request.user.member
    form = ProfileForm.for_member(member, request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = dict(form.cleaned_data)
        level = d.pop("level")
        try:
            services.member_update(member=member, **d)
            services.level_change(member=member, level=level)
        except ValidationError as exc:
            add_to_form(form, exc)
        else:
            messages.success(request, _("Your profile has been saved."))
            return redirect("network:me")
    return _me_page(request, member, form, ParentalConsentForm(), status=400 if form.errors else 200)


def _me_page(request, member, form, parental_form, status: int):
    return render(request, "network/me.html", {
        "member": member, "form": form, "parental_form": parental_form, "consent": selectors.consent_status(member),
        "membership_text": selectors.consent_text_current(ConsentText.Kind.MEMBERSHIP),
        "parental_text": selectors.consent_text_current(ConsentText.Kind.PARENTAL)}, status=status)


@login_required
@member_required
@require_http_methods(["GET", "POST"])
def consent(request, kind: str, action: str):
    """Give a consent (one button) or withdraw it (a page that says what stops, and a ticked box to confirm: no
    script needed). Withdrawing stays as easy as giving: one confirmation, no reason asked."""
    authorize(request.user, "network.edit_profile")
    member = request.user.member
    if kind not in ConsentText.Kind.values or action not in ("give", "withdraw"):
        return redirect("network:me")
    if action == "withdraw":
        form = ConsentWithdrawForm(request.POST if request.method == "POST" else None)
        if request.method == "POST" and form.is_valid():
            services.consent_withdraw(member=member, kind=kind)
            messages.success(request, _("Your consent has been withdrawn. You can give it again at any time."))
            return redirect("network:me")
        return render(request, "network/consent_withdraw.html", {"form": form, "kind": kind},
                      status=400 if form.errors else 200)
    if request.method != "POST":
        return redirect("network:me")
    if kind == ConsentText.Kind.PARENTAL:
        form = ParentalConsentForm(request.POST)
        if not form.is_valid():
            return _me_page(request, member, ProfileForm.for_member(member), form, status=400)
        services.consent_give(member=member, kind=kind, given_by=form.cleaned_data["given_by"])
    else:
        services.consent_give(member=member, kind=kind)
    messages.success(request, _("Thank you: your consent has been recorded."))
    return redirect("network:me")


@login_required
@member_required
def export(request):
    authorize(request.user, "network.edit_profile")
    payload = json.dumps(selectors.member_export(user=request.user), indent=2, ensure_ascii=False)
    response = HttpResponse(payload, content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="my-safeschool-data.json"'
    return response


@login_required
@member_required
def erase(request):
    authorize(request.user, "network.edit_profile")
    if request.method == "POST" and request.POST.get("confirm") == request.user.username:
        services.member_erase(user=request.user)
        logout(request)
        return render(request, "network/erased.html")
    error = request.method == "POST"
    return render(request, "network/erase.html", {"error": error}, status=400 if error else 200)


@login_required
def members(request):
    authorize(request.user, "network.view_directory")
    form = DirectoryFilter(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    return render(request, "network/members.html", {
        "form": form, "rows": selectors.directory(**{k: v for k, v in filters.items() if v})})
