from django.urls import path

from safeschool.web.screening import views

app_name = "screening"
urlpatterns = [
    path("", views.home, name="home"),
    path("schools/<int:school_id>/", views.school_list, name="school"),
    path("schools/<int:school_id>/capacity/", views.capacity, name="capacity"),
    path("students/<str:pseudonym>/", views.student, name="student"),
    path("students/<str:pseudonym>/follow-ups/", views.follow_up, name="follow_up"),
    path("follow-ups/<int:pk>/done/", views.follow_up_close, name="follow_up_close"),
    path("models/", views.model_list, name="models"),
    path("models/train/", views.train, name="train"),
    path("models/<int:pk>/", views.model_detail, name="model"),
    path("models/<int:pk>/card/", views.model_card, name="card"),
    path("models/<int:pk>/card.md", views.model_card_md, name="card_md"),
    path("models/<int:pk>/approve/", views.approve, name="approve"),
    path("models/<int:pk>/publish/", views.publish, name="publish"),
    path("models/<int:pk>/retire/", views.retire, name="retire"),
    path("models/<int:pk>/score/", views.score, name="score"),
]
