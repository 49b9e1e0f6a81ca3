"""Outside JSON too deep for the decoder is a ValueError, not a RecursionError."""

from __future__ import annotations

import pytest

from chalicelib.kernel import jsontext


def test_nesting_past_the_decoder_is_a_value_error() -> None:
    with pytest.raises(jsontext.TooDeep):
        jsontext.loads("[" * 50_000)
    with pytest.raises(ValueError):
        jsontext.loads(b'{"a":' * 5_000)


def test_ordinary_json_is_parsed() -> None:
    assert jsontext.loads(b'{"a": [1, {"b": null}]}') == {"a": [1, {"b": None}]}
    nested = jsontext.loads("[" * 50 + "]" * 50)
    for _ in range(49):
        (nested,) = nested
    assert nested == []
