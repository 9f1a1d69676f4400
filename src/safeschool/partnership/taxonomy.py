"""The coded words of partnership working: the services a Regional Educational Centre offers (the codes of
recs.models.Service), the two sides that answer the partnership survey, and the taxonomy of implementation
problems each side may name (a label and a one-line definition each; `other` for anything else). Labels are marked
with gettext_noop and translated with gettext() where they are shown."""

from __future__ import annotations

from dataclasses import dataclass

from safeschool.vocabulary import gettext_noop

SERVICES = {
    "training": gettext_noop("Training"),
    "coaching": gettext_noop("Coaching"),
    "case_management": gettext_noop("Case management"),
    "psychological": gettext_noop("Psychological and social support"),
    "family_liaison": gettext_noop("Family liaison"),
}

SIDES = {"school": gettext_noop("School"), "rec": gettext_noop("Regional Educational Centre")}


@dataclass(frozen=True)
class Problem:
    code: str
    label: str
    definition: str


def _problem(code: str, label: str, definition: str) -> tuple[str, Problem]:
    return code, Problem(code, label, definition)


# The standard problems of implementing a school–REC partnership, in the order the survey lists them.
PROBLEMS: dict[str, Problem] = dict([
    _problem("time", gettext_noop("Time"),
             gettext_noop("Staff lack the time the joint work needs beside their other duties.")),
    _problem("funding", gettext_noop("Funding"),
             gettext_noop("There is not enough money for the agreed services, travel or materials.")),
    _problem("staff_turnover", gettext_noop("Staff turnover"),
             gettext_noop("Contact people or trained staff leave and the partnership has to start again.")),
    _problem("unclear_roles", gettext_noop("Unclear roles"),
             gettext_noop("It is not clear who does what, or who decides, for a student at risk.")),
    _problem("data_sharing", gettext_noop("Data sharing"),
             gettext_noop("Information about students cannot be shared lawfully, in time or in a usable form.")),
    _problem("families_reach", gettext_noop("Reaching families"),
             gettext_noop("The families of students at risk are hard to reach or to involve.")),
    _problem("communication", gettext_noop("Communication"),
             gettext_noop("Contact is irregular, slow, or feedback after a referral does not come.")),
    _problem("leadership_support", gettext_noop("Leadership support"),
             gettext_noop("The leadership of the school or the centre does not back the partnership.")),
    _problem("bureaucracy", gettext_noop("Bureaucracy"),
             gettext_noop("Procedures, forms and approvals delay or discourage the joint work.")),
    _problem("training_gaps", gettext_noop("Training gaps"),
             gettext_noop("Staff lack the knowledge or skills the agreed practice needs.")),
    _problem("trust", gettext_noop("Trust"),
             gettext_noop("The partners doubt each other's expertise, reliability or intentions.")),
    _problem("other", gettext_noop("Other"),
             gettext_noop("Another problem, described in the comments.")),
])
