"""Search where people look, in a real Chromium: the incoming list's search box
finds "Tết Nguyên Đán" from "tet nguyen dan" (no diacritics typed), and the
header's search finds it too, on the results page grouped by kind."""

from __future__ import annotations

import time
import uuid
from typing import Any
from urllib.parse import quote

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import api_call, loaded, open_signed_in, shot

pytestmark = pytest.mark.e2e


def _found_by_api(base_url: str, token: str, q: str, doc_id: str, timeout: float = 30) -> None:
    """The index follows a document through a workflow step: wait until it has."""
    deadline = time.monotonic() + timeout
    while True:
        status, body = api_call(base_url, "GET", f"/api/incoming?q={quote(q)}", token=token)
        assert status == 200, body
        if doc_id in [d["id"] for d in body["items"]]:
            return
        assert time.monotonic() < deadline, f"not indexed in {timeout}s: {body}"
        time.sleep(0.5)


def test_tet_nguyen_dan_is_found_without_diacritics_in_the_list_and_the_header(
        runtime: dict[str, Any], session_of: Any, page: Any) -> None:
    base, clerk = runtime["url"], session_of("vanthu")
    tag = uuid.uuid4().hex[:6].upper()
    subject = f"V/v lịch nghỉ Tết Nguyên Đán năm 2027 (mã {tag})"
    status, doc = api_call(base, "POST", "/api/incoming", {
        "so_ky_hieu": f"{tag[:4]}/TB-UBND", "co_quan_ban_hanh": "Ủy ban nhân dân Thành phố",
        "loai_van_ban": "Thông báo", "trich_yeu": subject, "do_khan": "Thường", "do_mat": ""},
        token=clerk["id_token"])
    assert status == 200, doc
    # A document that should not come up: the words are not all in it.
    status, other = api_call(base, "POST", "/api/incoming", {
        "so_ky_hieu": f"{tag[:3]}9/TB-UBND", "co_quan_ban_hanh": "Ủy ban nhân dân Thành phố",
        "trich_yeu": f"V/v lịch nghỉ Quốc khánh (mã {tag})", "do_khan": "Thường", "do_mat": ""},
        token=clerk["id_token"])
    assert status == 200, other
    _found_by_api(base, clerk["id_token"], "tet nguyen dan", doc["id"])

    # The list: typed without diacritics, the list narrows as one types.
    open_signed_in(page, base, clerk, "/app/incoming")
    rows = page.locator("#docs tbody tr")
    expect(rows.filter(has_text=f"Quốc khánh (mã {tag})")).to_have_count(1)
    filters = page.get_by_role("search", name="Tìm văn bản đến")
    filters.get_by_role("searchbox", name="Tìm kiếm", exact=True).fill("tet nguyen dan")
    expect(rows.filter(has_text=subject)).to_have_count(1)
    expect(rows.filter(has_text=f"Quốc khánh (mã {tag})")).to_have_count(0)
    expect(page).to_have_url(f"{base}/app/incoming?q=tet+nguyen+dan")
    # Filters narrow the search further: a status it is not in leaves nothing of it.
    filters.get_by_label("Trạng thái").select_option("completed")
    expect(rows.filter(has_text=subject)).to_have_count(0)
    filters.get_by_label("Trạng thái").select_option("")
    expect(rows.filter(has_text=subject)).to_have_count(1)
    # The register's exports are offered to the clerk.
    expect(page.get_by_role("button", name="Xuất Excel (XLSX)")).to_be_visible()
    expect(page.get_by_role("button", name="Xuất PDF")).to_be_visible()
    shot(page, "search-incoming-list")
    rows.filter(has_text=subject).get_by_role("link", name=subject).click()
    expect(page).to_have_url(f"{base}/app/document?id={doc['id']}")

    # The header: the same words, the results page grouped by kind, a link to it.
    loaded(page)
    header = page.get_by_role("search", name="Tìm kiếm chung")
    header.get_by_role("searchbox").fill(f"tet nguyen dan {tag}")
    header.get_by_role("searchbox").press("Enter")
    expect(page).to_have_url(f"{base}/app/search?q=tet+nguyen+dan+{tag}")
    loaded(page)
    group = page.locator(".search-group[data-kind=incoming]")
    expect(group.get_by_role("heading")).to_have_text("Văn bản đến (1)")
    link = group.get_by_role("link", name=subject)
    expect(link).to_have_attribute("href", f"/app/document?id={doc['id']}")
    expect(page.locator(".search-group")).to_have_count(1)
    # The matching words marked in the original spelling, and the filters' counts.
    hit = group.locator("li", has_text=subject).locator(".snippet mark")
    # ("dan" is also the "dân" of the agency's name: the words are folded both ways.)
    expect(hit).to_have_text(["dân", "Tết", "Nguyên", "Đán", tag])
    expect(group.locator(".facet", has_text="Độ khẩn: Thường (1)")).to_have_attribute(
        "href", f"/app/incoming?q=tet+nguyen+dan+{tag}&do_khan=Th%C6%B0%E1%BB%9Dng")
    shot(page, "search-results")
    link.click()
    expect(page).to_have_url(f"{base}/app/document?id={doc['id']}")

    # Nothing found says so, in Vietnamese.
    page.goto(f"{base}/app/search?q=khong+co+tu+nay+{tag}")
    loaded(page)
    expect(page.locator("#sr-count")).to_contain_text("Không tìm thấy kết quả nào")
