"""The workflow step of evaluation: at publication, every person's form signed
with the publishing leader's KMS key (a visible PAdES signature, like an issued
document's) and kept in the documents bucket. pyHanko and the PDF libraries load
only inside the step, never at the app's import."""

from __future__ import annotations

from chalicelib.evaluation.service import FORMS_REQUESTED, Evaluations, SignForm
from chalicelib.kernel.events import DomainEvent
from chalicelib.kernel.subscribers import subscribe


@subscribe(FORMS_REQUESTED, name="sign_evaluation_forms", needs=("evaluations",))
def sign_evaluation_forms(event: DomainEvent, evaluations: Evaluations) -> None:
    p = event.payload
    evaluations.sign_forms(p["unit"], p["period"], p["signer"], signer_of(evaluations))


def signer_of(use_cases: Evaluations) -> SignForm:
    """The signing adapter as the use case takes it: (pdf, area, signer) → pdf,
    with the signer's handwritten signature image when they have one."""

    def sign(pdf: bytes, area: tuple[int, float, float, float, float], signer: str) -> bytes:
        from chalicelib.adapters.signing.appearance import leader_stamp
        from chalicelib.adapters.signing.pdf import Box, sign_leader
        from chalicelib.kernel.events import utcnow
        from chalicelib.signing import keys as signing_keys

        box = Box(*area)
        profile = use_cases.directory.user(signer) or {}
        image = None
        if profile.get("signature_key") and use_cases.files is not None:
            image = use_cases.files.get(str(profile["signature_key"]))
        appearance = leader_stamp(width=box.width, height=box.height,
                                  full_name=str(profile.get("full_name") or signer),
                                  position=str(profile.get("title") or ""), signed_at=utcnow(),
                                  signature_png=image)
        return sign_leader(pdf, signer=signing_keys.signer_for(signer, use_cases.store.table),
                           box=box, appearance_pdf=appearance, field_name="DecisionSignature",
                           reason="Quyết định xếp loại chất lượng")

    return sign
