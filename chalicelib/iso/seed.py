"""The library the department starts with, from today's data: the business
registration procedure as the one-stop catalogue runs it (four steps sharing 3
working days: 0.1, 0.6, 0.2, 0.1) and the internal review procedure of outgoing
drafts as the review chain runs it (head of unit, office, signer). Each is
stored once as version 1, approved and in force from the day the catalogue's
procedures took effect; later changes are new versions made in the library."""

from __future__ import annotations

from typing import Any

from chalicelib.adapters.dynamo import Table
from chalicelib.iso.rules import ident
from chalicelib.iso.store import IsoStore

_ONE_STOP = "Bộ phận Một cửa"
_BRO = "Phòng Đăng ký kinh doanh"
_LEGAL_BRO = ["Luật Doanh nghiệp 2020", "Nghị định 168/2025/NĐ-CP",
              "Nghị định 61/2018/NĐ-CP", "Nghị định 107/2021/NĐ-CP"]

BUSINESS_REGISTRATION: dict[str, Any] = {
    "head": {"code": "QT-ĐKKD-01", "title": "Quy trình đăng ký doanh nghiệp",
             "kind": "onestop", "owner": "truongphong", "owner_unit": "PDKKD",
             # The one-stop procedures whose dossiers follow it (onestop/catalogue.py).
             "applies_to": ["DKDN-DNTN", "DKDN-TNHH1TV", "DKDN-THAYDOI", "DKDN-CAPLAI",
                            "DKDN-TAMNGUNG"]},
    "version": {
        "purpose": "Quy định trình tự, trách nhiệm giải quyết hồ sơ đăng ký doanh nghiệp "
                   "bảo đảm đúng thời hạn luật định và cam kết 2 ngày làm việc.",
        "scope": "Áp dụng cho Bộ phận Một cửa và Phòng Đăng ký kinh doanh.",
        "legal_bases": _LEGAL_BRO,
        "steps": [
            {"name": "Tiếp nhận hồ sơ", "who": _ONE_STOP, "role": "Công chức tiếp nhận",
             "how": "Kiểm tra thành phần hồ sơ, cấp giấy tiếp nhận và hẹn trả kết quả",
             "days": "0.3", "record": "BM-01"},
            {"name": "Thẩm định hồ sơ", "who": _BRO, "role": "Chuyên viên",
             "how": "Thẩm định tính hợp lệ, ghi phiếu kiểm soát", "days": "1.8",
             "record": "BM-02"},
            {"name": "Ký duyệt kết quả", "who": _BRO, "role": "Lãnh đạo phòng",
             "how": "Ký số Giấy chứng nhận đăng ký doanh nghiệp", "days": "0.6",
             "record": ""},
            {"name": "Trả kết quả", "who": _ONE_STOP, "role": "Công chức trả kết quả",
             "how": "Trả kết quả trực tiếp hoặc trực tuyến, ghi sổ theo dõi", "days": "0.3",
             "record": "BM-03"},
        ],
        "forms": [{"code": "BM-01", "name": "Giấy tiếp nhận hồ sơ và hẹn trả kết quả"},
                  {"code": "BM-02", "name": "Phiếu kiểm soát quá trình giải quyết hồ sơ"},
                  {"code": "BM-03", "name": "Sổ theo dõi hồ sơ"}],
        "records": [{"name": "Hồ sơ giải quyết thủ tục đăng ký doanh nghiệp",
                     "keeper": _BRO, "retention_group": "MC-01"}],
        "units": ["PDKKD", "MC"],
        "effective_from": "2025-07-01",
    },
}

OUTGOING_REVIEW: dict[str, Any] = {
    "head": {"code": "QT-VBĐI-01", "title": "Quy trình soạn thảo, trình duyệt văn bản đi",
             "kind": "review", "owner": "chanhvanphong", "owner_unit": "VP",
             # Internal plans, reports and submissions; other types keep the review
             # chains set in the settings (outgoing.rules.default_chain).
             "applies_to": ["KH", "BC", "TTr"]},
    "version": {
        "purpose": "Bảo đảm văn bản đi đúng nội dung, thể thức và thẩm quyền ký.",
        "scope": "Áp dụng cho các đơn vị thuộc Sở khi soạn thảo kế hoạch, báo cáo, tờ trình.",
        "legal_bases": ["Nghị định 30/2020/NĐ-CP"],
        "steps": [
            {"name": "Kiểm tra nội dung", "who": "Đơn vị soạn thảo", "role": "Trưởng đơn vị",
             "how": "Kiểm tra nội dung dự thảo", "days": "2", "record": "",
             "review_step": "unit_head"},
            {"name": "Kiểm tra thể thức", "who": "Văn phòng Sở", "role": "Chánh Văn phòng",
             "how": "Kiểm tra thể thức, kỹ thuật trình bày (Nghị định 30, Phụ lục I)",
             "days": "1", "record": "", "review_step": "office"},
            {"name": "Duyệt ký", "who": "Ban Giám đốc Sở", "role": "Lãnh đạo Sở",
             "how": "Duyệt và ký số", "days": "2", "record": "", "review_step": "signer"},
        ],
        "forms": [],
        "records": [{"name": "Tập lưu văn bản đi", "keeper": "Văn phòng Sở",
                     "retention_group": "VT-01"}],
        "units": ["VP", "PDKKD", "PTH"],
        "effective_from": "2025-07-01",
    },
}

SEED = (BUSINESS_REGISTRATION, OUTGOING_REVIEW)


def ensure_library(table: Table) -> int:
    """Store the seed procedures that are not stored yet (a stored one is never
    rewritten: work refers to its versions). Returns how many were added."""
    from chalicelib.iso.service import content_of

    store = IsoStore(table)
    added = 0
    for entry in SEED:
        head = entry["head"]
        pid = ident(head["code"])
        if store.procedure(pid) is not None:
            continue
        v = entry["version"]
        uow = store.unit_of_work()
        store.add_procedure(uow, {**head, "id": pid, "latest": 1, "replaced_bases": [],
                                  "version": 1})
        store.add_version(uow, {
            "id": pid, "code": head["code"], "number": 1, "title": head["title"],
            "kind": head["kind"],
            **content_of(v), "status": "approved", "reason": "Ban hành lần đầu",
            "change_summary": "Ban hành lần đầu theo quy trình đang áp dụng",
            "drafted_by": "system", "drafted_at": f"{v['effective_from']}T00:00:00Z",
            "reviewed_by": "system", "approved_by": "system",
            "effective_from": v["effective_from"], "version": 1})
        uow.commit()
        added += 1
    return added
