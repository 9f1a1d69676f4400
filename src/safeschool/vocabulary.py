"""The domain's words, defined once: ecological levels and their pillars, school stages, the groups a breakdown
uses and their labels, the network's countries, and the disclosure threshold. Django-free, so the statistics core,
the simulator, the importers and every web app read the same words from here."""

from __future__ import annotations

# Aggregates over fewer than this many students are never shown, anywhere (DESIGN.md, data protection).
MIN_CELL = 10

# The four ecological levels, innermost first, and the pillar of the Safe Education model at each.
LEVELS = ("individual", "relational", "community", "political")
LEVEL_LABELS = {"individual": "Individual", "relational": "Relational", "community": "Community",
                "political": "Political"}
PILLARS = {"individual": "Safe Learning", "relational": "Safe Teaching", "community": "Safe School",
           "political": "Safe Education"}
PILLAR_TEXTS = {
    "individual": "Each learner's attachment security, self-efficacy and circumstances: socio-economic status, "
                  "special educational needs, migrant or Roma background, gender, growing up outside parental care.",
    "relational": "Close, low-conflict relationships with teachers, belonging among peers and support from the "
                  "family.",
    "community": "A kind, strong and wise school: its climate and social mix, partnership with a Regional "
                 "Educational Centre, and alternatives to exclusion.",
    "political": "Country policies: the age of tracking, grade repetition, support against early leaving, "
                 "inclusion.",
}

# School stages, youngest first.
STAGE_LABELS = {
    "ecec": "Early childhood education and care",
    "primary": "Primary",
    "lower_secondary": "Lower secondary",
    "upper_secondary": "Upper secondary",
    "second_chance": "Second-chance school",
}
STAGES = tuple(STAGE_LABELS)
# The short word a school's name starts with ("Lower secondary school IT-S003").
STAGE_NAME_WORDS = {"ecec": "Early-years", "primary": "Primary", "lower_secondary": "Lower secondary",
                    "upper_secondary": "Upper secondary", "second_chance": "Second-chance"}
# Where early leaving is decided: the stages analyses of dropout default to.
SECONDARY_STAGES = ("lower_secondary", "upper_secondary", "second_chance")

# Gender as recorded for students and teachers (a breakdown of students reads GROUPS["gender"]).
GENDERS = {"F": "Female", "M": "Male", "X": "Another gender"}

# The groups a breakdown or an intersectional analysis uses: column -> (title, {stored value: label}).
# Booleans are stored as the text "True"/"False" in analysis frames.
GROUPS = {
    "gender": ("Gender", {"F": "Girls", "M": "Boys", "X": "Another gender"}),
    "migrant_background": ("Migrant background", {"True": "Migrant background", "False": "No migrant background"}),
    "roma_minority": ("Roma / ethnic minority", {"True": "Roma / ethnic minority", "False": "Not minority"}),
    "sen": ("Special educational needs", {"True": "SEN / disability", "False": "No SEN"}),
    "ses_band": ("Socio-economic status", {"low": "Low SES", "middle": "Middle SES", "high": "High SES"}),
    "out_of_parental_care": ("Growing up outside parental care",
                             {"True": "Outside parental care", "False": "Parental care"}),
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
    ("IT", "Italy"), ("ES", "Spain"), ("PT", "Portugal"), ("EL", "Greece"), ("RO", "Romania"), ("PL", "Poland"),
    ("IE", "Ireland"), ("HU", "Hungary"), ("BG", "Bulgaria"), ("HR", "Croatia"), ("SI", "Slovenia"),
    ("SK", "Slovakia"), ("CZ", "Czechia"), ("AT", "Austria"), ("BE", "Belgium"), ("NL", "Netherlands"),
    ("DE", "Germany"), ("FR", "France"), ("LU", "Luxembourg"), ("DK", "Denmark"), ("SE", "Sweden"),
    ("FI", "Finland"), ("EE", "Estonia"), ("LV", "Latvia"), ("LT", "Lithuania"), ("CY", "Cyprus"), ("MT", "Malta"),
)
# Where a network member may come from: the EU, and beyond it.
COUNTRIES = (*EU_COUNTRIES, ("UK", "United Kingdom"), ("OTHER", "Outside the EU"))
