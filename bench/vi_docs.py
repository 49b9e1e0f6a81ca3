"""Synthetic incoming documents in Vietnamese, for the ingest and search benchmarks.

Deterministic: document ``i`` of a collection depends only on the seed and
``i``, so a collection of N documents is the first N documents of a larger one
and any document can be made again without keeping its text.

The text reads like an official letter of a Hanoi department (Decree 30
layout: national motto, agency, "Số: …", place and date, "V/v …", body,
recipients, signer) built from a vocabulary of administrative words with
their diacritics. Words are drawn with Zipf-like weights within each class
(verbs, nouns, qualifiers, function words, places, names), so that a few
syllables occur in nearly every document and a long tail occurs rarely; the
rarest terms are the numbers of the documents a letter cites.

Who may see a document follows the organisation below: every document is in
the agency's scope, most have a lead unit and some supporting units, many are
assigned to one or two officers, and a few are secret (only the people named).
"""

from __future__ import annotations

import bisect
import itertools
import random
import unicodedata
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

# ----------------------------------------------------------------- vocabulary
# Within each list, earlier entries are drawn more often (Zipf weights by rank).

FUNCTION_WORDS = (
    "của", "và", "các", "theo", "tại", "về", "việc", "đối với", "trên", "trong", "cho",
    "với", "được", "có", "không", "những", "này", "đã", "đến", "từ", "như", "sau", "khi",
    "để", "là", "thì", "cũng", "đồng thời", "nhằm", "bảo đảm", "đúng", "đầy đủ", "trước",
    "hoặc", "nếu", "do", "bởi", "vì vậy", "trường hợp", "ngoài ra", "mặt khác", "tiếp tục",
    "kịp thời", "nghiêm túc", "thường xuyên", "chủ động", "trực tiếp", "liên quan",
)
VERBS = (
    "triển khai", "thực hiện", "hướng dẫn", "đề nghị", "báo cáo", "tổng hợp", "rà soát",
    "kiểm tra", "giám sát", "phối hợp", "chỉ đạo", "ban hành", "phê duyệt", "điều chỉnh",
    "bổ sung", "thẩm định", "tham mưu", "đôn đốc", "tăng cường", "đẩy mạnh", "nâng cao",
    "tổ chức", "xây dựng", "hoàn thiện", "cung cấp", "gửi", "tiếp nhận", "giải quyết",
    "xử lý", "công bố", "công khai", "quản lý", "sử dụng", "đánh giá", "theo dõi",
    "chuẩn bị", "lập", "trình", "cập nhật", "đăng ký", "cấp", "thu hồi", "gia hạn",
    "tuyên truyền", "phổ biến", "quán triệt", "khắc phục", "chấn chỉnh", "tạm dừng",
    "thanh tra", "xác minh", "giải ngân", "phân bổ", "bố trí", "sắp xếp", "kiện toàn",
    "bồi dưỡng", "đào tạo", "tuyển dụng", "khen thưởng", "kỷ luật", "thẩm tra", "niêm yết",
    "lấy ý kiến", "góp ý", "hiệu chỉnh", "số hóa", "lưu trữ", "bàn giao", "tiếp công dân",
)
NOUNS = (
    "kế hoạch", "báo cáo", "nhiệm vụ", "công tác", "dự toán", "ngân sách nhà nước",
    "đầu tư công", "cải cách hành chính", "chuyển đổi số", "thủ tục hành chính",
    "doanh nghiệp", "dự án", "hồ sơ", "văn bản", "kết quả", "tình hình", "tiến độ",
    "giải pháp", "cơ chế", "chính sách", "quy định", "quy chế", "chỉ tiêu", "nguồn vốn",
    "kinh phí", "cán bộ", "công chức", "viên chức", "người lao động", "hộ kinh doanh",
    "quy hoạch", "xây dựng", "đất đai", "tài nguyên", "môi trường", "giáo dục", "y tế",
    "phòng chống dịch bệnh", "an toàn thực phẩm", "phòng cháy chữa cháy", "an ninh trật tự",
    "trật tự đô thị", "giao thông", "hạ tầng kỹ thuật", "biên chế", "tiền lương",
    "phụ cấp", "bảo hiểm xã hội", "thuế", "phí và lệ phí", "tài sản công", "mua sắm",
    "đấu thầu", "hợp đồng", "nghiệm thu", "quyết toán", "thanh toán", "kiểm toán",
    "khiếu nại", "tố cáo", "kiến nghị", "phản ánh", "dịch vụ công trực tuyến",
    "cơ sở dữ liệu", "hệ thống thông tin", "chữ ký số", "an toàn thông tin",
    "giấy chứng nhận đăng ký doanh nghiệp", "giấy phép xây dựng", "vốn đầu tư",
    "nhà đầu tư", "khu công nghiệp", "cụm công nghiệp", "làng nghề", "nông thôn mới",
    "giảm nghèo", "việc làm", "an sinh xã hội", "người có công", "bảo trợ xã hội",
    "di tích", "lễ hội", "du lịch", "thương mại", "xuất khẩu", "thị trường", "giá cả",
    "chợ", "điện", "nước sạch", "thoát nước", "rác thải", "chất thải rắn", "khí thải",
    "ô nhiễm", "cây xanh", "công viên", "nhà ở xã hội", "chung cư cũ", "giải phóng mặt bằng",
    "bồi thường", "hỗ trợ", "tái định cư", "đường vành đai", "cầu vượt", "đường sắt đô thị",
    "bến xe", "bãi đỗ xe", "học sinh", "giáo viên", "trường học", "bệnh viện", "trạm y tế",
    "tiêm chủng", "vắc xin", "thuốc", "trang thiết bị", "phần mềm", "máy chủ", "đường truyền",
    "thư điện tử", "cổng thông tin điện tử", "mã định danh", "căn cước", "dân cư",
    "hộ tịch", "chứng thực", "công chứng", "đấu giá", "thi hành án", "hòa giải",
    "pháp luật", "thi đua", "khen thưởng", "tổ chức bộ máy", "vị trí việc làm",
    "phòng chống tham nhũng", "tiết kiệm", "chống lãng phí", "kỷ luật kỷ cương",
    "năng lực cạnh tranh", "chỉ số hài lòng", "khởi nghiệp", "đổi mới sáng tạo",
)
QUALIFIERS = (
    "trên địa bàn thành phố", "theo quy định", "năm 2026", "năm 2027", "kịp thời",
    "hiệu quả", "đúng thời hạn", "quý IV năm 2026", "6 tháng đầu năm", "giai đoạn 2026 - 2030",
    "của Ủy ban nhân dân Thành phố", "của các sở, ban, ngành", "trong thời gian tới",
    "quý I năm 2027", "năm 2025", "tháng 12", "theo thẩm quyền", "có liên quan",
    "của đơn vị", "trong tháng", "định kỳ hằng quý", "hằng năm", "đột xuất",
    "tại cơ sở", "trên môi trường mạng", "theo chỉ đạo của Thành ủy", "giai đoạn 2021 - 2025",
    "tầm nhìn đến năm 2050", "quý II năm 2027", "quý III năm 2027",
)
PLACES = (
    "Hà Nội", "Ba Đình", "Hoàn Kiếm", "Tây Hồ", "Long Biên", "Cầu Giấy", "Đống Đa",
    "Hai Bà Trưng", "Hoàng Mai", "Thanh Xuân", "Sóc Sơn", "Đông Anh", "Gia Lâm",
    "Nam Từ Liêm", "Thanh Trì", "Bắc Từ Liêm", "Mê Linh", "Hà Đông", "Sơn Tây", "Ba Vì",
    "Phúc Thọ", "Đan Phượng", "Hoài Đức", "Quốc Oai", "Thạch Thất", "Chương Mỹ",
    "Thanh Oai", "Thường Tín", "Phú Xuyên", "Ứng Hòa", "Mỹ Đức", "Phúc Xá", "Trúc Bạch",
    "Vĩnh Phúc", "Cống Vị", "Liễu Giai", "Ngọc Hà", "Đội Cấn", "Kim Mã", "Giảng Võ",
    "Thành Công", "Hàng Bạc", "Hàng Bồ", "Hàng Buồm", "Hàng Đào", "Lý Thái Tổ",
    "Tràng Tiền", "Phan Chu Trinh", "Quảng An", "Nhật Tân", "Xuân La", "Bưởi", "Yên Phụ",
    "Thụy Khuê", "Bồ Đề", "Ngọc Thụy", "Phúc Đồng", "Dịch Vọng", "Nghĩa Đô", "Mai Dịch",
    "Quan Hoa", "Yên Hòa", "Trung Hòa", "Khương Thượng", "Ô Chợ Dừa", "Văn Miếu",
    "Quốc Tử Giám", "Láng Thượng", "Bạch Đằng", "Bách Khoa", "Vĩnh Tuy", "Minh Khai",
    "Định Công", "Giáp Bát", "Lĩnh Nam", "Khương Đình", "Nhân Chính", "Kim Giang",
    "Phù Lỗ", "Mai Đình", "Xuân Nộn", "Uy Nỗ", "Bát Tràng", "Đa Tốn", "Yên Viên",
    "Mỹ Đình", "Tây Mỗ", "Xuân Phương", "Tứ Hiệp", "Vĩnh Quỳnh", "Cổ Nhuế", "Thụy Phương",
    "Tiền Phong", "Quang Minh", "Văn Quán", "Kiến Hưng", "Trung Hưng", "Tản Lĩnh",
    "Khuất Duy Tiến", "Nghiêm Xuân Yêm", "Quách Văn Tuấn",
)
SURNAMES = ("Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Phan", "Vũ", "Đặng", "Bùi", "Đỗ",
            "Hồ", "Ngô", "Dương", "Lý", "Đinh", "Trịnh", "Đoàn", "Lương", "Tạ", "Khuất",
            "Quách", "Nghiêm", "Lã", "Mạc", "Kiều", "Ninh", "Tăng", "Khổng")
