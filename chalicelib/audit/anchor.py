"""Signed checkpoints of each audit chain's head (#21 item 6).

The hash chain alone proves nothing to someone who can write the table: rewrite
entry 2, re-hash every entry after it and the head, and the chain verifies; drop
the last entry and move the head back, and it verifies too. So a scheduled job
(``anchor_heads``) signs each chain's head — ``{chain, seq, hash}`` — with the
agency's audit-anchor key in KMS, a key that only that job's role may use for
signing (infra/template.yaml, .chalice/policy-audit-anchor.json), and stores the
signature beside the chain. ``check`` then holds the chain to every checkpoint:
the entry at a checkpoint's seq must still exist and still have the signed hash.
A rewrite or truncation behind the latest checkpoint is detected; what was
appended since the latest checkpoint is protected from the next run on.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any, Final, Protocol

from chalicelib.adapters.dynamo import Table
from chalicelib.audit.store import AuditStore
from chalicelib.kernel.audit_chain import Verdict
from chalicelib.kernel.composition import given
from chalicelib.kernel.config import resource_name
from chalicelib.kernel.events import iso, utcnow

ALGORITHM: Final = "RSASSA_PKCS1_V1_5_SHA_256"
# The index behind the heads is eventually consistent: each run looks again at
# what moved shortly before the previous run started.
OVERLAP: Final = timedelta(minutes=5)
STATEMENT_VERSION: Final = 1


class AnchorKey(Protocol):
    key_id: str

    def sign(self, message: bytes) -> bytes: ...
    def public_key_der(self) -> bytes: ...


def anchor_alias(stage: str | None = None) -> str:
    """The KMS alias the stack gives the key (infra/template.yaml AuditAnchorKeyAlias)."""
    return f"alias/{resource_name('audit-anchor', stage)}"


class KmsAnchorKey:
    """The audit-anchor key in KMS: signs there, verifies here with its public key
    (one GetPublicKey per verification, however many checkpoints)."""

    def __init__(self, kms: Any = None, key_id: str | None = None) -> None:
        if kms is None:
            from chalicelib.adapters.aws import client

            kms = client("kms")
        self.kms = kms
        self.key_id = key_id or anchor_alias()

    def sign(self, message: bytes) -> bytes:
        # RAW: moto hashes a DIGEST message again (DESIGN.md); statements are tiny.
        out = self.kms.sign(KeyId=self.key_id, Message=message, MessageType="RAW",
                            SigningAlgorithm=ALGORITHM)
        return bytes(out["Signature"])

    def public_key_der(self) -> bytes:
        return bytes(self.kms.get_public_key(KeyId=self.key_id)["PublicKey"])


def statement(chain: str, seq: int, hash_: str) -> bytes:
    """The exact bytes signed: canonical JSON, so anyone can re-check it."""
    return json.dumps({"v": STATEMENT_VERSION, "chain": chain, "seq": int(seq),
                       "hash": hash_}, sort_keys=True, separators=(",", ":")).encode()


def anchor(store: AuditStore, key: AnchorKey, chain: str, seq: int, hash_: str,
           at: str) -> bool:
    """Sign and store one checkpoint; False if that seq was anchored already."""
    if seq <= 0 or store.has_checkpoint(chain, seq):
        return False
    signature = key.sign(statement(chain, seq, hash_))
    return store.add_checkpoint(chain, {
        "chain": chain, "seq": seq, "hash": hash_, "at": at, "key_id": key.key_id,
        "algorithm": ALGORITHM, "signature": base64.b64encode(signature).decode("ascii")})


def anchor_heads(table: Table | None = None, *, store: AuditStore | None = None,
                 key: AnchorKey | None = None,
                 clock: Callable[[], datetime] = utcnow) -> dict[str, int]:
    """The scheduled job: a checkpoint for every head that moved since the last run."""
    store = store or AuditStore(given(table))
    key = key or KmsAnchorKey()
    started = clock()
    watermark = store.watermark()
    since = "" if watermark is None else iso(
        datetime.fromisoformat(watermark.replace("Z", "+00:00")) - OVERLAP)
    anchored = 0
    heads = store.heads_moved_since(since)
    for head in heads:
        if anchor(store, key, head["chain"], head["seq"], head["hash"], iso(started)):
            anchored += 1
    store.set_watermark(iso(started))
    return {"heads": len(heads), "anchored": anchored}


def _signature_valid(checkpoint: Mapping[str, Any], chain: str, public_der: bytes) -> bool:
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import padding, rsa
    from cryptography.hazmat.primitives.serialization import load_der_public_key

    if checkpoint.get("chain") != chain or checkpoint.get("algorithm") != ALGORITHM:
        return False
    public = load_der_public_key(public_der)
    if not isinstance(public, rsa.RSAPublicKey):
        return False
    try:
        public.verify(base64.b64decode(str(checkpoint.get("signature", ""))),
                      statement(chain, int(checkpoint["seq"]), str(checkpoint["hash"])),
                      padding.PKCS1v15(), hashes.SHA256())
    except (InvalidSignature, ValueError):
        return False
    return True


def check(chain: str, entries: Sequence[Mapping[str, Any]], verdict: Verdict,
          checkpoints: Sequence[Mapping[str, Any]], key: AnchorKey | None) -> Verdict:
    """The chain's verdict held to its signed checkpoints (``entries`` in seq order;
    ``verdict`` is the hash chain's own). The first fault found wins."""
    if not verdict.intact or not checkpoints:
        return verdict
    public = (key or KmsAnchorKey()).public_key_der()
    by_seq = {int(e["seq"]): e for e in entries}
    previous = 0
    for cp in sorted(checkpoints, key=lambda c: int(c["seq"])):
        seq = int(cp["seq"])
        if not _signature_valid(cp, chain, public):
            return Verdict(False, verdict.entries, seq,
                           f"Điểm neo số {seq} của nhật ký có chữ ký không hợp lệ.",
                           f"The checkpoint at seq {seq} has an invalid signature.",
                           anchored_seq=previous)
        if seq > verdict.entries:
            return Verdict(False, verdict.entries, verdict.entries + 1,
                           f"Nhật ký bị cắt bớt: điểm neo đã ký ghi nhận {seq} mục, "
                           f"nay chỉ còn {verdict.entries}.",
                           f"The trail was truncated: a signed checkpoint covers {seq} "
                           f"entries, {verdict.entries} remain.", anchored_seq=previous)
        if str(by_seq[seq].get("hash")) != str(cp["hash"]):
            return Verdict(False, verdict.entries, previous + 1,
                           f"Nhật ký đã bị viết lại trong khoảng mục {previous + 1}–{seq} "
                           "(không khớp điểm neo đã ký).",
                           f"The trail was rewritten between entries {previous + 1} and "
                           f"{seq} (it no longer matches the signed checkpoint).",
                           anchored_seq=previous)
        previous = seq
    return Verdict(True, verdict.entries, anchored_seq=previous)
