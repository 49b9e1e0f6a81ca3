"""Signing keys and their certificates: one KMS key per signer and one for the
agency seal. The private keys never leave KMS: certificates and requests are
signed through it (``chalicelib/adapters/signing/pki.py``).

In production the department's CA issues the certificates: an administrator
creates the key here, downloads its CSR, and installs the issued chain. In the
local runtime (and the tests) a development CA, itself a KMS key, issues them.

The keys, certificates and trust roots are kept by ``signing/store.py``
(``SigningStore``).
"""

from __future__ import annotations

from typing import Any

from chalicelib.adapters.dynamo import Table
from chalicelib.audit import trail as audit
from chalicelib.kernel.errors import FieldProblem, Forbidden, InvalidInput, NotFound
from chalicelib.kernel.events import iso, utcnow
from chalicelib.kernel.identity import Caller, Role
from chalicelib.signing.store import AGENCY, SigningStore


def key_of(owner: str, table: Table) -> dict[str, Any] | None:
    return SigningStore(table).key(owner)


def _profile(owner: str, table: Table) -> dict[str, Any] | None:
    from chalicelib.organisation.store import Directory

    return Directory(table).user(owner)


def _kms() -> Any:
    from chalicelib.adapters.aws import client

    return client("kms")


def _subject_for(owner: str, table: Table) -> Any:
    from chalicelib.adapters.signing.pki import Subject
    from chalicelib.organisation.service import agency_profile

    agency = agency_profile(table)
    if owner == AGENCY:
        return Subject(common_name=agency["name"].title() if agency["name"].isupper()
                       else agency["name"], organization=agency["name"])
    profile = _profile(owner, table) or {}
    return Subject(common_name=str(profile.get("full_name") or owner),
                   organization=agency["name"], title=profile.get("title") or None,
                   unit=profile.get("unit") or None, email=profile.get("email") or None)


def _save_key(table: Table, owner: str, caller: Caller | None, action: str, summary: str,
              **fields: Any) -> dict[str, Any]:
    store = SigningStore(table)
    before = store.key(owner) or {}
    uow = store.unit_of_work()
    item = store.save_key(uow, {**before, "owner": owner, "updated_at": iso(utcnow()),
                                **fields})
    chain = "unit:pki" if owner == AGENCY else f"user:{owner}"
    audit.append(uow, audit.head_of(chain, table), caller, action, summary=summary,
                 actor=None if caller else "system")
    uow.commit()
    return item


def trust_roots(table: Table) -> list[Any]:
    from chalicelib.adapters.signing.pki import load_chain

    items = SigningStore(table).trust_roots()
    return [cert for i in items for cert in load_chain(i["pem"])]


def add_trust_root(caller: Caller | None, pem: str, table: Table
                   ) -> dict[str, Any]:
    from chalicelib.adapters.signing.pki import CertificateError, describe, load_chain, to_pem

    try:
        certs = load_chain(pem)
    except CertificateError as exc:
        raise InvalidInput(str(exc), str(exc), "invalid_certificate",
                           [FieldProblem("pem", "Không đọc được chứng thư.",
                                         "Unreadable certificate.")]) from exc
    root = certs[-1]
    info = describe(root)
    if not info["is_ca"]:
        raise InvalidInput("Chứng thư gốc phải là chứng thư CA.",
                           "A trust root must be a CA certificate.", "invalid_certificate",
                           [FieldProblem("pem", "Không phải CA.", "Not a CA.")])
    SigningStore(table).add_trust_root({"pem": to_pem(root), **info, "added_at": iso(utcnow()),
                                        "added_by": caller.username if caller else "system"})
    audit.record("unit:pki", caller, "pki.trust_root",
                 summary=f"Thêm gốc tin cậy {info['subject']}",
                 actor=None if caller else "system", table=table)
    return info


def signer_for(owner: str, table: Table) -> Any:
    """A pyHanko signer for the owner's KMS key (loads pyHanko: call from steps only)."""
    from chalicelib.adapters.signing.kms import KmsSigner, SigningError
    from chalicelib.adapters.signing.pki import load_chain

    item = key_of(owner, table)
    if not item or not item.get("chain_pem"):
        raise SigningError(f"Chưa có chứng thư số cho {owner}.",
                           f"No certificate is installed for {owner}.")
    chain = load_chain(item["chain_pem"])
    return KmsSigner(_kms(), item["key_id"], chain[0], chain[1:])


# ---------------------------------------------------------------- administration

def key_tags(owner: str) -> dict[str, str]:
    """The policies of the functions that sign allow only keys tagged for their stage."""
    from chalicelib.kernel.config import stage

    return {"eoffice:stage": stage(), "eoffice:owner": owner}


def _admin(caller: Caller) -> None:
    if Role.ADMIN not in caller.roles:
        raise Forbidden()


def _owner_ok(owner: str, table: Table) -> None:
    if owner == AGENCY:
        return
    if _profile(owner, table) is None:
        raise NotFound()


def create_key(caller: Caller | None, owner: str, table: Table
               ) -> dict[str, Any]:
    """A new KMS key for a signer and its certificate request."""
    from chalicelib.adapters.signing.kms import create_signing_key
    from chalicelib.adapters.signing.pki import make_csr
    from chalicelib.kernel.config import get_settings

    if caller is not None:
        _admin(caller)
    _owner_ok(owner, table)
    kms = _kms()
    if owner == AGENCY:
        key_id = get_settings().agency_key_id
    else:
        key_id = create_signing_key(kms, description=f"eoffice signer {owner}",
                                    tags=key_tags(owner))
    csr = make_csr(kms, key_id, _subject_for(owner, table))
    return _public(_save_key(table, owner, caller, "pki.key", "Tạo khoá ký số trong KMS",
                             key_id=key_id, csr_pem=csr, chain_pem=None, certificate=None,
                             created_at=iso(utcnow())))


