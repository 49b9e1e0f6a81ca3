"""Every mail and printable template, rendered with a representative context,
reads as Vietnamese with local times: no "UTC", no ISO instant or bare ISO
date, no English sentence, no words glued together, "V/v" once.

The template folders are enumerated, so a new mail or printable without a
context here fails until it gets one (and is then checked like the others).
"""

from __future__ import annotations

import html
import re
from pathlib import Path
from typing import Any

import pytest

from chalicelib.outputs.templating import TEMPLATES, render

BASE = "https://eoffice.example.vn"
# Instants as stored (UTC ISO 8601): the templates must show them in Hanoi time.
AT = "2026-12-01T22:15:00Z"            # 05:15 on 02/12/2026 in Hanoi
DUE = "2026-12-04T10:00:00.000Z"       # 17:00 on 04/12/2026 in Hanoi

MEETING = {"recipient_name": "Ông Phạm Quốc Hùng", "title": "Giao ban tuần",
           "when": "08:00–09:30 thứ Năm, 03/12/2026", "start_time": "08:00",
           "place": "Phòng họp tầng 2", "online_url": f"{BASE}/hop/1",
           "chair_name": "Phạm Quốc Hùng", "note": "Đề nghị chuẩn bị số liệu.",
           "agenda": ["Tình hình đăng ký doanh nghiệp"], "updated": True, "sequence": 1,
           "cancel_reason": "Lãnh đạo đi công tác", "removed": False,
           "answer_label": "Chưa trả lời",
           "links": {"accept": f"{BASE}/a", "tentative": f"{BASE}/t", "decline": f"{BASE}/d"}}
DOSSIER = {"name": "Nguyễn Văn An", "code": "000.00.12.H26-261202-0007",
           "procedure": "Đăng ký thành lập doanh nghiệp", "received": "02/12/2026",
           "appointment": "17:00 ngày 04/12/2026", "status_label": "Yêu cầu bổ sung",
           "message": "Đề nghị bổ sung điều lệ công ty.", "result": "Giấy chứng nhận",
           "verify": f"{BASE}/verify/ABC123", "lookup": f"{BASE}/tra-cuu?code=X",
           "access_key": "K7QM-3WXA"}
CASE = {"name": "Nguyễn Văn An", "code": "KN-2026-0012", "kind_label": "Khiếu nại",
        "status_label": "Đã thụ lý", "received": "02/12/2026", "deadline": "15/01/2027",
        "message": "Đơn của ông/bà đã được thụ lý.", "number": "12/QĐ-SKHĐT",
        "subject": "Giải quyết khiếu nại của ông Nguyễn Văn An", "attached": True,
        "verify": f"{BASE}/verify/ABC123", "lookup": f"{BASE}/tra-cuu-don?code=X"}
ISSUED = {"type_name": "Công văn", "type_code": "CV", "number_text": "45/SKHĐT-ĐKKD",
          "issued_on": "2026-12-02", "subject": "V/v góp ý dự thảo quy chế phối hợp",
          "code": "ABC123"}
WORK_ITEM = {"timeliness": "overdue", "timeliness_label": "Quá hạn", "kind_label": "Văn bản đến",
             "title": "Góp ý dự thảo quy chế", "so_den_text": "0123", "deadline": DUE,
             "link": "/app/document?id=1", "holder": "Trần Văn Minh"}

CONTEXTS: dict[str, dict[str, Any]] = {
    "mail/complaint_answer": CASE,
    "mail/complaint_notice": CASE,
    "mail/complaint_receipt": CASE,
    "mail/digest": {"name": "Trần Văn Minh", "day": "02/12/2026", "items": [WORK_ITEM],
                    "base": BASE, "overdue": 1},
    "mail/dossier_receipt": DOSSIER,
    "mail/dossier_result": DOSSIER,
    "mail/dossier_status": DOSSIER,
    "mail/escalation": {"name": "Lê Thị Hương", "unit": "Phòng Đăng ký kinh doanh", "days": 3,
                        "items": [WORK_ITEM], "base": BASE},
    "mail/meeting_cancel": MEETING,
    "mail/meeting_invite": MEETING,
    "mail/meeting_reminder": MEETING,
    "mail/notice": {"subject": "Xác nhận đã nhận văn bản 15/SXD-VP",
                    "recipient_name": "Sở Xây dựng", "link": f"{BASE}/app/document?id=1",
                    "body": "Sở Kế hoạch và Đầu tư đã nhận văn bản số 15/SXD-VP."},
    "mail/notification": {"name": "Trần Văn Minh", "what": "Xử lý văn bản đến",
                          "title": "Góp ý dự thảo quy chế", "subject": "Góp ý dự thảo",
                          "deadline": "04/12/2026 17:00", "link": f"{BASE}/app/work",
                          "settings": f"{BASE}/app/work#prefs"},
    "mail/outgoing_issued": {"doc": ISSUED, "recipient_name": "Sở Tài chính",
                             "link": f"{BASE}/d/tok", "days": 30, "attached": True},
    "mail/outgoing_recalled": {"doc": ISSUED, "recipient_name": "Sở Tài chính",
                               "reason": "Sai thể thức"},
    "mail/weekly": {"name": "Phạm Quốc Hùng", "week": "2026-W48",
                    "rows": [{"unit": "Phòng Đăng ký kinh doanh", "done": 4, "late": 1,
                              "rate": 75}, {"unit": "Văn phòng Sở", "done": 0, "late": 0,
                                            "rate": None}]},
    "printables/outgoing/addressed": {"paragraphs": ["Sở Kế hoạch và Đầu tư đề nghị góp ý."],
                                      "addressees": ["Sở Tài chính", "Sở Nội vụ"],
                                      "type_code": "CV", "subject": "Góp ý"},
    "printables/outgoing/body": {"paragraphs": ["Căn cứ Nghị định số 30/2020/NĐ-CP."],
                                 "addressees": [], "type_code": "QĐ", "subject": "Ban hành"},
}

