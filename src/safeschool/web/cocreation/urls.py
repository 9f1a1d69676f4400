from django.urls import path

from safeschool.web.cocreation import fieldwork_views, views

app_name = "cocreation"
urlpatterns = [
    path("delphi/", views.study_list, name="studies"),
    path("delphi/<int:pk>/", views.study_detail, name="study"),
    path("delphi/<int:pk>/do/<str:action>/", views.study_action, name="action"),
    path("delphi/<int:pk>/rate/", views.rate, name="rate"),
    path("delphi/<int:pk>/results/", views.results, name="results"),
    path("delphi/<int:pk>/report/", views.report, name="report"),
    path("delphi/<int:pk>/report.<str:fmt>", views.report, name="report_as"),
    path("interviews/", fieldwork_views.interview_list, name="interviews"),
    path("interviews/<int:pk>/", fieldwork_views.interview_detail, name="interview"),
    path("par/", fieldwork_views.par_list, name="pars"),
    path("par/<int:pk>/", fieldwork_views.par_detail, name="par"),
    path("par/<int:pk>/do/<str:action>/", fieldwork_views.par_action, name="par_action"),
]
