"""/recs/: RECs, partnerships and the survey (urls_recs), the state-of-the-art report (urls_report)."""

from safeschool.web.recs.urls_recs import urlpatterns as recs
from safeschool.web.recs.urls_report import urlpatterns as report

app_name = "recs"
urlpatterns = [*recs, *report]
