"""/interventions/: the registry (urls_registry), trial design, power and protocol (urls_trials), allocation and
impact (urls_impact)."""

from safeschool.web.interventions.urls_impact import urlpatterns as impact
from safeschool.web.interventions.urls_registry import urlpatterns as registry
from safeschool.web.interventions.urls_trials import urlpatterns as trials

app_name = "interventions"
urlpatterns = [*registry, *trials, *impact]
