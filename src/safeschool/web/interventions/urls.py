from django.urls import path  # noqa: F401  (the registry, trial and impact views add their paths here)

app_name = "interventions"
urlpatterns: list = []
