"""The interface language: the signed-in member's profile first, then what LocaleMiddleware chose (the switcher's
cookie, then the browser's Accept-Language). Sits after AuthenticationMiddleware, which gives it the user."""

from __future__ import annotations

from django.utils import translation

from safeschool.web.accounts.selectors import profile_language


class ProfileLanguageMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        language = profile_language(getattr(request, "user", None))
        if language:
            translation.activate(language)
            request.LANGUAGE_CODE = translation.get_language()
        return self.get_response(request)
