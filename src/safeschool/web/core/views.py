from django.shortcuts import render

from safeschool.web.research import selectors

PILLARS = [
    {"level": "Individual", "pillar": "Safe Learning",
     "text": "Each learner's attachment security, self-efficacy and circumstances: socio-economic status, special "
             "educational needs, migrant or Roma background, gender, growing up outside parental care."},
    {"level": "Relational", "pillar": "Safe Teaching",
     "text": "Close, low-conflict relationships with teachers, belonging among peers and support from the family."},
    {"level": "Community", "pillar": "Safe School",
     "text": "A kind, strong and wise school: its climate and social mix, partnership with a Regional Educational "
             "Centre, and alternatives to exclusion."},
    {"level": "Political", "pillar": "Safe Education",
     "text": "Country policies: the age of tracking, grade repetition, support against early leaving, inclusion."},
]


def home(request):
    return render(request, "core/home.html", {
        "pillars": PILLARS,
        "totals": selectors.network_totals(),
        "simulated": selectors.cohort_is_simulated(),
    })


def forbidden(request, exception=None):
    return render(request, "core/403.html", {"reason": str(exception) if exception else ""}, status=403)
