"""Field errors a person reads: plain Vietnamese naming the field, every fault
at once, for every field of every route's request models; and no English on
any page or script a person sees."""

from __future__ import annotations

import re
import typing
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel, EmailStr, Field, ValidationError

import app  # noqa: F401 - registers every route
from chalicelib.api.field_errors import LABELS, SENTENCES, field_problems
from chalicelib.api.routing import ROUTES, resolve_model

TEMPLATES = Path(__file__).resolve().parents[2] / "chalicelib" / "templates"


class Account(BaseModel):
    username: str = Field(min_length=3, max_length=64)
    full_name: str = Field(min_length=1, max_length=50)
    email: EmailStr
    roles: list[str] = Field(min_length=1)
    title: str = Field(default="", max_length=5, title="chức danh")
    year: int = Field(ge=2000)


def _problems(data: dict[str, Any]) -> dict[str, str]:
    with pytest.raises(ValidationError) as caught:
        Account.model_validate(data)
    return {p.path: p.message for p in field_problems(caught.value, (Account,))}


def test_an_empty_account_form_names_every_field_at_once_in_plain_vietnamese() -> None:
    problems = _problems({"username": "", "full_name": "", "email": "", "roles": [],
                          "year": "x"})
    assert problems == {
        "username": "Chưa nhập tên đăng nhập.",
        "full_name": "Chưa nhập họ và tên.",
        "email": "Chưa nhập địa chỉ thư điện tử.",
        "roles": "Chọn ít nhất một vai trò.",
        "year": "Năm phải là số nguyên.",
    }


def test_missing_fields_a_bad_email_and_a_field_s_own_title() -> None:
    problems = _problems({"username": "ab", "email": "khong-phai-thu", "roles": ["clerk"],
                          "title": "x" * 9, "year": 1999})
    assert problems == {
        "username": "Tên đăng nhập quá ngắn (tối thiểu 3 ký tự).",
        "full_name": "Chưa nhập họ và tên.",
        "email": "Địa chỉ thư điện tử không hợp lệ.",
        "title": "Chức danh quá dài (tối đa 5 ký tự).",
        "year": "Năm phải lớn hơn hoặc bằng 2000.",
    }


def test_bounds_of_any_number_type_are_written_plainly() -> None:
    from decimal import Decimal

    class Days(BaseModel):
        days: Decimal = Field(ge=0, decimal_places=2)

    with pytest.raises(ValidationError) as caught:
        Days.model_validate({"days": "-1"})
    (problem,) = field_problems(caught.value, (Days,))
    assert problem.message == "Số ngày phải lớn hơn hoặc bằng 0."


def test_no_sentence_carries_library_english() -> None:
    for kind, text in SENTENCES.items():
        assert not re.search(r"\b(should|must|field|required|input|value)\b", text, re.I), kind


def _annotation_models(annotation: Any) -> list[type[BaseModel]]:
    found = []
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        found.append(annotation)
    for arg in typing.get_args(annotation):
        found += _annotation_models(arg)
    return found


def test_every_field_of_every_route_s_request_models_has_a_vietnamese_label() -> None:
    unlabelled: set[str] = set()
    seen: set[type[BaseModel]] = set()
    todo = [resolve_model(ref) for r in ROUTES for ref in (r.body, r.query) if ref]
    while todo:
        model = todo.pop()
        if model in seen:
            continue
        seen.add(model)
        for name, info in model.model_fields.items():
            if not (info.title or (info.alias or name) in LABELS):
                unlabelled.add(f"{model.__name__}.{name}")
            todo += _annotation_models(info.annotation)
    assert len(seen) > 50
    assert not unlabelled, sorted(unlabelled)


def test_pages_and_scripts_show_no_english_second_line() -> None:
    found = []
    for path in [*TEMPLATES.glob("pages/*.html"), *TEMPLATES.glob("static/*.js")]:
        text = path.read_text(encoding="utf-8")
        for pattern in (r'lang="en"', r'lang: "en"', r"flash-en", r"\{ en:",
                        r"label_en", r"summary_en", r"reason_en"):
            if re.search(pattern, text):
                found.append(f"{path.name}: {pattern}")
    assert not found, found