MIDDLE_NAMES = ("Văn", "Thị", "Đức", "Minh", "Quang", "Thu", "Ngọc", "Hữu", "Thanh",
                "Xuân", "Hồng", "Mạnh", "Kim", "Bảo", "Diệu", "Khánh")
GIVEN_NAMES = ("Hằng", "Minh", "Hưng", "Anh", "Tuấn", "Lan", "Hương", "Dũng", "Hải",
               "Phương", "Thảo", "Long", "Nam", "Trang", "Linh", "Quân", "Hà", "Huyền",
               "Thắng", "Sơn", "Việt", "Cường", "Giang", "Yến", "Khôi", "Thúy", "Đạt",
               "Nhung", "Tùng", "Vinh", "Hoa", "Loan", "Khải", "Toản", "Quỳnh", "Diệp")
BRANDS = ("Minh Phát", "Hoàng Long", "Thành Đạt", "An Khang", "Phú Thịnh", "Đại Việt",
          "Sông Hồng", "Thăng Long", "Hồng Hà", "Tân Tiến", "Vạn Xuân", "Hòa Bình",
          "Bình Minh", "Kim Ngân", "Sao Mai", "Trường Sơn", "Quốc Huy", "Nam Việt",
          "Đông Đô", "Lạc Hồng", "Thiên Phú", "Gia Khánh", "Hưng Thịnh", "Vĩnh Cửu")

