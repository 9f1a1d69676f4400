"""Accounts and roles: network member, school staff, researcher, administrator."""
