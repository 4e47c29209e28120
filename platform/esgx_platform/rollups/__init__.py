"""The lead factory's Scope 3 roll-up and responsibility-extension indicators."""
