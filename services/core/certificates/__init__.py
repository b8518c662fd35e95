"""Certificate files: storing uploads with or after a credit, listing them, fetching one."""