def install_chain(caller: Caller | None, owner: str, pem: str, table: Table
                  ) -> dict[str, Any]:
    """Accept the chain the CA issued for the owner's key (checked against KMS)."""
    from chalicelib.adapters.signing.pki import (
        CertificateError,
        check_chain_for_key,
        describe,
        load_chain,
    )
    from chalicelib.adapters.signing.pki import to_pem as cert_pem

    if caller is not None:
        _admin(caller)
    item = key_of(owner, table)
    if item is None:
        raise NotFound("Chưa tạo khoá cho người này.", "No key has been created for this owner.")
    try:
        chain = load_chain(pem)
        check_chain_for_key(_kms(), item["key_id"], chain)
    except CertificateError as exc:
        raise InvalidInput(str(exc), str(exc), "invalid_certificate",
                           [FieldProblem("pem", str(exc), str(exc))]) from exc
    info = describe(chain[0])
    return _public(_save_key(table, owner, caller, "pki.certificate",
                             f"Cài chứng thư số {info['serial']} ({info['issuer']})",
                             chain_pem="".join(cert_pem(c) for c in chain), certificate=info))


def _public(item: dict[str, Any]) -> dict[str, Any]:
    return {k: item.get(k) for k in ("owner", "key_id", "certificate", "csr_pem",
                                     "created_at", "updated_at")} | {
        "has_certificate": bool(item.get("chain_pem"))}


def overview(caller: Caller, table: Table) -> dict[str, Any]:
    """For the administrator's page: every key with its certificate, and the roots."""
    _admin(caller)
    from chalicelib.organisation.service import list_users

    keys = []
    agency = key_of(AGENCY, table)
    keys.append({"owner": AGENCY, "full_name": "Con dấu cơ quan", **(
        _public(agency) if agency else {"has_certificate": False})})
    for user in list_users(table=table):
        if not set(user["roles"]) & {"leader", "unit_head"}:
            continue
        item = key_of(user["username"], table)
        keys.append({"owner": user["username"], "full_name": user["full_name"],
                     "title": user.get("title"), **(_public(item) if item else {
                         "has_certificate": False})})
    roots = [{k: i.get(k) for k in ("subject", "issuer", "serial", "not_before", "not_after",
                                    "sha256", "added_at", "added_by")}
             for i in SigningStore(table).trust_roots()]
    dev = SigningStore(table).dev_ca()
    return {"keys": keys, "trust_roots": roots, "development_ca": bool(dev)}


# ---------------------------------------------------------------- development CA

def ensure_dev_pki(owners: list[str] | None = None, *, table: Table) -> None:
    """Local runtime and tests only: a development CA in KMS that certifies the
    agency key and every leader's and head of unit's key. Idempotent."""
    from chalicelib.adapters.signing.kms import create_signing_key, public_key_info
    from chalicelib.adapters.signing.pki import (
        Subject,
        create_dev_root,
        issue_certificate,
        load_chain,
    )
    from chalicelib.adapters.signing.pki import to_pem as cert_pem
    from chalicelib.kernel.config import get_settings

    settings = get_settings()
    if settings.stage not in ("local", "test", "dev"):
        raise Forbidden("CA phát triển chỉ dùng ở môi trường thử nghiệm.",
                        "The development CA is for non-production stages only.")
    kms = _kms()
    store = SigningStore(table)
    dev = store.dev_ca()
    if dev is None:
        ca_key = create_signing_key(kms, description="eoffice development CA (not for production)",
                                    tags=key_tags("dev-ca"))
        root = create_dev_root(kms, ca_key, name="eoffice CA phát triển (không dùng thật)")
        dev = store.add_dev_ca(ca_key, cert_pem(root))
        add_trust_root(None, dev["pem"], table)
    root = load_chain(dev["pem"])[0]
    if owners is None:
        from chalicelib.organisation.service import list_users

        # Leaders sign; heads of unit sign TL. or for their unit's own papers.
        owners = [u["username"] for u in list_users(table=table)
                  if set(u["roles"]) & {"leader", "unit_head"} and u["status"] == "active"]
    for owner in [AGENCY, *owners]:
        item = key_of(owner, table)
        if item and item.get("chain_pem"):
            continue
        if not item:
            key_id = (settings.agency_key_id if owner == AGENCY
                      else create_signing_key(kms, description=f"eoffice signer {owner}",
                                              tags=key_tags(owner)))
        else:
            key_id = item["key_id"]
        subject: Subject = _subject_for(owner, table)
        cert = issue_certificate(kms, ca_key_id=dev["key_id"], ca_cert=root, subject=subject,
                                 public_key=public_key_info(kms, key_id), seal=owner == AGENCY)
        from chalicelib.adapters.signing.pki import describe

        _save_key(table, owner, None, "pki.certificate", "CA phát triển cấp chứng thư số",
                  key_id=key_id, chain_pem=cert_pem(cert) + dev["pem"],
                  certificate=describe(cert), created_at=iso(utcnow()))
