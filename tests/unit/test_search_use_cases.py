"""Search against the real engine in memory and fakes of the stores: words
without diacritics, ranking, phrases, prefixes, snippets, filters and counts,
always within the caller's scopes, and a change of who may see a document
reaching the index when the writer applies it."""

from __future__ import annotations

import unicodedata
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from chalicelib.incoming import service as incoming
from chalicelib.incoming.rules import Metadata, Urgency
from chalicelib.kernel.access import Secrecy
from chalicelib.kernel.calendar import AgencyCalendar
from chalicelib.kernel.errors import InvalidInput
from chalicelib.kernel.identity import Caller, Role
from chalicelib.search import service as search
from chalicelib.search.engine import TantivyIndex
from chalicelib.search.indexing import apply_batch
from chalicelib.search.ports import SearchRequest
from chalicelib.search.query import parse
from chalicelib.work.pending import Pending
from tests.fakes import FakeDirectory, FakeIncomingStore, FakeTrail, FakeWorkStore, FixedClock

MONDAY = datetime(2026, 12, 7, 2, 0, tzinfo=UTC)
LEADER = Caller("giamdoc", frozenset({Role.LEADER}), unit="BGD")
HEAD = Caller("truongphong", frozenset({Role.UNIT_HEAD}), unit="PDKKD")
CLERK = Caller("vanthu", frozenset({Role.CLERK}), unit="VP")


class Index:
    def __init__(self) -> None:
        self.documents, self.trail = FakeIncomingStore(), FakeTrail()
        self.engine = TantivyIndex(None)
        self.texts: dict[str, str] = {}

    def add(self, subject: str, minutes: int, urgency: Urgency = Urgency.THUONG, *,
            text: str = "", **kw: Any) -> str:
        doc = incoming.register(None, Metadata(so_ky_hieu=f"{minutes}/UBND",
                                               co_quan_ban_hanh="UBND tỉnh",
                                               ngay_ban_hanh=date(2026, 12, 1),
                                               trich_yeu=subject, do_khan=urgency),
                                arrival=MONDAY + timedelta(days=minutes), source="paper",
                                store=self.documents, trail=self.trail,
                                pending=Pending(FakeWorkStore(), AgencyCalendar,
                                                FixedClock(MONDAY)), **kw)
        self.texts[doc["id"]] = text
        self.index(doc["id"])
        return doc["id"]

    def index(self, *doc_ids: str) -> dict[str, int]:
        """What the writer does with a batch of ids from the queue."""
        return apply_batch(list(doc_ids), get=self.documents.get,
                           text_of=lambda d: self.texts.get(d["id"], ""), index=self.engine)

    def page(self, caller: Caller, q: str, **kw: Any) -> dict[str, Any]:
        return search.search(caller, q, documents=self.documents, index=self.engine, **kw)

    def find(self, caller: Caller, q: str, **kw: Any) -> list[str]:
        return [i["id"] for i in self.page(caller, q, **kw)["items"]]


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
    assert index.find(CLERK, unicodedata.normalize("NFD", "dự toán")) == [invest, budget]
    assert index.find(HEAD, "du toan") == [budget]
    assert index.find(LEADER, "du toan ngan sach") == [budget]  # every word must match
    assert index.find(LEADER, "khong co tu nay") == []
    # Not fetched and dropped: the engine counts only what the caller may see.
    assert index.page(HEAD, "du toan")["total"] == 1


def test_relevance_ranks_the_subject_and_the_frequent_first(index: Index) -> None:
    passing = index.add("Báo cáo tháng 11", 3, text="Có nhắc đến phòng cháy một lần.")
    subject = index.add("Kế hoạch phòng cháy chữa cháy mùa khô", 1,
                        text="Phòng cháy chữa cháy tại trụ sở; diễn tập phòng cháy.")
    body = index.add("Thông báo nội bộ", 2, text="Kiểm tra phòng cháy, phòng cháy các kho.")
    ranked = index.page(LEADER, "phong chay", sort="relevance")
    assert [i["id"] for i in ranked["items"]] == [subject, body, passing]
    scores = [i["score"] for i in ranked["items"]]
    assert scores == sorted(scores, reverse=True) and scores[0] > scores[-1]
    assert index.find(LEADER, "phong chay", sort="newest") == [passing, body, subject]


def test_a_phrase_needs_its_words_side_by_side(index: Index) -> None:
    together = index.add("Hội nghị tại Hà Nội", 1)
    apart = index.add("Hà Giang và Nội Bài", 2)
    assert index.find(LEADER, "ha noi") == [apart, together]
    assert index.find(LEADER, '"ha noi"') == [together]
    assert index.find(LEADER, '"HÀ NỘI" hoi nghi') == [together]
    assert index.find(LEADER, '"noi ha"') == []


def test_a_prefix_finds_the_words_that_start_with_it(index: Index) -> None:
    decision = index.add("Quyết định khen thưởng", 1)
    settlement = index.add("Quyết toán kinh phí", 2)
    assert index.find(LEADER, "quyết đị*") == [decision]
    assert index.find(LEADER, "quyet*") == [settlement, decision]
    assert index.find(LEADER, "khen thuo*") == [decision]
    assert index.page(LEADER, "quyết đị*")["terms"] == ["quyet", "di"]


