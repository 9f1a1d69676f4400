"""The Django project: one app per bounded area; views are thin and call services/selectors."""
