"""The PACT v3 host: footprints listed and fetched by lead factories' PACT clients, and events."""
