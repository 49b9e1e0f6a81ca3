"""Certificates for KMS-held keys. TBS structures and CSRs are built with
asn1crypto and signed by ``kms_sign``, so no private key ever exists outside
KMS — not even the development root's."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from asn1crypto import algos, core, csr, keys, pem, x509
from cryptography import x509 as cx509
from cryptography.exceptions import InvalidSignature

from chalicelib.adapters.signing.errors import SigningInputError
from chalicelib.adapters.signing.kms import kms_sign, public_key_info

DOCUMENT_SIGNING = "1.3.6.1.5.5.7.3.36"  # id-kp-documentSigning, RFC 9336
# A little slack so a certificate issued this second is valid for a
# validator whose clock runs slightly behind.
BACKDATE = timedelta(minutes=5)


class CertificateError(SigningInputError):
    """A certificate or chain the user supplied cannot be used."""


@dataclass
class Subject:
    common_name: str
    organization: str
    title: str | None = None
    unit: str | None = None
    email: str | None = None
    country: str = "VN"
    locality: str = "Hà Nội"

    def to_name(self) -> x509.Name:
        attrs: dict[str, str] = {"country_name": self.country,
                                 "locality_name": self.locality,
                                 "organization_name": self.organization}
        if self.unit:
            attrs["organizational_unit_name"] = self.unit
        if self.title:
            attrs["title"] = self.title
        attrs["common_name"] = self.common_name
        if self.email:
            attrs["email_address"] = self.email
        # use_printable=False: UTF8String, so Vietnamese survives every parser
        return x509.Name.build(attrs, use_printable=False)


def _algorithm() -> algos.SignedDigestAlgorithm:
    # explicit NULL parameters, as RFC 4055 asks for PKCS#1 v1.5
    return algos.SignedDigestAlgorithm({"algorithm": "sha256_rsa", "parameters": core.Null()})


def _time(moment: datetime) -> x509.Time:
    # RFC 5280: UTCTime through 2049, GeneralizedTime from 2050
    moment = moment.astimezone(UTC).replace(microsecond=0)
    if moment.year < 2050:
        return x509.Time({"utc_time": moment})
    return x509.Time({"general_time": moment})


def _serial() -> int:
    # positive, at most 20 octets, 159 random bits as CA/B practice asks
    return secrets.randbits(159) | 1


def _ext(name: str, value: Any, critical: bool = False) -> dict[str, Any]:
    return {"extn_id": name, "critical": critical, "extn_value": value}


def _sign_tbs(kms: Any, key_id: str, tbs: x509.TbsCertificate) -> x509.Certificate:
    signature = kms_sign(kms, key_id, tbs.dump())
    cert = x509.Certificate({"tbs_certificate": tbs, "signature_algorithm": _algorithm(),
                             "signature_value": signature})
    # reloaded from DER: a constructed asn1crypto object is re-encoded on
    # every dump, which doubled pyHanko's signing time in the benchmark
    return x509.Certificate.load(cert.dump())


def create_dev_root(kms: Any, ca_key_id: str, *, name: str, years: int = 10
                    ) -> x509.Certificate:
    """Self-signed development root for a KMS key (local runtime only)."""
    public = public_key_info(kms, ca_key_id)
    subject = Subject(common_name=name, organization=name).to_name()
    now = datetime.now(UTC)
    tbs = x509.TbsCertificate({
        "version": "v3",
        "serial_number": _serial(),
        "signature": _algorithm(),
        "issuer": subject,
        "validity": {"not_before": _time(now - BACKDATE),
                     "not_after": _time(now + timedelta(days=365 * years))},
        "subject": subject,
        "subject_public_key_info": public,
        "extensions": [
            _ext("basic_constraints", {"ca": True}, critical=True),
            _ext("key_usage", {"key_cert_sign", "crl_sign", "digital_signature"},
                 critical=True),
            _ext("key_identifier", public.sha1),
        ],
    })
    return _sign_tbs(kms, ca_key_id, tbs)


def issue_certificate(kms: Any, *, ca_key_id: str, ca_cert: x509.Certificate,
                      subject: Subject, public_key: keys.PublicKeyInfo, days: int = 730,
                      seal: bool = False, valid_from: datetime | None = None
                      ) -> x509.Certificate:
    """End-entity certificate for a person (``seal=False``) or an agency
    seal, valid ``days`` from ``valid_from`` (default: now). Both carry
    nonRepudiation: a seal also commits the agency."""
    start = (valid_from or datetime.now(UTC)) - BACKDATE
    not_after = min(start + BACKDATE + timedelta(days=days), ca_cert.not_valid_after)
    ca_key_identifier = ca_cert.key_identifier or ca_cert.public_key.sha1
    # emailProtection on seals too: poppler/NSS check a signing certificate
    # for e-mail signer usage and report "Unknown issue" without it. So
    # today ``seal`` only drops the personal title from the subject.
    purposes = ["email_protection", DOCUMENT_SIGNING]
    if seal and subject.title:
        subject = Subject(**{**subject.__dict__, "title": None})
    extensions = [
        _ext("basic_constraints", {"ca": False}, critical=True),
        _ext("key_usage", {"digital_signature", "non_repudiation"}, critical=True),
        _ext("extended_key_usage", purposes),
        _ext("key_identifier", public_key.sha1),
        _ext("authority_key_identifier", {"key_identifier": ca_key_identifier}),
    ]
    if subject.email:
        extensions.append(_ext("subject_alt_name", [
            x509.GeneralName(name="rfc822_name", value=subject.email)]))
    tbs = x509.TbsCertificate({
        "version": "v3",
        "serial_number": _serial(),
        "signature": _algorithm(),
        "issuer": ca_cert.subject,
        "validity": {"not_before": _time(start), "not_after": _time(not_after)},
        "subject": subject.to_name(),
        "subject_public_key_info": public_key,
        "extensions": extensions,
    })
    return _sign_tbs(kms, ca_key_id, tbs)


def make_csr(kms: Any, key_id: str, subject: Subject) -> str:
    """PEM certificate request for the government CA, signed through KMS
    (proof of possession without exporting the key)."""
    info = csr.CertificationRequestInfo({
        "version": "v1",
        "subject": subject.to_name(),
        "subject_pk_info": public_key_info(kms, key_id),
        "attributes": [],
    })
    request = csr.CertificationRequest({
        "certification_request_info": info,
        "signature_algorithm": _algorithm(),
        "signature": kms_sign(kms, key_id, info.dump()),
    })
    return pem.armor("CERTIFICATE REQUEST", request.dump()).decode("ascii")


_GARBAGE = ("Không đọc được chứng thư số: cần một hoặc nhiều chứng thư dạng PEM hoặc DER",
            "Could not read a certificate: one or more PEM or DER certificates expected")


def load_chain(pem_or_der_text: str | bytes) -> list[x509.Certificate]:
    """Certificates in the order given (signer first, then its issuers)."""
    data = (pem_or_der_text.encode("utf-8", "replace") if isinstance(pem_or_der_text, str)
            else bytes(pem_or_der_text))
    if not data.strip():
        raise CertificateError(*_GARBAGE)
    ders: list[bytes] = []
    try:
        if pem.detect(data):
            ders = [der for kind, _, der in pem.unarmor(data, multiple=True)
                    if kind in ("CERTIFICATE", "X509 CERTIFICATE", "TRUSTED CERTIFICATE")]
        else:
            ders = [data]
    except (ValueError, TypeError) as exc:
        raise CertificateError(*_GARBAGE) from exc
    if not ders:
        raise CertificateError(*_GARBAGE)
    chain: list[x509.Certificate] = []
    for der in ders:
        try:
            # cryptography parses strictly; asn1crypto's lazy parse would
            # accept garbage until a field is read much later.
            cx509.load_der_x509_certificate(der)
            cert = x509.Certificate.load(der)
            _ = cert.subject, cert.public_key, cert.not_valid_after
        except (ValueError, TypeError) as exc:
            raise CertificateError(*_GARBAGE) from exc
        chain.append(cert)
    return chain


def _crypto(cert: x509.Certificate) -> cx509.Certificate:
    return cx509.load_der_x509_certificate(cert.dump())


def check_chain_for_key(kms: Any, key_id: str, chain: list[x509.Certificate]) -> None:
    """The chain can sign with this KMS key: same public key, every
    certificate valid now, each issued by the next."""
    if not chain:
        raise CertificateError("Chuỗi chứng thư số trống", "The certificate chain is empty")
    if chain[0].public_key.dump() != public_key_info(kms, key_id).dump():
        raise CertificateError(
            "Chứng thư số không khớp với khóa ký của người dùng",
            "The certificate does not match the user's signing key")
    now = datetime.now(UTC)
    for cert in chain:
        if not cert.not_valid_before <= now <= cert.not_valid_after:
            name = cert.subject.human_friendly
            raise CertificateError(f"Chứng thư số hết hạn hoặc chưa có hiệu lực: {name}",
                                   f"Certificate expired or not yet valid: {name}")
    for child, parent in zip(chain, chain[1:], strict=False):
        try:
            _crypto(child).verify_directly_issued_by(_crypto(parent))
        except (ValueError, TypeError, InvalidSignature) as exc:
            raise CertificateError(
                f"Chứng thư số «{child.subject.human_friendly}» không do "
                f"«{parent.subject.human_friendly}» cấp",
                f"«{child.subject.human_friendly}» is not issued by "
                f"«{parent.subject.human_friendly}»") from exc


def describe(cert: x509.Certificate) -> dict[str, Any]:
    return {
        "subject": cert.subject.human_friendly,
        "issuer": cert.issuer.human_friendly,
        "serial": format(cert.serial_number, "x"),
        "not_before": cert.not_valid_before.isoformat(),
        "not_after": cert.not_valid_after.isoformat(),
        "sha256": cert.sha256.hex(),
        "is_ca": bool(cert.ca),
    }


def to_pem(cert: x509.Certificate) -> str:
    return pem.armor("CERTIFICATE", cert.dump()).decode("ascii")
