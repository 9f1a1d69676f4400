"""Thin views for the Hub databases: programmes, policies, the library of documents, practices and the wiki."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext

from safeschool.web.core.errors import reason, submitted
from safeschool.web.core.ids import int_or_none
from safeschool.web.core.permissions import authorize
from safeschool.web.hub import library_services as services
from safeschool.web.hub import selectors
from safeschool.web.hub.forms import DocumentForm, FilterForm, PracticeForm, ReviewForm, WikiForm
from safeschool.web.hub.models import PRINCIPLES, Programme, WikiPage


def _filters(request):
    form = FilterForm(request.GET or None)
    return form, ({k: v for k, v in form.cleaned_data.items() if v} if form.is_valid() else {})


def _database(request, template: str, rows):
    """A database's list page: its filter form and the rows the filters select."""
    authorize(request.user, "network.view_directory")
    form, filters = _filters(request)
    return render(request, template, {"form": form, "rows": rows(**filters)})


@login_required
def programme_list(request):
    return _database(request, "hub/programme_list.html", selectors.programme_list)


@login_required
def programme_detail(request, pk: int):
    authorize(request.user, "network.view_directory")
    programme = get_object_or_404(Programme, pk=pk)
    if request.method == "POST":
        try:
            services.programme_signoff(user=request.user, programme=programme, note=request.POST.get("note", ""))
        except (PermissionDenied, ValidationError) as exc:
            return render(request, "hub/programme_detail.html", {
                "p": programme, "principles": PRINCIPLES, "error": reason(exc)}, status=400)
        return redirect("hub:programme", pk=pk)
    return render(request, "hub/programme_detail.html", {"p": programme, "principles": PRINCIPLES})


@login_required
def policy_list(request):
    return _database(request, "hub/policy_list.html", selectors.policy_list)


@login_required
def document_list(request):
    authorize(request.user, "network.view_directory")
    form, filters = _filters(request)
    upload = DocumentForm(request.POST or None, request.FILES or None)
    if request.method == "POST":
        authorize(request.user, "network.share_item")

    def save(data):
        services.document_upload(user=request.user, **data)
        return redirect("hub:documents")

    if (response := submitted(request, upload, save)) is not None:
        return response
    return render(request, "hub/document_list.html", {
        "form": form, "upload": upload, "can_upload": request.user.has_perm("network.share_item"),
        "rows": selectors.document_list(**filters)}, status=400 if request.method == "POST" else 200)


@login_required
def practice_list(request):
    authorize(request.user, "network.view_directory")
    form, filters = _filters(request)
    return render(request, "hub/practice_list.html", {
        "form": form, "rows": selectors.filtered(selectors.practices_visible(request.user), **filters),
        "can_submit": request.user.has_perm("network.submit_practice")})


@login_required
def practice_new(request):
    if not request.user.has_perm("network.submit_practice"):
        raise PermissionDenied(gettext("Submitting practices needs participation level (c) or (d) and your consent."))
    form = PracticeForm(request.POST or None)

    def submit(data):
        return redirect("hub:practice", pk=services.practice_submit(user=request.user, **data).pk)

    if (response := submitted(request, form, submit)) is not None:
        return response
    return render(request, "hub/practice_form.html", {"form": form}, status=400 if form.errors else 200)


@login_required
def practice_detail(request, pk: int):
    authorize(request.user, "network.view_directory")
    practice = get_object_or_404(selectors.practices_visible(request.user), pk=pk)
    review = ReviewForm(request.POST or None)

    def send(d):
        services.practice_review(user=request.user, practice=practice, decision=d["decision"], fit=review.fit(),
                                 tier=d["tier"], comment=d["comment"])
        return redirect("hub:practice", pk=pk)

    if (response := submitted(request, review, send)) is not None:
        return response
    return render(request, "hub/practice_detail.html", {
        "p": practice, "rubric": selectors.practice_rubric(practice), "principles": PRINCIPLES, "review": review,
        "can_review": request.user.has_perm("hub.review_practice", practice),
        "all_reviews": selectors.practice_reviews(practice=practice)
        if request.user.has_perm("hub.view_practice_reviews", practice) else []},
        status=400 if request.method == "POST" else 200)


@login_required
def wiki_list(request):
    authorize(request.user, "network.view_directory")
    language = request.GET.get("language", "")
    return render(request, "hub/wiki_list.html", {"pages": selectors.wiki_pages(language=language),
                                                  "language": language})


@login_required
def wiki_page(request, language: str, slug: str):
    authorize(request.user, "network.view_directory")
    page = get_object_or_404(WikiPage, slug=slug, language=language)
    return render(request, "hub/wiki_page.html", {"page": page, "revision": page.current})


@login_required
def wiki_edit(request, language: str = "", slug: str = ""):
    page = get_object_or_404(WikiPage, slug=slug, language=language) if slug else None
    current = page.current if page else None
    initial = {"title": page.title, "kind": page.kind, "language": page.language, "body": current.body} if page else {}
    form = WikiForm(request.POST or None, initial=initial)
    if page:
        for name in ("title", "kind", "language"):
            form.fields[name].disabled = True

    def save(d):
        revision = services.wiki_save(user=request.user, page=page, title=d["title"], kind=d["kind"],
                                      language=d["language"], body=d["body"], note=d["note"])
        return redirect("hub:wiki_page", language=revision.page.language, slug=revision.page.slug)

    if (response := submitted(request, form, save)) is not None:
        return response
    return render(request, "hub/wiki_edit.html", {"form": form, "page": page},
                  status=400 if form.errors else 200)


@login_required
def wiki_history(request, language: str, slug: str):
    authorize(request.user, "network.view_directory")
    page = get_object_or_404(WikiPage, slug=slug, language=language)
    diff, error = [], ""
    old, new = request.GET.get("old"), request.GET.get("new")
    if old and new:
        if int_or_none(old) is None or int_or_none(new) is None:
            error = "revisions are numbers"
        else:
            try:
                diff = selectors.wiki_diff(page, int_or_none(old), int_or_none(new))
            except ValidationError as exc:
                error = reason(exc)
    return render(request, "hub/wiki_history.html", {
        "page": page, "revisions": selectors.wiki_revisions(page=page), "diff": diff, "error": error, "old": old,
        "new": new})
