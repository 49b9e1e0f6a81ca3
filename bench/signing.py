"""Signing time per document: ``chalicelib.adapters.signing.pdf.sign_leader`` with a
key in KMS (moto in-process) against bare pyHanko signing the same prepared
PDF with a local key (a cryptography-generated RSA-2048 key and
``signers.SimpleSigner``), the same visible appearance, field and reserved
size, so the ratio is what the KMS signer and our wrapper cost.

Also timed, for information: ``issue`` (number and date filled, the seal's
signature), the stamps' rendering with fpdf2 and ``verify_pdf`` on the final
document. Variants run in interleaved rounds after a discarded warm-up;
medians. Time inside KMS calls is split out with botocore hooks; on AWS a
``Sign`` is a network round trip, so an estimate with an assumed latency is
given and labelled as such.
"""

from __future__ import annotations

import io
import os
import statistics
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench.report import ROOT, table

ROUNDS = 30
QUICK_ROUNDS = 6
WARMUP = 2
PAGES = 4
TARGET_RATIO = 1.5
ASSUMED_KMS_SIGN_MS = 20.0  # an in-region KMS Sign round trip, assumed
FONT = ROOT / "chalicelib" / "fonts" / "LiberationSerif-Regular.ttf"


def document(pages: int = PAGES) -> bytes:
    from fpdf import FPDF

    doc = FPDF(unit="pt", format="A4")
    doc.add_font("Serif", "", str(FONT))
    for page in range(1, pages + 1):
        doc.add_page()
        doc.set_font("Serif", size=13)
        doc.set_xy(85, 200)
        doc.multi_cell(450, 18, f"Điều {page}. Quyết định này có hiệu lực kể từ ngày ký ban "
                                "hành. Chánh Văn phòng, Trưởng các phòng chuyên môn và các "
                                "tổ chức, cá nhân có liên quan chịu trách nhiệm thi hành "
                                "Quyết định này. " * 6)
    return bytes(doc.output())


@contextmanager
def _moto() -> Iterator[Any]:
    import boto3
    from moto import mock_aws

    saved = {k: os.environ.get(k) for k in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY",
                                            "AWS_DEFAULT_REGION", "AWS_ENDPOINT_URL")}
    os.environ.update(AWS_ACCESS_KEY_ID="testing", AWS_SECRET_ACCESS_KEY="testing",
                      AWS_DEFAULT_REGION="ap-southeast-1")
    os.environ.pop("AWS_ENDPOINT_URL", None)
    try:
        with mock_aws():
            yield boto3.client("kms", region_name="ap-southeast-1")
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


class LocalKeys:
    """Stands in for the KMS client with local RSA-2048 keys, so that the
    baseline's certificates come out of ``chalicelib.adapters.signing.pki`` exactly
    like the KMS ones: only where the key lives differs. (Certificates made
    by cryptography's builder cost pyHanko ~40 ms more per signature in
    asn1crypto re-encoding; that would flatter our ratio.)"""

    def __init__(self) -> None:
        self.keys: dict[str, Any] = {}

    def key(self, key_id: str) -> Any:
        from cryptography.hazmat.primitives.asymmetric import rsa

        if key_id not in self.keys:
            self.keys[key_id] = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        return self.keys[key_id]

    def get_public_key(self, KeyId: str) -> dict[str, bytes]:  # noqa: N803 - boto3's names
        from cryptography.hazmat.primitives import serialization

        return {"PublicKey": self.key(KeyId).public_key().public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)}

    def sign(self, KeyId: str, Message: bytes, **_: Any) -> dict[str, bytes]:  # noqa: N803
        from cryptography.hazmat.primitives import hashes
        from cryptography.hazmat.primitives.asymmetric import padding

        return {"Signature": self.key(KeyId).sign(Message, padding.PKCS1v15(), hashes.SHA256())}


def _local_signers() -> tuple[Any, Any]:
    """A local RSA-2048 key whose certificate is issued by a local root (a
    chain as long as the KMS one), as two pyHanko signers: the stock
    ``SimpleSigner``, which reloads the key from DER on every signature (and
    cryptography checks an RSA key on load: ~30 ms), and the strict baseline,
    the same signer holding the loaded key."""
    from asn1crypto import algos, keys
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import padding
    from pyhanko.sign import signers
    from pyhanko_certvalidator.registry import SimpleCertificateStore

    from chalicelib.adapters.signing import pki

    local = LocalKeys()
    root = pki.create_dev_root(local, "root", name="Local root")
    cert = pki.issue_certificate(local, ca_key_id="root", ca_cert=root,
                                 subject=pki.Subject("Nguyễn Văn Ánh", "Sở Nội vụ"),
                                 public_key=keys.PublicKeyInfo.load(
                                     local.get_public_key("leader")["PublicKey"]))
    key = local.key("leader")
    der_key = key.private_bytes(serialization.Encoding.DER, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption())
    options = {
        "signature_mechanism": algos.SignedDigestAlgorithm({"algorithm": "sha256_rsa"}),
        "signing_cert": cert,
        "signing_key": keys.PrivateKeyInfo.load(der_key),
        "cert_registry": SimpleCertificateStore.from_certs([root]),
    }

    class InMemorySigner(signers.SimpleSigner):
        def sign_raw(self, data: bytes, digest_algorithm: str) -> bytes:
            return key.sign(data, padding.PKCS1v15(), hashes.SHA256())

    return signers.SimpleSigner(**options), InMemorySigner(**options)


