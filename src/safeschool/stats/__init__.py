"""The statistics core (pure Python: numpy, pandas; never Django)."""
