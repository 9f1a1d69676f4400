"""Thin views of self-evaluation campaigns: the home page, the questionnaire's public structure, a school's
campaigns, opening one, its response rates with the codes form and the close button, the page that shows freshly
issued codes once, and the public answering flow (code -> questionnaire -> thanks; never a result).

Guessing codes: every failed code entry counts against the client's address; after CODE_FAILURES[0] failures in
CODE_FAILURES[1] seconds the address gets 429 for that long, even for a good code. The questionnaire step carries
the checked code signed (it cannot be used to try codes); the service checks the code again when answers arrive."""

from __future__ import annotations

import hashlib
import io
from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import get_language, gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from safeschool import csvsafe
from safeschool.selfeval import questionnaire as questionnaires
from safeschool.web.accounts.ratelimit import client_ip, too_many
from safeschool.web.accounts.rules import is_admin, is_researcher, is_school_staff
from safeschool.web.core.errors import add_to_form, reason
from safeschool.web.core.permissions import authorize
from safeschool.web.research.models import School
from safeschool.web.selfeval import selectors, services
from safeschool.web.selfeval.forms import (
    AnswerForm,
    CampaignForm,
    CodeForm,
    CodesForm,
    informant_label,
    unit_label,
)
from safeschool.web.selfeval.models import Campaign

# failed code entries per client address, seconds. A computer room shares one address, so typos must not lock a
# class out; guessing stays hopeless: a code is one of 31**10 (8e14), so 100 tries a quarter-hour find nothing
CODE_FAILURES = (100, 900)
TOKEN_SALT = "selfeval.answer"
TOKEN_MAX_AGE = 6 * 3600  # a questionnaire left open on a phone for a school day still sends
# TRAPD steps of a wording file (docs/instruments.md), as the questionnaire page names them
STATUS_LABELS = {"source": _("source text"), "forward": _("forward translation"),
                 "back_translated": _("back-translated"), "reviewed": _("reviewed translation"),
                 "not_translated": _("not yet translated")}


def _language() -> str:
    return (get_language() or questionnaires.SOURCE_LANGUAGE).split("-")[0]


def _campaign(request, pk: int) -> Campaign:
    try:
        return selectors.campaign_for(pk, request.user)
    except Campaign.DoesNotExist as exc:
        raise Http404(gettext("No such campaign.")) from exc


def _status(campaign: Campaign) -> str:
    if campaign.closed_at:
        return "closed"
    return "open" if selectors.campaign_accepts(campaign) else "ended"


def home(request):
    user = request.user
    context = {"role": "public"}
    if is_school_staff(user):
        context = {"role": "staff", "schools": [
            row | {"can_run": user.has_perm("selfeval.run_campaign", row["school"]),
                   "campaigns": [(c, _status(c)) for c in row["campaigns"]]}
            for row in selectors.staff_overview(user)]}
    elif is_researcher(user) or is_admin(user):
        context = {"role": "network", "rows": [
            row | {"status": _status(row["campaign"]) if row["campaign"] else None}
            for row in selectors.latest_campaigns(user)]}
    return render(request, "selfeval/home.html", context)


def questionnaire(request):
    q = questionnaires.load()
    language = _language()
    status = q.languages.get(language, "not_translated")
    dimensions = []
    for d in q.dimensions:
        subs = []
        for s in d.subdimensions:
            items = []
            for ind in s.indicators:
                texts = []
                for inf in ind.informants:
                    entry = ind.wording[inf]
                    translated = bool(entry.get(language))
                    item_status = (entry.get("status") or {}).get(language) if translated else "not_translated"
                    texts.append({"informant": informant_label(inf), "text": ind.text(inf, language),
                                  "status": STATUS_LABELS.get(item_status or status, item_status or status),
                                  "fallback": not translated})
                items.append({"indicator": ind, "texts": texts,
                              "unit": unit_label(ind.figure.unit) if ind.figure else ""})
            subs.append({"code": s.code, "name": q.name_of(s.code, language), "items": items})
        dimensions.append({"code": d.code, "name": q.name_of(d.code, language), "pillar": d.pillar,
                           "subdimensions": subs})
    return render(request, "selfeval/questionnaire.html", {
        "q": q, "dimensions": dimensions, "language_status": STATUS_LABELS.get(status, status),
        "n_indicators": len(q.indicators), "source": language == questionnaires.SOURCE_LANGUAGE})