# Whole words that are English and never Vietnamese (no "to", "an", "do", "the"
# spelled without tone marks is not Vietnamese either).
ENGLISH = ("the", "this", "that", "please", "download", "is", "of", "your", "you", "was",
           "has", "been", "attached", "received", "changed", "expires", "english", "and",
           "with", "status", "document", "case", "link", "click", "here", "dear", "view")
_ENGLISH = re.compile(r"\b(?:" + "|".join(ENGLISH) + r")\b", re.IGNORECASE)
_URL = re.compile(r"(?:https?://|mailto:)\S+|\S+@\S+|[\w.-]+\.ics\b")
_TAG = re.compile(r"<[^>]+>")
_LOWER = "a-zàáạảãâầấậẩẫăằắặẳẵèéẹẻẽêềếệểễìíịỉĩòóọỏõôồốộổỗơờớợởỡùúụủũưừứựửữỳýỵỷỹđ"
_UPPER = _LOWER.upper()
# "SởKế": a lower-case letter straight before an upper-case one; "này.Tải": a
# sentence's full stop straight before the next sentence.
_GLUED = re.compile(rf"[{_LOWER}][{_UPPER}]|[{_LOWER}]{{2}}[.,;:][{_UPPER}{_LOWER}]")


def templates() -> list[str]:
    """Every mail and printable, without its extension(s)."""
    names: set[str] = set()
    for folder in ("mail", "printables"):
        for path in (TEMPLATES / folder).rglob("*"):
            if path.is_file() and not path.name.startswith("_"):
                rel = path.relative_to(TEMPLATES).as_posix()
                names.add(rel.split(".", 1)[0])
    return sorted(names)


def rendered(name: str) -> list[tuple[str, str]]:
    """(file, text a person reads) for each file of the template."""
    out = []
    for path in sorted(TEMPLATES.glob(f"{name}.*")):
        rel = path.relative_to(TEMPLATES).as_posix()
        text = render(rel, **CONTEXTS[name])
        if path.suffix in (".html", ".htm"):
            text = html.unescape(_TAG.sub(" ", text))
        out.append((rel, text))
    return out


def faults(text: str) -> list[str]:
    """What a person would notice in ``text``."""
    readable = _URL.sub(" ", text)
    found = []
    if "UTC" in readable:
        found.append("UTC")
    if m := re.search(r"\d{4}-\d{2}-\d{2}(?:T\d|\b)", readable):
        found.append(f"ISO date {m.group()!r}")
    if m := re.search(r"\b\d{4}-W\d{2}\b", readable):
        found.append(f"ISO week {m.group()!r}")
    if m := _ENGLISH.search(readable):
        found.append(f"English word {m.group()!r}")
    if m := _GLUED.search(readable):
        found.append(f"glued words {readable[max(0, m.start() - 10):m.end() + 10]!r}")
    if re.search(r"V/v\W+V/v", readable, re.IGNORECASE):
        found.append("V/v twice")
    return found


def test_every_template_has_a_representative_context() -> None:
    missing = [name for name in templates() if name not in CONTEXTS]
    assert not missing, f"add a context for {missing} to CONTEXTS"
    assert {"mail/weekly", "mail/outgoing_issued", "printables/outgoing/body"} <= set(CONTEXTS)


@pytest.mark.parametrize("name", templates())
def test_a_template_reads_as_vietnamese_with_local_times(name: str) -> None:
    files = rendered(name)
    assert files
    problems = {rel: found for rel, text in files if (found := faults(text))}
    assert not problems


@pytest.mark.parametrize("text, fault", [
    ("Hạn: 04/12/2026 10:00 UTC", "UTC"),
    ("Hạn: 2026-12-04T10:00:00Z", "ISO date '2026-12-04T1'"),
    ("ngày 2026-12-04.", "ISO date '2026-12-04'"),
    ("tuần 2026-W48", "ISO week '2026-W48'"),
    ("(English: your submission was received)", "English word 'English'"),
    ("Công văn của SởKế hoạch và Đầu tư", "glued words"),
    ("đính kèm thư này.Tải văn bản", "glued words"),
    ("V/v V/v góp ý", "V/v twice"),
])
def test_the_check_catches_what_a_reader_would(text: str, fault: str) -> None:
    assert any(found.startswith(fault) for found in faults(text))