# (name of the issuing agency, abbreviation in the symbol, parent line)
AGENCIES = (
    ("Ủy ban nhân dân thành phố Hà Nội", "UBND", ""),
    ("Văn phòng UBND Thành phố", "VP", "UBND thành phố Hà Nội"),
    ("Sở Tài chính", "STC", "UBND thành phố Hà Nội"),
    ("Sở Xây dựng", "SXD", "UBND thành phố Hà Nội"),
    ("Sở Nội vụ", "SNV", "UBND thành phố Hà Nội"),
    ("Sở Công Thương", "SCT", "UBND thành phố Hà Nội"),
    ("Sở Y tế", "SYT", "UBND thành phố Hà Nội"),
    ("Sở Giáo dục và Đào tạo", "SGDĐT", "UBND thành phố Hà Nội"),
    ("Sở Tài nguyên và Môi trường", "STNMT", "UBND thành phố Hà Nội"),
    ("Sở Giao thông vận tải", "SGTVT", "UBND thành phố Hà Nội"),
    ("Sở Thông tin và Truyền thông", "STTTT", "UBND thành phố Hà Nội"),
    ("Sở Lao động - Thương binh và Xã hội", "SLĐTBXH", "UBND thành phố Hà Nội"),
    ("Bộ Kế hoạch và Đầu tư", "BKHĐT", ""),
    ("Bộ Tài chính", "BTC", ""),
    ("Cục Thuế thành phố Hà Nội", "CTHN", "Tổng cục Thuế"),
    ("Kho bạc Nhà nước Hà Nội", "KBNN", "Kho bạc Nhà nước"),
    ("Công an thành phố Hà Nội", "CATP", "Bộ Công an"),
    ("UBND quận Ba Đình", "UBND", "UBND thành phố Hà Nội"),
    ("UBND quận Cầu Giấy", "UBND", "UBND thành phố Hà Nội"),
    ("UBND huyện Đông Anh", "UBND", "UBND thành phố Hà Nội"),
)
# (type name, code in the symbol; None: a công văn, whose symbol has no type code)
DOC_TYPES = (("Công văn", None), ("Kế hoạch", "KH"), ("Thông báo", "TB"),
             ("Quyết định", "QĐ"), ("Báo cáo", "BC"), ("Giấy mời", "GM"),
             ("Tờ trình", "TTr"), ("Hướng dẫn", "HD"), ("Chỉ thị", "CT"))
