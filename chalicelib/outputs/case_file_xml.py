"""A case file's metadata as XML, the fields of Decree 30/2020 Appendix VI (the
information of a case file and of each document in it), under English element
names; each element carries the Appendix's Vietnamese name in ``vi``.

Built with the standard library's ElementTree: text is escaped by the writer,
never concatenated into markup."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

NAMESPACE = "urn:eoffice:archive:decree30-appendix6:1"

FILE_FIELDS = (  # (key, element, Appendix VI name)
    ("file_code", "FileCode", "Mã hồ sơ"),
    ("title", "Title", "Tiêu đề hồ sơ"),
    ("retention", "Retention", "Thời hạn bảo quản"),
    ("access", "AccessMode", "Chế độ sử dụng"),
    ("language", "Language", "Ngôn ngữ"),
    ("start", "StartDate", "Thời gian bắt đầu"),
    ("end", "EndDate", "Thời gian kết thúc"),
    ("count", "DocumentCount", "Tổng số văn bản trong hồ sơ"),
    ("note", "Note", "Chú giải"),
)
DOCUMENT_FIELDS = (
    ("seq", "Sequence", "Số thứ tự văn bản trong hồ sơ"),
    ("identifier", "Identifier", "Mã định danh văn bản"),
    ("number", "CodeNotation", "Số và ký hiệu văn bản"),
    ("date", "IssuedDate", "Ngày, tháng, năm văn bản"),
    ("type", "TypeName", "Tên loại văn bản"),
    ("subject", "Subject", "Trích yếu nội dung"),
    ("author", "OrganName", "Tác giả văn bản"),
    ("language", "Language", "Ngôn ngữ"),
    ("pages", "PageAmount", "Số lượng trang"),
    ("sha256", "Sha256", "Mã băm tệp (SHA-256)"),
)


def _fill(parent: Any, values: Mapping[str, object],
          fields: Sequence[tuple[str, str, str]]) -> None:
    from xml.etree.ElementTree import SubElement

    for key, tag, vi in fields:
        node = SubElement(parent, f"{{{NAMESPACE}}}{tag}", {"vi": vi})
        value = values.get(key)
        node.text = "" if value is None else str(value)


def case_file_xml(file: Mapping[str, object], documents: Sequence[Mapping[str, object]]
                  ) -> bytes:
    from xml.etree.ElementTree import Element, SubElement, register_namespace, tostring

    register_namespace("", NAMESPACE)
    root = Element(f"{{{NAMESPACE}}}CaseFile")
    _fill(root, file, FILE_FIELDS)
    docs = SubElement(root, f"{{{NAMESPACE}}}Documents")
    for d in documents:
        _fill(SubElement(docs, f"{{{NAMESPACE}}}Document"), d, DOCUMENT_FIELDS)
    return bytes(tostring(root, encoding="utf-8", xml_declaration=True))