@login_required
def school(request, school_id: int):
    place = get_object_or_404(School.objects.select_related("country"), pk=school_id)
    authorize(request.user, "selfeval.view_report", place)
    campaigns = [(c, _status(c), selectors.rates(c)) for c in selectors.campaigns_of(place, request.user)]
    return render(request, "selfeval/campaign_school.html", {
        "school": place, "campaigns": campaigns,
        "can_run": request.user.has_perm("selfeval.run_campaign", place)})


@login_required
@require_http_methods(["GET", "POST"])
def campaign_new(request, school_id: int):
    place = get_object_or_404(School.objects.select_related("country"), pk=school_id)
    authorize(request.user, "selfeval.run_campaign", place)
    form = CampaignForm(request.POST or None, initial={"informants": list(questionnaires.INFORMANTS)})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            campaign = services.campaign_open(request.user, place, data["title"], data["informants"],
                                              data["closes_on"])
        except ValidationError as exc:
            add_to_form(form, exc)
        else:
            messages.success(request, gettext("The campaign is open: issue codes for each group."))
            return redirect("selfeval:campaign", pk=campaign.pk)
    return render(request, "selfeval/campaign_new.html", {"school": place, "form": form},
                  status=400 if form.errors else 200)


def _report_links(campaign: Campaign) -> list[tuple[str, str]]:
    """The report, its PDF and the recommendations exist once the campaign is closed; the school's plans always."""
    links = []
    if not campaign.is_open:
        links = [(reverse(name, kwargs={"pk": campaign.pk}), text) for name, text in (
            ("selfeval:report", gettext("Report")), ("selfeval:report_pdf", gettext("Report (PDF)")),
            ("selfeval:recommendations", gettext("Recommendations")))]
    links.append((reverse("selfeval:plans", kwargs={"school_id": campaign.school_id}), gettext("Action plans")))
    return links


def _campaign_page(request, campaign: Campaign, form: CodesForm | None = None, status: int = 200):
    can_run = request.user.has_perm("selfeval.run_campaign", campaign.school)
    state = _status(campaign)
    if form is None and can_run and campaign.is_open:
        form = CodesForm(informants=campaign.informants)
    rows = [r | {"label": informant_label(r["informant"]), "width": round(100 * (r["rate"] or 0))}
            for r in selectors.rates(campaign)]
    return render(request, "selfeval/campaign_detail.html", {
        "campaign": campaign, "school": campaign.school, "state": state, "rates": rows, "form": form,
        "can_run": can_run, "links": _report_links(campaign),
        "answer_url": request.build_absolute_uri(reverse("selfeval:answer"))}, status=status)


@login_required
def campaign(request, pk: int):
    return _campaign_page(request, _campaign(request, pk))


@login_required
@require_POST
@never_cache
def codes(request, pk: int):
    """Issue codes and show them once: the page is not stored by the browser or a proxy (no-store), the plain
    codes exist nowhere else; the same batch as CSV rides in the page as a data: link."""
    campaign = _campaign(request, pk)
    authorize(request.user, "selfeval.run_campaign", campaign.school)
    form = CodesForm(request.POST, informants=campaign.informants)
    if form.is_valid():
        try:
            plain = services.codes_issue(request.user, campaign, form.cleaned_data["informant"],
                                         form.cleaned_data["count"])
        except ValidationError as exc:
            add_to_form(form, exc)
        else:
            response = render(request, "selfeval/campaign_codes.html", {
                "campaign": campaign, "school": campaign.school, "codes": plain,
                "group": informant_label(form.cleaned_data["informant"]),
                "answer_url": request.build_absolute_uri(reverse("selfeval:answer")),
                "csv_href": "data:text/csv;charset=utf-8," + quote(_codes_csv(campaign, plain, request))})
            response["Cache-Control"] = "no-store, max-age=0"
            return response
    return _campaign_page(request, campaign, form, status=400)


