from django.contrib import admin

from safeschool.web.cocreation.models import (
    DelphiStudy,
    PairedChange,
    Panellist,
    Rating,
    RatingCount,
    Round,
    Statement,
)
from safeschool.web.core.admin import ResearchDataAdmin

admin.site.register(DelphiStudy)
admin.site.register(Panellist)
admin.site.register(Statement)
admin.site.register(Round)


# ratings and the counts the database triggers keep from them are research data: read-only here
@admin.register(Rating)
class RatingAdmin(ResearchDataAdmin):
    list_display = ("round", "panellist", "statement", "value")
    raw_id_fields = ("round", "panellist", "statement")


@admin.register(RatingCount)
class RatingCountAdmin(ResearchDataAdmin):
    list_display = ("round", "statement", "group", "value", "n")


@admin.register(PairedChange)
class PairedChangeAdmin(ResearchDataAdmin):
    list_display = ("round", "statement", "d", "n")
