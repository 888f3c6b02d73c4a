"""Benchmarks, run on demand (`make bench`); they print figures and never assert."""
