"""Pydantic's validation errors as field problems a person can read: one plain
Vietnamese sentence per fault that names the field by its label ("Chưa nhập
trích yếu."), every fault of the request at once. pydantic's English text stays
in ``message_en`` for programs and logs; it is never shown on a page.

The sentence comes from the error's type (a table below), not from pydantic's
message, whose wording changes between versions and is English."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from chalicelib.kernel.errors import FieldProblem

if TYPE_CHECKING:
    from pydantic import BaseModel, ValidationError

# The label of every field that a request body or query of the API declares,
# written as it reads in the middle of a sentence. A test checks that every
# field of every route's models has one, so a new field cannot show a code name.
LABELS: dict[str, str] = {
    "abbreviation": "tên viết tắt của đơn vị",
    "access_key": "mã bảo mật",
    "file_ids": "các hồ sơ",
    "group": "nhóm hồ sơ theo danh mục thời hạn bảo quản",
    "new_password": "mật khẩu mới",
    "ref": "văn bản, hồ sơ được chọn",
    "responsible": "người lập hồ sơ",
    "within_days": "số ngày",
    "address": "địa chỉ",
    "agenda": "chương trình họp",
    "answer": "nội dung trả lời",
    "answers": "văn bản được trả lời",
    "applicant": "người nộp hồ sơ",
    "approve": "quyết định duyệt",
    "assignee": "người được giao",
    "authority": "thẩm quyền ký",
    "band": "mức xếp loại",
    "body": "nội dung",
    "category": "loại tài khoản",
    "chains": "chuỗi chứng thư",
    "chair": "người chủ trì",
    "channel": "hình thức tiếp nhận",
    "co_quan_ban_hanh": "cơ quan ban hành",
    "code": "mã",
    "comment": "ý kiến",
    "complaint": "thư về đơn thư",
    "complexity": "độ phức tạp",
    "content": "nội dung",
    "cursor": "vị trí trang",
    "date": "ngày",
    "days": "số ngày",
    "deadline": "hạn xử lý",
    "decided": "thư về quyết định",
    "decision": "quyết định",
    "decision_date": "ngày quyết định",
    "decisions": "các quyết định",
    "delegate": "người được ủy quyền",
    "description": "mô tả",
    "digest": "thư tổng hợp",
    "do_khan": "độ khẩn",
    "do_mat": "độ mật",
    "doc_id": "văn bản",
    "dossier": "thư về hồ sơ",
    "due_soon_days": "số ngày báo trước hạn",
    "email": "địa chỉ thư điện tử",
    "end": "thời điểm kết thúc",
    "field": "lĩnh vực",
    "files": "tệp đính kèm",
    "format": "định dạng",
    "from": "từ ngày",
    "full_name": "họ và tên",
    "general_points": "điểm chung",
    "general_well": "đánh giá chung",
    "grantor": "người ủy quyền",
    "guests": "khách mời",
    "how": "hình thức trả kết quả",
    "id_number": "số giấy tờ tùy thân",
    "idempotency_key": "mã chống gửi trùng",
    "image_base64": "ảnh chữ ký",
    "incoming": "thư về văn bản đến",
    "instant": "thư gửi ngay",
    "instruction": "ý kiến chỉ đạo",
    "into": "hồ sơ gộp vào",
    "item_id": "việc",
    "kind": "loại",
    "lead": "người hoặc đơn vị chủ trì",
    "lead_deadline": "hạn xử lý của đơn vị chủ trì",
    "lead_officer": "cán bộ chủ trì",
    "lead_unit": "đơn vị chủ trì",
    "limit": "số dòng mỗi trang",
    "loai_van_ban": "loại văn bản",
    "mail": "nhận thư",
    "mark": "đánh dấu",
    "meeting": "thư về cuộc họp",
    "missing": "giấy tờ còn thiếu",
    "month": "tháng",
    "multi_site": "nhiều địa điểm",
    "name": "họ và tên",
    "ngay_ban_hanh": "ngày ban hành",
    "ngay_den": "ngày đến",
    "nguoi_ky": "người ký",
    "note": "ghi chú",
    "note_kind": "loại ghi chú",
    "officer": "cán bộ",
    "officers": "cán bộ",
    "online_url": "địa chỉ họp trực tuyến",
    "organisation": "tổ chức",
    "other": "thư khác",
    "outgoing": "thư về văn bản đi",
    "overdue": "thư báo quá hạn",
    "papers": "thành phần hồ sơ",
    "papers_seen": "giấy tờ đã kiểm tra",
    "parent": "đơn vị cấp trên",
    "part": "vai trò xử lý",
    "participants": "thành phần tham dự",
    "password": "mật khẩu",
    "pem": "chứng thư",
    "period": "kỳ",
    "phone": "số điện thoại",
    "phone_last4": "4 số cuối điện thoại",
    "place": "địa điểm",
    "priority": "mức ưu tiên",
    "procedure": "thủ tục",
    "progress": "tiến độ",
    "protect_identity": "giữ bí mật danh tính",
    "q": "từ khóa",
    "reason": "lý do",
    "recipients": "nơi nhận",
    "recipients_external": "nơi nhận bên ngoài",
    "recipients_internal": "nơi nhận nội bộ",
    "remote": "làm việc từ xa",
    "result": "kết quả",
    "returned": "thư trả kết quả",
    "review_completion": "duyệt hoàn thành",
    "roles": "vai trò",
    "scope": "phạm vi",
    "second_of": "đơn trùng với",
    "sender_email": "thư điện tử người gửi",
    "signer": "người ký",
    "since": "từ ngày",
    "so_ky_hieu": "số, ký hiệu",
    "start": "thời điểm bắt đầu",
    "status": "trạng thái",
    "subject": "trích yếu",
    "supporting": "đơn vị phối hợp",
    "task": "thư về nhiệm vụ",
    "text": "nội dung",
    "title": "tiêu đề",
    "to": "nơi chuyển đến",
    "token": "mã truy cập",
    "trich_yeu": "trích yếu",
    "type_code": "loại văn bản",
    "unit": "đơn vị",
    "unit_band": "xếp loại đơn vị",
    "until": "đến ngày",
    "username": "tên đăng nhập",
    "version": "phiên bản",
    "violations": "vi phạm",
    "website": "trang web",
    "which": "tệp",
    "working": "ngày làm việc",
    "year": "năm",
    # the ISO process library
    "iso": "thư về quy trình ISO",
    "purpose": "mục đích",
    "legal_bases": "căn cứ pháp lý",
    "steps": "các bước thực hiện",
    "forms": "biểu mẫu",
    "records": "hồ sơ cần lưu",
    "units": "đơn vị áp dụng",
    "change_summary": "tóm tắt nội dung sửa đổi",
    "who": "đơn vị thực hiện",
    "role": "chức danh thực hiện",
    "method": "cách thực hiện",
    "record": "biểu mẫu, hồ sơ tạo ra",
    "review_step": "bước duyệt",
    "keeper": "nơi lưu",
    "retention_group": "nhóm hồ sơ theo bảng thời hạn bảo quản",
    "effective_from": "ngày hiệu lực",
    "basis": "căn cứ pháp lý",
    "replaced": "đánh dấu đã bị thay thế",
    "owner": "người chủ trì quy trình",
    "owner_unit": "đơn vị chủ trì",
    "applies_to": "thủ tục, loại văn bản áp dụng",
    "review_months": "chu kỳ xem xét lại (tháng)",
    "clear_bases": "căn cứ pháp lý bỏ đánh dấu thay thế",
    # inter-agency exchange
    "certificate_pem": "chứng thư số của cơ quan (PEM)",
    "organ_ids": "các cơ quan nhận liên thông",
    "csv": "tệp CSV danh bạ cơ quan",
    "sort": "thứ tự kết quả",
}

# By pydantic error type; {label} is the field's label, {Label} the same with a
# capital first letter, other names come from the error's context.
SENTENCES: dict[str, str] = {
    "missing": "Chưa nhập {label}.",
    "string_too_short": "{Label} quá ngắn (tối thiểu {min_length} ký tự).",
    "string_too_long": "{Label} quá dài (tối đa {max_length} ký tự).",
    "string_type": "{Label} phải là chữ.",
    "string_pattern_mismatch": "{Label} sai định dạng.",
    "int_parsing": "{Label} phải là số nguyên.",
    "int_type": "{Label} phải là số nguyên.",
    "int_from_float": "{Label} phải là số nguyên.",
    "float_parsing": "{Label} phải là số.",
    "float_type": "{Label} phải là số.",
    "decimal_parsing": "{Label} phải là số.",
    "bool_parsing": "{Label} chỉ nhận có hoặc không.",
    "bool_type": "{Label} chỉ nhận có hoặc không.",
    "datetime_parsing": "{Label} không hợp lệ (cần ngày và giờ).",
    "datetime_from_date_parsing": "{Label} không hợp lệ (cần ngày và giờ).",
    "datetime_type": "{Label} không hợp lệ (cần ngày và giờ).",
    "date_parsing": "{Label} không hợp lệ (cần một ngày có thật).",
    "date_from_datetime_parsing": "{Label} không hợp lệ (cần một ngày có thật).",
    "date_from_datetime_inexact": "{Label} không hợp lệ (cần một ngày có thật).",
    "date_type": "{Label} không hợp lệ (cần một ngày có thật).",
    "timezone_aware": "{Label} phải kèm múi giờ.",
    "greater_than_equal": "{Label} phải lớn hơn hoặc bằng {ge}.",
    "less_than_equal": "{Label} phải nhỏ hơn hoặc bằng {le}.",
    "greater_than": "{Label} phải lớn hơn {gt}.",
    "less_than": "{Label} phải nhỏ hơn {lt}.",
    "enum": "{Label} không nằm trong danh sách được chọn.",
    "literal_error": "{Label} không nằm trong danh sách được chọn.",
    "union_tag_invalid": "{Label} không nằm trong danh sách được chọn.",
    "extra_forbidden": "Trường “{name}” không thuộc biểu mẫu này.",
    "too_short": "Chọn ít nhất {min_length} {label}.",
    "too_long": "{Label} nhiều quá (tối đa {max_length}).",
    "list_type": "{Label} phải là một danh sách.",
    "set_type": "{Label} phải là một danh sách.",
    "dict_type": "{Label} không đúng dạng.",
    "model_type": "{Label} không đúng dạng.",
    "model_attributes_type": "{Label} không đúng dạng.",
    "url_parsing": "{Label} không phải địa chỉ trang web hợp lệ.",
    "url_scheme": "{Label} không phải địa chỉ trang web hợp lệ.",
    "uuid_parsing": "{Label} không hợp lệ.",
    "value_error": "{Label} không hợp lệ.",
    "email": "{Label} không hợp lệ.",
}
FALLBACK = "{Label} không hợp lệ."


def label_of(path: tuple[Any, ...], model: type[BaseModel] | None = None) -> tuple[str, str]:
    """The field's name (the last named part of the path: "supporting.0.unit"
    is "unit") and its label: the field's own ``title`` in ``model`` where it
    declares one (a name that means two things, like a user's "title", which is a
    position), else the table's; an unknown name reads as itself, quoted."""
    names = [str(p) for p in path if not isinstance(p, int) and str(p)]
    name = names[-1] if names else ""
    own = _declared_title(model, names) if model is not None else None
    return name, own or LABELS.get(name, f"trường “{name}”" if name else "dữ liệu gửi lên")


