"""What the trial page shows of the allocation and the impact runs (placeholder until the impact helper fills it)."""


def trial_panels(*, user, trial) -> dict:
    return {}
