from django.contrib import admin

from safeschool.web.hub.models import (
    Comment,
    Community,
    Document,
    Policy,
    Post,
    Practice,
    PracticeReview,
    Programme,
    ProgrammeSignoff,
    Report,
    WikiPage,
    WikiRevision,
)


class SignoffInline(admin.TabularInline):
    model = ProgrammeSignoff
    extra = 0
    raw_id_fields = ("reviewer",)


@admin.register(Programme)
class ProgrammeAdmin(admin.ModelAdmin):
    list_display = ("title", "country", "level", "tier")
    list_filter = ("country", "level", "tier")
    inlines = [SignoffInline]


class ReviewInline(admin.TabularInline):
    model = PracticeReview
    extra = 0
    raw_id_fields = ("reviewer",)


@admin.register(Practice)
class PracticeAdmin(admin.ModelAdmin):
    list_display = ("title", "country", "status", "round", "submitted_by")
    list_filter = ("status", "country")
    raw_id_fields = ("submitted_by",)
    inlines = [ReviewInline]


class RevisionInline(admin.TabularInline):
    model = WikiRevision
    extra = 0
    readonly_fields = ("number", "body", "note", "author", "created_at")


@admin.register(WikiPage)
class WikiPageAdmin(admin.ModelAdmin):
    list_display = ("title", "language", "kind")
    inlines = [RevisionInline]


admin.site.register(Policy)
admin.site.register(Document)


@admin.register(Community)
class CommunityAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "topic", "country")
    filter_horizontal = ("moderators",)
    exclude = ("members",)


@admin.register(Post)
class PostAdmin(admin.ModelAdmin):
    list_display = ("title", "community", "kind", "author", "created_at", "hidden_at")
    list_filter = ("kind", "community")
    raw_id_fields = ("author", "hidden_by")


admin.site.register(Comment)
admin.site.register(Report)
