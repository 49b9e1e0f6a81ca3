"""The procedure catalogue the one-stop desk starts with: versioned procedures
of the business registration office and of investment registration, as data
(the rules that read them are in ``onestop/rules.py``; the store writes them
once, ``onestop.procedures.ensure_catalogue``)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from chalicelib.onestop.rules import DayCount, Paper, Procedure, ProcedureStep

# Procedures of the business registration office (Phòng Đăng ký kinh doanh),
# formerly of the Department of Planning and Investment (Sở Kế hoạch và Đầu
# tư), since the 2025 reorganisation of the Department of Finance. The codes
# are local: the national database codes (mã TTHC, "1.00xxxx") were not
# checked and must replace them before go-live (UNCONFIRMED).

_D = Decimal
_FIELD_BUSINESS = "Thành lập và hoạt động của doanh nghiệp"
_FIELD_INVESTMENT = "Đầu tư tại Việt Nam"
_ONE_STOP = "Bộ phận Một cửa"
_BRO = "Phòng Đăng ký kinh doanh"

# Split of business registration time between the steps (DOMAIN brief; the
# department's internal process, not a legal figure).
_REGISTRATION_STEPS: tuple[ProcedureStep, ...] = (
    ProcedureStep("Tiếp nhận hồ sơ", _ONE_STOP, "Công chức tiếp nhận", _D("0.1")),
    ProcedureStep("Thẩm định hồ sơ", _BRO, "Chuyên viên", _D("0.6")),
    ProcedureStep("Ký duyệt kết quả", _BRO, "Lãnh đạo phòng", _D("0.2")),
    ProcedureStep("Trả kết quả", _ONE_STOP, "Công chức trả kết quả", _D("0.1")),
)

_LEGAL_PAPERS = Paper(
    "GTPL-CN",
    "Bản sao giấy tờ pháp lý của cá nhân (căn cước, hộ chiếu) đối với chủ doanh nghiệp "
    "hoặc chủ sở hữu, người đại diện theo pháp luật",
)
_AUTHORISATION = Paper(
    "UQ",
    "Văn bản ủy quyền cho người nộp hồ sơ (nếu không phải người đại diện theo pháp luật)",
    required=False,
)
# Luật 76/2025/QH15 (amending the Law on Enterprises, in force 2025-07-01)
# added information on beneficial owners (UNCONFIRMED wording and date).
_BENEFICIAL_OWNERS = Paper(
    "CSHHL", "Danh sách thông tin về chủ sở hữu hưởng lợi của doanh nghiệp (nếu có)",
    required=False,
)

# Lệ phí đăng ký doanh nghiệp 50 000 đồng per Thông tư 47/2019/TT-BTC; online
# registration is exempt and the 100 000 đồng publication charge is separate
# (both UNCONFIRMED; the dossier, not the catalogue, knows the channel).
_REGISTRATION_FEE = 50_000

def _business(code: str, version: str, effective_from: date, name: str,
              papers: tuple[Paper, ...], result: str, *, fee: int = _REGISTRATION_FEE,
              target_days: Decimal | None = _D(2)) -> Procedure:
    """A business-registration procedure: 3 working days through the registration
    office's four steps; what varies is named."""
    return Procedure(code=code, version=version, effective_from=effective_from,
                     effective_to=None, name=name, field=_FIELD_BUSINESS, time_limit=_D(3),
                     day_count=DayCount.WORKING, steps=_REGISTRATION_STEPS, fee=fee,
                     papers=papers, result=result, target_days=target_days)


# Luật Doanh nghiệp 2020 Art. 26: 3 working days (UNCONFIRMED). Target 2
# working days: Hanoi's commitment per DOMAIN.md.
_DNTN_2021 = _business(
    "DKDN-DNTN", "2021.1",
    # Nghị định 01/2021/NĐ-CP on business registration, in force 2021-01-04.
    date(2021, 1, 4), "Đăng ký thành lập doanh nghiệp tư nhân",
    (Paper("GDN", "Giấy đề nghị đăng ký doanh nghiệp"), _LEGAL_PAPERS, _AUTHORISATION),
    "Giấy chứng nhận đăng ký doanh nghiệp")

# Nghị định 168/2025/NĐ-CP replaced 01/2021 from 2025-07-01 (UNCONFIRMED
# date); same limit, beneficial-owner information added to the papers.
_DNTN_2025 = _business(
    "DKDN-DNTN", "2025.1", date(2025, 7, 1), "Đăng ký thành lập doanh nghiệp tư nhân",
    (Paper("GDN", "Giấy đề nghị đăng ký doanh nghiệp"), _LEGAL_PAPERS, _BENEFICIAL_OWNERS,
     _AUTHORISATION),
    "Giấy chứng nhận đăng ký doanh nghiệp")

