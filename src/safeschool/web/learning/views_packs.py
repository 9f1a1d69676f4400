"""Resource packs: the public series and a pack's page (any published version with ?version=N), its items' files,
the whole pack as one ZIP; for researchers and administrators a new pack, a new version, items and publishing.
Thin: selectors read, services write."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from safeschool.web.core.errors import reason, submitted
from safeschool.web.core.ids import int_or_none
from safeschool.web.core.permissions import authorize
from safeschool.web.learning import selectors_packs as selectors
from safeschool.web.learning import services_packs as services
from safeschool.web.learning.archive import pack_archive as build_archive
from safeschool.web.learning.archive import safe_name
from safeschool.web.learning.forms_packs import ItemForm, PackForm
from safeschool.web.learning.selectors_cases import has

CONTENT_TYPES = {"pdf": "application/pdf", "mp4": "video/mp4", "webm": "video/webm", "png": "image/png",
                 "jpg": "image/jpeg", "jpeg": "image/jpeg", "txt": "text/plain; charset=utf-8",
                 "md": "text/plain; charset=utf-8", "vtt": "text/vtt; charset=utf-8",
                 "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                 "odt": "application/vnd.oasis.opendocument.text"}
INLINE = ("pdf", "mp4", "webm", "png", "jpg", "jpeg", "vtt")


def _pack_or_404(request, slug: str):
    raw = request.GET.get("version")
    version = int_or_none(raw) if raw is not None else None
    if raw is not None and version is None:
        raise Http404
    pack = selectors.pack_for(request.user, slug, version)
    if pack is None:
        raise Http404
    return pack


def packs(request):
    return render(request, "learning/pack_list.html", {
        "packs": selectors.packs_public(), "drafts": selectors.drafts_for(request.user),
        "may_manage": has(request.user, "learning.manage_packs")})


def pack(request, slug: str):
    found = _pack_or_404(request, slug)
    return render(request, "learning/pack_detail.html", {
        "pack": found, "items": selectors.items(found), "versions": selectors.published_versions(found),
        "canonical": request.build_absolute_uri(reverse("learning:pack", args=[found.slug])),
        "may_manage": has(request.user, "learning.manage_packs")})


def pack_archive(request, slug: str):
    found = _pack_or_404(request, slug)
    url = request.build_absolute_uri(reverse("learning:pack", args=[found.slug])) + f"?version={found.version}"
    archive = build_archive(found, selectors.items(found), url=url, case_url=lambda case: request.build_absolute_uri(
        reverse("learning:case", args=[case.slug])))
    name = safe_name(found.number, found.slug, "zip", f"-v{found.version}")
    return FileResponse(archive, as_attachment=True, filename=f"safeschool-pack-{name}",
                        content_type="application/zip")


def pack_item_file(request, slug: str, pk: str, part: str):
    found = _pack_or_404(request, slug)
    item = selectors.item_for(request.user, found, int_or_none(pk))
    field = getattr(item, part, None) if item is not None and part in ("file", "captions") else None
    if not field:
        raise Http404
    extension = str(field.name).rsplit(".", 1)[-1].lower()
    response = FileResponse(field.open("rb"), as_attachment=extension not in INLINE,
                            filename=safe_name(item.order, item.title, extension),
                            content_type=CONTENT_TYPES.get(extension, "application/octet-stream"))
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


@login_required
def pack_new(request):
    authorize(request.user, "learning.manage_packs")
    form = PackForm(request.POST or None)
    done = submitted(request, form, lambda data: redirect(
        "learning:pack", slug=services.pack_save(user=request.user, data=data).slug))
    return done or render(request, "learning/pack_form.html", {"form": form, "pack": None},
                          status=400 if request.method == "POST" else 200)


@login_required
def pack_edit(request, slug: str):
    authorize(request.user, "learning.manage_packs")
    found = _pack_or_404(request, slug)
    form = PackForm(request.POST or None, initial=PackForm.initial_for(found))
    done = submitted(request, form, lambda data: redirect(
        "learning:pack", slug=services.pack_save(user=request.user, data=data, pack=found).slug))
    return done or render(request, "learning/pack_form.html", {"form": form, "pack": found},
                          status=400 if request.method == "POST" else 200)


@login_required
@require_POST
def pack_act(request, slug: str, action: str):
    """Publish the version shown, or make a new version from the newest one."""
    authorize(request.user, "learning.manage_packs")
    found = _pack_or_404(request, slug)
    try:
        if action == "publish":
            services.pack_publish(user=request.user, pack=found)
            messages.success(request, _("The pack is published."))
        else:
            found = services.pack_new_version(user=request.user, pack=found)
            messages.success(request, _("A new version is ready to change; the earlier one stays readable."))
    except (PermissionDenied, ValidationError) as exc:
        messages.error(request, reason(exc))
    return redirect(reverse("learning:pack", args=[found.slug]) + f"?version={found.version}")


@login_required
def pack_item_new(request, slug: str):
    authorize(request.user, "learning.manage_packs")
    found = _pack_or_404(request, slug)
    form = ItemForm(request.POST or None, request.FILES or None, cases=selectors.linkable_cases())
    done = submitted(request, form, lambda data: redirect(
        reverse("learning:pack", args=[services.item_add(user=request.user, pack=found, data=data).pack.slug])
        + f"?version={found.version}"))
    return done or render(request, "learning/pack_item_form.html", {"form": form, "pack": found},
                          status=400 if request.method == "POST" else 200)
