"""Analyses read student-level data, so only researchers and administrators configure and see them."""

import rules

from safeschool.web.accounts.rules import is_admin, is_researcher

rules.add_perm("analysis.run_analysis", is_admin | is_researcher)
rules.add_perm("analysis.view_analysis", is_admin | is_researcher)
