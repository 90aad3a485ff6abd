"""Posting of imported statements (plain functions over ``env`` and records)."""
