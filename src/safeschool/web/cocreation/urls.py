from django.urls import path

from safeschool.web.cocreation import views

app_name = "cocreation"
urlpatterns = [
    path("delphi/", views.study_list, name="studies"),
    path("delphi/<int:pk>/", views.study_detail, name="study"),
    path("delphi/<int:pk>/do/<str:action>/", views.study_action, name="action"),
    path("delphi/<int:pk>/rate/", views.rate, name="rate"),
    path("delphi/<int:pk>/results/", views.results, name="results"),
    path("delphi/<int:pk>/report/", views.report, name="report"),
    path("delphi/<int:pk>/report.<str:fmt>", views.report, name="report_as"),
]
