"""The signing engine end to end on moto KMS: development PKI, prepare →
leader signature → issuance, and what verification tells a user about
tampering, later changes, foreign roots and broken keys."""

from __future__ import annotations

import io
import re
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import boto3
import pytest
from asn1crypto import x509
from cryptography import x509 as cx509

from tests.conftest import pdfsig, require_tool

FONT = Path(__file__).resolve().parents[2] / "chalicelib" / "fonts" / "LiberationSerif-Regular.ttf"
NUMBER = "Số: 123/QĐ-SNV"
DATE = "Hà Nội, ngày 27 tháng 11 năm 2026"
CODE = "XT7K2P9Q"


@dataclass
class Pki:
    kms: Any
    root: x509.Certificate
    ca_key: str
    leader_key: str
    leader_cert: x509.Certificate
    seal_key: str
    seal_cert: x509.Certificate


def vietnamese_pdf(pages: int = 3) -> bytes:
    """A multi-page decision in Vietnamese; uncompressed so a test can edit a
    known spot of a content stream."""
    from fpdf import FPDF

    doc = FPDF(unit="pt", format="A4")
    doc.set_compression(False)
    doc.add_font("Serif", "", str(FONT))
    for page in range(1, pages + 1):
        doc.add_page()
        doc.set_font("Serif", size=13)
        doc.set_xy(85, 200)
        doc.multi_cell(450, 18, f"Trang {page}. Điều {page}. Quyết định này có hiệu lực kể "
                                "từ ngày ký ban hành. Chánh Văn phòng, Trưởng các phòng "
                                "chuyên môn chịu trách nhiệm thi hành Quyết định này.")
    return bytes(doc.output())


@pytest.fixture(scope="module")
def pki() -> Iterator[Pki]:
    from moto import mock_aws

    from chalicelib.adapters.signing import kms as signing_kms
    from chalicelib.adapters.signing import pki as dev_pki

    with pytest.MonkeyPatch.context() as mp:
        for name in ("AWS_ENDPOINT_URL", "AWS_PROFILE"):
            mp.delenv(name, raising=False)
        mp.setenv("AWS_ACCESS_KEY_ID", "testing")
        mp.setenv("AWS_SECRET_ACCESS_KEY", "testing")
        mp.setenv("AWS_DEFAULT_REGION", "ap-southeast-1")
        with mock_aws():
            kms = boto3.client("kms", region_name="ap-southeast-1")
            ca_key = signing_kms.create_signing_key(kms, description="dev CA", alias="dev-ca")
            root = dev_pki.create_dev_root(kms, ca_key, name="CA thử nghiệm Cơ quan điện tử")
            leader_key = signing_kms.create_signing_key(kms, description="leader")
            leader_cert = dev_pki.issue_certificate(
                kms, ca_key_id=ca_key, ca_cert=root,
                subject=dev_pki.Subject("Nguyễn Văn Ánh", "Sở Nội vụ thành phố Hà Nội",
                                        title="Giám đốc", email="anh.nv@noivu.hanoi.gov.vn"),
                public_key=signing_kms.public_key_info(kms, leader_key))
            seal_key = signing_kms.create_signing_key(kms, description="seal")
            seal_cert = dev_pki.issue_certificate(
                kms, ca_key_id=ca_key, ca_cert=root, seal=True,
                subject=dev_pki.Subject("Sở Nội vụ thành phố Hà Nội",
                                        "Sở Nội vụ thành phố Hà Nội"),
                public_key=signing_kms.public_key_info(kms, seal_key))
            yield Pki(kms, root, ca_key, leader_key, leader_cert, seal_key, seal_cert)


def _signers(pki: Pki) -> tuple[Any, Any]:
    from chalicelib.adapters.signing.kms import KmsSigner

    return (KmsSigner(pki.kms, pki.leader_key, pki.leader_cert, [pki.leader_cert, pki.root]),
            KmsSigner(pki.kms, pki.seal_key, pki.seal_cert, [pki.seal_cert, pki.root]))


def _leader_appearance(width: float, height: float) -> bytes:
    from chalicelib.adapters.signing.appearance import leader_stamp

    return leader_stamp(width=width, height=height, full_name="Nguyễn Văn Ánh",
                        position="Giám đốc", signed_at=datetime.now(UTC), signature_png=None)


