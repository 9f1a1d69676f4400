"""The annual reports' addresses under /reports/ (joined in reports/urls.py)."""

urlpatterns: list = []
