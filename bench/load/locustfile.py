"""Load suite: employees, employers and auditors using one large organisation at once.

    .venv/bin/python -m bench.load.seed      # the large tenant (once)
    .venv/bin/python -m bench.load.run       # serve it and run this file headless

(or point ``locust -f bench/load/locustfile.py --host http://127.0.0.1:8000`` at a server
of your own).

Bounded by ``--run-time`` (and locust's ``--iterations`` if wanted); refuses any host but the
local machine. The mix: employers (owner) read the overview, the staff list under each filter
(``STAFF_FILTERS``), a person's page and obligations, the compliance report; auditors read the
audit timeline and people; employees record credits and read their own standing. Each role
signs in once per run (the seeded owner, or a member the owner invites), by its first user; the
role's other users share that session (employees also share one person), so the measured minute
is spent on the pages, not on hashing passwords for 50 sign-ins at once. Figures: locust's
per-request percentiles (``--csv``); none of this is a test assertion.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit
from uuid import uuid4

from gevent.lock import Semaphore
from locust import HttpUser, between, events, task
from locust.env import Environment

from tests.payloads import CREDIT

OWNER = {"email": "owner@large.example", "password": "correct horse battery"}
STATUSES = ("compliant", "on_track", "at_risk", "in_grace", "overdue")
STAFF_FILTERS: tuple[tuple[str, str, str], ...] = (
    *((f"status={status}", f"status={status}", f"status={status}") for status in STATUSES),
    ("body=", "body=CCI", "body=CCI"),
    ("credential=", "credential=RDMS", "credential=RDMS"),
    ("department=", "department=Dept+7", "department=Dept+7"),
    ("site=", "site=Site+1", "site=Site+1"),
    ("search=", "search=Person+12", "q=Person+12"),
    ("due within=", "due_within_days=90", "due=90"),
    ("activity=all", "activity=all", "activity=all"),
)
"""Each filter of the staff list (values the seed holds): its name in the figures, the API's
query and the page's (their parameter names differ for search and the deadline window)."""
LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1"}
_SHARED: dict[str, Any] = {}
_MAKING = Semaphore()


@events.init.add_listener
def local_only(environment: Environment, **_: Any) -> None:
    host = urlsplit(environment.host or "").hostname
    if host not in LOCAL_HOSTS:
        raise SystemExit(f"the load suite runs against this machine only, not {host!r}")


class Member(HttpUser):
    """A signed-in member; subclasses say who and what they do."""

    abstract = True
    wait_time = between(0.5, 2)

    def csrf(self) -> dict[str, str]:
        return {"x-csrftoken": self.client.cookies.get("csrftoken", "")}

    def shared(self, key: str, make: Callable[[], Any]) -> Any:
        """``make()``'s value, made once per run by the first user asking for ``key``."""
        with _MAKING:
            if key not in _SHARED:
                _SHARED[key] = make()
        return _SHARED[key]

    def join_as(self, role: str) -> None:
        """Take the run's session of ``role`` (signed in by its first user): this user's
        cookies are that session's only."""
        cookies = self.shared(role, lambda: self.signed_in(role))
        self.client.cookies.clear()
        self.client.cookies.update(cookies)

    def signed_in(self, role: str) -> dict[str, str]:
        """Sign in as the owner, and as a new member of ``role`` unless it is the owner; the
        session's cookies."""
        self.sign_in_as_owner()
        if role != "owner":
            self.invited(role)
        return dict(self.client.cookies.get_dict())

    def sign_in_as_owner(self) -> None:
        self.client.get("/health")
        self.client.post("/api/v1/session", json=OWNER, headers=self.csrf(), name="sign in")

    def invited(self, role: str) -> None:
        """As the owner, invite a new member with ``role``; sign out, accept as them."""
        body: dict[str, Any] = {"email": f"{role}-{uuid4().hex[:10]}@large.example", "role": role}
        if role == "auditor":
            body["access_until"] = (datetime.now(UTC) + timedelta(days=7)).isoformat()
        sent = self.client.post("/api/v1/invitations", json=body, headers=self.csrf())
        self.client.delete("/api/v1/session", headers=self.csrf(), name="sign out")
        self.client.cookies.clear()
        self.client.get("/health")
        self.client.post(
            "/api/v1/invitations/accept",
            json={"token": sent.json()["accept_token"], "password": OWNER["password"]},
            headers=self.csrf(),
        )

    def some_people(self) -> list[str]:
        staff = self.client.get("/api/v1/staff?limit=50", name="/api/v1/staff?limit=50").json()
        rows = staff["items"] if isinstance(staff, dict) else staff
        return [row["person_id"] for row in rows] or [str(uuid4())]


class Baseline(HttpUser):
    """The same run's floor: the health probe, with no application work behind it."""

    weight = 1
    wait_time = between(0.5, 2)

    @task
    def health(self) -> None:
        self.client.get("/health")


class Employer(Member):
    weight = 3

    def on_start(self) -> None:
        self.join_as("owner")
        self.people = self.shared("people", self.some_people)

    @task(3)
    def overview(self) -> None:
        self.client.get("/api/v1/organisation/summary")
        self.client.get("/organisation", name="/organisation (page)")

    @task(4)
    def staff_filtered(self) -> None:
        name, api, page = random.choice(STAFF_FILTERS)
        self.client.get(f"/api/v1/staff?{api}", name=f"/api/v1/staff?{name}")
        self.client.get(f"/staff?{page}", name=f"/staff?{name} (page)")

    @task(3)
    def person(self) -> None:
        person = random.choice(self.people)
        self.client.get(f"/api/v1/people/{person}", name="/api/v1/people/{id}")
        self.client.get(f"/api/v1/people/{person}/obligations", name="/api/v1/people/{id}/obl")
        self.client.get(f"/staff/{person}", name="/staff/{id} (page)")

    @task(1)
    def report(self) -> None:
        self.client.get("/api/v1/reports/compliance")


class Auditor(Member):
    weight = 1

    def on_start(self) -> None:
        self.join_as("auditor")
        self.people = self.shared("people", self.some_people)

    @task(3)
    def timeline(self) -> None:
        self.client.get("/api/v1/audit/events?limit=100", name="/api/v1/audit/events")
        self.client.get("/audit", name="/audit (page)")

    @task(2)
    def person(self) -> None:
        person = random.choice(self.people)
        self.client.get(f"/audit/people/{person}", name="/audit/people/{id} (page)")


class Employee(Member):
    weight = 2

    def on_start(self) -> None:
        self.join_as("employee")
        self.person = self.shared("employee's person", self.own_person)

    def own_person(self) -> str:
        """The employee's own person record, with an ARDMS RVT; its id."""
        made = self.client.post(
            "/api/v1/people", json={"full_name": "Load Employee"}, headers=self.csrf()
        )
        person = str(made.json()["person_id"])
        self.client.post(
            f"/api/v1/people/{person}/credentials",
            json={"body": "ARDMS", "code": "RVT", "earned_on": "2024-03-15", "specialties": []},
            headers=self.csrf(),
        )
        return person

    @task(1)
    def record_credit(self) -> None:
        self.client.post(
            f"/api/v1/people/{self.person}/credits",
            json=CREDIT,
            headers={**self.csrf(), "idempotency-key": str(uuid4())},
            name="/api/v1/people/{id}/credits (record)",
        )

    @task(4)
    def standing(self) -> None:
        self.client.get(f"/api/v1/people/{self.person}/obligations", name="/api/v1/people/{id}/obl")
        self.client.get("/dashboard", name="/dashboard (page)")
