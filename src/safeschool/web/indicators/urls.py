"""/indicators/: public pages of the official early-leaving series against the EU targets."""

app_name = "indicators"
urlpatterns: list = []
