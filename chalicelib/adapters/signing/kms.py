"""Keys that never leave KMS: creation, public keys, raw signatures, and a
pyHanko ``Signer`` whose private-key operation is a KMS ``Sign`` call."""

from __future__ import annotations

from typing import Any

from asn1crypto import algos, keys, x509
from botocore.exceptions import BotoCoreError, ClientError
from pyhanko.sign.signers import Signer
from pyhanko_certvalidator.registry import SimpleCertificateStore

KEY_SPEC = "RSA_2048"
SIGNING_ALGORITHM = "RSASSA_PKCS1_V1_5_SHA_256"
SIGNATURE_BYTES = 256  # RSA-2048: the signature is as long as the modulus
# KMS refuses RAW messages longer than this; signed attributes and TBS
# structures are far smaller, so a longer message means a caller bug.
RAW_LIMIT = 4096


class SigningError(Exception):
    """KMS could not sign (disabled or missing key, no permission, network).
    ``message`` is fit to show a user; the cause stays on ``__cause__``."""

    def __init__(self, message_vi: str, message_en: str, *, code: str | None = None) -> None:
        self.message_vi = message_vi
        self.message_en = message_en
        self.code = code
        self.message = f"{message_vi} / {message_en}"
        super().__init__(self.message)


_FRIENDLY: dict[str, tuple[str, str]] = {
    "DisabledException": ("Khóa ký đang bị vô hiệu hóa", "The signing key is disabled"),
    "KMSInvalidStateException": ("Khóa ký không ở trạng thái dùng được",
                                 "The signing key is not in a usable state"),
    "NotFoundException": ("Không tìm thấy khóa ký", "The signing key was not found"),
    "AccessDeniedException": ("Không có quyền dùng khóa ký",
                              "Not allowed to use the signing key"),
    "InvalidKeyUsageException": ("Khóa này không dùng để ký được",
                                 "This key cannot be used for signing"),
}


def _wrap(exc: Exception) -> SigningError:
    code = None
    if isinstance(exc, ClientError):
        code = exc.response.get("Error", {}).get("Code")
    vi, en = _FRIENDLY.get(code or "", ("Không ký được qua dịch vụ quản lý khóa",
                                        "Signing through the key service failed"))
    return SigningError(vi, en, code=code)


def create_signing_key(kms: Any, *, description: str, alias: str | None = None,
                       tags: dict[str, str] | None = None) -> str:
    """A new RSA-2048 signing key; returns its KeyId. ``tags`` are set at creation,
    so that IAM conditions on them (``aws:ResourceTag``) hold from the start."""
    extra = {"Tags": [{"TagKey": k, "TagValue": v} for k, v in (tags or {}).items()]} \
        if tags else {}
    try:
        key_id: str = kms.create_key(
            Description=description, KeySpec=KEY_SPEC, KeyUsage="SIGN_VERIFY", **extra,
        )["KeyMetadata"]["KeyId"]
        if alias:
            kms.create_alias(AliasName=alias if alias.startswith("alias/") else f"alias/{alias}",
                             TargetKeyId=key_id)
    except (ClientError, BotoCoreError) as exc:
        raise _wrap(exc) from exc
    return key_id


def public_key_info(kms: Any, key_id: str) -> keys.PublicKeyInfo:
    try:
        der = kms.get_public_key(KeyId=key_id)["PublicKey"]
    except (ClientError, BotoCoreError) as exc:
        raise _wrap(exc) from exc
    return keys.PublicKeyInfo.load(der)


def kms_sign(kms: Any, key_id: str, message: bytes) -> bytes:
    """PKCS#1 v1.5 over SHA-256 of ``message``. RAW rather than DIGEST: moto
    hashes a DIGEST message a second time, and RAW is just as correct on AWS
    for the short structures we sign."""
    if len(message) > RAW_LIMIT:
        raise ValueError(f"message of {len(message)} bytes is over the KMS RAW limit")
    try:
        response = kms.sign(KeyId=key_id, Message=message, MessageType="RAW",
                            SigningAlgorithm=SIGNING_ALGORITHM)
    except (ClientError, BotoCoreError) as exc:
        raise _wrap(exc) from exc
    return bytes(response["Signature"])


class KmsSigner(Signer):
    """pyHanko signer for a KMS key and its certificate chain (signer first)."""

    def __init__(self, kms: Any, key_id: str, signing_cert: x509.Certificate,
                 chain: list[x509.Certificate]) -> None:
        registry = SimpleCertificateStore()
        registry.register_multiple([c for c in chain if c.dump() != signing_cert.dump()])
        super().__init__(
            signing_cert=signing_cert,
            cert_registry=registry,
            # read-only property in pyHanko 0.38: only settable here
            signature_mechanism=algos.SignedDigestAlgorithm({"algorithm": "sha256_rsa"}),
            embed_roots=True,
        )
        self.kms = kms
        self.key_id = key_id

    async def async_sign_raw(self, data: bytes, digest_algorithm: str,
                             dry_run: bool = False) -> bytes:
        if digest_algorithm.lower() != "sha256":
            # KMS would silently hash with SHA-256 anyway; a mismatch would
            # produce a signature no validator accepts.
            raise SigningError("Thuật toán băm không được hỗ trợ",
                               f"Unsupported digest algorithm {digest_algorithm}")
        if dry_run:
            return bytes(SIGNATURE_BYTES)
        return kms_sign(self.kms, self.key_id, data)
