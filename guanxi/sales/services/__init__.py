"""Writes for sales: each checks permission and scope, stamps who and when, leaves a history
entry and runs in one transaction."""
