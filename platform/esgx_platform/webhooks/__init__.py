"""Webhooks: lead factories' HTTPS endpoints, CloudEvents written to a transactional outbox,
signed deliveries (Standard Webhooks) with retries, dead letters and manual redelivery."""
