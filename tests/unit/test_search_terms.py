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
