"""Intake: signed submissions verified, validated, stored append-only, logged and receipted."""