def _declared_title(model: type[BaseModel], names: list[str]) -> str | None:
    from pydantic import BaseModel

    current: Any = model
    info = None
    for name in names:
        if not (isinstance(current, type) and issubclass(current, BaseModel)):
            return None
        info = next((f for n, f in current.model_fields.items()
                     if name in (n, f.alias)), None)
        if info is None:
            return None
        current = _model_in(info.annotation)
    return info.title if info is not None else None


def _model_in(annotation: Any) -> Any:
    """The model class an annotation holds (``Model``, ``list[Model]``,
    ``Model | None``), if any."""
    from typing import get_args

    from pydantic import BaseModel

    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in get_args(annotation):
        found = _model_in(arg)
        if found is not None:
            return found
    return None


def sentence(err: dict[str, Any], model: type[BaseModel] | None = None) -> str:
    name, label = label_of(tuple(err.get("loc", ())), model)
    ctx = dict(err.get("ctx") or {})
    kind = err["type"]
    if err.get("input") == "" and kind not in ("missing", "extra_forbidden"):
        kind = "missing"  # a box left empty is "not filled in", whatever its type
    if kind == "string_too_short" and ctx.get("min_length") == 1:
        kind = "missing"  # an empty text box is "not filled in", not "too short"
    if kind == "too_short" and ctx.get("min_length") == 1:
        return f"Chọn ít nhất một {label}."
    if kind == "value_error":
        own = str(ctx.get("error") or "")
        if " | " in own:
            # Our own validators raise ValueError("vi | en"): their Vietnamese half
            # already says what is wrong with this field.
            return own.split(" | ")[0]
        if "email address" in err.get("msg", ""):
            kind = "missing" if err.get("input") == "" else "email"
    template = SENTENCES.get(kind, FALLBACK)
    # Bounds come as int, float, Decimal or date; written as a person reads them.
    values = {**{k: _plain(v) for k, v in ctx.items() if not isinstance(v, (dict, list))},
              "label": label, "Label": _capital(label), "name": name}
    try:
        return template.format(**values)
    except (KeyError, IndexError):
        return FALLBACK.format(Label=_capital(label))


def field_problems(exc: ValidationError,
                   models: tuple[type[BaseModel], ...] = ()) -> list[FieldProblem]:
    """``models``: the route's body and query models; the one the error is about
    (pydantic names it in ``exc.title``) gives the fields' own titles."""
    model = next((m for m in models if m.__name__ == exc.title), None)
    return [
        FieldProblem(
            path=".".join(str(p) for p in err.get("loc", ())) or "body",
            message=sentence(err, model),
            message_en=err["msg"],
        )
        for err in exc.errors(include_url=False)
    ]


def _plain(value: Any) -> str:
    from datetime import date
    from decimal import Decimal

    if isinstance(value, Decimal):
        return format(value.normalize(), "f") if value == value.to_integral() else str(value)
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    return str(value)


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]