def _seal_appearance(width: float, height: float) -> bytes:
    from chalicelib.adapters.signing.appearance import seal_stamp

    return seal_stamp(width=width, height=height, agency_name="Sở Nội vụ thành phố Hà Nội",
                      signed_at=datetime.now(UTC), seal_png=None)


@pytest.fixture(scope="module")
def issued(pki: Pki) -> dict[str, bytes]:
    """One document through every stage, kept per stage."""
    from chalicelib.adapters.signing import pdf

    source = vietnamese_pdf()
    layout = pdf.default_layout(source)
    prepared = pdf.prepare(source, layout=layout, verify_url=f"http://testserver/xac-thuc/{CODE}",
                           code=CODE)
    leader, seal = _signers(pki)
    signed = pdf.sign_leader(prepared, signer=leader, box=layout.signature,
                             appearance_pdf=_leader_appearance(layout.signature.width,
                                                               layout.signature.height))
    final = pdf.issue(signed, number_text=NUMBER, date_text=DATE, layout=layout,
                      seal_signer=seal,
                      seal_appearance_pdf=_seal_appearance(layout.seal.width, layout.seal.height))
    return {"source": source, "prepared": prepared, "signed": signed, "final": final}


def pdftotext(data: bytes, tmp_path: Path) -> str:
    tool = require_tool("pdftotext", "poppler-utils")
    path = tmp_path / "text.pdf"
    path.write_bytes(data)
    return subprocess.run([tool, "-layout", str(path), "-"], capture_output=True, text=True,
                          check=True).stdout


def pyhanko_statuses(data: bytes, root: x509.Certificate) -> dict[str, Any]:
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko_certvalidator import ValidationContext

    from chalicelib.adapters.signing.loop import outside_event_loop

    reader = PdfFileReader(io.BytesIO(data), strict=False)
    context = ValidationContext(trust_roots=[root], allow_fetching=False,
                                revocation_mode="soft-fail")
    # pyHanko's sync API starts its own event loop: not inside the one the
    # browser tests leave running in this thread.
    return {sig.field_name: outside_event_loop(
        lambda sig=sig: validate_pdf_signature(sig, signer_validation_context=context))
        for sig in reader.embedded_signatures}


# ---------------------------------------------------------------- the PKI


def test_dev_pki_issues_certificates_through_kms(pki: Pki) -> None:
    from chalicelib.adapters.signing import pki as dev_pki

    root = cx509.load_der_x509_certificate(pki.root.dump())
    leader = cx509.load_der_x509_certificate(pki.leader_cert.dump())
    seal = cx509.load_der_x509_certificate(pki.seal_cert.dump())
    root.verify_directly_issued_by(root)
    leader.verify_directly_issued_by(root)
    seal.verify_directly_issued_by(root)
    assert pki.root.ca and not pki.leader_cert.ca
    assert pki.leader_cert.key_usage_value.native == {"digital_signature", "non_repudiation"}
    assert "1.3.6.1.5.5.7.3.36" in pki.seal_cert.extended_key_usage_value.native
    assert pki.leader_cert.subject.native["common_name"] == "Nguyễn Văn Ánh"
    dev_pki.check_chain_for_key(pki.kms, pki.leader_key, [pki.leader_cert, pki.root])

    info = dev_pki.describe(pki.leader_cert)
    assert info["is_ca"] is False and len(info["sha256"]) == 64
    assert "Nguyễn Văn Ánh" in info["subject"]
    assert datetime.fromisoformat(info["not_after"]) > datetime.now(UTC)
    chain = dev_pki.load_chain(dev_pki.to_pem(pki.leader_cert) + dev_pki.to_pem(pki.root))
    assert [c.sha256 for c in chain] == [pki.leader_cert.sha256, pki.root.sha256]
    assert dev_pki.load_chain(pki.root.dump())[0].sha256 == pki.root.sha256


