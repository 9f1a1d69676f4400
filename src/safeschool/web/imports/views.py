"""Thin views: permission, form, service, render. Upload -> preview with problems and a suggested mapping ->
fix the mapping -> import -> result; history with undo."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from safeschool.ingest.mapping import MappingError, parse_mapping, suggest_mapping
from safeschool.ingest.readers import FileProblem
from safeschool.ingest.validation import report_csv
from safeschool.web.core.permissions import authorize
from safeschool.web.imports import selectors, services, staging
from safeschool.web.imports.forms import MappingForm, UploadForm
from safeschool.web.imports.models import ImportBatch, ImportJob

PREVIEW_ROWS = 5


@login_required
def instrument_list(request):
    authorize(request.user, "imports.view_imports")
    return render(request, "imports/instrument_list.html", {"instruments": selectors.instrument_overview()})


@login_required
def import_list(request):
    authorize(request.user, "imports.view_imports")
    form = UploadForm(request.POST or None, request.FILES or None, refused=getattr(request, "upload_refused", ""))
    if request.method == "POST":
        authorize(request.user, "imports.run_import")
        if form.is_valid():
            mapping = None
            if form.cleaned_data.get("mapping"):
                try:
                    text = form.cleaned_data["mapping"].read().decode("utf-8")
                    mapping = parse_mapping(text, source=form.cleaned_data["mapping"].name).as_dict()
                except (MappingError, UnicodeDecodeError) as exc:
                    form.add_error("mapping", str(exc))
            if not form.errors:
                try:
                    token = staging.stage(user=request.user, upload=form.cleaned_data["file"],
                                          target=form.cleaned_data["target"], mapping=mapping)
                except FileProblem as exc:  # nothing of the file is kept
                    form.add_error("file", str(exc))
                else:
                    return redirect("imports:preview", token=token)
    batches = selectors.import_batch_list()
    latest = selectors.import_batch_latest_applied()
    return render(request, "imports/import_list.html", {"form": form, "batches": batches, "latest": latest},
                  status=400 if form.errors else 200)


def _staged_mapping(token, user):
    """The upload as read when it arrived (never parsed again) and its mapping: the one given, or a suggestion."""
    table, meta = staging.staged(token, user)
    return meta, table, _mapping(table, meta)


def _mapping(table, meta):
    return parse_mapping(meta["mapping"]) if meta.get("mapping") else suggest_mapping(table, meta["target"])


@login_required
def import_preview(request, token: str):
    authorize(request.user, "imports.run_import")
    table, meta = staging.staged(token, request.user)
    try:
        mapping = _mapping(table, meta)
    except MappingError as exc:
        return render(request, "imports/import_preview.html", {"file_error": str(exc), "meta": meta}, status=400)
    columns = [str(c) for c in table.frame.columns]
    form = MappingForm(request.POST or None, columns=columns, mapping=mapping)
    prepared, status = None, 200
    if request.method == "POST":
        if form.is_valid():
            try:
                mapping = parse_mapping(form.mapping(mapping.sheet))
            except MappingError as exc:
                form.add_error(None, str(exc))
            else:
                staging.remember_mapping(token, mapping.as_dict())
                prepared = services.import_check(table=table, mapping=mapping)
                if prepared.ok and request.POST.get("action") == "import":
                    job = services.import_job_create(user=request.user, token=token, file_name=meta["file_name"],
                                                     mapping=mapping)
                    return redirect("imports:job", pk=job.pk)
        if form.errors or (prepared and not prepared.ok):
            status = 400
    else:
        prepared = services.import_check(table=table, mapping=mapping) if mapping.id else None
    preview = table.frame.head(PREVIEW_ROWS)
    return render(request, "imports/import_preview.html", {
        "token": token, "meta": meta, "table": table, "form": form, "prepared": prepared,
        "problems": prepared.problems[:50] if prepared else [], "preview_columns": columns[:12],
        "preview_rows": [[str(v) for v in row[:12]] for row in preview.itertuples(index=False)],
        "mapping_yaml": mapping.to_yaml(), "column_groups": form.column_groups(_samples(table.frame))}, status=status)


def _samples(frame, n: int = 3) -> dict[str, str]:
    """A few distinct answers of each column, for the mapping form's rows ("1 · 4 · 5")."""
    out = {}
    for col in frame.columns:
        values = frame[col].head(500).dropna().astype(str).str.strip()
        out[str(col)] = " · ".join(v[:20] for v in values[values != ""].unique()[:n])
    return out


@login_required
def import_problems(request, token: str):
    authorize(request.user, "imports.run_import")
    _, table, mapping = _staged_mapping(token, request.user)
    prepared = services.import_check(table=table, mapping=mapping)
    response = HttpResponse(report_csv(prepared.problems), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="problems-{token[:8]}.csv"'
    return response


@login_required
def import_mapping(request, token: str):
    authorize(request.user, "imports.run_import")
    _, _, mapping = _staged_mapping(token, request.user)
    response = HttpResponse(mapping.to_yaml(), content_type="application/yaml; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="mapping.yaml"'
    return response


@login_required
def import_job(request, pk: int):
    authorize(request.user, "imports.run_import")
    job = get_object_or_404(ImportJob, pk=pk, created_by=request.user)
    if request.headers.get("HX-Request"):
        response = render(request, "imports/includes/job_status.html", {"job": job})
        if job.status == ImportJob.Status.SUCCEEDED:
            response["HX-Redirect"] = reverse("imports:detail", args=[job.batch_id])
        return response
    return render(request, "imports/import_job.html", {"job": job})


@login_required
def import_detail(request, pk: int):
    authorize(request.user, "imports.view_imports")
    batch = get_object_or_404(ImportBatch.objects.select_related("created_by", "undone_by"), pk=pk)
    latest = selectors.import_batch_latest_applied()
    return render(request, "imports/import_detail.html", {
        "batch": batch, "can_undo": latest is not None and latest.pk == batch.pk,
        "mapping_yaml": parse_mapping(batch.mapping).to_yaml(),
        "notice": request.session.pop("import_notice", None)})


@login_required
@require_POST
def import_undo(request, pk: int):
    authorize(request.user, "imports.undo_import")
    batch = get_object_or_404(ImportBatch, pk=pk)
    try:
        services.import_undo(batch=batch, user=request.user)
    except ValidationError as exc:
        request.session["import_notice"] = " ".join(exc.messages)
    else:
        request.session["import_notice"] = f"Import #{batch.pk} was undone: the data are as they were before it."
    return redirect("imports:detail", pk=pk)
