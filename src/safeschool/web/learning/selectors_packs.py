"""Reads for resource packs: the public series (the newest published version of each pack), one version of a pack
for a user (unpublished versions only for editors), its published versions and its items."""

from __future__ import annotations

from django.db.models import Max, QuerySet

from safeschool.web.learning.models import CaseStudy, PackItem, ResourcePack
from safeschool.web.learning.selectors_cases import has


def packs_public() -> list[ResourcePack]:
    """The series: each pack number once, at its newest published version, in number order."""
    newest = (ResourcePack.objects.filter(published_at__isnull=False).values("number")
              .annotate(latest=Max("version")))
    wanted = {(row["number"], row["latest"]) for row in newest}
    return [p for p in ResourcePack.objects.filter(published_at__isnull=False).order_by("number")
            if (p.number, p.version) in wanted]


def drafts_for(user) -> QuerySet[ResourcePack]:
    if not has(user, "learning.manage_packs"):
        return ResourcePack.objects.none()
    return ResourcePack.objects.filter(published_at__isnull=True).order_by("number", "version")


def pack_for(user, slug: str, version: int | None = None) -> ResourcePack | None:
    """The pack at `slug`: the asked version, or the newest the user may see (published: everyone; drafts:
    editors). None when there is none."""
    versions = ResourcePack.objects.filter(slug=slug)
    if not has(user, "learning.manage_packs"):
        versions = versions.filter(published_at__isnull=False)
    if version is not None:
        versions = versions.filter(version=version)
    return versions.order_by("-version").first()


def published_versions(pack: ResourcePack) -> QuerySet[ResourcePack]:
    return ResourcePack.objects.filter(slug=pack.slug, published_at__isnull=False).order_by("-version")


def items(pack: ResourcePack) -> QuerySet[PackItem]:
    return pack.items.select_related("case_study").order_by("order", "pk")


def item_for(user, pack: ResourcePack, pk: int | None) -> PackItem | None:
    if pk is None or not has(user, "learning.view_pack", pack):
        return None
    return pack.items.filter(pk=pk).first()


def linkable_cases() -> QuerySet[CaseStudy]:
    """A pack links to published case studies only."""
    return CaseStudy.objects.filter(published_at__isnull=False).order_by("title")


def next_number() -> int:
    return (ResourcePack.objects.aggregate(top=Max("number"))["top"] or 0) + 1
