"""Texts of the demo's learning (safeschool.web.demo.learning): case studies, resource packs, the course and the
handbook. Demo content as the research team would write it; not user-interface strings (not translated)."""

from __future__ import annotations

AUTHORS = "SafeSchool research team"
CONSENT_BY = "The head teacher, for the school board"

# (slug, title, Hub practice title, intervention name prefix, text fields)
CASES = [
    ("morning-check-in-with-the-rec", "Morning check-in and family liaison with the REC", "Morning check-in",
     "Attendance", {
         "context": "A lower-secondary school in a district with high absence, many migrant families and one "
                    "family liaison officer at the Regional Educational Centre for thirty schools.",
         "partnership": "The school and the centre agreed a monthly meeting, referrals with the family's consent "
                        "and feedback within two weeks; the centre's liaison officer works at the school one "
                        "morning a week.",
         "practice": "Form tutors greet every student at the door; a student absent twice in a fortnight is "
                     "discussed at the weekly check-in, and the liaison officer visits the family when the school "
                     "cannot reach it.",
         "evidence": "Attendance records before and after, the partnership's referral counts and interviews with "
                     "tutors and families.",
         "outcomes": "Late arrivals fell by a third in one term; most referred families were reached within two "
                     "weeks.",
         "lessons": "The tutors needed time in their timetable; a second contact at the centre kept the work going "
                    "when the first one left.",
         "transferability": "Works where the centre can give half a day a week; smaller schools can share one "
                            "liaison morning."}),
    ("restorative-conferences-with-the-rec", "Restorative conferences instead of suspension, with the REC's "
     "psychologist", "Peer mentoring", "Restorative", {
         "context": "An upper-secondary school that suspended about forty students a year, most of them boys from "
                    "two neighbourhoods.",
         "partnership": "The centre's psychologist trained four teachers as conference facilitators and joins the "
                        "conferences for students already known to the centre.",
         "practice": "A restorative conference with the student, those harmed and the families replaces the "
                     "suspension; peer mentors support the student in the weeks after.",
         "evidence": "Suspension records over three years and the partnership survey of both sides.",
         "outcomes": "Suspensions halved in the first year; no student who took part left school that year.",
         "lessons": "Facilitators need supervision; sharing information with the centre was agreed in writing "
                    "first.",
         "transferability": "Needs a trained facilitator in the school and the centre's back-up for the hardest "
                            "cases."}),
]

PDF_LINES = {
    "partnership-agreement": ["A partnership agreement in one page",
                              "1. What we want to achieve together, and how we will know.",
                              "2. Who is the contact person on each side, and who replaces them.",
                              "3. How a student at risk is referred, with whose consent, and what feedback follows.",
                              "4. When we meet and when we review the agreement."],
    "families-first-contact": ["Reaching families: the first contact",
                               "Start with what goes well. Meet where the family is comfortable.",
                               "Use a trusted intermediary: a mediator, a community worker, a former pupil.",
                               "Agree one next step, and call back when you said you would."],
}
GUIDE = ("# Discussion guide\n\n1. What did each partner expect at the start?\n2. Where did the referral procedure "
         "work, and where did it stall?\n3. What would a new colleague need to know on the first day?\n")
SIGNS = ("Early signs of disengagement\n\n- Unexplained absences rising, especially single days\n- Late arrivals\n"
         "- Homework stopping\n- Withdrawal from friends or activities\n- A change at home (a move, a loss)\n")
SHEET = ("# Activity sheet: a week of signs\n\nFor one week, note for each student you are worried about: the sign, "
         "the day, and who else has noticed. Bring the sheet to the team meeting.\n")
CAPTIONS = ("WEBVTT\n\n00:00.000 --> 00:04.000\nWhy do schools and centres work together?\n\n"
            "00:04.000 --> 00:09.000\nBecause no one of us can keep every student in school alone.\n")
TRANSCRIPT = ("Why do schools and centres work together? Because no one of us can keep every student in school "
              "alone. In this short film a head teacher and a REC psychologist explain how they agreed their "
              "referral procedure and what changed for students.")
VIDEO_URL = "https://media.example.org/safeschool/working-together.webm"

# (slug, title, summary, outcomes, audiences, items: (kind, title, source)); source: "pdf:<key>", "md:<text name>",
# "txt:<text name>", "video", "case:<index>"
PACKS = [
    ("working-together", "Working together: school and REC", "How a school and its Regional Educational Centre "
     "agree what they do together, and keep doing it.", ["Write a one-page partnership agreement",
                                                          "Plan a referral procedure with feedback"],
     ["leaders", "rec_staff"], [("document", "A partnership agreement in one page", "pdf:partnership-agreement"),
                                ("video", "Working together (4-minute film)", "video"),
                                ("discussion_guide", "Discussion guide for a joint team meeting", "md:GUIDE"),
                                ("case_study", "Case study: morning check-in with the REC", "case:0")]),
    ("early-signs", "Spotting early signs of disengagement", "Recognising the first signs that a student may leave "
     "school early, and what to do next.", ["Name five early signs", "Record signs consistently for a week"],
     ["teachers"], [("document", "Early signs of disengagement", "txt:SIGNS"),
                    ("activity_sheet", "A week of signs", "md:SHEET")]),
    ("reaching-families", "Reaching families", "Contact with families who rarely come to school, with the REC's "
     "family liaison.", ["Prepare a first contact with a family", "Involve a trusted intermediary"],
     ["teachers", "families"], [("document", "Reaching families: the first contact", "pdf:families-first-contact"),
                                ("discussion_guide", "Talking with families: a guide", "md:GUIDE"),
                                ("case_study", "Case study: restorative conferences", "case:1")]),
]

