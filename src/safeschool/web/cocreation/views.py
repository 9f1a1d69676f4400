"""Thin views for Delphi studies: list, set-up and management (researchers), rating (panellists), results and
reports."""

import rules
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext, ngettext
from django.views.decorators.http import require_POST

from safeschool.web.cocreation import labels, reports, selectors, services
from safeschool.web.cocreation.forms import StatementForm, StudyForm
from safeschool.web.cocreation.models import DelphiStudy, Panellist, Rating, Round
from safeschool.web.core.errors import reason
from safeschool.web.core.ids import ids_or_none, int_or_none
from safeschool.web.core.permissions import authorize
from safeschool.web.network.models import Member
from safeschool.web.network.rules import refusal
from safeschool.web.network.selectors import consenting


def _panellist(user, study):
    member = getattr(user, "member", None)
    return Panellist.objects.filter(study=study, member=member).first() if member else None


@login_required
def study_list(request):
    researcher = request.user.has_perm("cocreation.run_delphi")
    member = getattr(request.user, "member", None)
    studies = DelphiStudy.objects.all() if researcher else DelphiStudy.objects.filter(panel__member=member)
    form = StudyForm(request.POST or None)
    if request.method == "POST":
        authorize(request.user, "cocreation.run_delphi")
        if form.is_valid():
            d = form.cleaned_data
            try:
                study = services.study_create(
                    user=request.user, title=d["title"], description=d["description"],
                    scale=(d["scale_min"], d["scale_max"]), drop_settled=d["drop_settled"],
                    rule={k: d[k] for k in ("threshold", "max_iqr", "rand_method", "by_group")} | {"name": d["rule"]})
            except ValidationError as exc:
                form.add_error(None, reason(exc))
            else:
                return redirect("cocreation:study", pk=study.pk)
    return render(request, "cocreation/study_list.html", {"studies": studies, "form": form,
                                                            "researcher": researcher},
                  status=400 if form.errors else 200)


@login_required
def study_detail(request, pk: int):
    study = get_object_or_404(DelphiStudy, pk=pk)
    panellist = _panellist(request.user, study)
    if not request.user.has_perm("cocreation.run_delphi"):
        if panellist is None:
            raise PermissionDenied(gettext("This study's page is for its panel and the research team."))
        return redirect("cocreation:rate", pk=pk)
    current = study.current_round
    return render(request, "cocreation/study_detail.html", {
        "study": study, "current": current, "rule": labels.rule_text(selectors.rule_of(study)),
        "statement_form": StatementForm(), "panel": study.panel.select_related("member"),
        "eligible": Member.objects.filter(consenting(), level__in=["c", "d"], user__is_active=True)
        .exclude(delphi_panels__study=study).order_by("stakeholder_type", "display_name")[:200],
        "comments": Rating.objects.filter(round=current, statement__study=study).exclude(comment="")
        .select_related("statement")[:100] if current else []})


@login_required
@require_POST
def study_action(request, pk: int, action: str):
    authorize(request.user, "cocreation.run_delphi")
    study = get_object_or_404(DelphiStudy, pk=pk)
    try:
        if action == "invite":
            ids = ids_or_none(request.POST.getlist("members"))
            if ids is None:
                raise ValidationError(gettext("Choose panellists from the list."))
            members = list(Member.objects.filter(pk__in=ids).select_related("user"))
            n = services.panel_invite(user=request.user, study=study, members=members)
            messages.success(request, ngettext("Invited %(n)s panellist.", "Invited %(n)s panellists.", n) % {"n": n})
        elif action == "statement":
            form = StatementForm(request.POST)
            if not form.is_valid():
                raise ValidationError(" ".join(f"{k}: {' '.join(v)}" for k, v in form.errors.items()))
            d = form.cleaned_data
            comment = Rating.objects.filter(pk=int_or_none(d.get("from_comment")), round__study=study).first()
            services.statement_add(user=request.user, study=study, code=d["code"], text=d["text"], level=d["level"],
                                   from_comment=comment)
        elif action == "open":
            r = services.round_open(user=request.user, study=study)
            messages.success(request, gettext("Round %(number)s is open with %(statements)s statements.") % {"number": r.number, "statements": r.statements.count()})
        elif action in ("close", "remind") and study.current_round is None:
            raise ValidationError(gettext("This study has no open round yet: open round 1 first."))
        elif action == "close":
            services.round_close(user=request.user, round=study.current_round)
        elif action == "remind":
            n = services.reminders_send(user=request.user, round=study.current_round)
            messages.success(request, ngettext("Sent %(n)s reminder.", "Sent %(n)s reminders.", n) % {"n": n})
        elif action == "rule":
            services.rule_change(user=request.user, study=study, rule={"name": request.POST.get("rule", "")})
        else:
            raise ValidationError(gettext("unknown action '%(action)s'") % {"action": action})
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, reason(exc))
    return redirect("cocreation:study", pk=pk)


