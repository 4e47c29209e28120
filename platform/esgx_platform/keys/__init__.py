"""Suppliers' signing keys: challenges, registration, rotation, revocation; every event logged."""
