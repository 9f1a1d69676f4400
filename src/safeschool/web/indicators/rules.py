"""Who may do what with the official indicators: everyone, visitors included, reads the pages; researchers and
administrators import Eurostat's files (the CLI imports as the operator)."""

import rules

from safeschool.web.accounts.rules import is_admin, is_researcher

rules.add_perm("indicators.import_release", is_admin | is_researcher)
