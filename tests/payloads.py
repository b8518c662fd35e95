"""JSON bodies the API, portal and browser tests send."""

from __future__ import annotations

CREDIT = {
    "title": "Carotid duplex: pitfalls and protocols",
    "provider": "Gulfcoast Ultrasound Institute",
    "accrediting_organisation": "SDMS",
    "credit_types": ["sdms"],
    "completed_on": "2026-10-02",
    "credits": "1.25",
    "topics": ["sonography", "vascular"],
}
"""A valid credit (1.25 SDMS credits, sonography and vascular)."""
