from django.contrib import admin

from safeschool.web.network.models import ConsentRecord, ConsentText, LevelChange, Member


class ConsentInline(admin.TabularInline):
    model = ConsentRecord
    extra = 0
    readonly_fields = ("text", "method", "given_by", "given_at", "withdrawn_at")


@admin.register(Member)
class MemberAdmin(admin.ModelAdmin):
    list_display = ("display_name", "stakeholder_type", "country", "level", "moderator", "in_directory")
    list_filter = ("stakeholder_type", "level", "country", "moderator")
    search_fields = ("display_name", "organisation", "user__username")
    inlines = [ConsentInline]


@admin.register(ConsentText)
class ConsentTextAdmin(admin.ModelAdmin):
    list_display = ("kind", "version", "language", "published_at")

    def has_change_permission(self, request, obj=None):  # a published version never changes: publish a new one
        return obj is None


admin.site.register(LevelChange)
