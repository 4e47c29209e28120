"""Notifications: the portal inbox, the mail outbox and the mail backends that deliver it."""
