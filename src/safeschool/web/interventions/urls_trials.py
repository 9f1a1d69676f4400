from django.urls import path  # noqa: F401

urlpatterns: list = []  # the trials views' paths (owner: see /tmp/h17/contract.md)
