"""The staff compliance report: read as JSON or on the page, exported as CSV or PDF."""
