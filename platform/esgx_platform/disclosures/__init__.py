"""Quarterly emission disclosures: wire schemas, typed model and validation rules."""
