from django.urls import path

from safeschool.web.selfeval import views_campaigns as campaigns

app_name = "selfeval"
urlpatterns = [
    path("", campaigns.home, name="home"),
    path("questionnaire/", campaigns.questionnaire, name="questionnaire"),
    path("schools/<int:school_id>/", campaigns.school, name="school"),
    path("campaigns/new/<int:school_id>/", campaigns.campaign_new, name="campaign_new"),
    path("campaigns/<int:pk>/", campaigns.campaign, name="campaign"),
    path("campaigns/<int:pk>/codes/", campaigns.codes, name="codes"),
    path("campaigns/<int:pk>/close/", campaigns.close, name="close"),
    path("answer/", campaigns.answer, name="answer"),
    path("answer/questions/", campaigns.answer_send, name="answer_send"),
    path("answer/thanks/", campaigns.answer_thanks, name="answer_thanks"),
]