_TNHH1TV_2025 = _business(
    "DKDN-TNHH1TV", "2025.1", date(2025, 7, 1),
    "Đăng ký thành lập công ty TNHH một thành viên",
    (Paper("GDN", "Giấy đề nghị đăng ký doanh nghiệp"), Paper("DL", "Điều lệ công ty"),
     _LEGAL_PAPERS,
     Paper("GTPL-TC", "Bản sao giấy tờ pháp lý của tổ chức đối với chủ sở hữu là tổ chức và "
           "văn bản cử người đại diện theo ủy quyền", required=False),
     _BENEFICIAL_OWNERS, _AUTHORISATION),
    "Giấy chứng nhận đăng ký doanh nghiệp")

# Luật Doanh nghiệp 2020 Art. 30-31: 3 working days (UNCONFIRMED).
_CHANGE_2025 = _business(
    "DKDN-THAYDOI", "2025.1", date(2025, 7, 1),
    "Đăng ký thay đổi nội dung đăng ký doanh nghiệp",
    (Paper("TB", "Thông báo thay đổi nội dung đăng ký doanh nghiệp"),
     Paper("NQ", "Nghị quyết, quyết định và bản sao biên bản họp về việc thay đổi "
           "(tùy loại hình doanh nghiệp)", required=False),
     _AUTHORISATION),
    "Giấy chứng nhận đăng ký doanh nghiệp (cấp mới theo nội dung thay đổi)")

# Re-issue of a lost or damaged certificate: 3 working days, fee 50 000 đồng
# (both UNCONFIRMED).
_REISSUE_2025 = _business(
    "DKDN-CAPLAI", "2025.1", date(2025, 7, 1), "Cấp lại Giấy chứng nhận đăng ký doanh nghiệp",
    (Paper("GDN-CL", "Giấy đề nghị cấp lại Giấy chứng nhận đăng ký doanh nghiệp"),
     _AUTHORISATION),
    "Giấy chứng nhận đăng ký doanh nghiệp (cấp lại)", target_days=None)

# Notice of suspension of business: 3 working days, no fee (Luật Doanh nghiệp
# 2020 Art. 206; figures UNCONFIRMED).
_SUSPEND_2025 = _business(
    "DKDN-TAMNGUNG", "2025.1", date(2025, 7, 1), "Thông báo tạm ngừng kinh doanh",
    (Paper("TB-TN", "Thông báo về việc tạm ngừng kinh doanh"), _AUTHORISATION),
    "Giấy xác nhận về việc doanh nghiệp đăng ký tạm ngừng kinh doanh", fee=0,
    target_days=None)

# Investment registration certificate for a project that needs no approval in
# principle: 15 days of receiving a complete dossier, calendar days (Luật Đầu
# tư 2020 Art. 38; UNCONFIRMED). Kept as the catalogue's calendar-day example.
_INVESTMENT_2021 = Procedure(
    code="DKDT-CAPMOI",
    version="2021.1",
    # Nghị định 31/2021/NĐ-CP, in force 2021-03-26.
    effective_from=date(2021, 3, 26),
    effective_to=None,
    name=(
        "Cấp Giấy chứng nhận đăng ký đầu tư đối với dự án không thuộc diện chấp thuận "
        "chủ trương đầu tư"
    ),
    field=_FIELD_INVESTMENT,
    time_limit=_D(15),
    day_count=DayCount.CALENDAR,
    steps=(
        ProcedureStep("Tiếp nhận hồ sơ", _ONE_STOP, "Công chức tiếp nhận", _D("0.1")),
        ProcedureStep("Thẩm định hồ sơ", "Phòng Đầu tư", "Chuyên viên", _D("0.6")),
        ProcedureStep("Ký duyệt kết quả", None, "Lãnh đạo Sở", _D("0.2")),
        ProcedureStep("Trả kết quả", _ONE_STOP, "Công chức trả kết quả", _D("0.1")),
    ),
    fee=0,
    papers=(
        Paper("VB-DN", "Văn bản đề nghị thực hiện dự án đầu tư"),
        Paper("GTPL-NDT", "Bản sao giấy tờ pháp lý của nhà đầu tư"),
        Paper("DX-DA", "Đề xuất dự án đầu tư"),
        Paper("NL-TC", "Tài liệu chứng minh năng lực tài chính của nhà đầu tư"),
    ),
    result="Giấy chứng nhận đăng ký đầu tư",
)

SEED_PROCEDURES: tuple[Procedure, ...] = (
    _DNTN_2021,
    _DNTN_2025,
    _TNHH1TV_2025,
    _CHANGE_2025,
    _REISSUE_2025,
    _SUSPEND_2025,
    _INVESTMENT_2021,
)
