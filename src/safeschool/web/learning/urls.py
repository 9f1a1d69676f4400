"""/learning/: case studies and packs (urls_cases, urls_packs), the course (urls_course), the handbook, the public
site, its feed and published reports (urls_site)."""

from safeschool.web.learning.urls_cases import urlpatterns as cases
from safeschool.web.learning.urls_course import urlpatterns as course
from safeschool.web.learning.urls_packs import urlpatterns as packs
from safeschool.web.learning.urls_site import urlpatterns as site

app_name = "learning"
urlpatterns = [*site, *cases, *packs, *course]