URGENCIES = ("Thường", "Khẩn", "Thượng khẩn", "Hỏa tốc")
SIGNER_TITLES = ("Giám đốc", "Phó Giám đốc", "Chủ tịch", "Phó Chủ tịch", "Chánh Văn phòng",
                 "Cục trưởng", "Thứ trưởng")
MOTTO = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc"

# The receiving department (Sở Kế hoạch và Đầu tư): units and people.
UNITS = ("VP", "TH", "DTC", "DKKD", "KTDN", "TTR", "KTN", "KGVX")
OFFICERS_PER_UNIT = 6
LEADERS = ("giamdoc", "phogiamdoc1", "phogiamdoc2")
CLERK = "vanthu"


def officer(unit: str, k: int) -> str:
    return f"cv_{unit.lower()}_{k}"


def unit_head(unit: str) -> str:
    return f"tp_{unit.lower()}"


# ------------------------------------------------------------------ sampling


class _Zipf:
    """Draws from ``values`` with weight 1 / (rank + 1) ** s."""

    def __init__(self, values: Sequence[str], s: float = 1.0) -> None:
        self.values = list(values)
        self.cum = list(itertools.accumulate(1.0 / (r + 1) ** s for r in range(len(values))))
        self.total = self.cum[-1]

    def draw(self, rng: random.Random) -> str:
        return self.values[bisect.bisect(self.cum, rng.random() * self.total)]

    def many(self, rng: random.Random, k: int) -> list[str]:
        cum, total, values, rand = self.cum, self.total, self.values, rng.random
        return [values[bisect.bisect(cum, rand() * total)] for _ in range(k)]


_FW = _Zipf(FUNCTION_WORDS, 0.9)
_VERB = _Zipf(VERBS, 1.0)
_NOUN = _Zipf(NOUNS, 1.0)
_QUAL = _Zipf(QUALIFIERS, 1.1)
_PLACE = _Zipf(PLACES, 1.1)
_SURNAME = _Zipf(SURNAMES, 1.2)
_MIDDLE = _Zipf(MIDDLE_NAMES, 1.0)
_GIVEN = _Zipf(GIVEN_NAMES, 0.8)
_BRAND = _Zipf(BRANDS, 0.9)
_AGENCY = _Zipf([a[0] for a in AGENCIES], 0.9)
_AGENCY_BY_NAME = {a[0]: a for a in AGENCIES}
_TYPE = _Zipf([t[0] for t in DOC_TYPES], 0.9)
_TYPE_CODE = dict(DOC_TYPES)
_UNIT = _Zipf(UNITS, 0.7)

# Sentence shapes: V verb, N noun, F function word, Q qualifier, P place,
# R a cited document, C a company, H a person.
_SHAPES = (
    "VNFNQ", "FNVNFN", "VNFP", "NFNVQ", "FVNFNFQ", "VNFNFP", "FRFVNQ", "VNFC",
    "NFNFNV", "FHVNFN", "VNQ", "FNFNVNFQ",
)


def person(rng: random.Random) -> str:
    return f"{_SURNAME.draw(rng)} {_MIDDLE.draw(rng)} {_GIVEN.draw(rng)}"


def _cited(rng: random.Random, year: int) -> str:
    name, code = DOC_TYPES[rng.randrange(1, len(DOC_TYPES))]
    agency = AGENCIES[rng.randrange(len(AGENCIES))]
    number = rng.randrange(1, 10_000)
    day = date(year - rng.randrange(0, 2), rng.randrange(1, 13), rng.randrange(1, 29))
    return (f"{name} số {number}/{code}-{agency[1]} ngày {day.day:02d}/{day.month:02d}/"
            f"{day.year} của {agency[0]}")


