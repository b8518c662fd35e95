"""The audit trail: the history filtered, the hash chain's state, a person's record as it stood."""
