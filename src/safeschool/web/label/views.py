"""The label's public pages (no sign-in): the register of labelled schools, the published criteria, verification
of a certificate's code, and a current award's certificate. Thin: selectors read, templates show."""

from __future__ import annotations

from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from safeschool.web.core.ids import int_or_none
from safeschool.web.label import display, selectors
from safeschool.web.label.certificate import certificate_pdf, format_code
from safeschool.web.label.forms import RegisterFilterForm, VerifyForm
from safeschool.web.label.models import Award


def register(request):
    today = timezone.localdate()
    countries = selectors.register_countries(today=today)
    form = RegisterFilterForm(request.GET or None, countries=countries)
    country = level = ""
    if form.is_valid():
        country, level = form.cleaned_data["country"], form.cleaned_data["level"]
    awards, seen = [], set()
    for award in selectors.register(today=today, country=country, level=level):
        if award.school_id not in seen:  # a renewed label: the newest award only
            seen.add(award.school_id)
            awards.append(award)
    return render(request, "label/register.html", {
        "awards": awards, "form": form, "filtered": bool(country or level),
        "may_apply": request.user.is_authenticated and selectors.applications_for(request.user).exists()},
        status=200 if form.is_valid() or not request.GET else 400)


def criteria(request):
    return render(request, "label/criteria.html", {"levels": display.levels(),
                                                   "criteria": selectors.criteria(),
                                                   "key_practices": [display.practice_name(p) for p in
                                                                     selectors.criteria().key_practices]})


def verify(request):
    form = VerifyForm(request.GET or None)
    if request.GET and form.is_valid():
        code = selectors.code_normalise(form.cleaned_data["code"])
        if code:
            return redirect("label:verify_code", code=code)
        form.add_error("code", VerifyForm.base_fields["code"].help_text)
    return render(request, "label/verify.html", {"form": form}, status=400 if request.GET else 200)


def verify_code(request, code: str):
    status, award = selectors.verification(code)
    return render(request, "label/verify.html", {
        "form": VerifyForm(), "status": status, "award": award,
        "code": format_code(selectors.code_normalise(code)[:selectors.CODE_LENGTH])})


def certificate(request, pk: str):
    """A current award's certificate is public; an expired or revoked one only for the school's staff and
    administrators (anyone else finds nothing here)."""
    award = Award.objects.select_related("school", "school__country").filter(pk=int_or_none(pk)).first()
    if award is None or not selectors.has(request.user, "label.view_certificate", award):
        raise Http404
    url = request.build_absolute_uri(reverse("label:verify_code", args=[award.verification_code]))
    response = HttpResponse(certificate_pdf(award, url), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="safe-school-label-{award.verification_code}.pdf"'
    return response
