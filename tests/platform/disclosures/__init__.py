"""Tests for quarterly emission disclosures: parsing, rules and warnings."""
