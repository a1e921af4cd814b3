"""Signed webhooks (Standard Webhooks) from the event log: endpoints, deliveries, retries,
the dead-letter list and replay."""
