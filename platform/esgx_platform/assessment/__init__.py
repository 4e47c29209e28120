"""Graded zero-carbon factory assessment: the indicator model as data and pure computations."""
