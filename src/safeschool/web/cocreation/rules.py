"""Researchers and administrators run Delphi studies; panellists rate (checked per study in the services)."""

import rules

from safeschool.web.accounts.rules import is_admin, is_researcher

rules.add_perm("cocreation.run_delphi", is_admin | is_researcher)
