"""Credits: CME/CE activities a person completed, their corrections, and body-granted waivers."""
