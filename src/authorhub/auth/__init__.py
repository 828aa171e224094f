"""Accounts and authentication: who is calling, and may they."""
