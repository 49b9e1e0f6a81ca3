"""Who unit tests act as: the demo agency's staff (``chalicelib/local/seed.py``),
each as the Caller its sign-in would give, so that a test names who acts instead
of building the same Caller again in every file."""

from __future__ import annotations

from chalicelib.kernel.identity import Caller, Role

CLERK = Caller("vanthu", frozenset({Role.CLERK}), unit="VP")
LEADER = Caller("giamdoc", frozenset({Role.LEADER}), unit="BGD")
HEAD = Caller("truongphong", frozenset({Role.UNIT_HEAD}), unit="PDKKD")
OFFICER = Caller("chuyenvien", frozenset({Role.OFFICER}), unit="PDKKD")
OFFICE_HEAD = Caller("chanhvanphong", frozenset({Role.UNIT_HEAD}), unit="VP")
# Staff of another unit (PTH), for "not theirs" cases.
OTHER_HEAD = Caller("truongphongth", frozenset({Role.UNIT_HEAD}), unit="PTH")
STRANGER = Caller("khac", frozenset({Role.OFFICER}), unit="PTH")

# The same staff, and a former head of unit, as ``FakeOrganisationStore.staffed``
# takes them: (username, unit, roles, status).
STAFF = (
    ("giamdoc", "BGD", ["leader"], "active"),
    ("truongphong", "PDKKD", ["unit_head"], "active"),
    ("cutruongphong", "PDKKD", ["unit_head"], "disabled"),
    ("chuyenvien", "PDKKD", ["officer"], "active"),
)
