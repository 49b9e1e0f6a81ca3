"""The issued document as Decree 30 Appendix I draws it, read back from the
final PDF (after the leader's signature and the clerk's number, date and
seal): its text, and where its boxes and words lie on the page.

The officer typed "V/v" before the subject, as the form used to suggest; the
drafting unit's code is PDKKD and its abbreviation ĐKKD.
"""

from __future__ import annotations

import re
import subprocess
from datetime import date
from html import unescape
from pathlib import Path
from typing import Any

from chalicelib.kernel import numbering
from tests.conftest import require_tool
from tests.integration.test_outgoing import _approved, _body, _drain, _s3_bytes, _status

A4_H = 841.89


Word = tuple[float, float, float, float, str]  # x0, y0, x1, y1 (points, origin bottom left)


def _words(pdf: bytes, tmp_path: Path) -> list[list[Word]]:
    """Each page's words with their boxes, as poppler draws the page
    (signature and form-field appearances included)."""
    path = tmp_path / "issued.pdf"
    path.write_bytes(pdf)
    xhtml = subprocess.run([require_tool("pdftotext", "poppler-utils"), "-bbox", str(path), "-"],
                           check=True, capture_output=True, text=True).stdout
    pages = []
    for page in re.findall(r"<page [^>]*>(.*?)</page>", xhtml, flags=re.S):
        pages.append([(float(x0), A4_H - float(y1), float(x1), A4_H - float(y0), unescape(t))
                      for x0, y0, x1, y1, t in re.findall(
                          r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" '
                          r'yMax="([\d.]+)">(.*?)</word>', page)])
    return pages


def _lines(words: list[Word]) -> list[str]:
    """Words grouped into lines by their baseline, left to right."""
    rows: dict[int, list[Word]] = {}
    for w in words:
        rows.setdefault(round(w[1]), []).append(w)
    return [" ".join(w[4] for w in sorted(row)) for _, row in sorted(rows.items(), reverse=True)]


def _inside(word: Word, box: dict[str, float]) -> bool:
    x0, y0, x1, y1, _ = word
    return (x0 < box["x"] + box["width"] and box["x"] < x1
            and y0 < box["y"] + box["height"] and box["y"] < y1)


def _issued(people: dict[str, Any]) -> tuple[dict[str, Any], bytes]:
    doc_id = _approved(people, subject="V/v góp ý dự thảo quy chế phối hợp")
    assert people["giamdoc"].send("POST", f"/api/outgoing/{doc_id}/sign").status_code == 200
    _drain()
    assert _status(people["giamdoc"], doc_id)["status"] == "signed"
    resp = people["vanthu"].send("POST", f"/api/outgoing/{doc_id}/issue")
    assert resp.status_code == 200, resp.body
    _drain()
    doc = _status(people["vanthu"], doc_id)
    assert doc["status"] == "issued", doc.get("failure")
    return doc, _s3_bytes(doc["issued_key"])


def test_the_issued_document_reads_and_lies_as_appendix_i_draws_it(pki, people, tmp_path):
    doc, pdf = _issued(people)
    (page,) = _words(pdf, tmp_path)
    lines = _lines(page)
    text = "\n".join(lines)

    # Heading, number with the unit's abbreviation (not its code), place and date.
    assert doc["number_text"] == "01/SKHĐT-ĐKKD"
    for expected in ("UBND THÀNH PHỐ HÀ NỘI", "SỞ KẾ HOẠCH VÀ ĐẦU TƯ",
                     "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc",
                     "Số: 01/SKHĐT-ĐKKD",
                     numbering.date_line("Hà Nội", date.fromisoformat(doc["issued_on"]))):
        assert expected in text, (expected, text)
    assert "PDKKD" not in text
    # "V/v" once, the typed one taken off.
    assert "V/v góp ý dự thảo quy chế phối hợp" in text and text.count("V/v") == 1
    # Recipients, the storage line the office writes (unit, drafter's initials, copies).
    assert "Nơi nhận:" in lines
    assert "- Như trên;" in lines
    assert "- Lưu: VT, ĐKKD.TVM(02)." in lines
    assert "Lưu: VT, ĐKKD." not in lines  # the drafter's own line is replaced

    # The signature block: title, the signing text, the name once on its own line.
    assert "GIÁM ĐỐC" in lines
    assert lines.count("Phạm Quốc Hùng") == 1
    assert text.count("Phạm Quốc Hùng") == 2  # the name line and "Ký bởi:"
    layout = doc["layout"]
    sig, seal = layout["signature"], layout["seal"]
    title_y = min(w[1] for w in page if w[4] == "GIÁM")
    name_y = max(w[3] for w in page if w[4] == "Hùng" and not _inside(w, sig))
    assert name_y <= sig["y"] + 1 and sig["y"] + sig["height"] <= title_y + 1

    # The seal covers about a third of the signature, on its left...
    overlap = seal["x"] + seal["width"] - sig["x"]
    assert seal["x"] < sig["x"] and 0.25 <= overlap / sig["width"] <= 0.4
    assert seal["y"] < sig["y"] + sig["height"] and sig["y"] < seal["y"] + seal["height"]
    # ...and none of "Ký bởi / Chức vụ / Thời gian ký" lies under it.
    # 7 pt text; the drawn seal's letters around its ring are twice as tall.
    in_box = [w for w in page if _inside(w, sig) and w[3] - w[1] < 10]
    rows = {round(w[1]) for w in in_box if w[4] in ("bởi:", "vụ:", "ký:")}
    signing = [w for w in in_box if round(w[1]) in rows]  # the seal's own letters aside
    said = " ".join(w[4] for w in sorted(signing, key=lambda w: (-round(w[1]), w[0])))
    for label in ("Ký bởi: Phạm Quốc Hùng", "Chức vụ:", "Thời gian ký:", "+07:00"):
        assert label in said, (label, said)
    assert len(rows) == 3
    assert not [w for w in signing if _inside(w, seal)]
    # The number and date lines are where the layout left them blank.
    number = [w[4] for w in page if _inside(w, layout["number"])]
    assert " ".join(number) == "Số: 01/SKHĐT-ĐKKD"


def test_the_number_follows_the_abbreviation_an_administrator_sets(pki, people):
    admin = people["quantri"]
    pdkkd = next(u for u in _body(admin.get("/api/org/units"))["units"] if u["code"] == "PDKKD")
    assert pdkkd["abbreviation"] == "ĐKKD"
    resp = admin.send("PUT", "/api/org/units/PDKKD", {
        "name": pdkkd["name"], "kind": pdkkd["kind"], "parent": pdkkd["parent"],
        "abbreviation": "DKKD2", "version": pdkkd["version"]})
    assert resp.status_code == 200, resp.body
    doc, _ = _issued(people)
    assert doc["number_text"] == "01/SKHĐT-DKKD2"
