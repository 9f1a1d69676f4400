from safeschool import __version__
from safeschool.web.accounts.models import Role
from safeschool.web.accounts.rules import role_of


def site(request):
    role = role_of(request.user)
    return {
        "site_name": "safeschool",
        "version": __version__,
        "user_role": role,
        "user_role_label": Role(role).label if role else "",
    }
