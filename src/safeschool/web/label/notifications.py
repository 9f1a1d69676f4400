"""The label's e-mails: the renewal reminder to the school's staff, each in the recipient's language (their
profile's, else the site's default), as the Hub's notifications are written."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mass_mail
from django.urls import reverse
from django.utils import translation
from django.utils.formats import date_format
from django.utils.translation import gettext

from safeschool.web.accounts.selectors import recipient_language
from safeschool.web.label.models import Award


def renewal_recipients(award: Award) -> list:
    """The school's staff with an e-mail address."""
    return [a.user for a in award.school.staff_appointments.select_related("user").exclude(user__email="")
            if a.user.is_active]


def send_renewal_reminder(award: Award) -> int:
    messages = []
    for user in renewal_recipients(award):
        with translation.override(recipient_language(user)):
            values = {"school": award.school.name, "level": award.get_level_display(),
                      "date": date_format(award.valid_until, "DATE_FORMAT"),
                      "path": reverse("label:apply", args=[award.school_id])}
            subject = gettext("%(school)s: the %(level)s label ends on %(date)s") % values
            body = gettext(
                "The label of %(school)s (%(level)s) is valid until %(date)s. To renew it, run a self-evaluation "
                "campaign, bring the action plan up to date and apply again on the platform (%(path)s). The "
                "renewal follows the same review by two reviewers; the current label stays valid until its end "
                "date.") % values
        messages.append((subject, body, settings.DEFAULT_FROM_EMAIL, [user.email]))
    return send_mass_mail(messages, fail_silently=False) if messages else 0