def _sentence(rng: random.Random, year: int) -> str:
    words: list[str] = []
    for slot in _SHAPES[rng.randrange(len(_SHAPES))]:
        if slot == "V":
            words.append(_VERB.draw(rng))
        elif slot == "N":
            words.append(_NOUN.draw(rng))
        elif slot == "F":
            words.append(_FW.draw(rng))
        elif slot == "Q":
            words.append(_QUAL.draw(rng))
        elif slot == "P":
            words.append(f"{rng.choice(('quận', 'huyện', 'phường', 'xã'))} {_PLACE.draw(rng)}")
        elif slot == "R":
            words.append(_cited(rng, year))
        elif slot == "C":
            words.append(f"Công ty {rng.choice(('TNHH', 'cổ phần'))} {_BRAND.draw(rng)}")
        elif slot == "H":
            words.append(f"ông {person(rng)}" if rng.random() < 0.5 else f"bà {person(rng)}")
    text = " ".join(words)
    return text[0].upper() + text[1:] + "."


# ----------------------------------------------------------------- documents

EPOCH = datetime(2026, 1, 5, 1, 0, tzinfo=UTC)  # first arrival; one every 7 minutes
ARRIVAL_STEP = timedelta(minutes=7)


@dataclass(frozen=True)
class SynthDoc:
    index: int
    doc_id: str
    arrival_at: str
    year: int
    so_den: int
    so_ky_hieu: str
    co_quan_ban_hanh: str
    parent_agency: str
    ngay_ban_hanh: str
    loai_van_ban: str
    trich_yeu: str
    do_khan: str
    nguoi_ky: str
    signer_title: str
    do_mat: str
    units: tuple[str, ...]
    people: tuple[str, ...]
    body: str
    recipients: tuple[str, ...] = field(default=())

    @property
    def so_den_text(self) -> str:
        return f"{self.so_den:02d}"

    def item(self) -> dict[str, object]:
        """The document item as incoming/service.register writes it (the fields
        the search index and the list entries read)."""
        return {
            "pk": f"DOC#{self.doc_id}", "sk": "DOC", "kind": "incoming", "id": self.doc_id,
            "so_den": self.so_den, "so_den_text": self.so_den_text, "year": self.year,
            "arrival_at": self.arrival_at, "so_ky_hieu": self.so_ky_hieu,
            "co_quan_ban_hanh": self.co_quan_ban_hanh, "ngay_ban_hanh": self.ngay_ban_hanh,
            "loai_van_ban": self.loai_van_ban, "trich_yeu": self.trich_yeu,
            "do_khan": self.do_khan, "nguoi_ky": self.nguoi_ky, "do_mat": self.do_mat,
            "status": "registered", "metadata_complete": True,
            "units": list(self.units), "people": list(self.people),
            "text_key": f"text/sha256/{self.doc_id}.txt",
        }

    def text(self) -> str:
        """The text layer as pypdf extracts it from a letter in the Decree 30
        layout (left header column, then the right one; as in the corpus)."""
        left = (f"{self.parent_agency.upper()}\n" if self.parent_agency else "") + \
            f"{self.co_quan_ban_hanh.upper()}\nSố: {self.so_ky_hieu}\n"
        if self.loai_van_ban == "Công văn":
            left += f"{self.trich_yeu}\n"  # "V/v …" already
        right = f"{MOTTO}\nHà Nội, ngày {self.ngay_ban_hanh[8:10]} tháng " \
            f"{self.ngay_ban_hanh[5:7]} năm {self.ngay_ban_hanh[:4]}\n"
        if self.do_khan != "Thường":
            right += f"{self.do_khan.upper()}\n"
        if self.loai_van_ban != "Công văn":
            right += f"{self.loai_van_ban.upper()}\n{self.trich_yeu[0].upper()}" \
                f"{self.trich_yeu[1:]}\n"
        footer = "\nNơi nhận:\n" + "\n".join(f"- {r};" for r in self.recipients) + \
            f"\n- Lưu: VT.\n{self.signer_title.upper()}\n{self.nguoi_ky}"
        return left + right + "Kính gửi: Sở Kế hoạch và Đầu tư.\n" + self.body + footer


