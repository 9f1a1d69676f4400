"""/learning/ course pages (H5): course versions, editions, enrolment, attendance, checks, evaluation, results and
certificates (verification is public)."""

from django.urls import path

from safeschool.web.learning import views_course, views_editions

urlpatterns = [
    path("courses/", views_course.course_list, name="courses"),
    path("courses/<slug:slug>/<int:version>/", views_course.course_detail, name="course"),
    path("courses/<slug:slug>/<int:version>/adapt/", views_course.course_adapt, name="course_adapt"),
    path("courses/<slug:slug>/<int:version>/editions/new/", views_editions.edition_new, name="edition_new"),
    path("editions/<str:pk>/", views_editions.edition_detail, name="edition"),
    path("editions/<str:pk>/enrol/", views_editions.enrol, name="enrol"),
    path("editions/<str:pk>/cancel/", views_editions.enrolment_cancel, name="enrolment_cancel"),
    path("editions/<str:pk>/letter.pdf", views_editions.acceptance_letter, name="acceptance_letter"),
    path("editions/<str:pk>/attendance/", views_editions.attendance, name="attendance"),
    path("editions/<str:pk>/check/<str:moment>/", views_editions.knowledge_check, name="knowledge_check"),
    path("editions/<str:pk>/evaluation/", views_editions.evaluation, name="evaluation"),
    path("editions/<str:pk>/results/", views_editions.edition_results, name="edition_results"),
    path("certificates/<str:code>/", views_editions.certificate_verify, name="certificate_verify"),
    path("certificates/<str:code>/certificate.pdf", views_editions.certificate_pdf_view, name="certificate_pdf"),
    path("certificates/<str:code>/revoke/", views_editions.certificate_revoke, name="certificate_revoke"),
]
