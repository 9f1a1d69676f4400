"""Texts of the demo's RECs, partnerships, survey and state-of-the-art report (safeschool.web.demo.recs). Demo
content, in English as the research team would write it; not user-interface strings (not translated)."""

from __future__ import annotations

WAVE_TITLE = "Partnership survey and needs analysis, first wave"
REPORT_TITLE = "School–REC partnerships against early leaving: the state of the art"

AREAS = ["the northern districts and the valley towns", "the capital's eastern boroughs",
         "the coastal municipalities", "the southern rural district", "the western province and its islands",
         "the industrial belt around the regional capital"]
DESCRIPTION = ("A public centre that supports the schools of {area}: in-service training, coaching of school teams, "
               "case management for students at risk, psychological and social support and liaison with families.")
# each REC's services: everyone trains and coaches; the others vary by centre (index i of the REC)
EXTRA_SERVICES = [["case_management", "psychological", "family_liaison"], ["psychological", "family_liaison"],
                  ["case_management", "psychological"], ["case_management", "family_liaison"]]
STAFF_FIRST = ["Elena", "Paolo", "Irene", "Vasilis", "Carmen", "Rui", "Adriana", "Piotr", "Laura", "Mihai",
               "Beatriz", "Katarzyna"]
STAFF_LAST = ["Moretti", "Serrano", "Lazaridou", "Pereira", "Dumitru", "Wiśniewska", "Conti", "Navarro",
              "Alexiou", "Matos", "Stan", "Zielińska"]
ROLES = ["Head of school support", "School psychologist", "Family liaison officer", "Training coordinator"]

AGREEMENT = ("Monthly contact between the school's contact person and the centre's; referrals of students at risk "
             "with the family's consent, and feedback to the school within two weeks; one joint training day a year.")
MEETINGS = [("Agreeing the referral procedure", "Consent forms, who refers and feedback within two weeks agreed."),
            ("Review of the first term's referrals", "Most referrals concerned absence; families reached in most."),
            ("Planning the joint training day", "Topic: talking with families who rarely come to school.")]
SCHOOL_COMMENTS = {
    "time": "Our contact teacher has no hours for the partnership beside a full timetable.",
    "staff_turnover": "Our contact at the centre changed twice this year; each time we started again.",
    "data_sharing": "We are not sure what we may tell the centre about a student before the family agrees.",
    "families_reach": "The families we most need to reach do not answer the centre's letters.",
}
REC_COMMENTS = {
    "time": "Two psychologists for thirty schools: we cannot come as often as the school would like.",
    "staff_turnover": "Half the teachers we trained last year have moved to other schools.",
    "data_sharing": "Referrals arrive without the information we need, or weeks late.",
    "families_reach": "Home visits work, but we have too few staff for them.",
}

NARRATIVE = {
    "summary": (
        "This first version of the report describes how the network's schools and their Regional Educational "
        "Centres work together, what gets in the way, and what school leaders and teachers say they need to learn. "
        "It draws on the first wave of the partnership survey, answered by both sides of most partnerships, on the "
        "needs analysis and on the platform's own outcome data."),
    "collaboration": (
        "Most partnerships agreed training and coaching; case management and family liaison are less common and "
        "depend on the centre's staff. Both sides rate shared goals and trust highest; joint planning and the "
        "resources given to the partnership lowest. Schools are a little less positive than centres."),
    "implementation": (
        "Lack of time and staff turnover are the problems named most often, on both sides and in every country. "
        "Data sharing is a problem where the rules on passing information to the centre are unclear, and reaching "
        "families where the centre's area is large and rural."),
    "target_groups": (
        "Early leaving remains higher among migrant and Roma students and among students with special educational "
        "needs; the gaps are largest in the upper secondary years. Belonging and security follow the same pattern. "
        "Groups smaller than the disclosure threshold are not shown."),
    "training_needs": (
        "Teachers give the highest priority to recognising early signs of disengagement and to working with "
        "families; school leaders to leading change and to using data. Both prefer face-to-face workshops and "
        "coaching at the school to online courses."),
    "recommendations": (
        "Give the partnership's contact people time in their timetables; agree in writing what information may be "
        "shared and when; plan for turnover with a second contact on each side and a short induction; and reach "
        "families through trusted intermediaries rather than letters."),
}
