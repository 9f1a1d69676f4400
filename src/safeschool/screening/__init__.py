"""Screening and early warning, without Django: the per-student screening table, the risk models and their
baselines, evaluation on a later cohort, the fairness audit and its publication gate, the security screen's norms,
and the model file. The web app `safeschool.web.screening` and `safeschool screen` both call these functions."""
