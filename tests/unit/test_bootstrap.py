"""The composition root builds each capability's collaborators as the
capability's own builder does over a table (no AWS call is made: building a
store only names the table)."""

from __future__ import annotations

from dataclasses import fields
from typing import Any

import pytest

from chalicelib import bootstrap
from chalicelib.adapters.dynamo import Table


@pytest.fixture(autouse=True)
def _table(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(bootstrap, "table", lambda: Table("eoffice-test"))


def _shape(bundle: Any) -> dict[str, Any]:
    """Each collaborator's type, and the name of the table it is built on."""
    return {f.name: (type(v := getattr(bundle, f.name)).__name__,
                     getattr(getattr(v, "table", None), "name", None))
            for f in fields(bundle)}


def test_outgoing_is_built_like_outgoing_for() -> None:
    from chalicelib.outgoing.service import outgoing_for

    assert _shape(bootstrap.outgoing()) == _shape(outgoing_for(bootstrap.table()))


def test_complaints_is_built_like_use_cases() -> None:
    from chalicelib.complaints.service import use_cases

    built, own = bootstrap.complaints(), use_cases(bootstrap.table())
    assert _shape(built) == _shape(own)
    assert built.calendar is own.calendar


def test_onestop_is_built_like_deps_for() -> None:
    from chalicelib.onestop.dossiers import deps_for

    assert _shape(bootstrap.onestop()) == _shape(deps_for(bootstrap.table()))


def test_a_bundle_shares_one_table() -> None:
    for bundle in (bootstrap.outgoing(), bootstrap.complaints(), bootstrap.onestop(),
                   bootstrap.tasks()):
        tables = {id(v.table) for f in fields(bundle)
                  if hasattr(v := getattr(bundle, f.name), "table")}
        assert len(tables) == 1, type(bundle).__name__


@pytest.mark.parametrize(("factory", "ports"), [
    ("incoming", {"store": "IncomingStore", "trail": "Trail", "intakes": "IntakeStore",
                  "directory": "Directory"}),
    ("meetings", {"store": "MeetingStore", "trail": "Trail", "directory": "Directory"}),
])
def test_incoming_and_meetings_get_their_ports_over_the_stages_table(
        factory: str, ports: dict[str, str]) -> None:
    from chalicelib.calendar.service import agency_calendar

    bundle = getattr(bootstrap, factory)()
    shape = _shape(bundle)
    assert {name: shape[name] for name in ports} == {
        name: (kind, "eoffice-test") for name, kind in ports.items()}
    # The pending actions are written in the same table, on the agency's calendar.
    assert bundle.pending.store.table.name == "eoffice-test"
    assert bundle.pending.calendar is agency_calendar


def test_steps_get_the_stages_table_and_a_notifier_over_it_and_nothing_unknown(
        monkeypatch: pytest.MonkeyPatch) -> None:
    from types import SimpleNamespace

    from chalicelib.kernel import config
    from tests.fakes import FakeMailer

    mailer = FakeMailer()
    monkeypatch.setattr(bootstrap, "mailer", lambda: mailer)
    monkeypatch.setitem(bootstrap.COLLABORATORS, "table", bootstrap.table)  # the test's
    monkeypatch.setattr(config, "get_settings",
                        lambda: SimpleNamespace(public_base_url="https://eoffice.example"))
    built = bootstrap.collaborators(("table", "notifier"))
    assert built["table"].name == "eoffice-test"
    assert built["notifier"].notices.table.name == "eoffice-test"
    assert built["notifier"].mailer is mailer
    with pytest.raises(LookupError, match="clock"):
        bootstrap.collaborators(("table", "clock"))


def test_the_search_rebuild_gets_a_pooled_s3_client_from_the_root(
        monkeypatch: pytest.MonkeyPatch) -> None:
    import boto3

    from chalicelib.adapters import aws

    shared = boto3.client("s3", region_name="ap-southeast-1")  # building one calls no AWS
    monkeypatch.setattr(aws, "client", lambda service: shared)
    client = bootstrap.s3_pool(7)
    assert client is not shared and client.meta.region_name == "ap-southeast-1"
    assert client.meta.config.max_pool_connections == 7
    assert shared.meta.config.max_pool_connections != 7


def test_use_cases_handed_no_table_refuse_instead_of_building_one() -> None:
    from chalicelib.audit import anchor, trail
    from chalicelib.incoming import intake
    from chalicelib.kernel.identity import Caller, Role
    from chalicelib.work import service as work
    from chalicelib.work.pending import Pending

    officer = Caller("chuyenvien", frozenset({Role.OFFICER}), unit="PDKKD")
    for call in (lambda: Pending.over(None), lambda: work.my_work(officer),
                 lambda: work.preferences("chuyenvien"), lambda: trail.entries("doc:1"),
                 lambda: anchor.anchor_heads(), lambda: intake.list_records(None, None)):
        with pytest.raises(TypeError, match="pass the table"):
            call()
