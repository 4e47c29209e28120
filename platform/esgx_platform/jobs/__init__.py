"""Scheduled jobs: declared as data, run by `esgx scheduler` (one leader) or once from the CLI."""