def test_csr_is_signed_by_the_kms_key(pki: Pki) -> None:
    from chalicelib.adapters.signing import kms as signing_kms
    from chalicelib.adapters.signing.pki import Subject, make_csr

    pem = make_csr(pki.kms, pki.leader_key, Subject("Nguyễn Văn Ánh", "Sở Nội vụ",
                                                    title="Giám đốc"))
    request = cx509.load_pem_x509_csr(pem.encode())
    assert request.is_signature_valid
    assert request.subject.get_attributes_for_oid(cx509.NameOID.COMMON_NAME)[0].value == \
        "Nguyễn Văn Ánh"
    public = signing_kms.public_key_info(pki.kms, pki.leader_key)
    from cryptography.hazmat.primitives import serialization

    assert request.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo,
    ) == public.dump()


def test_unusable_chains_are_refused(pki: Pki) -> None:
    from chalicelib.adapters.signing import kms as signing_kms
    from chalicelib.adapters.signing.pki import (
        CertificateError,
        Subject,
        check_chain_for_key,
        create_dev_root,
        issue_certificate,
        load_chain,
    )

    # the leader's certificate offered for the seal's key
    with pytest.raises(CertificateError, match="không khớp"):
        check_chain_for_key(pki.kms, pki.seal_key, [pki.leader_cert, pki.root])
    expired = issue_certificate(
        pki.kms, ca_key_id=pki.ca_key, ca_cert=pki.root, subject=Subject("Cũ", "Sở Nội vụ"),
        public_key=signing_kms.public_key_info(pki.kms, pki.leader_key),
        valid_from=datetime.now(UTC) - timedelta(days=800), days=730)
    with pytest.raises(CertificateError, match="hết hạn"):
        check_chain_for_key(pki.kms, pki.leader_key, [expired, pki.root])
    other_key = signing_kms.create_signing_key(pki.kms, description="other CA")
    other_root = create_dev_root(pki.kms, other_key, name="CA khác")
    with pytest.raises(CertificateError, match="không do"):
        check_chain_for_key(pki.kms, pki.leader_key, [pki.leader_cert, other_root])
    for garbage in ("", "   ", "xin chào", b"\x00\x01garbage",
                    "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"):
        with pytest.raises(CertificateError) as caught:
            load_chain(garbage)
        assert "chứng thư số" in caught.value.message_vi and caught.value.message_en


def test_kms_failure_is_a_signing_error(pki: Pki) -> None:
    from botocore.stub import Stubber

    from chalicelib.adapters.signing import kms as signing_kms
    from chalicelib.adapters.signing import pdf
    from chalicelib.adapters.signing.kms import KmsSigner, SigningError

    source = vietnamese_pdf(1)
    layout = pdf.default_layout(source)
    appearance = _leader_appearance(170, 70)

    # moto 5.2.5 keeps signing with a disabled key, so AWS's answer for one
    # is stubbed on a client of its own
    kms = boto3.client("kms", region_name="ap-southeast-1")
    signer = KmsSigner(kms, pki.leader_key, pki.leader_cert, [pki.leader_cert, pki.root])
    with Stubber(kms) as stub:
        stub.add_client_error("sign", service_error_code="DisabledException",
                              service_message=f"{pki.leader_key} is disabled.")
        with pytest.raises(SigningError) as caught:
            pdf.sign_leader(source, signer=signer, box=layout.signature,
                            appearance_pdf=appearance)
    assert "vô hiệu" in caught.value.message_vi and "disabled" in caught.value.message_en
    assert caught.value.code == "DisabledException"

    # errors moto does produce: a deleted key id, a key not made for signing
    with pytest.raises(SigningError) as caught:
        signing_kms.kms_sign(pki.kms, "6b3a1d3e-0000-4000-8000-000000000000", b"data")
    assert caught.value.code == "NotFoundException"
    wrong = pki.kms.create_key(KeyUsage="ENCRYPT_DECRYPT")["KeyMetadata"]["KeyId"]
    with pytest.raises(SigningError):
        pdf.sign_leader(source, signer=KmsSigner(pki.kms, wrong, pki.leader_cert,
                                                 [pki.leader_cert, pki.root]),
                        box=layout.signature, appearance_pdf=appearance)


# ------------------------------------------------------- the happy path


