"""The domain's words, defined once: ecological levels and their pillars, school stages, the groups a breakdown
uses and their labels, the network's countries, and the disclosure threshold. Django-free, so the statistics core,
the simulator, the importers and every web app read the same words from here."""

from __future__ import annotations


def gettext_noop(text: str) -> str:
    """Marks a label for the translation catalogues (Django's makemessages reads this name) and returns it as it is:
    this module stays Django-free and the web layer translates labels when it shows them."""
    return text

# Aggregates over fewer than this many students are never shown, anywhere (DESIGN.md, data protection).
MIN_CELL = 10

# The four ecological levels, innermost first, and the pillar of the Safe Education model at each.
LEVELS = ("individual", "relational", "community", "political")
LEVEL_LABELS = {"individual": gettext_noop("Individual"), "relational": gettext_noop("Relational"), "community": gettext_noop("Community"),
                "political": gettext_noop("Political")}
PILLARS = {"individual": gettext_noop("Safe Learning"), "relational": gettext_noop("Safe Teaching"), "community": gettext_noop("Safe School"),
           "political": gettext_noop("Safe Education")}
PILLAR_TEXTS = {
    "individual": gettext_noop("Each learner's attachment security, self-efficacy and circumstances: socio-economic status, "
                  "special educational needs, migrant or Roma background, gender, growing up outside parental care."),
    "relational": gettext_noop("Close, low-conflict relationships with teachers, belonging among peers and support from the "
                  "family."),
    "community": gettext_noop("A kind, strong and wise school: its climate and social mix, partnership with a Regional "
                 "Educational Centre, and alternatives to exclusion."),
    "political": gettext_noop("Country policies: the age of tracking, grade repetition, support against early leaving, "
                 "inclusion."),
}

# School stages, youngest first.
STAGE_LABELS = {
    "ecec": gettext_noop("Early childhood education and care"),
    "primary": gettext_noop("Primary"),
    "lower_secondary": gettext_noop("Lower secondary"),
    "upper_secondary": gettext_noop("Upper secondary"),
    "second_chance": gettext_noop("Second-chance school"),
}
STAGES = tuple(STAGE_LABELS)
# The short word a school's name starts with ("Lower secondary school IT-S003").
STAGE_NAME_WORDS = {"ecec": "Early-years", "primary": "Primary", "lower_secondary": "Lower secondary",
                    "upper_secondary": "Upper secondary", "second_chance": "Second-chance"}
# Where early leaving is decided: the stages analyses of dropout default to.
SECONDARY_STAGES = ("lower_secondary", "upper_secondary", "second_chance")

# Gender as recorded for students and teachers (a breakdown of students reads GROUPS["gender"]).
GENDERS = {"F": gettext_noop("Female"), "M": gettext_noop("Male"), "X": gettext_noop("Another gender")}

# The groups a breakdown or an intersectional analysis uses: column -> (title, {stored value: label}).
# Booleans are stored as the text "True"/"False" in analysis frames.
GROUPS = {
    "gender": (gettext_noop("Gender"), {"F": gettext_noop("Girls"), "M": gettext_noop("Boys"), "X": gettext_noop("Another gender")}),
    "migrant_background": (gettext_noop("Migrant background"), {"True": gettext_noop("Migrant background"), "False": gettext_noop("No migrant background")}),
    "roma_minority": (gettext_noop("Roma / ethnic minority"), {"True": gettext_noop("Roma / ethnic minority"), "False": gettext_noop("Not minority")}),
    "sen": (gettext_noop("Special educational needs"), {"True": gettext_noop("SEN / disability"), "False": gettext_noop("No SEN")}),
    "ses_band": (gettext_noop("Socio-economic status"), {"low": gettext_noop("Low SES"), "middle": gettext_noop("Middle SES"), "high": gettext_noop("High SES")}),
    "out_of_parental_care": (gettext_noop("Growing up outside parental care"),
                             {"True": gettext_noop("Outside parental care"), "False": gettext_noop("Parental care")}),
}
# What the other columns of the analysis frame are called when shown (determinants and outcomes; the group columns
# above are titled by GROUPS): model terms, chart axes and tables read these, never the column name.
VARIABLE_LABELS = {
    "ses_index": gettext_noop("Socio-economic status (index)"),
    "security": gettext_noop("Attachment security"),
    "closeness": gettext_noop("Teacher–student closeness"),
    "conflict": gettext_noop("Teacher–student conflict"),
    "belonging": gettext_noop("Sense of belonging"),
    "engagement": gettext_noop("Engagement"),
    "ses_composition": gettext_noop("School socio-economic composition"),
    "climate_index": gettext_noop("School climate"),
    "rec_partner": gettext_noop("Partnership with a Regional Educational Centre"),
    "alternatives_to_exclusion": gettext_noop("Alternatives to exclusion"),
    "inclusion_index": gettext_noop("Inclusion measures (index)"),
    "early_tracking": gettext_noop("Early tracking"),
    "esl_support": gettext_noop("Support against early leaving"),
    "achievement": gettext_noop("Achievement"),
    "attendance_rate": gettext_noop("Attendance rate"),
    "dropped_out": gettext_noop("Left education early"),
    "age": gettext_noop("Age"),
}
# Short names researchers type for those columns (`--strata migrant,ses`).
GROUP_ALIASES = {"gender": "gender", "migrant": "migrant_background", "roma": "roma_minority", "ses": "ses_band",
                 "sen": "sen", "disability": "sen", "care": "out_of_parental_care"}


def group_title(column: str) -> str:
    """The title of a group column ("Migrant background"), or the column's own name when it is not one of ours."""
    return GROUPS[column][0] if column in GROUPS else column


def group_label(column: str, value: str) -> str:
    """The label of one value of a group column ("Girls"); other columns read "column=value"."""
    return GROUPS.get(column, ("", {}))[1].get(str(value), f"{column}={value}")


# EU member states, in the order the simulator draws them.
EU_COUNTRIES = (
    ("IT", gettext_noop("Italy")), ("ES", gettext_noop("Spain")), ("PT", gettext_noop("Portugal")), ("EL", gettext_noop("Greece")), ("RO", gettext_noop("Romania")), ("PL", gettext_noop("Poland")),
    ("IE", gettext_noop("Ireland")), ("HU", gettext_noop("Hungary")), ("BG", gettext_noop("Bulgaria")), ("HR", gettext_noop("Croatia")), ("SI", gettext_noop("Slovenia")),
    ("SK", gettext_noop("Slovakia")), ("CZ", gettext_noop("Czechia")), ("AT", gettext_noop("Austria")), ("BE", gettext_noop("Belgium")), ("NL", gettext_noop("Netherlands")),
    ("DE", gettext_noop("Germany")), ("FR", gettext_noop("France")), ("LU", gettext_noop("Luxembourg")), ("DK", gettext_noop("Denmark")), ("SE", gettext_noop("Sweden")),
    ("FI", gettext_noop("Finland")), ("EE", gettext_noop("Estonia")), ("LV", gettext_noop("Latvia")), ("LT", gettext_noop("Lithuania")), ("CY", gettext_noop("Cyprus")), ("MT", gettext_noop("Malta")),
)
# Where a network member may come from: the EU, and beyond it.
COUNTRIES = (*EU_COUNTRIES, ("UK", gettext_noop("United Kingdom")), ("OTHER", gettext_noop("Outside the EU")))
