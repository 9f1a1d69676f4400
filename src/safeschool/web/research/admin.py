"""Django admin for every model of the research registry: the data read-only (changes go through imports), the
staff appointments editable with the users."""

from django.contrib import admin
from django.contrib.auth import get_user_model

from safeschool.web.core.admin import ResearchDataAdmin, SafeschoolUserAdmin
from safeschool.web.research import models as m


class AppointmentInline(admin.TabularInline):
    model = m.StaffAppointment
    extra = 0
    raw_id_fields = ["school"]
    verbose_name = "school appointment"


# administrators give a user their role and their school appointments on one page
admin.site.unregister(get_user_model())


@admin.register(get_user_model())
class UserWithAppointmentsAdmin(SafeschoolUserAdmin):
    inlines = [*SafeschoolUserAdmin.inlines, AppointmentInline]


@admin.register(m.Country)
class CountryAdmin(ResearchDataAdmin):
    list_display = ["code", "name", "tracking_age", "grade_repetition_pct", "esl_rate_pct", "esl_support",
                    "inclusion_index"]
    search_fields = ["code", "name"]


@admin.register(m.RegionalEducationalCentre)
class RecAdmin(ResearchDataAdmin):
    list_display = ["code", "name", "country"]
    list_filter = ["country"]
    search_fields = ["code", "name"]


@admin.register(m.School)
class SchoolAdmin(ResearchDataAdmin):
    list_display = ["code", "name", "country", "stage", "context", "ses_composition", "climate_index", "rec"]
    list_filter = ["country", "stage", "context", "alternatives_to_exclusion"]
    search_fields = ["code", "name"]
    list_select_related = ["country", "rec"]
    autocomplete_fields = ["rec"]


@admin.register(m.SchoolClass)
class SchoolClassAdmin(ResearchDataAdmin):
    list_display = ["code", "school", "grade", "homeroom_teacher"]
    list_filter = ["school__country", "school__stage"]
    search_fields = ["code"]
    list_select_related = ["school", "homeroom_teacher"]
    raw_id_fields = ["school", "homeroom_teacher"]


@admin.register(m.Teacher)
class TeacherAdmin(ResearchDataAdmin):
    list_display = ["pseudonym", "school", "gender", "years_experience"]
    list_filter = ["school__country", "gender"]
    search_fields = ["pseudonym"]
    raw_id_fields = ["school"]


@admin.register(m.TeachingAssignment)
class TeachingAssignmentAdmin(ResearchDataAdmin):
    list_display = ["teacher", "school_class", "role"]
    list_filter = ["role"]
    raw_id_fields = ["teacher", "school_class"]


@admin.register(m.Student)
class StudentAdmin(ResearchDataAdmin):
    list_display = ["pseudonym", "school_class", "gender", "age", "migrant_background", "roma_minority", "sen",
                    "out_of_parental_care"]
    list_filter = ["gender", "migrant_background", "roma_minority", "sen", "out_of_parental_care",
                   "school_class__school__country"]
    search_fields = ["pseudonym"]
    raw_id_fields = ["school_class"]
    list_select_related = ["school_class"]


@admin.register(m.Wave)
class WaveAdmin(ResearchDataAdmin):
    list_display = ["number", "label", "starts_on"]


@admin.register(m.StudentScales)
class StudentScalesAdmin(ResearchDataAdmin):
    list_display = ["student", "wave", "security", "closeness", "conflict", "belonging", "engagement", "climate"]
    list_filter = ["wave"]
    raw_id_fields = ["student"]
    search_fields = ["student__pseudonym"]


@admin.register(m.TeacherScales)
class TeacherScalesAdmin(ResearchDataAdmin):
    list_display = ["teacher", "wave", "self_efficacy"]
    list_filter = ["wave"]
    raw_id_fields = ["teacher"]


@admin.register(m.Outcome)
class OutcomeAdmin(ResearchDataAdmin):
    list_display = ["student", "wave", "achievement", "attendance_rate", "behaviour_incidents", "suspensions",
                    "dropped_out"]
    list_filter = ["wave", "dropped_out"]
    raw_id_fields = ["student"]
    search_fields = ["student__pseudonym"]


@admin.register(m.CohortLoad)
class CohortLoadAdmin(ResearchDataAdmin):
    list_display = ["source", "simulated", "loaded_at", "loaded_by"]
    readonly_fields = ["fingerprint", "source", "simulated", "counts", "loaded_at", "loaded_by"]


@admin.register(m.StaffAppointment)
class StaffAppointmentAdmin(admin.ModelAdmin):
    list_display = ["user", "school", "position"]
    list_filter = ["school__country"]
    raw_id_fields = ["user", "school"]
