"""Search against fakes of its stores: a document is found by the words of its
metadata, without diacritics, only by those who may see it, and a change of
who may see it reaches the index when the document is indexed again."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from chalicelib.incoming import service as incoming
from chalicelib.incoming.rules import Metadata, Urgency
from chalicelib.kernel.access import Secrecy
from chalicelib.kernel.calendar import AgencyCalendar
from chalicelib.kernel.errors import InvalidInput
from chalicelib.kernel.identity import Caller, Role
from chalicelib.search import service as search
from chalicelib.work.pending import Pending
from tests.fakes import (
    FakeDirectory,
    FakeIncomingStore,
    FakePostingStore,
    FakeTrail,
    FakeWorkStore,
    FixedClock,
)

MONDAY = datetime(2026, 12, 7, 2, 0, tzinfo=UTC)
LEADER = Caller("giamdoc", frozenset({Role.LEADER}), unit="BGD")
HEAD = Caller("truongphong", frozenset({Role.UNIT_HEAD}), unit="PDKKD")
CLERK = Caller("vanthu", frozenset({Role.CLERK}), unit="VP")


class Index:
    def __init__(self) -> None:
        self.documents, self.postings, self.trail = (FakeIncomingStore(), FakePostingStore(),
                                                     FakeTrail())

    def add(self, subject: str, minutes: int, urgency: Urgency = Urgency.THUONG,
            **kw: Any) -> str:
        doc = incoming.register(None, Metadata(so_ky_hieu=f"{minutes}/UBND",
                                               co_quan_ban_hanh="UBND tỉnh",
                                               trich_yeu=subject, do_khan=urgency),
                                arrival=MONDAY + timedelta(minutes=minutes), source="paper",
                                store=self.documents, trail=self.trail,
                                pending=Pending(FakeWorkStore(), AgencyCalendar,
                                                FixedClock(MONDAY)), **kw)
        self.index(doc["id"])
        return doc["id"]

    def index(self, doc_id: str) -> dict[str, int]:
        # No text layer: the body is never read, only the metadata is indexed.
        return search.index_document(doc_id, s3=None, bucket="", documents=self.documents,
                                     postings=self.postings)

    def find(self, caller: Caller, q: str, **kw: Any) -> list[str]:
        found = search.search(caller, q, documents=self.documents, postings=self.postings, **kw)
        return [i["id"] for i in found["items"]]


@pytest.fixture()
def index() -> Index:
    return Index()


def test_words_are_found_without_diacritics_newest_first_within_the_callers_scopes(
        index: Index) -> None:
    budget = index.add("Hướng dẫn dự toán ngân sách 2027", 1, units=["PDKKD"])
    invest = index.add("Dự toán vốn đầu tư công", 2, units=["PTH"])
    secret = index.add("Dự toán quốc phòng", 3, secrecy=Secrecy.MAT, people=["giamdoc"])

    assert index.find(LEADER, "du toan") == [secret, invest, budget]
    assert index.find(CLERK, "DỰ TOÁN") == [invest, budget]  # the secret one is not hers
    assert index.find(HEAD, "du toan") == [budget]
    assert index.find(LEADER, "du toan ngan sach") == [budget]  # every word must match
    assert index.find(LEADER, "khong co tu nay") == []


def test_urgency_filters_the_matches(index: Index) -> None:
    index.add("Báo cáo tình hình", 1, units=["PDKKD"])
    urgent = index.add("Báo cáo khẩn", 2, Urgency.KHAN, units=["PDKKD"])
    assert index.find(LEADER, "bao cao", urgency="Khẩn") == [urgent]


def test_a_share_taken_back_leaves_the_index_when_the_document_is_indexed_again(
        index: Index) -> None:
    doc = index.add("Kế hoạch thanh tra", 1, secrecy=Secrecy.MAT, people=["giamdoc", "vanthu"])
    assert index.find(CLERK, "thanh tra") == [doc]

    incoming.change_people(LEADER, doc, revoke="vanthu", store=index.documents,
                           trail=index.trail, directory=FakeDirectory())
    # The list entry went with the change itself: no result before reindexing.
    assert index.find(CLERK, "thanh tra") == []
    assert index.index(doc)["removed"] > 0
    assert not any(p["scope"] == "U#vanthu" for p in index.postings.items.values())


def test_a_query_without_a_two_letter_word_is_refused_naming_the_field(index: Index) -> None:
    with pytest.raises(InvalidInput) as caught:
        index.find(LEADER, "a b")
    assert [p.path for p in caught.value.fields] == ["q"]
