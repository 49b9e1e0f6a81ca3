"""The rule for outside text (kernel.text): what is removed, what is kept."""

from __future__ import annotations

from pydantic import BaseModel, Field, ValidationError

from chalicelib.incoming.rules import Metadata
from chalicelib.kernel.text import Text, clean, clean_json


def test_controls_bidi_and_zero_width_go_tab_and_line_feed_stay() -> None:
    assert clean("a\x00b\x1bc\x7fd\x85e\x9ff") == "abcdef"
    assert clean("Tên tệp \u202egpj.exe") == "Tên tệp gpj.exe"
    assert clean("\u2066x\u2069\u200by\u200c\u200dz\u2060\ufeff") == "xyz"
    assert clean("a\tb\nc\r\nd\re") == "a\tb\nc\nd\ne"
    assert clean("Quye\u0302\u0301t") == "Quyết"  # NFC
    assert clean("=1+2") == "=1+2"  # formulas are an output matter (outputs.sheets)


def test_a_parsed_body_is_cleaned_everywhere_without_recursion() -> None:
    body = {"a\u200b": ["x\x00", {"b": "\u202ey"}], "n": 3, "t": None}
    assert clean_json(body) == {"a": ["x", {"b": "y"}], "n": 3, "t": None}
    assert body["a\u200b"][0] == "x\x00"  # the original is left as it was
    deep: list = []
    node = deep
    for _ in range(5000):  # deeper than Python's recursion limit
        node.append([])
        node = node[0]
    node.append("\x00")
    assert clean_json(deep) is not None


def test_the_text_type_cleans_before_length_limits() -> None:
    class Model(BaseModel):
        title: Text = Field(max_length=3)

    assert Model(title="ab\u200b\u200b\x00c").title == "abc"
    try:
        Model(title="abcd")
    except ValidationError:
        pass
    else:
        raise AssertionError("the limit still applies")


def test_metadata_read_from_a_pdf_is_cleaned() -> None:
    meta = Metadata(so_ky_hieu="12/\u200bUBND", trich_yeu="V/v\x1b dự\u202e toán",
                    nguoi_ky="A\x00 B").normalised()
    assert (meta.so_ky_hieu, meta.trich_yeu, meta.nguoi_ky) == ("12/UBND", "V/v dự toán",
                                                                "A B")