def _doc_id(seed: int, index: int) -> str:
    # 32 hex digits like uuid4().hex, unique per (seed, index), no RNG state used.
    return f"{(seed * 0x9E3779B97F4A7C15 + index * 0xBF58476D1CE4E5B9) % (1 << 128):032x}"


def make_doc(index: int, seed: int = 1, body_words: tuple[int, int] = (90, 260)) -> SynthDoc:
    rng = random.Random(seed * 1_000_003 + index)
    arrival = EPOCH + ARRIVAL_STEP * index
    year = arrival.year
    agency = _AGENCY_BY_NAME[_AGENCY.draw(rng)]
    type_name = _TYPE.draw(rng)
    code = _TYPE_CODE[type_name]
    number = rng.randrange(1, 4000)
    # A công văn's symbol has no type code: agency, then the drafting unit.
    suffix = f"{code}-{agency[1]}" if code else f"{agency[1]}-{_UNIT.draw(rng)}"
    symbol = f"{number:02d}/{suffix}"
    issued = (arrival - timedelta(days=rng.randrange(1, 12))).date()
    verb, noun = _VERB.draw(rng), _NOUN.draw(rng)
    extra = rng.random()
    if extra < 0.35:
        subject = f"{verb} {noun} {_QUAL.draw(rng)}"
    elif extra < 0.6:
        subject = f"{verb} {noun} {_FW.draw(rng)} {_NOUN.draw(rng)} {_QUAL.draw(rng)}"
    elif extra < 0.8:
        subject = f"{verb} {noun} tại {_PLACE.draw(rng)}"
    else:
        subject = f"{verb} {noun} và {_NOUN.draw(rng)}"
    if type_name != "Công văn":
        subject = f"về việc {subject}"
    # Length of the body in words: lognormal-ish between the bounds.
    low, high = body_words
    target = min(high, max(low, int(rng.lognormvariate(0, 0.45) * (low + high) / 2.4)))
    paragraphs: list[str] = [f"Thực hiện {_cited(rng, year)} về việc {subject},"]
    count = 0
    while count < target:
        sentences = [_sentence(rng, year) for _ in range(rng.randrange(2, 5))]
        count += sum(s.count(" ") + 1 for s in sentences)
        paragraphs.append(" ".join(sentences))
    paragraphs.append("Đề nghị các đơn vị khẩn trương triển khai thực hiện./.")
    urgency = URGENCIES[0] if rng.random() < 0.85 else URGENCIES[rng.randrange(1, 4)]
    secret = "mat" if rng.random() < 0.02 else ""
    lead = _UNIT.draw(rng)
    units = {lead} | {_UNIT.draw(rng) for _ in range(rng.choice((0, 0, 1, 1, 2)))}
    people: set[str] = set()
    for _ in range(rng.choice((0, 1, 1, 1, 2))):
        people.add(officer(lead, rng.randrange(OFFICERS_PER_UNIT)))
    if rng.random() < 0.2:
        people.add(unit_head(lead))
    if secret:
        people |= {CLERK, LEADERS[0]}
    return SynthDoc(
        index=index, doc_id=_doc_id(seed, index),
        arrival_at=arrival.strftime("%Y-%m-%dT%H:%M:%S.000Z"), year=year, so_den=index + 1,
        so_ky_hieu=symbol, co_quan_ban_hanh=agency[0], parent_agency=agency[2],
        ngay_ban_hanh=issued.isoformat(), loai_van_ban=type_name,
        trich_yeu=("V/v " + subject) if type_name == "Công văn" else subject,
        do_khan=urgency, nguoi_ky=person(rng), signer_title=rng.choice(SIGNER_TITLES),
        do_mat=secret, units=tuple(sorted(units)), people=tuple(sorted(people)),
        body="\n".join(paragraphs),
        recipients=("Sở Kế hoạch và Đầu tư", "Như trên"),
    )


def documents(n: int, seed: int = 1, start: int = 0) -> Iterator[SynthDoc]:
    for i in range(start, n):
        yield make_doc(i, seed)


def strip_marks(text: str) -> str:
    """Vietnamese without diacritics, case kept: what the test PDFs (WinAnsi,
    Helvetica) can carry."""
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    bare = "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")
    return bare.encode("ascii", "replace").decode("ascii")
