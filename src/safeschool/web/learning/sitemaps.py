"""/sitemap.xml: the public pages (django.contrib.sitemaps) — the home pages, the label's public register, the
official indicators, the reports' index (which links the annual reports), the handbook and every published output."""

from __future__ import annotations

from django.contrib.sitemaps import Sitemap

from safeschool.web.learning import selectors_site as site

STATIC = ("core:home", "learning:home", "learning:handbook", "label:register", "indicators:index", "reports:index")


class PublicSitemap(Sitemap):
    changefreq = "weekly"

    def items(self):
        pages = [(url, None) for url in (site.url_or_none(name) for name in STATIC) if url]
        return pages + [(o.url, o.published_at) for o in site.outputs() if "#" not in o.url]

    def location(self, item):
        return item[0]

    def lastmod(self, item):
        return item[1]


SITEMAPS = {"public": PublicSitemap}
