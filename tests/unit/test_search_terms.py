"""Search terms ignore diacritics, case and Unicode form."""

import unicodedata

from chalicelib.search.rules import fold, query_terms, terms


def test_forms_and_diacritics_fold_together():
    nfd = unicodedata.normalize("NFD", "Hà Nội")
    assert fold("Hà Nội") == fold(nfd) == fold("HA NOI") == "ha noi"
    assert fold("Đăng ký kinh doanh") == "dang ky kinh doanh"


def test_terms_of_a_document():
    assert terms("Số: 1234/STC-QLNS, V/v hướng dẫn") == {
        "so", "1234", "stc", "qlns", "huong", "dan"}


def test_query_terms_keep_order_drop_noise_and_cap():
    assert query_terms("  Hà  nội, hà NỘI ") == ["ha", "noi"]
    assert query_terms("a b c") == []
    assert len(query_terms(" ".join(f"tu{i}" for i in range(20)))) == 8


def test_a_lists_filter_matches_whole_folded_syllables():
    from chalicelib.kernel.folding import filter_words, matches

    words = filter_words("tet nguyen dan")
    assert matches(words, "Kế hoạch nghỉ", "Tết Nguyên Đán năm 2027")
    assert not matches(words, "Tết Dương lịch")  # every word, not any
    assert not matches(filter_words("nguy"), "Nguyên")  # whole syllables, like the index
    assert filter_words(None) == filter_words("  ") == []
    assert matches([], "anything")


def test_a_filter_without_a_word_is_refused_naming_q():
    import pytest

    from chalicelib.kernel.errors import InvalidInput
    from chalicelib.kernel.folding import filter_words

    with pytest.raises(InvalidInput) as err:
        filter_words("a ,")
    assert [f.path for f in err.value.fields] == ["q"]
