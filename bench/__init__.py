"""Benchmarks: each measures ours against a baseline in the same run and reports the ratio."""
