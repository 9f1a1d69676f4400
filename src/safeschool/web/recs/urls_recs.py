from django.urls import path

from safeschool.web.recs import views_recs as recs
from safeschool.web.recs import views_survey as survey

urlpatterns = [
    path("", recs.home, name="home"),
    path("<int:pk>/", recs.rec, name="rec"),
    path("<int:pk>/edit/", recs.rec_edit, name="rec_edit"),
    path("<int:pk>/partnerships/new/", recs.partnership_new, name="partnership_new"),
    path("partnerships/<int:pk>/", recs.partnership, name="partnership"),
    path("partnerships/<int:pk>/edit/", recs.partnership_edit, name="partnership_edit"),
    path("partnerships/<int:pk>/end/", recs.partnership_end, name="partnership_end"),
    path("partnerships/<int:pk>/meetings/new/", recs.meeting_new, name="meeting_new"),
    path("partnerships/<int:pk>/referrals/", recs.referrals, name="referrals"),
]
urlpatterns += [
    path("survey/", survey.survey, name="survey"),
    path("survey/<int:pk>/", survey.wave, name="wave"),
    path("survey/<int:pk>/close/", survey.wave_close, name="wave_close"),
    path("survey/<int:pk>/partnerships/<int:partnership>/<str:side>/", survey.survey_answer, name="survey_answer"),
    path("survey/<int:pk>/needs/<int:school>/", survey.needs_answer, name="needs_answer"),
]