def test_issued_document_carries_two_valid_signatures(issued: dict[str, bytes], pki: Pki,
                                                      tmp_path: Path) -> None:
    from chalicelib.adapters.signing.verify import verify_pdf

    final = issued["final"]
    assert final.startswith(issued["signed"])  # incremental: the leader's bytes untouched
    assert pdfsig(final, tmp_path) == {"LeaderSignature": "Signature is Valid.",
                                       "AgencySeal": "Signature is Valid."}
    statuses = pyhanko_statuses(final, pki.root)
    assert set(statuses) == {"LeaderSignature", "AgencySeal"}
    for status in statuses.values():
        assert status.intact and status.valid and status.trusted
        assert status.docmdp_ok and status.bottom_line

    report = verify_pdf(final, trust_roots=[pki.root])
    assert report["ok"] is True and report["error"] is None
    by_field = {s["field"]: s for s in report["signatures"]}
    leader, seal = by_field["LeaderSignature"], by_field["AgencySeal"]
    assert leader["signer"] == "Nguyễn Văn Ánh"
    assert leader["organization"] == "Sở Nội vụ thành phố Hà Nội"
    assert leader["chain"] == ["Nguyễn Văn Ánh", "CA thử nghiệm Cơ quan điện tử"]
    assert not leader["covers_whole_document"] and not leader["modified_after_signing"]
    assert seal["covers_whole_document"] and seal["signer"] == "Sở Nội vụ thành phố Hà Nội"
    assert datetime.fromisoformat(seal["signed_at"]) <= datetime.now(UTC)
    assert "hợp lệ" in leader["summary_vi"]

    text = pdftotext(final, tmp_path)
    assert NUMBER in text and DATE in text
    assert f"Mã xác thực: {CODE}" in text
    assert "Quyết định này có hiệu lực" in text
    assert text.count("\f") == 3  # no page lost or added


def test_prepare_keeps_the_document(issued: dict[str, bytes], tmp_path: Path) -> None:
    from pypdf import PdfReader

    prepared = PdfReader(io.BytesIO(issued["prepared"]))
    assert len(prepared.pages) == 3
    fields = prepared.get_fields() or {}
    assert {"eoffice_number", "eoffice_date"} <= set(fields)
    assert all(fields[n].get("/Ff") == 1 for n in ("eoffice_number", "eoffice_date"))
    assert "Trang 2. Điều 2." in prepared.pages[1].extract_text()
    assert "Mã xác thực" in prepared.pages[0].extract_text()


def test_issue_without_leader_signature_for_attachments(pki: Pki, tmp_path: Path) -> None:
    from chalicelib.adapters.signing import pdf
    from chalicelib.adapters.signing.verify import verify_pdf

    source = vietnamese_pdf(1)  # never prepared: the fields are created at issuance
    layout = pdf.default_layout(source)
    _, seal = _signers(pki)
    final = pdf.issue(source, number_text=NUMBER, date_text=DATE, layout=layout,
                      seal_signer=seal, seal_appearance_pdf=_seal_appearance(90, 90))
    assert pdfsig(final, tmp_path) == {"AgencySeal": "Signature is Valid."}
    report = verify_pdf(final, trust_roots=[pki.root])
    assert report["ok"] and len(report["signatures"]) == 1
    assert NUMBER in pdftotext(final, tmp_path)


def test_an_attachment_carries_the_agency_signature_text_top_right(pki: Pki,
                                                                   tmp_path: Path) -> None:
    """Appendix I: the agency signs each attachment file at the top right of
    page 1, no image, the number and symbol and the ISO 8601 time (+07:00)."""
    from chalicelib.adapters.signing import pdf

    source = vietnamese_pdf(2)
    _, seal = _signers(pki)
    final = pdf.seal_attachment(source, number_text=NUMBER, seal_signer=seal,
                                signed_at=datetime(2026, 12, 1, 22, 15, 7, tzinfo=UTC))
    assert pdfsig(final, tmp_path) == {"AgencySeal": "Signature is Valid."}
    path = tmp_path / "attachment.pdf"
    path.write_bytes(final)
    xhtml = subprocess.run([require_tool("pdftotext", "poppler-utils"), "-bbox", "-f", "1",
                            "-l", "1", str(path), "-"], check=True, capture_output=True,
                           text=True).stdout
    words = {w: (float(x0), float(y0)) for x0, y0, w in re.findall(
        r'<word xMin="([\d.]+)" yMin="([\d.]+)" [^>]*>(.*?)</word>', xhtml)}
    assert "123/QĐ-SNV" in words and "2026-12-02T05:15:07+07:00" in words
    page_w = float(re.search(r'<page width="([\d.]+)"', xhtml).group(1))
    for word in ("123/QĐ-SNV", "2026-12-02T05:15:07+07:00"):
        x0, top = words[word]
        assert x0 > page_w / 2 and top < 100  # top right of page 1


