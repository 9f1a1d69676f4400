"""Login with a rate limit: after 10 attempts for one username from one address in 15 minutes, 429."""

from django.contrib.auth import views as auth_views
from django.shortcuts import render

from safeschool.web.accounts.ratelimit import client_ip, too_many

LOGIN_LIMIT = (10, 900)


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"

    def post(self, request, *args, **kwargs):
        key = f"{client_ip(request)}:{request.POST.get('username', '').lower()[:150]}"
        if too_many("login", key, limit=LOGIN_LIMIT[0], window=LOGIN_LIMIT[1]):
            return render(request, "core/429.html", {"what": "login attempts"}, status=429)
        return super().post(request, *args, **kwargs)
