from django.urls import path

from safeschool.web.selfeval import views_campaigns as campaigns
from safeschool.web.selfeval import views_plans as plans
from safeschool.web.selfeval import views_reports as report_views

app_name = "selfeval"
urlpatterns = [
    path("", campaigns.home, name="home"),
    path("questionnaire/", campaigns.questionnaire, name="questionnaire"),
    path("schools/<int:school_id>/", campaigns.school, name="school"),
    path("campaigns/new/<int:school_id>/", campaigns.campaign_new, name="campaign_new"),
    path("campaigns/<int:pk>/", campaigns.campaign, name="campaign"),
    path("campaigns/<int:pk>/codes/", campaigns.codes, name="codes"),
    path("campaigns/<int:pk>/close/", campaigns.close, name="close"),
    path("campaigns/<int:pk>/report/", report_views.report, name="report"),
    path("campaigns/<int:pk>/report.pdf", report_views.report_pdf, name="report_pdf"),
    path("campaigns/<int:pk>/recommendations/", report_views.recommendations, name="recommendations"),
    path("network/", report_views.network, name="network"),
    path("answer/", campaigns.answer, name="answer"),
    path("answer/questions/", campaigns.answer_send, name="answer_send"),
    path("answer/thanks/", campaigns.answer_thanks, name="answer_thanks"),
    path("schools/<int:school_id>/plans/", plans.plan_list, name="plans"),
    path("schools/<int:school_id>/plans/new/", plans.plan_new, name="plan_new"),
    path("plans/<int:pk>/", plans.plan_detail, name="plan"),
    path("plans/<int:pk>/status/", plans.plan_status, name="plan_status"),
    path("plans/<int:pk>/goals/new/", plans.goal_new, name="plan_goal_new"),
    path("goals/<int:pk>/actions/new/", plans.action_new, name="plan_action_new"),
    path("actions/<int:pk>/progress/new/", plans.progress_new, name="plan_progress_new"),
]