# ------------------------------------------------- what must be caught


def test_tampering_breaks_the_signatures(issued: dict[str, bytes], pki: Pki,
                                         tmp_path: Path) -> None:
    from chalicelib.adapters.signing.verify import verify_pdf

    final = issued["final"]
    # move the first line of text 400 pt down, inside the original
    # revision's content stream (same length, so the file still parses)
    found = re.search(rb"BT [\d.]+ (6)[\d.]+ Td", final)
    assert found and found.end() < len(issued["prepared"])
    spot = found.start(1)
    tampered = final[:spot] + b"2" + final[spot + 1:]
    verdicts = pdfsig(tampered, tmp_path)
    assert set(verdicts) == {"LeaderSignature", "AgencySeal"}
    assert all(v != "Signature is Valid." for v in verdicts.values()), verdicts
    for status in pyhanko_statuses(tampered, pki.root).values():
        assert not status.intact and not status.bottom_line
    report = verify_pdf(tampered, trust_roots=[pki.root])
    assert report["ok"] is False
    for entry in report["signatures"]:
        assert entry["intact"] is False and entry["modified_after_signing"] is True
        assert "không còn nguyên vẹn" in entry["summary_vi"]


def test_page_content_changed_after_signing_is_reported(issued: dict[str, bytes],
                                                        pki: Pki) -> None:
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.stamp import TextStamp, TextStampStyle

    from chalicelib.adapters.signing.verify import verify_pdf

    writer = IncrementalPdfFileWriter(io.BytesIO(issued["final"]))
    TextStamp(writer, TextStampStyle(stamp_text="ĐÃ SỬA")).apply(0, 300, 500)
    out = io.BytesIO()
    writer.write(out)
    changed = out.getvalue()
    report = verify_pdf(changed, trust_roots=[pki.root])
    assert report["ok"] is False
    for entry in report["signatures"]:
        # the bytes each signature covers are intact; the later change is not allowed
        assert entry["intact"] is True
        assert entry["modified_after_signing"] is True
        assert "thay đổi sau khi ký" in entry["summary_vi"]


def test_foreign_root_is_not_trusted(issued: dict[str, bytes], pki: Pki) -> None:
    from chalicelib.adapters.signing import kms as signing_kms
    from chalicelib.adapters.signing.pki import create_dev_root
    from chalicelib.adapters.signing.verify import verify_pdf

    other_root = create_dev_root(
        pki.kms, signing_kms.create_signing_key(pki.kms, description="foreign CA"),
        name="CA của nơi khác")
    report = verify_pdf(issued["final"], trust_roots=[other_root])
    assert report["ok"] is False
    assert all(e["intact"] and e["valid"] and not e["trusted"] for e in report["signatures"])
    assert all("tin cậy" in e["summary_vi"] for e in report["signatures"])


@pytest.mark.parametrize("data", [b"", b"not a pdf", b"%PDF-1.7\n\x00\x01\x02garbage\n%%EOF"])
def test_garbage_is_not_a_pdf(data: bytes, pki: Pki) -> None:
    from chalicelib.adapters.signing.verify import verify_pdf

    report = verify_pdf(data, trust_roots=[pki.root])
    assert report == {"signatures": [], "ok": False,
                      "error": "Tệp không phải PDF hợp lệ / Not a valid PDF"}


def test_unsigned_pdf_is_not_ok(pki: Pki) -> None:
    from chalicelib.adapters.signing.verify import verify_pdf

    report = verify_pdf(vietnamese_pdf(1), trust_roots=[pki.root])
    assert report["ok"] is False and report["signatures"] == [] and report["error"] is None
