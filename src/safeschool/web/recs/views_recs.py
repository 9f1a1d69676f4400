"""Thin views of RECs and partnerships: name the permission, read through selectors_recs, write through
services_recs, render. Every signed-in user reads; researchers and administrators manage; the partners' own staff
add meetings and (the school's staff) referral counts. An unknown id is 404."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext

from safeschool.web.core.errors import reason, submitted
from safeschool.web.core.ids import int_or_none
from safeschool.web.recs import charts_recs
from safeschool.web.recs import selectors_recs as sel
from safeschool.web.recs import services_recs as services
from safeschool.web.recs.forms_recs import (
    EndForm,
    MeetingForm,
    PartnershipForm,
    RecProfileForm,
    ReferralForm,
    StaffForm,
)

MANAGE = "recs.manage"


def _page(request, template, context, form=None):
    return render(request, template, context, status=400 if form is not None and form.errors else 200)


@login_required
def home(request):
    country = request.GET.get("country", "")
    countries = list(sel.countries())
    if country not in {c.code for c in countries}:
        country = ""
    return render(request, "recs/rec_list.html", {
        "recs": sel.rec_list(user=request.user, country=country), "countries": countries, "country": country,
        "can_manage": sel.may(request.user, MANAGE)})


@login_required
def rec(request, pk: int):
    centre = sel.rec_get(user=request.user, pk=pk)
    return render(request, "recs/rec_detail.html", {
        "rec": centre, **sel.rec_detail(user=request.user, rec=centre), "can_manage": sel.may(request.user, MANAGE)})


@login_required
def rec_edit(request, pk: int):
    centre = sel.rec_get(user=request.user, pk=pk, perm=MANAGE)
    profile = sel.rec_profile(centre)
    members = sel.members()
    action = request.POST.get("action", "profile") if request.method == "POST" else ""
    initial = {"area": profile.area, "services": profile.services, "description": profile.description,
               "website": profile.website} if profile else None
    form = RecProfileForm(request.POST if action == "profile" else None, initial=initial, prefix="profile")
    staff_form = StaffForm(request.POST if action == "staff" else None, members=members, prefix="staff")

    def save_profile(data):
        services.rec_profile_save(user=request.user, rec=centre, **data)
        messages.success(request, gettext("The REC's profile is saved."))
        return redirect("recs:rec", pk=centre.pk)

    def add_staff(data):
        member = members.filter(pk=data["member"]).first() if data["member"] else None
        if data["member"] and member is None:
            raise ValidationError({"member": gettext("Choose a member of the network.")})
        services.rec_staff_add(user=request.user, rec=centre, name=data["name"], role=data["role"], member=member)
        messages.success(request, gettext("The person is added to the staff list."))
        return redirect("recs:rec_edit", pk=centre.pk)

    if action == "remove":
        staff_id = int_or_none(request.POST.get("staff", ""))
        try:
            if staff_id is None:
                raise ValidationError(gettext("This person is not on the REC's staff list."))
            services.rec_staff_remove(user=request.user, rec=centre, staff_id=staff_id)
        except ValidationError as exc:
            messages.error(request, reason(exc))
        else:
            messages.success(request, gettext("The person is removed from the staff list."))
        return redirect("recs:rec_edit", pk=centre.pk)
    done = (submitted(request, form, save_profile) if action == "profile" else
            submitted(request, staff_form, add_staff) if action == "staff" else None)
    if done is not None:
        return done
    bad = form.errors or staff_form.errors
    return render(request, "recs/rec_edit.html", {
        "rec": centre, "form": form, "staff_form": staff_form, "staff": list(centre.staff.select_related(
            "member").order_by("name"))}, status=400 if bad else 200)


@login_required
def partnership(request, pk: int):
    p = sel.partnership_get(user=request.user, pk=pk)
    detail = sel.partnership_detail(user=request.user, partnership=p)
    chart = charts_recs.referrals_chart(detail["referrals"]) if detail["referrals"] else None
    return render(request, "recs/partnership_detail.html", {
        "p": p, **detail, "chart": chart, "can_manage": sel.may(request.user, MANAGE),
        "can_meet": sel.may(request.user, "recs.add_meeting", p),
        "can_refer": sel.may(request.user, "recs.add_referrals", p)})


@login_required
def partnership_new(request, pk: int):
    centre = sel.rec_get(user=request.user, pk=pk, perm=MANAGE)
    schools = sel.schools_without_partnership(centre)
    form = PartnershipForm(request.POST or None, schools=schools)

    def act(data):
        school = schools.filter(pk=data.pop("school")).first()
        if school is None:
            raise ValidationError({"school": gettext("Choose a school of the REC's country.")})
        made = services.partnership_create(user=request.user, rec=centre, school=school, **data)
        messages.success(request, gettext("The partnership is recorded."))
        return redirect("recs:partnership", pk=made.pk)

    return submitted(request, form, act) or _page(request, "recs/partnership_form.html", {
        "rec": centre, "form": form, "heading": gettext("New partnership"),
        "button": gettext("Record the partnership")}, form)


def _partnership_action(request, pk: int, *, perm: str, form, act, done: str, heading: str, button: str):
    """A form about one partnership (edit, end, a meeting, a month's referrals): `act(partnership, data)` calls the
    service; on success the message `done` and back to the partnership's page."""
    p = sel.partnership_get(user=request.user, pk=pk, perm=perm)
    form = form(p)

    def then(data):
        act(p, data)
        messages.success(request, done)
        return redirect("recs:partnership", pk=p.pk)

    return submitted(request, form, then) or _page(request, "recs/partnership_form.html", {
        "rec": p.rec, "p": p, "form": form, "heading": heading, "button": button}, form)


@login_required
def partnership_edit(request, pk: int):
    def form(p):
        return PartnershipForm(request.POST or None, initial={
            "since": p.since, "services": p.services, "school_contact": p.school_contact,
            "rec_contact": p.rec_contact, "agreement": p.agreement})

    return _partnership_action(
        request, pk, perm=MANAGE, form=form,
        act=lambda p, data: services.partnership_update(user=request.user, partnership=p, **data),
        done=gettext("The partnership is saved."), heading=gettext("Edit the partnership"), button=gettext("Save"))


@login_required
def partnership_end(request, pk: int):
    return _partnership_action(
        request, pk, perm=MANAGE, form=lambda p: EndForm(request.POST or None),
        act=lambda p, data: services.partnership_end(user=request.user, partnership=p, ended_on=data["ended_on"]),
        done=gettext("The partnership is ended."), heading=gettext("End the partnership"),
        button=gettext("End the partnership"))


@login_required
def meeting_new(request, pk: int):
    return _partnership_action(
        request, pk, perm="recs.add_meeting", form=lambda p: MeetingForm(request.POST or None),
        act=lambda p, data: services.meeting_add(user=request.user, partnership=p, **data),
        done=gettext("The meeting is recorded."), heading=gettext("Record a meeting"),
        button=gettext("Record the meeting"))


@login_required
def referrals(request, pk: int):
    return _partnership_action(
        request, pk, perm="recs.add_referrals", form=lambda p: ReferralForm(request.POST or None),
        act=lambda p, data: services.referral_count_set(user=request.user, partnership=p, **data),
        done=gettext("The month's referral count is saved."), heading=gettext("Record a month's referrals"),
        button=gettext("Save the count"))