def test_the_check_passes_vietnamese_with_links_and_codes() -> None:
    assert faults("Kính gửi ông Nguyễn Văn An, hồ sơ 000.00.12.H26-261202-0007 hẹn trả "
                  "17:00 ngày 04/12/2026; tra cứu: https://x.vn/tra-cuu?code=2026-12-04T1 "
                  "và tệp moi-hop.ics. Số 45/SKHĐT-ĐKKD.") == []


def test_the_weekly_summary_names_the_week_by_its_days() -> None:
    text = render("mail/weekly.txt", **CONTEXTS["mail/weekly"])
    assert "tuần 48 (23/11–29/11/2026)" in text
    subject = render("mail/weekly.subject.txt", **CONTEXTS["mail/weekly"])
    assert subject.strip() == "Tổng hợp tiến độ công việc tuần 48 (23/11–29/11/2026)"


def test_a_week_across_the_new_year_names_both_years() -> None:
    from chalicelib.outputs.templating import week_label

    assert week_label("2026-W53") == "53 (28/12/2026–03/01/2027)"


def test_the_issued_mail_says_v_v_once_and_keeps_its_lines_apart() -> None:
    from chalicelib.outputs.mail import compose_mail

    mail = compose_mail("outgoing_issued", CONTEXTS["mail/outgoing_issued"], ["a@x.vn"])
    assert "V/v góp ý dự thảo quy chế phối hợp" in mail.text
    assert mail.text.count("V/v") == 1 and (mail.html or "").count("V/v") == 1
    assert "đính kèm thư này.\nTải văn bản" in mail.text
    assert "ngày 02/12/2026" in mail.text


def test_digest_deadlines_are_hanoi_time() -> None:
    text = render("mail/digest.txt", **CONTEXTS["mail/digest"])
    assert "Hạn: 17:00 04/12/2026" in text
    page = render("mail/digest.html", **CONTEXTS["mail/digest"])
    assert "<th align=\"left\">Hạn</th>" in page and "17:00 04/12/2026" in page


@pytest.mark.parametrize("typed, plain", [
    ("V/v góp ý", "góp ý"), ("V/v V/v góp ý", "góp ý"), ("v/v: góp ý", "góp ý"),
    ("Về việc góp ý", "góp ý"), ("Vận động góp ý", "Vận động góp ý"), ("  góp ý ", "góp ý"),
])
def test_a_typed_v_v_is_taken_off_the_subject(typed: str, plain: str) -> None:
    from chalicelib.kernel.numbering import plain_subject

    assert plain_subject(typed) == plain


def test_the_storage_line_names_the_unit_the_drafter_and_the_copies() -> None:
    from chalicelib.kernel.numbering import storage_line

    assert storage_line("ĐKKD", "Trần Văn Minh") == "Lưu: VT, ĐKKD.TVM(02)."
    assert storage_line("VP", "Nguyễn Thị Lan", copies=3) == "Lưu: VT, VP.NTL(03)."


def test_the_templates_folder_is_what_the_renderer_reads() -> None:
    assert Path(TEMPLATES, "mail", "weekly.txt").is_file()


@pytest.mark.parametrize("stored, shown", [
    ("2026-12-04T10:00:00.000Z", "04/12/2026 17:00"),   # an instant: Hanoi time
    ("2026-12-01T22:15:00Z", "02/12/2026 05:15"),       # the Hanoi day, not the UTC one
    ("2026-12-01T22:15:00", "02/12/2026 05:15"),        # no offset: stored UTC
    ("2026-12-05", "05/12/2026"),                       # a deadline by the day stays that day
    (None, ""),
])
def test_an_assignment_mail_shows_its_deadline_in_hanoi_time(stored: str | None,
                                                             shown: str) -> None:
    from chalicelib.notifications.notices import local_time

    assert local_time(stored) == shown


@pytest.mark.parametrize("stored, date_shown, time_shown", [
    ("2026-12-01T22:15:00.000Z", "02/12/2026", "05:15 02/12/2026"),
    ("2026-12-01T22:15:00", "02/12/2026", "05:15 02/12/2026"),  # naive: stored UTC
    ("2026-12-02T05:15:00+07:00", "02/12/2026", "05:15 02/12/2026"),
    ("2026-12-05", "05/12/2026", "05/12/2026"),
    (None, "", ""),
])
def test_the_template_filters_show_the_hanoi_day_and_time(stored: str | None, date_shown: str,
                                                         time_shown: str) -> None:
    from chalicelib.outputs.templating import local_date, local_datetime

    assert local_date(stored) == date_shown
    assert local_datetime(stored) == time_shown
