from django.contrib import admin

from safeschool.web.cocreation.models import DelphiStudy, Panellist, Rating, Round, Statement

admin.site.register(DelphiStudy)
admin.site.register(Panellist)
admin.site.register(Statement)
admin.site.register(Round)


@admin.register(Rating)
class RatingAdmin(admin.ModelAdmin):
    list_display = ("round", "panellist", "statement", "value")
    raw_id_fields = ("round", "panellist", "statement")