COURSE_SLUG = "school-rec-partnership"  # the knowledge check of course_checks.yaml is keyed by it
COURSE_TITLE = "Working together against early leaving: a six-day course for schools and RECs"
COURSE_SUMMARY = ("Six days for school leaders, teachers and REC staff on preventing early leaving together: "
                  "early signs, referral and feedback, families, inclusion, and keeping a partnership going.")
COURSE_OUTCOMES = ["Recognise early signs of disengagement", "Agree a referral procedure with a REC",
                   "Plan contact with families who are hard to reach", "Review a partnership with shared indicators"]
MOBILITY = ("The course can be funded as a structured course under Erasmus+ Key Action 1 (staff mobility for "
            "school education). Apply through your school's accredited consortium or your national agency; you "
            "will need the course's dates, venue, programme (this page), learning outcomes and, after the course, "
            "the certificate of completion with its verification code.")
# days: (title, sessions: (title, activities: (title, minutes, method, pack slug and item order or None)))
DAYS = [
    ("Why partnerships", [("Early leaving in our schools", [("The network's figures", 60, "input", None),
                                                           ("Early signs", 90, "case discussion", ("early-signs", 1))]),
                          ("What a REC offers", [("A visit to the centre", 120, "fieldwork", None)])]),
    ("Agreeing the partnership", [("The agreement", [("Drafting an agreement", 90, "workshop",
                                                      ("working-together", 1))]),
                                  ("Referral and feedback", [("Role play: a referral", 90, "role play", None)])]),
    ("Families", [("Reaching families", [("First contact", 90, "role play", ("reaching-families", 1))]),
                  ("Trusted intermediaries", [("Panel with mediators", 90, "panel", None)])]),
    ("Inclusion", [("Migrant and Roma learners", [("Case discussion", 90, "case discussion",
                                                   ("reaching-families", 3))]),
                   ("Inclusive support", [("Adapting support to each learner", 90, "workshop", None)])]),
    ("Working as a team", [("Joint case management", [("A case from referral to review", 120, "case discussion",
                                                       ("working-together", 4))]),
                           ("When staff change", [("Induction of a new contact", 60, "workshop",
                                                   ("working-together", 3))])]),
    ("Keeping it going", [("Shared indicators", [("Choosing indicators", 90, "workshop", None)]),
                          ("Action plans", [("Our plan for the year", 120, "group work", ("early-signs", 2))])]),
]
INDUCTION_TITLE = "Induction course for new teachers: working with the REC"
PAST_EDITION = ("Spring edition", "Regional Educational Centre, training rooms", "Elena Moretti, Rui Pereira")
OPEN_EDITION = ("Autumn edition", "Partner university, Faculty of Education", "Irene Lazaridou, Piotr Nowak")
COMMENTS = ["The role plays were the most useful part.", "More time for the families day, please.",
            "I will use the agreement template with our centre.", ""]

HANDBOOK = {
    "en": ("School–REC partnerships against early leaving: a handbook of practice",
           "What works when schools and Regional Educational Centres work together", [
               ("Why schools and RECs work together",
                "No school keeps every student alone. A Regional Educational Centre brings training, coaching, "
                "case management and family liaison.\n\nThe first case study shows a school and its centre "
                "agreeing a weekly **morning check-in** with the centre's liaison officer."),
               ("Agreeing and keeping a partnership",
                "Write the agreement down: goals, contact people and their replacements, referral with consent and "
                "feedback, meetings and review.\n\nThe pack *Working together* has a one-page agreement and a "
                "discussion guide; plan for staff turnover from the start."),
               ("Reaching families and including every learner",
                "Families who rarely come to school are reached through trusted intermediaries. Restorative "
                "conferences can replace suspension.\n\nSee the second case study and the pack *Reaching "
                "families*.")]),
    "es": ("Colaboración entre escuelas y centros regionales contra el abandono escolar: manual de práctica",
           "Lo que funciona cuando las escuelas y los centros regionales trabajan juntos", [
               ("Por qué colaboran las escuelas y los centros",
                "Ninguna escuela retiene sola a todo su alumnado. El centro regional aporta formación, "
                "acompañamiento, gestión de casos y enlace con las familias."),
               ("Acordar y mantener la colaboración",
                "Pongan el acuerdo por escrito: objetivos, personas de contacto y sus sustitutos, derivación con "
                "consentimiento y respuesta, reuniones y revisión."),
               ("Llegar a las familias e incluir a todo el alumnado",
                "A las familias que casi nunca vienen a la escuela se llega mediante intermediarios de confianza. "
                "Las conferencias restaurativas pueden sustituir a la expulsión.")]),
}
REFERENCES = ("European Commission (2013). Reducing early school leaving: key messages and policy support.\n"
              "European Commission (2015). A whole school approach to tackling early school leaving.")
