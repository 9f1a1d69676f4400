"""The words of an analysis result a reader sees, for the codes the statistics core stores (levels of a multilevel
model, MAIHDA's two models, model families): registered with the formatting layer when the app is ready."""

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

MODEL_LEVELS = {
    "country": _("Country"),
    "school": _("School"),
    "class": pgettext_lazy("a school class", "Class"),
    "student": _("Student"),
    "Residual": _("Student"),
}
MAIHDA_MODELS = {"null model": _("Null model"), "main-effects model": _("Main-effects model")}
FAMILIES = {"gaussian": _("linear"), "binomial": _("logistic")}
