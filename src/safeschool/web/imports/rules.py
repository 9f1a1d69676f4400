"""Imports read and change student-level data: researchers and administrators only."""

import rules

from safeschool.web.accounts.rules import is_admin, is_researcher

rules.add_perm("imports.view_imports", is_admin | is_researcher)
rules.add_perm("imports.run_import", is_admin | is_researcher)
rules.add_perm("imports.undo_import", is_admin | is_researcher)