def test_snippets_mark_the_matches_in_the_original_spelling(index: Index) -> None:
    long_text = ("Căn cứ Luật Tổ chức chính quyền địa phương. " * 8
                 + "Giao Sở Tài chính chủ trì thẩm định dự toán ngân sách năm 2027. "
                 + "Các đơn vị khác phối hợp. " * 8)
    doc = index.add("Về việc giao nhiệm vụ", 1, text=long_text)
    item = index.page(LEADER, "du toan ngan sach")["items"][0]
    assert item["id"] == doc
    hits = [p["text"] for p in item["snippet"] if p["hit"]]
    assert hits == ["dự", "toán", "ngân", "sách"]
    text = "".join(str(p["text"]) for p in item["snippet"])
    assert "thẩm định dự toán ngân sách năm 2027" in text and len(text) < 260
    assert text.startswith("…") and text.endswith("…")  # a window, not the whole text
    phrase = index.page(LEADER, '"so tai chinh"')["items"][0]["snippet"]
    assert [p["text"] for p in phrase if p["hit"]] == ["Sở Tài chính"]


def test_filters_apply_in_the_engine_and_counts_follow_the_words(index: Index) -> None:
    a = index.add("Phòng chống dịch bệnh mùa đông", 5, units=["PDKKD"])
    b = index.add("Phòng chống dịch bệnh khẩn cấp", 12, Urgency.KHAN, units=["PTH"])
    c = index.add("Phòng chống dịch bệnh cuối tháng", 20)
    index.add("Lịch công tác tuần", 21)
    assert index.find(LEADER, "dich benh", urgency="Khẩn") == [b]
    assert index.find(LEADER, "dich benh", unit="PDKKD") == [a]
    since = (MONDAY + timedelta(days=10)).date()
    until = (MONDAY + timedelta(days=12)).date()
    assert index.find(LEADER, "dich benh", since=since, until=until) == [b]
    assert index.find(LEADER, "dich benh", until=until) == [b, a]
    page = index.page(LEADER, "dich benh", urgency="Khẩn")
    # Counts say what each value would give for these words, whatever is chosen.
    assert page["counts"]["urgency"] == {"Thường": 2, "Khẩn": 1}
    assert page["counts"]["units"] == {"PDKKD": 1, "PTH": 1}
    assert page["counts"]["status"] == {"registered": 3}
    assert page["total"] == 1 and c not in [i["id"] for i in page["items"]]
    # A head's counts are within their own scopes.
    assert index.page(HEAD, "dich benh")["counts"]["units"] == {"PDKKD": 1}


def test_pages_follow_an_offset_cursor_and_a_forged_one_is_refused(index: Index) -> None:
    docs = [index.add(f"Báo cáo tuần {i}", i) for i in range(1, 6)]
    seen: list[str] = []
    cursor = None
    while True:
        page = index.page(LEADER, "bao cao", limit=2, cursor=cursor)
        seen += [i["id"] for i in page["items"]]
        cursor = page["cursor"]
        if not cursor:
            break
    assert seen == list(reversed(docs))
    for bad in ("rubbish", search.encode_offset(-1), search.encode_offset(10**6)):
        with pytest.raises(InvalidInput):
            index.page(LEADER, "bao cao", cursor=bad)


def test_a_secret_documents_body_is_never_indexed(index: Index) -> None:
    doc = index.add("Kế hoạch bảo vệ", 1, secrecy=Secrecy.MAT, people=["giamdoc"],
                    text="Tuyến đường tuần tra bí mật")
    assert index.find(LEADER, "ke hoach bao ve") == [doc]
    assert index.find(LEADER, "tuan tra") == []


def test_a_share_taken_back_leaves_the_index_when_the_writer_applies_it(index: Index) -> None:
    doc = index.add("Kế hoạch thanh tra", 1, secrecy=Secrecy.MAT, people=["giamdoc", "vanthu"])
    assert index.find(CLERK, "thanh tra") == [doc]

    incoming.change_people(LEADER, doc, revoke="vanthu", store=index.documents,
                           trail=index.trail, directory=FakeDirectory())
    # The list entry went with the change itself: no result before the writer ran,
    # though the engine still matches it.
    assert index.find(CLERK, "thanh tra") == []
    mine = SearchRequest(parse("thanh tra"), frozenset({"U#vanthu"}))
    assert index.engine.search(mine).total == 1
    index.index(doc)
    assert index.engine.search(mine).total == 0
    assert index.find(LEADER, "thanh tra") == [doc]


def test_a_document_gone_from_the_table_leaves_the_index(index: Index) -> None:
    doc = index.add("Giấy mời họp", 1)
    del index.documents.docs[doc]
    assert index.index(doc) == {"indexed": 0, "removed": 1}
    assert index.engine.count() == 0


def test_a_query_without_a_two_letter_word_is_refused_naming_the_field(index: Index) -> None:
    for q in ("a b", '"a"', "d*", ""):
        with pytest.raises(InvalidInput) as caught:
            index.find(LEADER, q)
        assert [p.path for p in caught.value.fields] == ["q"], q
