"""A foreign agency's key and certificate, made in-process: a peer agency signs
with its own key, not with one of ours in KMS."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any


class _Key:
    def __init__(self, private: Any) -> None:
        self.private = private

    def sign_pkcs1(self, data: bytes) -> bytes:
        from cryptography.hazmat.primitives import hashes
        from cryptography.hazmat.primitives.asymmetric import padding

        return bytes(self.private.sign(data, padding.PKCS1v15(), hashes.SHA256()))


def self_signed(name: str) -> tuple[_Key, bytes]:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.x509.oid import NameOID

    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    start = datetime(2026, 1, 1, tzinfo=UTC)
    cert = (x509.CertificateBuilder().subject_name(subject).issuer_name(subject)
            .public_key(private.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(start).not_valid_after(start + timedelta(days=3650))
            .sign(private, hashes.SHA256()))
    return _Key(private), cert.public_bytes(serialization.Encoding.DER)