@login_required
def rate(request, pk: int):
    study = get_object_or_404(DelphiStudy, pk=pk)
    panellist = _panellist(request.user, study)
    if panellist is None:
        raise PermissionDenied(gettext("Only this study's panellists rate its statements."))
    if not rules.has_perm("cocreation.rate", request.user, study):  # consent withdrawn or level below (c): say why
        return render(request, "cocreation/rate.html", {"study": study, "refused": refusal(request.user, "c")},
                      status=403)
    current = study.current_round
    if current is None or current.status != Round.Status.OPEN:
        return render(request, "cocreation/rate.html", {"study": study, "closed": True})
    status = 200
    if request.method == "POST":
        statement = get_object_or_404(current.statements, pk=int_or_none(request.POST.get("statement")))
        try:
            value = int(request.POST.get("value", ""))
        except ValueError:
            value = None
        try:
            services.rating_submit(user=request.user, round=current, statement=statement,
                                   value=value if value is not None else -1, comment=request.POST.get("comment", ""))
        except (ValidationError, PermissionDenied) as exc:
            messages.error(request, f"{statement.code}: {reason(exc)}")
            status = 400
        else:
            return redirect("cocreation:rate", pk=pk)
    rows = selectors.feedback(study=study, panellist=panellist, round=current)
    return render(request, "cocreation/rate.html", {
        "study": study, "round": current, "rows": rows, "scale": list(range(study.scale_min, study.scale_max + 1)),
        "done": sum(1 for r in rows if r["rated"] is not None)}, status=status)


@login_required
def results(request, pk: int):
    authorize(request.user, "cocreation.run_delphi")
    study = get_object_or_404(DelphiStudy, pk=pk)
    rounds = list(study.rounds.order_by("number"))
    number = int_or_none(request.GET.get("round") or (rounds[-1].number if rounds else 1))
    if number is None:
        return HttpResponseBadRequest("round must be a round number")
    table = selectors.results(study=study, number=number)
    rows = table.to_dict("records")
    if request.GET.get("format") == "csv":
        response = HttpResponse(reports.round_csv(rows), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="delphi-{study.pk}-round-{number}.csv"'
        return response
    if request.GET.get("format") == "pdf":
        response = HttpResponse(reports.round_pdf(study, number, labels.rule_text(selectors.rule_of(study)), rows),
                                content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="delphi-{study.pk}-round-{number}.pdf"'
        return response
    return render(request, "cocreation/results.html", {"study": study, "rounds": rounds, "number": number,
                                                        "rows": table.to_dict("records"),
                                                        "rule": labels.rule_text(selectors.rule_of(study))})


@login_required
def report(request, pk: int, fmt: str = "html"):
    authorize(request.user, "cocreation.run_delphi")
    if fmt not in ("html", "csv", "pdf"):  # report.xml is not the HTML page under another name
        raise Http404
    study = get_object_or_404(DelphiStudy, pk=pk)
    data = selectors.final_report(study)
    if fmt == "csv":
        response = HttpResponse(reports.report_csv(data), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="delphi-{study.pk}.csv"'
        return response
    if fmt == "pdf":
        response = HttpResponse(reports.report_pdf(data), content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="delphi-{study.pk}.pdf"'
        return response
    return render(request, "cocreation/report.html", data)
