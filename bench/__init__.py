"""Benchmarks, run by `make bench` (never by the tests). Each prints its own figures."""
