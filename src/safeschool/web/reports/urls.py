"""/reports/: each kind of report keeps its addresses in its own module (school, country, briefs, annual, and the
index in site)."""

from safeschool.web.reports import urls_annual, urls_briefs, urls_country, urls_school, urls_site

app_name = "reports"
urlpatterns = [*urls_site.urlpatterns, *urls_school.urlpatterns, *urls_country.urlpatterns,
               *urls_briefs.urlpatterns, *urls_annual.urlpatterns]
