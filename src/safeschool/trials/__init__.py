"""Evaluating interventions: power from the network's own variance decomposition (PowerUp! formulas), randomised
and matched designs, pre-registered protocols, and intention-to-treat impact estimates with effect sizes as the
What Works Clearinghouse and the Education Endowment Foundation report them. Django-free: the CLI and the web app
(safeschool.web.interventions) call the same functions."""
