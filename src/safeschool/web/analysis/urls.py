from django.urls import path

from safeschool.web.analysis import views

app_name = "analysis"
urlpatterns = [
    path("", views.run_list, name="run_list"),
    path("<int:pk>/", views.run_detail, name="run_detail"),
    path("<int:pk>/rerun/", views.run_rerun, name="run_rerun"),
]
