"""The site's Atom feed: every published output with its date (django.contrib.syndication)."""

from __future__ import annotations

import re

from django.contrib.syndication.views import Feed
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext_lazy as _

from safeschool.web.learning import selectors_site as site

# characters XML 1.0 cannot carry (text pasted from a word processor may hold them): one would break the whole feed
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _xml_text(text) -> str:
    return _NOT_XML.sub(" ", str(text or ""))


class OutputsFeed(Feed):
    feed_type = Atom1Feed
    title = _("Safe Education: outputs of the network")
    subtitle = _("Reports, resource packs, courses, the handbook and case studies as they are published.")

    def link(self):
        return reverse("learning:home")

    def items(self):
        return site.outputs()[:50]

    def item_title(self, item):
        return _xml_text(item.title)

    def item_description(self, item):
        return _xml_text(item.description)

    def item_link(self, item):
        return item.url

    def item_guid(self, item):
        return item.key

    def item_pubdate(self, item):
        return item.published_at

    def item_updateddate(self, item):
        return item.published_at
