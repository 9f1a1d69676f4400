"""What the demo's two co-produced interventions say (safeschool.web.demo.interventions seeds them): their TIDieR
descriptions (Hoffmann et al. 2014, BMJ 348:g1687), logic models, co-producers, the adaptation of the first for Roma
families in Romania, and the trials' protocol texts. Data only, in English, as the rest of the demo's content."""

from __future__ import annotations

MENTORING = {
    "name": "Attendance mentoring with family liaison",
    "summary": "A mentor at school and a family liaison worker from children's social care work together with "
               "students whose attendance has fallen below 90 %, and with their families.",
    "level": "relational", "status": "ready", "outcomes": ["attendance", "dropout", "belonging"],
    "why": "Persistent absence is the strongest early signal of early leaving. Students who are often absent tend to "
           "lack a trusted adult at school, and their families often hear from the school only when something has "
           "gone wrong. Check & Connect shows that a mentor who follows attendance every week and builds a "
           "relationship over the school year reduces absence; in our network, children's social care already "
           "works with many of these families. The intervention joins the two: the mentor works on the student's "
           "connection to school, the liaison worker on what keeps the family from getting the student to school "
           "(caring duties, housing, health, earlier bad experiences with school).",
    "materials": "A mentor handbook (weekly check sheet, conversation guide, when to call the family); the monthly "
                 "attendance list from the school's register; a liaison agreement signed by the school and the "
                 "local children's social care service; a one-page leaflet for families in the school's home "
                 "languages.",
    "procedures": "1. Each month the school lists students whose attendance was below 90 % in the "
                  "last six weeks. 2. A mentor meets each listed student within two weeks, then weekly for 15-20 "
                  "minutes: attendance and grades, one goal for the week, problem solving. 3. After a third absence "
                  "in a month the mentor calls the family the same day. 4. When the family agrees, the family "
                  "liaison worker visits within ten days and agrees a family plan (up to six visits a term). 5. "
                  "Mentor, liaison worker and form tutor review each student every six weeks. Students stay in the "
                  "programme for the school year, whether or not their attendance recovers.",
    "providers": "Mentors: teachers or teaching assistants with half a day's training and two hours a week set "
                 "aside (up to 12 students each). Family liaison: a social worker or family support worker of the "
                 "local children's social care service, one day a week per school. A school leader coordinates and "
                 "chairs the reviews.",
    "delivery": "Face to face: weekly individual meetings at school, home visits and phone calls to families; one "
                "shared, secure case note kept by the school.",
    "location": "Lower- and upper-secondary schools and second-chance schools; home visits in the family's home or "
                "a community centre the family chooses.",
    "dose": "One school year: about 30 weekly mentor meetings of 15-20 minutes, three to six family visits of an "
            "hour, six reviews.",
    "tailoring": "Each student sets their goals with the mentor; each family agrees its own plan; an interpreter "
                 "or a cultural mediator joins visits when the family prefers another language.",
    "modifications": "",
    "fidelity_planned": "Mentors log every meeting on the check sheet; each month the coordinator checks that at "
                        "least 80 % of planned meetings took place and that every family was called on the day of "
                        "a third absence.",
    "fidelity_actual": "",
}
MENTORING_LOGIC = {
    "inputs": ["Mentor time: two hours a week for up to 12 students", "A family liaison worker from children's "
               "social care, one day a week per school", "The school's monthly attendance list",
               "Half a day's training for mentors and liaison workers"],
    "activities": ["Weekly check-ins of each student with their mentor", "A call to the family on the day of a third "
                   "absence in a month", "Home visits and a family plan", "Six-weekly reviews with the form tutor"],
    "outputs": ["Every listed student has a named mentor within two weeks", "Families visited, with an agreed plan",
                "Meetings held, as the fidelity log records them"],
    "short_term": ["A trusted adult at school for every listed student", "Families in touch with the school before "
                   "problems escalate", "Higher attendance within the school year"],
    "long_term": ["Fewer students leaving education early", "A stronger sense of belonging at school"],
}
MENTORING_FIDELITY = ("In the trial's intervention schools 84 % of planned mentor meetings took place and 61 % of "
                      "the families contacted accepted the liaison worker's visits (mentors' logs, all schools).")
# The adaptation (version 2): for which context, what changed and why, and the TIDieR fields it changes.
ROMA_ADAPTATION = {
    "context": "Lower-secondary schools with Roma students in Romania",
    "changes": "A Roma school mediator makes the first contact with the family and co-delivers the family liaison "
               "with the social worker; the leaflet and the family plan are in Romanian and Romani; visits may take "
               "place at the community centre; the mentors' training adds a module on anti-Roma discrimination.",
    "reasons": "In the co-production workshops in Romania, Roma parents and school mediators said that a first visit "
               "by a social worker is often feared as the start of child-protection proceedings, while a mediator "
               "from the community is trusted. Schools there already employ mediators under the national Roma "
               "inclusion plan, so no new post is needed.",
    "fields": {
        "providers": MENTORING["providers"] + " In Romania a Roma school mediator, employed by the school, makes the "
                     "first contact with the family and co-delivers the family liaison.",
        "tailoring": MENTORING["tailoring"] + " Leaflet and family plan in Romanian and Romani.",
        "modifications": "Version 2, Romania: first contact and family liaison with a Roma school mediator; "
                         "materials in Romani; visits at the community centre; a training module on anti-Roma "
                         "discrimination.",
    },
}

