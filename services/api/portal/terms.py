"""The terms people meet on the pages, explained once (facts from the certifying bodies' pages,
as the rule packs cite them): the glossary page (``glossary.py``) and the inline "What is this?"
help (``templates/macros/help.html``) read the same entries."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Term:
    key: str
    term: str
    short: str
    """One or two sentences: the inline help."""
    more: tuple[str, ...] = ()
    """Further paragraphs on the glossary page."""


TERMS: tuple[Term, ...] = (
    Term(
        "cme-period",
        "CME period (ARDMS)",
        "ARDMS counts CME over three-year periods. The first one starts the day you earned your"
        " first ARDMS credential and runs to 31 December three years after that year; the next"
        " periods follow one after another.",
        (
            "Later credentials do not start a new period. Credits count only in the period in"
            " which they were earned; nothing carries over.",
            "CME earned by 31 December is uploaded to the CME Bank by 28 February of the"
            " following year.",
        ),
    ),
    Term(
        "biennium",
        "Biennium (ARRT)",
        "ARRT counts CE over two-year bienniums. A biennium starts on the first day of your"
        " birth month and ends on the last day of the month before your birth month two years"
        " later.",
        (
            "ARRT asks for 24 credits per biennium whatever the number of ARRT credentials;"
            " sonography credential holders need 16 of them directly related to sonography."
            " Credits count by their completion date and cannot be carried into the next"
            " biennium. That is why this ledger asks for your birth month.",
        ),
    ),
    Term(
        "cci-cycle",
        "Triennial cycle (CCI)",
        "CCI renews every three years from the end of your first renewal, which needs no CEUs."
        " Registry and advanced credentials need 36 CEUs per cycle (at least 30 cardiovascular),"
        " certificate-level credentials 16.",
    ),
    Term(
        "grace",
        "Grace period",
        "Time after a cycle ends in which you can still put things right. Whether credits"
        " earned in it count depends on the body, and the status says so.",
        (
            "CCI: 90 days to renew late with a fee; CEUs earned during those days are not"
            " accepted. ARRT: CE probation (see below) is the time to make up missing credits."
            " ARDMS: a missed renewal can be reinstated for a fee until 1 August, but CME must"
            " still fall inside the period.",
            'A cycle "In grace period" here is one whose end has passed while such a window is'
            " still open for that person.",
        ),
    ),
    Term(
        "probation",
        "CE probation (ARRT)",
        "When an ARRT audit finds the CE documentation missing or not acceptable, the R.T. is"
        " placed on CE probation: six months, counted back from the end of the biennium, to"
        " make up the missing credits.",
    ),
    Term(
        "cqr",
        "CQR: Continuing Qualifications Requirements (ARRT)",
        "ARRT credentials earned on or after 1 January 2011 last ten years. In the last three"
        " years of those ten, each credential goes through CQR: a professional profile, a"
        " structured self-assessment, and the CE it prescribes.",
        (
            "CQR runs per credential, each on its own timeline. The prescribed CE usually also"
            " counts toward the biennium.",
        ),
    ),
    Term(
        "trackers",
        "CME Bank and the registries' trackers",
        "The registries keep their own record of your credits: ARDMS's CME Bank (through"
        " Inteleos), CCI's CEU Tracker, and transfers from societies such as the ASRT (to ARRT"
        " and ARDMS) or SDMS's CME Tracker. This ledger is your employer's record; it does not"
        " replace them.",
        (
            "In the CME Bank, credits transferred by a Tracker Program partner show as approved;"
            " credits you upload yourself stay pending and are only reviewed if you are chosen"
            " for an audit. Keep the certificates: ARDMS asks for at least four years.",
        ),
    ),
)
"""The terms, in the order of the glossary page."""

BY_KEY = {t.key: t for t in TERMS}

CYCLE_TERM = {"ARDMS": "cme-period", "ARRT": "biennium", "CCI": "cci-cycle"}
"""The term that explains a body's cycle (the other bodies' cycles need no special word)."""
