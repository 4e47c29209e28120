"""Procurement scoring: explainable supplier scorecards, rankings, bands and snapshots."""
