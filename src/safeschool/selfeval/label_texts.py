"""The texts of label.yaml for the translation catalogues (makemessages reads gettext_noop here, not YAML).
tests/selfeval/test_label_criteria.py keeps this list and the file the same; "Safe School" is the pillar's name
in vocabulary.py, already in the catalogues."""

from safeschool.vocabulary import gettext_noop

# translators: the Safe School Label's published criteria (safeschool/selfeval/label.yaml)
TEXTS = (
    gettext_noop('Safe School Label'),
    gettext_noop('Written safeguarding policy'),
    gettext_noop('Anti-bullying programme'),
    gettext_noop('Early-warning procedure for learners at risk'),
    gettext_noop('Alternatives to suspension and expulsion'),
    gettext_noop('Alternatives to grade repetition'),
    gettext_noop('Flexible pathways with case management'),
    gettext_noop('Student council'),
    gettext_noop('Welcome programme for new families'),
    gettext_noop('Partnership with a Regional Educational Centre'),
    gettext_noop('Professional development plan for staff'),
    gettext_noop('School improvement plan'),
    gettext_noop('Committed School'),
    gettext_noop('The first step is to look honestly at the school and decide what to change. This level rewards '
                 'doing that, not the scores: a school that finds low scores and makes a plan is committed, and a '
                 'school that struggles can enter here and be supported on the way up.'),
    gettext_noop('A recent self-evaluation'),
    gettext_noop('A self-evaluation campaign closed within the last %(months)s months.'),
    gettext_noop('The label describes the school as it is now; an older picture says little about today.'),
    gettext_noop('Students and adults heard'),
    gettext_noop("The students' results are shown (at least 10 answered) and at least one adult group's too."),
    gettext_noop("A school's view of itself is incomplete without its learners; leaders alone cannot say how safe "
                 'the school feels.'),
    gettext_noop('An action plan in progress'),
    gettext_noop('An action plan in progress, with goals tied to subdimensions (at least: %(min_goals)s).'),
    gettext_noop("Self-evaluation is worth the effort only when it leads to action; the plan is the school's "
                 'commitment.'),
    gettext_noop('A Safe School is one where learners, staff and families all find it sound, where the practices '
                 'that protect learners are in place and documented, and where the school changes through '
                 'participatory action research with its community.'),
    gettext_noop('Several groups heard, students and families among them'),
    gettext_noop("At least %(at_least)s groups' results are shown, students and families among them."),
    gettext_noop('Safety is judged by those it protects: learners and their families must be heard, beside the '
                 'staff.'),
    gettext_noop('Sound scores in every group'),
    gettext_noop('Every dimension scores at least %(min_score)s out of 100 in every group shown.'),
    gettext_noop('A school is not safe for everyone if one group, or one pillar, lags behind: a high average can '
                 'hide it, so the threshold applies to each dimension in each group.'),
    gettext_noop('The key practices in place and evidenced'),
    gettext_noop("The school's leaders report the key practices in place (a written safeguarding policy, an anti-"
                 'bullying programme, an early-warning procedure, alternatives to suspension) and a document shows'
                 ' each.'),
    gettext_noop('These four practices protect learners most directly. We ask for them to be in place, not only '
                 'documented when claimed: otherwise a school would meet the criterion by answering no.'),
    gettext_noop('The label is for continuous improvement: a Safe School keeps working on its weakest points.'),
    gettext_noop('Participatory action research'),
    gettext_noop('The school takes part in at least one participatory action research (PAR) cycle.'),
    gettext_noop('Change that staff, learners and families plan, try and reflect on together lasts longer than '
                 'change decided for them.'),
    gettext_noop('Exemplary Safe School'),
    gettext_noop('An Exemplary Safe School shows high results for everyone, little difference between how groups '
                 'see the school, results that hold or improve over time, and a completed action research cycle: '
                 'others can learn from it.'),
    gettext_noop('Every group heard'),
    gettext_noop('The results of all %(at_least)s groups are shown (leaders, teachers, students and families).'),
    gettext_noop('An example for others must be one in the eyes of everyone in the school community.'),
    gettext_noop('High scores in every group'),
    gettext_noop('Exemplary means strong on every pillar, for every group, not on average.'),
    gettext_noop('Small perception gaps'),
    gettext_noop('No dimension differs by %(max_gap)s points or more between two groups.'),
    gettext_noop('When leaders see a much safer school than students or families do, some are not being heard; '
                 'small gaps show a shared picture.'),
    gettext_noop('Every practice in place and evidenced'),
    gettext_noop("The school's leaders report every yes/no practice of the questionnaire in place, and a document "
                 'shows each.'),
    gettext_noop('An example for others documents everything it does, so that others can take it up.'),
    gettext_noop('Sustained or improving results'),
    gettext_noop("Compared with the school's previous campaign, no dimension fell by more than %(max_drop)s points"
                 ' in any group (a previous campaign is needed).'),
    gettext_noop('One good year can be chance; results that hold or improve show a school that keeps learning.'),
    gettext_noop('Even an exemplary school has a next step.'),
    gettext_noop('A finished action research cycle'),
    gettext_noop('The school finished at least one participatory action research (PAR) cycle (through reflection).'),
    gettext_noop('A finished cycle shows the whole loop, from a plan to what was learnt, and gives the network a '
                 'case to learn from.'),
)