def _codes_csv(campaign: Campaign, plain: list[str], request) -> str:
    out = io.StringIO()
    writer = csvsafe.writer(out, lineterminator="\n")
    writer.writerow(["code", "answer_url"])
    url = request.build_absolute_uri(reverse("selfeval:answer"))
    writer.writerows([code, url] for code in plain)
    return out.getvalue()


@login_required
@require_POST
def close(request, pk: int):
    campaign = _campaign(request, pk)
    authorize(request.user, "selfeval.run_campaign", campaign.school)
    try:
        services.campaign_close(request.user, campaign)
    except ValidationError as exc:
        messages.error(request, reason(exc))
    else:
        messages.success(request, gettext("The campaign is closed; its results are kept for the report."))
    return redirect("selfeval:campaign", pk=campaign.pk)


# --- answering (public, no account) --------------------------------------------------------------------------

def _block_key(address: str) -> str:
    return "selfeval-code-block:" + hashlib.sha256(address.encode()).hexdigest()


def _throttled(request) -> bool:
    return bool(cache.get(_block_key(client_ip(request))))


def _failed(request) -> bool:
    """Count a failed code entry; True (and the address blocked for the window) once beyond the limit."""
    address = client_ip(request)
    limit, window = CODE_FAILURES
    if too_many("selfeval-code", address, limit=limit, window=window):
        cache.set(_block_key(address), 1, timeout=window)
        return True
    return False


def _too_many(request):
    return render(request, "core/429.html", status=429, context={
        "message": gettext("There have been too many wrong codes from this address in a short time.")})


def _questions(request, campaign: Campaign, informant: str, token: str, form: AnswerForm | None = None,
               status: int = 200):
    language = _language()
    q = questionnaires.load()
    form = form or AnswerForm(questionnaire=q, informant=informant, language=language)
    response = render(request, "selfeval/answer_form.html", {
        "form": form, "attributable": informant in q.attributable, "token": token, "informant": informant, "group": informant_label(informant),
        "school": campaign.school, "campaign": campaign}, status=status)
    response["Cache-Control"] = "no-store, max-age=0"
    return response


@never_cache
@require_http_methods(["GET", "POST"])
def answer(request):
    """Step 1: the code. A good code opens its group's questionnaire; anything else is one message."""
    form = CodeForm(request.POST or None)
    if request.method == "POST":
        if _throttled(request):
            return _too_many(request)
        if form.is_valid():
            try:
                campaign, informant = services.code_check(form.cleaned_data["code"])
            except ValidationError as exc:
                if _failed(request):
                    return _too_many(request)
                form.add_error("code", reason(exc))
            else:
                token = signing.dumps(services.code_normalise(form.cleaned_data["code"]), salt=TOKEN_SALT)
                return _questions(request, campaign, informant, token)
    return render(request, "selfeval/answer_code.html", {"form": form}, status=400 if form.errors else 200)


@never_cache
@require_http_methods(["GET", "POST"])
def answer_send(request):
    """Step 2: the answers, with the checked code signed by step 1 (a forged or stale token starts again). A GET
    (e.g. back here after switching the language) starts again at the code."""
    if request.method == "GET":
        return redirect("selfeval:answer")
    try:
        code = signing.loads(request.POST.get("token", ""), salt=TOKEN_SALT, max_age=TOKEN_MAX_AGE)
        campaign, informant = services.code_check(code)
    except (signing.BadSignature, ValidationError):
        return _code_again(request, services.code_refused())
    form = AnswerForm(request.POST, questionnaire=questionnaires.load(), informant=informant,
                      language=_language())
    if form.is_valid():
        try:
            services.response_submit(code, form.answers(), _language())
        except services.CodeRefused as exc:
            return _code_again(request, exc)
        except ValidationError as exc:
            add_to_form(form, exc)
        else:
            return redirect("selfeval:answer_thanks")
    return _questions(request, campaign, informant, request.POST.get("token", ""), form, status=400)


def _code_again(request, exc: ValidationError):
    """The code page again with the code's one message (a stale or forged token, a code used meanwhile)."""
    form = CodeForm({"code": ""})
    form.errors.clear()
    form.add_error("code", reason(exc))
    return render(request, "selfeval/answer_code.html", {"form": form}, status=400)


def answer_thanks(request):
    return render(request, "selfeval/answer_thanks.html")
