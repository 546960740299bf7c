"""The benchmark harness (`make bench`): deterministic data, repeated runs, median and spread."""
