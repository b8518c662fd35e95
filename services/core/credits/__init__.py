"""Credits: recording, amending and retracting CME activities, and how each body counts them."""
