from django.urls import path  # noqa: F401  (each area's views add their paths here: see /tmp/h18/contract.md)

app_name = "learning"
urlpatterns: list = []