def _bare_pyhanko(pdf_bytes: bytes, signer: Any, box: Any, appearance_file: str) -> bytes:
    from pyhanko.pdf_utils.content import ImportedPdfPage
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.pdf_utils.layout import AxisAlignment, Margins, SimpleBoxLayoutRule
    from pyhanko.sign import fields, signers
    from pyhanko.stamp import StaticStampStyle

    from chalicelib.adapters.signing.pdf import BYTES_RESERVED

    writer = IncrementalPdfFileWriter(io.BytesIO(pdf_bytes), strict=False)
    count = int(writer.root["/Pages"]["/Count"])
    style = StaticStampStyle(
        background=ImportedPdfPage(appearance_file), border_width=0, background_opacity=1.0,
        background_layout=SimpleBoxLayoutRule(x_align=AxisAlignment.ALIGN_MID,
                                              y_align=AxisAlignment.ALIGN_MID,
                                              margins=Margins(0, 0, 0, 0)))
    pdf_signer = signers.PdfSigner(
        signers.PdfSignatureMetadata(field_name="LeaderSignature", md_algorithm="sha256",
                                     subfilter=fields.SigSeedSubFilter.PADES,
                                     reason="Phê duyệt và ký ban hành", location="Hà Nội"),
        signer=signer, stamp_style=style,
        new_field_spec=fields.SigFieldSpec("LeaderSignature", on_page=box.page % count,
                                           box=box.rect()))
    return bytes(pdf_signer.sign_pdf(writer, bytes_reserved=BYTES_RESERVED).getvalue())


class KmsTimer:
    """Time inside KMS calls (botocore hooks on the one client)."""

    def __init__(self, client: Any) -> None:
        self.seconds = 0.0
        self.calls = 0
        self._started: float | None = None
        client.meta.events.register("before-parameter-build.kms", self._start)
        client.meta.events.register("after-call.kms", self._stop)
        client.meta.events.register("after-call-error.kms", self._stop)

    def _start(self, **_: Any) -> None:
        self._started = time.perf_counter()

    def _stop(self, **_: Any) -> None:
        if self._started is not None:
            self.seconds += time.perf_counter() - self._started
            self.calls += 1
            self._started = None

    def reset(self) -> tuple[float, int]:
        seen = (self.seconds, self.calls)
        self.seconds, self.calls = 0.0, 0
        return seen


def measure(quick: bool = False) -> dict[str, Any]:
    from chalicelib.adapters.signing import appearance, pdf, pki
    from chalicelib.adapters.signing.kms import KmsSigner, create_signing_key, public_key_info
    from chalicelib.adapters.signing.verify import verify_pdf

    started = time.perf_counter()
    rounds = QUICK_ROUNDS if quick else ROUNDS
    source = document()
    layout = pdf.default_layout(source)
    prepared = pdf.prepare(source, layout=layout, verify_url="https://example.gov.vn/v/XT7K2P9Q",
                           code="XT7K2P9Q")
    sig_box, seal_box = layout.signature, layout.seal

    def leader_appearance() -> bytes:
        return appearance.leader_stamp(width=sig_box.width, height=sig_box.height,
                                       full_name="Nguyễn Văn Ánh", position="Giám đốc",
                                       signed_at=datetime.now(UTC), signature_png=None)

    def seal_appearance() -> bytes:
        return appearance.seal_stamp(width=seal_box.width, height=seal_box.height,
                                     agency_name="Sở Nội vụ thành phố Hà Nội",
                                     signed_at=datetime.now(UTC), seal_png=None)

    leader_pdf, seal_pdf = leader_appearance(), seal_appearance()
    stock, local = _local_signers()
    times: dict[str, list[float]] = {k: [] for k in ("baseline", "stock", "sign_leader",
                                                     "issue", "stamps", "verify")}
    kms_in: dict[str, list[float]] = {"sign_leader": [], "issue": []}
    with _moto() as kms, tempfile.TemporaryDirectory() as tmp:
        appearance_file = str(Path(tmp) / "leader.pdf")
        Path(appearance_file).write_bytes(leader_pdf)
        ca = create_signing_key(kms, description="bench CA")
        root = pki.create_dev_root(kms, ca, name="CA thử nghiệm")
        keys: dict[str, Any] = {}
        for kind, cn in (("leader", "Nguyễn Văn Ánh"), ("seal", "Sở Nội vụ")):
            key = create_signing_key(kms, description=kind)
            cert = pki.issue_certificate(kms, ca_key_id=ca, ca_cert=root, seal=kind == "seal",
                                         subject=pki.Subject(cn, "Sở Nội vụ"),
                                         public_key=public_key_info(kms, key))
            keys[kind] = KmsSigner(kms, key, cert, [cert, root])
        timer = KmsTimer(kms)
        signed = b""
        for i in range(WARMUP + rounds):
            keep = i >= WARMUP

            def timed(name: str, run: Callable[[], Any], keep: bool = keep) -> Any:
                timer.reset()
                t0 = time.perf_counter()
                value = run()
                elapsed = time.perf_counter() - t0
                if keep:
                    times[name].append(elapsed)
                    if name in kms_in:
                        kms_in[name].append(timer.reset()[0])
                return value

            timed("baseline", lambda: _bare_pyhanko(prepared, local, sig_box, appearance_file))
            timed("stock", lambda: _bare_pyhanko(prepared, stock, sig_box, appearance_file))
            signed = timed("sign_leader", lambda: pdf.sign_leader(
                prepared, signer=keys["leader"], box=sig_box, appearance_pdf=leader_pdf))
            final = timed("issue", lambda s=signed: pdf.issue(
                s, number_text="Số: 123/QĐ-SNV", date_text="Hà Nội, ngày 27 tháng 11 năm 2026",
                layout=layout, seal_signer=keys["seal"], seal_appearance_pdf=seal_pdf))
            timed("stamps", lambda: (leader_appearance(), seal_appearance()))
            report = timed("verify", lambda f=final: verify_pdf(f, trust_roots=[root]))
            if not report["ok"]:
                raise RuntimeError(f"the signed document does not verify: {report}")
    return {"times": times, "kms": kms_in, "rounds": rounds, "pages": PAGES,
            "bytes": len(prepared), "seconds": time.perf_counter() - started}


