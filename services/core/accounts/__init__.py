"""Accounts: signing up, in and out, mailed links (password reset, email verification), personal
API tokens, mail preferences and the session store."""
