"""Deterministic fuzzing: the same generated requests on every run, so the proof cannot flake in CI."""

from hypothesis import settings

settings.register_profile("proof", derandomize=True, database=None)
settings.load_profile("proof")
