"""The course certificate (PDF via core.pdf, in the reader's language): the holder's name, the course, its hours,
the edition's dates, the learning outcomes, the verification code and the public address where anyone checks it."""

from __future__ import annotations

from django.utils.formats import date_format
from django.utils.translation import gettext

from safeschool import chart_theme
from safeschool.web.core import formatting
from safeschool.web.core.pdf import FAMILY, Document
from safeschool.web.learning.models import Certificate
from safeschool.web.learning.selectors_course import course_hours
from safeschool.web.learning.selectors_editions import person_name


def format_code(code: str) -> str:
    """ABCDEFGHJK -> ABCDE-FGHJK (easier to read aloud and type)."""
    return "-".join(code[i:i + 5] for i in range(0, len(code), 5))


def certificate_pdf(certificate: Certificate, verify_url: str) -> bytes:
    enrolment = certificate.enrolment
    edition, course = enrolment.edition, enrolment.edition.course
    heading = gettext("Certificate of completion")
    pdf = Document(footer=heading)
    pdf.set_title(f"{heading}: {course.title}")
    pdf.set_subject(format_code(certificate.code))
    pdf.set_keywords(f"{certificate.code} {verify_url}")
    pdf.add_page()
    pdf.ln(18)
    pdf.set_font(FAMILY, "B", 14)
    pdf.set_text_color(*chart_theme.rgb(chart_theme.MUTED))
    pdf.cell(0, 10, heading, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_text_color(*chart_theme.rgb(chart_theme.INK))
    pdf.set_font(FAMILY, "", 12)
    pdf.cell(0, 8, gettext("This certifies that"), align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FAMILY, "B", 20)
    pdf.multi_cell(0, 11, person_name(enrolment.user), align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FAMILY, "", 12)
    pdf.cell(0, 8, gettext("has completed the course"), align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FAMILY, "B", 18)
    pdf.set_text_color(*chart_theme.rgb(chart_theme.PRIMARY))
    pdf.multi_cell(0, 10, course.title, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_text_color(*chart_theme.rgb(chart_theme.INK))
    pdf.set_font(FAMILY, "", 11)
    facts = gettext("%(edition)s · %(start)s to %(end)s · %(venue)s · %(hours)s hours") % {
        "edition": edition.title, "start": date_format(edition.starts_on, "DATE_FORMAT"),
        "end": date_format(edition.ends_on, "DATE_FORMAT"), "venue": edition.venue,
        "hours": formatting.number(course_hours(course), 1)}
    pdf.multi_cell(0, 7, facts, align="C", new_x="LMARGIN", new_y="NEXT")
    if course.learning_outcomes:
        pdf.ln(6)
        pdf.set_font(FAMILY, "B", 11)
        pdf.cell(0, 7, gettext("Learning outcomes"), new_x="LMARGIN", new_y="NEXT")
        pdf.set_font(FAMILY, "", 10)
        for outcome in course.learning_outcomes:
            pdf.multi_cell(0, 6, f"•  {outcome}", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(10)
    pdf.set_font(FAMILY, "", 10)
    issued = gettext("Issued on %(date)s") % {"date": date_format(certificate.issued_at, "DATE_FORMAT")}
    pdf.cell(0, 6, issued, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.cell(0, 6, gettext("Verification code"), align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FAMILY, "B", 16)
    pdf.cell(0, 9, format_code(certificate.code), align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FAMILY, "", 10)
    pdf.multi_cell(0, 6, gettext("Check this certificate at %(url)s") % {"url": verify_url}, align="C",
                   new_x="LMARGIN", new_y="NEXT", link=verify_url)
    return pdf.bytes()


def acceptance_letter_pdf(enrolment, course_url: str) -> bytes:
    """The letter of acceptance a participant attaches to an Erasmus+ KA1 staff-mobility application: who is
    accepted on which course, when, where, for how many hours and with which learning outcomes."""
    edition, course = enrolment.edition, enrolment.edition.course
    heading = gettext("Letter of acceptance")
    pdf = Document(footer=heading)
    pdf.set_title(f"{heading}: {course.title}")
    pdf.title_block(heading, date_format(enrolment.created_at, "DATE_FORMAT"))
    pdf.line_of_text(gettext("%(name)s is accepted as a participant of the course “%(course)s”, edition "
                             "“%(edition)s”, provided by the safeschool network.") % {
        "name": person_name(enrolment.user), "course": course.title, "edition": edition.title})
    pdf.ln(3)
    pdf.table((gettext("Course facts"), ""), [
        (gettext("Dates"), f"{date_format(edition.starts_on, 'DATE_FORMAT')} – "
                           f"{date_format(edition.ends_on, 'DATE_FORMAT')}"),
        (gettext("Venue"), edition.venue),
        (gettext("Hours of training"), formatting.number(course_hours(course), 1)),
        (gettext("Language"), edition.get_language_display()),
        (gettext("Trainers"), edition.trainers),
    ], widths=(50, 130))
    if course.learning_outcomes:
        pdf.heading(gettext("Learning outcomes"))
        for outcome in course.learning_outcomes:
            pdf.line_of_text(f"•  {outcome}")
    pdf.ln(3)
    pdf.line_of_text(gettext("The course's programme: %(url)s") % {"url": course_url})
    return pdf.bytes()
