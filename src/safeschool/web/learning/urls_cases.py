from django.urls import path  # noqa: F401

urlpatterns: list = []  # owner: see /tmp/h18/contract.md
