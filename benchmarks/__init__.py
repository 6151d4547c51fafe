"""Benchmarks run by ``make bench``: teachflow vs real TensorFlow (1.x mode) and numpy."""