def markdown(result: dict[str, Any]) -> str:
    t = {k: statistics.median(v) for k, v in result["times"].items()}
    k = {name: statistics.median(v) for name, v in result["kms"].items()}
    base = t["baseline"]
    ratio = t["sign_leader"] / base
    verdict = "met" if ratio <= TARGET_RATIO else "**missed**"
    own = t["sign_leader"] - k["sign_leader"]
    estimate = own + ASSUMED_KMS_SIGN_MS / 1000

    def ms(seconds: float) -> str:
        return f"{seconds * 1000:.1f}"

    rows = [
        ["**baseline**: bare pyHanko, local RSA-2048 key held in memory", ms(base), "",
         "1.0×"],
        ["bare pyHanko, stock `SimpleSigner` (reloads and checks the key per signature)",
         ms(t["stock"]), "", f"{t['stock'] / base:.2f}×"],
        ["`sign_leader`, KMS key (moto in-process)", ms(t["sign_leader"]),
         ms(k["sign_leader"]), f"**{ratio:.2f}×**"],
        ["derived: `sign_leader` minus time inside KMS calls", ms(own), "",
         f"{own / base:.2f}×"],
        [f"**estimate on AWS** (the above + one assumed {ASSUMED_KMS_SIGN_MS:.0f} ms `Sign`)",
         f"~{ms(estimate)}", "", f"~{estimate / base:.1f}×"],
        ["`issue`: number and date filled + seal signature (KMS)", ms(t["issue"]),
         ms(k["issue"]), f"{t['issue'] / base:.2f}×"],
        ["both stamps rendered with fpdf2 (leader, seal)", ms(t["stamps"]), "", ""],
        ["`verify_pdf` on the issued document (two signatures)", ms(t["verify"]), "", ""],
    ]
    return "\n\n".join([
        "## Signing: time per document against bare pyHanko",
        f"A prepared {result['pages']}-page Vietnamese document "
        f"({result['bytes'] / 1024:.0f} KiB) signed with a visible 170×70 pt stamp; the "
        "baseline is pyHanko's `PdfSigner` with a local key already loaded in memory (stock "
        "`SimpleSigner` re-parses the key for each signature, which cryptography makes slow, "
        "so it is shown apart) and the same appearance, field and "
        f"reserved size. {WARMUP} discarded warm-ups, then {result['rounds']} interleaved "
        "rounds; medians per document.",
        table(["variant", "ms per document", "of which in KMS calls", "/ bare pyHanko"], rows),
        f"**Ratio `sign_leader` / bare pyHanko: {ratio:.2f}×** (target ≤ {TARGET_RATIO}×: "
        f"{verdict}). Rounds (ms): bare "
        + ", ".join(ms(s) for s in result["times"]["baseline"]) + "; `sign_leader` "
        + ", ".join(ms(s) for s in result["times"]["sign_leader"]) + ".",
        f"_Whole run: {result['seconds']:.0f} s._",
    ])


if __name__ == "__main__":
    import sys

    print(markdown(measure(quick="--quick" in sys.argv[1:])))
