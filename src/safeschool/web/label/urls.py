from django.urls import path

from safeschool.web.label import views, views_applications

app_name = "label"
urlpatterns = [
    # public
    path("", views.register, name="register"),
    path("criteria/", views.criteria, name="criteria"),
    path("verify/", views.verify, name="verify"),
    path("verify/<str:code>/", views.verify_code, name="verify_code"),
    path("awards/<str:pk>/certificate.pdf", views.certificate, name="certificate"),
    # signed in
    path("apply/<str:school_id>/", views_applications.apply, name="apply"),
    path("applications/", views_applications.application_list, name="applications"),
    path("applications/<str:pk>/", views_applications.application_detail, name="application"),
    path("applications/<str:pk>/review/", views_applications.review, name="review"),
    path("applications/<str:pk>/decide/", views_applications.decide, name="decide"),
    path("applications/<str:pk>/withdraw/", views_applications.withdraw, name="withdraw"),
    path("evidence/<str:pk>/", views_applications.evidence_file, name="evidence"),
    path("awards/<str:pk>/revoke/", views_applications.revoke, name="revoke"),
]
