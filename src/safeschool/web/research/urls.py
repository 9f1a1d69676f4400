from django.urls import path

from safeschool.web.research import views

app_name = "research"
urlpatterns = [
    path("", views.school_list, name="school_list"),
    path("<int:pk>/", views.school_detail, name="school_detail"),
    path("<int:pk>/students/", views.school_students, name="school_students"),
    path("countries/", views.country_list, name="country_list"),
    path("countries/<str:code>/", views.country_detail, name="country_detail"),
]