RESTORATIVE = {
    "name": "Restorative conferences instead of suspension",
    "summary": "When a student's behaviour would lead to a fixed-term suspension, the school holds a restorative "
               "conference with the student, those harmed, the families and, where involved, a youth justice "
               "practitioner; the written agreement replaces the suspension.",
    "level": "community", "status": "ready", "outcomes": ["exclusion", "attendance", "belonging"],
    "why": "Suspensions take students out of school when they most need it, are given far more often to students "
           "from minorities and with special educational needs, and predict early leaving and contact with youth "
           "justice. Restorative practice holds students to account for the harm done while keeping them in "
           "school; the youth justice services of several partner countries already run restorative conferences "
           "for young people in the community and bring that experience into schools.",
    "materials": "A conference script; a facilitator guide; a written agreement form; the school's behaviour policy, "
                 "amended to name the conference as the first response to incidents that would lead to a "
                 "fixed-term suspension.",
    "procedures": "1. An incident that would lead to a fixed-term suspension (not one that puts others' safety at "
                  "risk) is referred to the school's restorative lead within one school day. 2. A facilitator "
                  "prepares separately with the student, those harmed and the families. 3. The conference (45-90 "
                  "minutes) follows the script: what happened, who was affected and how, what needs to happen to "
                  "put it right. 4. The written agreement (repair, support, follow-up) replaces the suspension; the "
                  "facilitator checks it after two and six weeks. 5. When the student is known to the youth justice "
                  "service, their practitioner joins the preparation and the conference.",
    "providers": "Two staff per school trained as facilitators (three days) by youth justice practitioners "
                 "experienced in restorative conferences; a youth justice practitioner co-facilitates when the "
                 "student is known to the service; the school leader signs the agreements.",
    "delivery": "Preparation one to one; the conference face to face, as a group.",
    "location": "Lower-secondary schools, in a quiet room away from the classroom.",
    "dose": "One conference per incident, with preparation (about two hours in all) and two follow-up checks; "
            "about three hours of facilitators' time a week per school.",
    "tailoring": "Those harmed may take part through a letter or a representative; families may bring a support "
                 "person; interpreters as needed.",
    "modifications": "",
    "fidelity_planned": "Every conference is recorded on the facilitator's checklist (script steps followed, "
                        "agreement written, follow-ups done); a youth justice supervisor observes one conference "
                        "per school each term.",
    "fidelity_actual": "",
}
RESTORATIVE_LOGIC = {
    "inputs": ["Two trained facilitators per school", "Youth justice practitioners as trainers and co-facilitators",
               "A behaviour policy naming the conference as the first response"],
    "activities": ["Referral within one school day", "Preparation with each party", "The restorative conference "
                   "and its written agreement", "Follow-up checks after two and six weeks"],
    "outputs": ["Conferences held instead of suspensions", "Agreements kept at six weeks"],
    "short_term": ["Fewer fixed-term suspensions", "Those harmed feel heard", "Students stay in class"],
    "long_term": ["Fewer students leaving education early", "Less contact with the youth justice system"],
}

# Co-producers: (stakeholder type, the member's sector or "" for any, the sector they bring, their role), then the
# organisations (name, sector, role).
MENTORING_MEMBERS = (
    ("teacher", "", "education", "Form tutor; wrote the mentor handbook with the students"),
    ("school_board", "", "education", "School leader; set out the mentors' time and the reviews"),
    ("practitioner", "social_care", "social_care", "Social worker; designed the home visits and the family plan"),
)
MENTORING_ORGANISATIONS = (
    ("Municipal children's social care service", "social_care", "Seconds the family liaison workers and "
                                                                 "supervises them"),
)
RESTORATIVE_MEMBERS = (
    ("practitioner", "youth_justice", "youth_justice", "Youth justice practitioner; trains the facilitators"),
    ("teacher", "", "education", "Head of year; adapted the conference script for school incidents"),
    ("practitioner", "send", "send", "SEND coordinator; made the preparation accessible to students with special "
                                     "educational needs"),
)
RESTORATIVE_ORGANISATIONS = (
    ("Regional youth justice service", "youth_justice", "Restorative conference facilitators and supervision"),
)
PRACTICES = {"mentoring": ("Peer mentoring", "Morning check-in"), "restorative": ()}
PROGRAMMES = {"mentoring": ("Check & Connect mentoring", "Family-school partnership teams"),
              "restorative": ("Restorative practice in secondary schools",)}
PAR_CYCLES = {"mentoring": "Morning check-in for every class", "restorative": None}

# The trials' titles and protocol texts
COMPLETED_TITLE = "Attendance mentoring with family liaison: a cluster-randomised trial in secondary schools"
REGISTERED_TITLE = "Restorative conferences instead of suspension: a stratified cluster-randomised trial"
STOPPING = ("No interim analysis of effectiveness; the trial stops early only if the data monitoring group finds "
            "harm (a rise in serious incidents in intervention schools).")
MISSING = ("Intention to treat: every student of every allocated school is analysed in the school's arm. Students "
           "without a follow-up outcome are reported as lost to follow-up; the primary analysis uses all students "
           "with the outcome (missing at random given the baseline covariates), with a sensitivity analysis by "
           "multiple imputation.")
DEVIATION = {
    "field": "other",
    "change": "Follow-up attendance was taken in week 30 of the school year instead of week 32, as the protocol "
              "planned.",
    "reason": "Regional elections closed several schools in week 32; taking every school's data two weeks earlier "
              "kept the follow-up period the same in both arms.",
}
