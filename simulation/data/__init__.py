"""Data of the simulation model (step effort, indicator dynamics, shocks, review feedback)."""
