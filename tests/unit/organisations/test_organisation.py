"""Organisation aggregate: opening, members and who may grant which role."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from functools import reduce
from uuid import UUID, uuid4

import msgspec
import pytest

from domain.organisations.organisation import (
    AcceptInvitation,
    AlreadyInvited,
    AlreadyMember,
    AuditorAccessChanged,
    ChangeAuditorAccess,
    ChangeMemberRole,
    InvalidAccessWindow,
    InvalidOrganisation,
    InvitationAccepted,
    InvitationClosed,
    InvitationForSomeoneElse,
    InvitationNotFound,
    InviteMember,
    LastOwner,
    MemberAdded,
    MemberInvited,
    MemberRemoved,
    MemberRoleChanged,
    NotAMember,
    OpenOrganisation,
    Organisation,
    OrganisationAlreadyOpened,
    OrganisationNotOpened,
    OrganisationOpened,
    PersonAlreadyInvited,
    PersonAlreadyLinked,
    ReasonRequired,
    RemoveMember,
    RevokeInvitation,
    Role,
    RoleNotAllowed,
    decide_accept_invitation,
    decide_change_auditor_access,
    decide_change_member_role,
    decide_invite_member,
    decide_open_organisation,
    decide_remove_member,
    decide_revoke_invitation,
    evolve,
)
from domain.shared.event import Event

pytestmark = pytest.mark.unit
OWNER = uuid4()
NOW = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)


def fold(events: list[Event], state: Organisation | None = None) -> Organisation | None:
    return reduce(evolve, events, state)  # type: ignore[arg-type]


def opened(name: str = "Riverside Imaging", slug: str = "riverside") -> list[Event]:
    command = OpenOrganisation(
        organisation_id=uuid4(), name=name, slug=slug, owner_user_id=OWNER, owner_email="o@x.org"
    )
    return decide_open_organisation(None, command)


def with_member(role: Role, user: UUID) -> Organisation:
    until = NOW + timedelta(days=30) if role == "auditor" else None
    member = MemberAdded(user_id=user, email="m@x.org", role=role, access_until=until)
    state = fold([*opened(), member])
    assert state is not None
    return state


def test_opening_records_the_organisation_and_its_owner() -> None:
    events = opened(name="  Riverside Imaging ")
    assert isinstance(events[0], OrganisationOpened)
    assert events[0].name == "Riverside Imaging"
    assert events[1] == MemberAdded(user_id=OWNER, email="o@x.org", role="owner")
    state = fold(events)
    assert state is not None
    assert state.owners() == [OWNER]


@pytest.mark.parametrize("slug", ["", "-abc", "abc-", "ABC", "a b", "a" * 51, "riverside_1"])
def test_bad_slugs_are_refused(slug: str) -> None:
    with pytest.raises(InvalidOrganisation, match="URL name"):
        opened(slug=slug)


@pytest.mark.parametrize("name", ["", " x ", "n" * 121])
def test_bad_names_are_refused(name: str) -> None:
    with pytest.raises(InvalidOrganisation, match="name"):
        opened(name=name)


def test_an_organisation_opens_once() -> None:
    with pytest.raises(OrganisationAlreadyOpened):
        decide_open_organisation(
            fold(opened()),
            OpenOrganisation(
                organisation_id=uuid4(),
                name="x y",
                slug="xy",
                owner_user_id=OWNER,
                owner_email="o@x.org",
            ),
        )


@pytest.mark.parametrize(
    ("by_role", "role", "allowed"),
    [
        ("owner", "admin", True),
        ("owner", "auditor", True),
        ("owner", "employee", True),
        ("admin", "employee", True),
        ("admin", "admin", False),
        ("admin", "auditor", False),
        ("admin", "owner", False),
        ("auditor", "employee", False),
        ("employee", "employee", False),
    ],
)
def test_who_may_invite_whom(by_role: Role, role: Role, allowed: bool) -> None:
    until = NOW + timedelta(days=30) if role == "auditor" else None
    command = InviteMember(
        email="n@x.org", role=role, token_hash="h" * 64, by_role=by_role, access_until=until
    )
    if allowed:
        [event] = decide_invite_member(fold(opened()), command, now=NOW, ids=uuid4)
        assert isinstance(event, MemberInvited)
        assert (event.role, event.access_until) == (role, until)
    else:
        with pytest.raises(RoleNotAllowed):
            decide_invite_member(fold(opened()), command, now=NOW, ids=uuid4)


def test_invitations_only_into_open_organisations() -> None:
    command = InviteMember(email="n@x.org", role="employee", token_hash="h" * 64, by_role="owner")
    with pytest.raises(OrganisationNotOpened):
        decide_invite_member(None, command, now=NOW, ids=uuid4)


def change_role(
    state: Organisation | None, user: UUID, role: Role, by: Role = "owner"
) -> list[Event]:
    """The decision on giving ``user`` the ``role``, asked by a member of role ``by``."""
    command = ChangeMemberRole(user_id=user, role=role, by_role=by)
    return decide_change_member_role(state, command, now=NOW, ids=uuid4)


def test_role_changes() -> None:
    user = uuid4()
    state = with_member("employee", user)
    assert change_role(state, user, "admin") == [
        MemberRoleChanged(user_id=user, role="admin", previous_role="employee")
    ]
    assert change_role(state, user, "employee") == []
    with pytest.raises(RoleNotAllowed):
        change_role(state, user, "admin", by="admin")
    with pytest.raises(NotAMember):
        change_role(state, uuid4(), "admin")
    admin_state = evolve(state, change_role(state, user, "admin")[0])
    assert admin_state.members[user].role == "admin"
    with pytest.raises(RoleNotAllowed, match="only an owner"):
        change_role(admin_state, user, "employee", by="admin")


def test_the_last_owner_cannot_step_down() -> None:
    state = fold(opened())
    with pytest.raises(LastOwner):
        change_role(state, OWNER, "admin")
    second = uuid4()
    state = with_member("owner", second)
    assert change_role(state, OWNER, "admin")[0] == MemberRoleChanged(
        user_id=OWNER, role="admin", previous_role="owner"
    )


# --- invitations -------------------------------------------------------------------------------


def invited(role: Role = "employee", email: str = "Nia@X.org") -> tuple[Organisation, UUID]:
    events = opened()
    invitation_id = uuid4()
    events += decide_invite_member(
        fold(events),
        InviteMember(email=email, role=role, token_hash="h" * 64, by_role="owner"),
        now=NOW,
        ids=lambda: invitation_id,
    )
    state = fold(events)
    assert state is not None
    return state, invitation_id


def test_an_invitation_expires_after_seven_days_and_is_accepted_by_its_addressee() -> None:
    state, invitation_id = invited()
    assert state.invitations[invitation_id].expires_at == NOW + timedelta(days=7)
    user = uuid4()
    accept = AcceptInvitation(invitation_id=invitation_id, user_id=user, email="nia@x.org ")
    events = decide_accept_invitation(
        state, accept, now=NOW + timedelta(days=6, hours=23), ids=uuid4
    )
    assert events == [
        InvitationAccepted(invitation_id=invitation_id, user_id=user),
        MemberAdded(user_id=user, email="Nia@X.org", role="employee"),
    ]
    accepted = fold(events, state)
    assert accepted is not None
    with pytest.raises(InvitationClosed):
        decide_accept_invitation(accepted, accept, now=NOW, ids=uuid4)


def test_expired_revoked_and_misaddressed_invitations_are_refused() -> None:
    state, invitation_id = invited()
    accept = AcceptInvitation(invitation_id=invitation_id, user_id=uuid4(), email="nia@x.org")
    with pytest.raises(InvitationClosed):
        decide_accept_invitation(state, accept, now=NOW + timedelta(days=7), ids=uuid4)
    with pytest.raises(InvitationForSomeoneElse):
        decide_accept_invitation(
            state, msgspec.structs.replace(accept, email="other@x.org"), now=NOW, ids=uuid4
        )
    with pytest.raises(InvitationNotFound):
        decide_accept_invitation(
            state, msgspec.structs.replace(accept, invitation_id=uuid4()), now=NOW, ids=uuid4
        )
    revoked = evolve(
        state,
        decide_revoke_invitation(
            state,
            RevokeInvitation(invitation_id=invitation_id, by_role="admin"),
            now=NOW,
            ids=uuid4,
        )[0],
    )
    with pytest.raises(InvitationClosed):
        decide_accept_invitation(revoked, accept, now=NOW, ids=uuid4)


def test_one_open_invitation_per_person_and_none_for_members() -> None:
    state, _ = invited()
    again = InviteMember(email="nia@x.org", role="employee", token_hash="k" * 64, by_role="admin")
    with pytest.raises(AlreadyInvited):
        decide_invite_member(state, again, now=NOW, ids=uuid4)
    assert decide_invite_member(
        state, again, now=NOW + timedelta(days=8), ids=uuid4
    )  # the first expired
    with pytest.raises(AlreadyMember):
        decide_invite_member(
            state, msgspec.structs.replace(again, email="O@x.org"), now=NOW, ids=uuid4
        )


def test_a_staff_record_has_at_most_one_member_account() -> None:
    person = uuid4()
    linked = fold(
        [MemberAdded(user_id=uuid4(), email="a@x.org", role="employee", person_id=person)],
        with_member("employee", uuid4()),
    )
    assert linked is not None
    claim = InviteMember(
        email="b@x.org", role="employee", token_hash="k" * 64, by_role="owner", person_id=person
    )
    with pytest.raises(PersonAlreadyLinked):
        decide_invite_member(linked, claim, now=NOW, ids=uuid4)
    with pytest.raises(PersonAlreadyLinked):  # the owner's own record is their user id
        decide_invite_member(
            linked, msgspec.structs.replace(claim, person_id=OWNER), now=NOW, ids=uuid4
        )

    state, _ = invited()
    other = uuid4()
    first = msgspec.structs.replace(claim, person_id=other)
    [sent] = decide_invite_member(state, first, now=NOW, ids=uuid4)
    pending = fold([sent], state)
    assert pending is not None
    with pytest.raises(PersonAlreadyInvited):
        decide_invite_member(
            pending, msgspec.structs.replace(first, email="c@x.org"), now=NOW, ids=uuid4
        )
    assert isinstance(sent, MemberInvited)
    taken = fold(
        [MemberAdded(user_id=uuid4(), email="d@x.org", role="employee", person_id=other)], pending
    )
    accept = AcceptInvitation(invitation_id=sent.invitation_id, user_id=uuid4(), email="b@x.org")
    with pytest.raises(PersonAlreadyLinked):  # linked since the invitation was sent
        decide_accept_invitation(taken, accept, now=NOW, ids=uuid4)


def test_removing_members() -> None:
    employee, admin = uuid4(), uuid4()
    state = fold(
        [MemberAdded(user_id=admin, email="a@x.org", role="admin")],
        with_member("employee", employee),
    )
    assert state is not None

    def remove(user: UUID, by_role: Role, reason: str = "left") -> list[Event]:
        command = RemoveMember(user_id=user, by_role=by_role, reason=reason)
        return decide_remove_member(state, command, now=NOW, ids=uuid4)

    assert remove(employee, "admin") == [MemberRemoved(user_id=employee, reason="left")]
    removed = fold(remove(employee, "admin"), state)
    assert removed is not None
    assert employee not in removed.members
    with pytest.raises(RoleNotAllowed):
        remove(admin, "admin")
    with pytest.raises(RoleNotAllowed):
        remove(OWNER, "admin")
    with pytest.raises(LastOwner):
        remove(OWNER, "owner")
    with pytest.raises(NotAMember):
        remove(uuid4(), "owner")
    with pytest.raises(ReasonRequired):
        remove(employee, "owner", "  ")
    assert remove(admin, "owner")


def test_only_owners_invite_or_revoke_privileged_roles() -> None:
    command = InviteMember(email="a@x.org", role="auditor", token_hash="h" * 64, by_role="admin")
    with pytest.raises(RoleNotAllowed):
        decide_invite_member(fold(opened()), command, now=NOW, ids=uuid4)
    state, invitation_id = invited(role="admin")
    with pytest.raises(RoleNotAllowed):
        decide_revoke_invitation(
            state,
            RevokeInvitation(invitation_id=invitation_id, by_role="admin"),
            now=NOW,
            ids=uuid4,
        )


# --- auditors ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "until", "match"),
    [
        pytest.param("auditor", None, None, id="auditor-without-a-window"),
        pytest.param("auditor", NOW, None, id="auditor-window-ending-now"),
        pytest.param("auditor", NOW + timedelta(days=367), None, id="auditor-window-over-a-year"),
        pytest.param("employee", NOW + timedelta(days=1), "only auditor", id="employee-window"),
    ],
)
def test_auditors_need_an_access_window_of_at_most_a_year(
    role: Role, until: datetime | None, match: str | None
) -> None:
    command = InviteMember(
        email=f"{role}@x.org", role=role, token_hash="h" * 64, by_role="owner", access_until=until
    )
    with pytest.raises(InvalidAccessWindow, match=match):
        decide_invite_member(fold(opened()), command, now=NOW, ids=uuid4)


def test_owners_extend_or_end_an_auditors_window() -> None:
    auditor = uuid4()
    state = with_member("auditor", auditor)
    end = ChangeAuditorAccess(
        user_id=auditor, access_until=NOW - timedelta(days=1), by_role="owner"
    )
    [ended] = decide_change_auditor_access(state, end, now=NOW, ids=uuid4)
    assert ended == AuditorAccessChanged(user_id=auditor, access_until=NOW)
    assert evolve(state, ended).members[auditor].access_until == NOW
    with pytest.raises(RoleNotAllowed):
        decide_change_auditor_access(
            state, msgspec.structs.replace(end, by_role="admin"), now=NOW, ids=uuid4
        )
    with pytest.raises(NotAMember):
        decide_change_auditor_access(
            state, msgspec.structs.replace(end, user_id=OWNER), now=NOW, ids=uuid4
        )
    with pytest.raises(InvalidAccessWindow):
        change_role(state, OWNER, "auditor")
