"""Certificate review: the review queue, one certificate's outcome, the reviewers' decisions."""
