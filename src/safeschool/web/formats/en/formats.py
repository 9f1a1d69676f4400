"""English dates as the network's European readers write them (Django's `en` is American: "m/d/Y", "2:30 p.m."):
British day-month order and the 24-hour clock. Other languages keep Django's own formats."""

from django.conf.locale.en_GB.formats import *  # noqa: F403

DATETIME_FORMAT = "j M Y, H:i"  # 25 Oct 2006, 14:30
SHORT_DATETIME_FORMAT = "d/m/Y H:i"  # 25/10/2006 14:30
TIME_FORMAT = "H:i"
