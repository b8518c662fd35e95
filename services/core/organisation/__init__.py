"""The organisation: who has access with which role, auditors' windows, and invitations."""
