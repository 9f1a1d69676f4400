from django.urls import path

from safeschool.web.imports import views

app_name = "imports"
urlpatterns = [
    path("", views.import_list, name="list"),
    path("instruments/", views.instrument_list, name="instruments"),
    path("staged/<str:token>/", views.import_preview, name="preview"),
    path("staged/<str:token>/problems.csv", views.import_problems, name="problems"),
    path("staged/<str:token>/mapping.yaml", views.import_mapping, name="mapping"),
    path("jobs/<int:pk>/", views.import_job, name="job"),
    path("<int:pk>/", views.import_detail, name="detail"),
    path("<int:pk>/undo/", views.import_undo, name="undo"),
]
