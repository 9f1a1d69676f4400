"""The evaluation designs' analysis models: for each design code (the codes ``safeschool.trials.power`` uses) the
unit of assignment and the lme4 formula its intention-to-treat analysis fits (``safeschool.stats.mixed``).

    analysis_formula("crt3", "achievement", ["baseline"])
    # 'achievement ~ treat + baseline + (1|school_id/class_id)'

The grouping columns are those of the analysis frame (``school_id``, ``class_id``) and of the allocation
(``block``, ``period``).
"""

from __future__ import annotations

from safeschool.vocabulary import gettext_noop

# what is randomised (or, for ``did``, compared): the web layer shows gettext(label)
UNIT_OF_ASSIGNMENT = {"crt2": "school", "crt3": "school", "bcrt3": "class", "bcrt2": "school", "sw": "school",
                      "did": "school"}
UNIT_LABELS = {"school": gettext_noop("School"), "class": gettext_noop("Class")}
ANALYSIS_MODELS = {
    "crt2": gettext_noop("Two-level model: students in schools, the school's arm as a fixed effect"),
    "crt3": gettext_noop("Three-level model: students in classes in schools, the school's arm as a fixed effect"),
    "bcrt3": gettext_noop("Three-level model: classes randomised within schools, schools as random blocks"),
    "bcrt2": gettext_noop("Two-level model with the randomisation strata (blocks) as fixed effects"),
    "sw": gettext_noop("Stepped wedge: exposure and period as fixed effects, a random intercept per school "
                       "(Hussey and Hughes 2007)"),
    "did": gettext_noop("Difference-in-differences on matched schools: group × period interaction, a random "
                        "intercept per school"),
}


def analysis_formula(design: str, outcome_column: str, covariates: list[str] | tuple[str, ...] = (), *,
                     treatment: str = "treat") -> str:
    """The lme4 formula of ``design``'s analysis model.

    crt2: ``y ~ treat + covs + (1|school_id)``; crt3 and bcrt3: ``+ (1|school_id/class_id)`` (in bcrt3 the school
    is the random block in which classes were randomised); bcrt2: ``+ block + (1|school_id)`` (fixed strata);
    sw: ``y ~ treat + covs + C(period) + (1|school_id)`` (``treat`` is 1 from the school's step on); did:
    ``y ~ group * post + covs + (1|school_id)`` (the impact is the ``group:post`` term; ``treatment`` names the
    group column).
    """
    if design not in UNIT_OF_ASSIGNMENT:
        raise ValueError(f"design must be one of {', '.join(UNIT_OF_ASSIGNMENT)} (got '{design}')")
    covs = "".join(f" + {c}" for c in covariates)
    if design == "crt2":
        return f"{outcome_column} ~ {treatment}{covs} + (1|school_id)"
    if design in ("crt3", "bcrt3"):
        return f"{outcome_column} ~ {treatment}{covs} + (1|school_id/class_id)"
    if design == "bcrt2":
        return f"{outcome_column} ~ {treatment}{covs} + block + (1|school_id)"
    if design == "sw":
        return f"{outcome_column} ~ {treatment}{covs} + C(period) + (1|school_id)"
    return f"{outcome_column} ~ {treatment} * post{covs} + (1|school_id)"


def impact_term(design: str, treatment: str = "treat") -> str:
    """The fixed-effect term that is the impact: the treatment itself, or for ``did`` the group × post term."""
    return f"{treatment}:post" if design == "did" else treatment
