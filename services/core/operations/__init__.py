"""Operations: the organisation's background jobs that failed for good, and their replay."""
