"""Administering the department: units, user accounts, delegations.

Every change is one transaction with its audit entry (chains ``unit:{code}``
and ``user:{username}``). Cognito is changed first for what sign-in needs
(account, password, enabled), then the profile item, which is what the
authorizer reads on every request: a role or unit change applies at the next
request, and a disabled account is refused at once.
"""

from __future__ import annotations

import hashlib
import time
import uuid
from datetime import date
from decimal import Decimal
from typing import Any

from chalicelib.adapters.cognito import CognitoDirectory
from chalicelib.adapters.dynamo import Table
from chalicelib.audit.trail import Trail
from chalicelib.kernel import filetypes
from chalicelib.kernel.errors import FieldProblem, InvalidInput, NotFound
from chalicelib.kernel.events import DomainEvent, iso, utcnow
from chalicelib.kernel.identity import Caller, Role
from chalicelib.kernel.ports import AuditTrail
from chalicelib.organisation.rules import (
    DEFAULT_AGENCY,
    UNIT_ABBREVIATION,
    UNIT_CODE,
    USERNAME,
    Delegation,
    DelegationKind,
    UnitKind,
    check_delegation,
    check_unit_parent,
    generate_password,
    unit_abbreviation,
)
from chalicelib.organisation.store import Directory, directory_over, known_user

SIGNATURE_MAX_BYTES = 512 * 1024


def _now_mark() -> Decimal:
    """When tokens issued before now stop working (see users.revoke_sessions)."""
    return Decimal(str(round(time.time(), 3)))



def _trail(store: Directory, trail: AuditTrail | None) -> AuditTrail:
    return trail or Trail(store.table)


# ---------------------------------------------------------------- units

def list_units(table: Table | None = None, *,
               store: Directory | None = None) -> list[dict[str, Any]]:
    return [_unit_view(i) for i in directory_over(table, store).units()]


def _unit_view(item: dict[str, Any]) -> dict[str, Any]:
    return {"code": item["code"], "name": item["name"], "kind": item.get("unit_kind"),
            "parent": item.get("parent"), "version": int(item.get("version", 1)),
            "review_completion": bool(item.get("review_completion")),
            "abbreviation": unit_abbreviation(item, item["code"])}


def _unit_item(code: str, name: str, kind: UnitKind, parent: str | None,
               version: int, review_completion: bool, abbreviation: str | None
               ) -> dict[str, Any]:
    item = {"code": code, "name": name, "unit_kind": kind.value, "parent": parent,
            "version": version, "review_completion": review_completion,
            "updated_at": iso(utcnow())}
    if abbreviation:
        item["abbreviation"] = abbreviation
    return item


def _checked_abbreviation(value: str | None) -> str | None:
    import unicodedata

    if value is None or not value.strip():
        return None
    text = unicodedata.normalize("NFC", value.strip().upper())
    if not UNIT_ABBREVIATION.match(text):
        raise InvalidInput("Tên viết tắt của đơn vị không hợp lệ.", "Invalid unit abbreviation.",
                           "invalid_abbreviation",
                           [FieldProblem("abbreviation",
                                         "Chữ in hoa và số, không dấu cách (tối đa 20), "
                                         "ví dụ ĐKKD.",
                                         "Upper-case letters and digits, no spaces (20 at most), "
                                         "e.g. ĐKKD.")])
    return text


def save_unit(caller: Caller, code: str, name: str, kind: UnitKind, parent: str | None,
              version: int | None, table: Table | None = None, *,
              review_completion: bool | None = None, abbreviation: str | None = None,
              store: Directory | None = None, trail: AuditTrail | None = None
              ) -> dict[str, Any]:
    """Create (version None) or update (the version the editor saw).
    ``review_completion``: the head reviews an officer's completion before the
    unit's part closes (None keeps the unit's current rule; new units: off).
    ``abbreviation``: what the unit's documents print in their symbol ("ĐKKD";
    None keeps the current one; none at all prints the code)."""
    store = directory_over(table, store)
    trail = _trail(store, trail)
    if not UNIT_CODE.match(code):
        raise InvalidInput("Mã đơn vị không hợp lệ.", "Invalid unit code.", "invalid_code",
                           [FieldProblem("code", "Chữ in hoa, số, dấu chấm hoặc gạch (tối đa 20).",
                                         "Upper-case letters, digits, '.', '-' (20 at most).")])
    units = {u["code"]: u for u in list_units(store=store)}
    current = units.get(code)
    if version is None and current is not None:
        from chalicelib.kernel.errors import Conflict

        raise Conflict("Mã đơn vị đã tồn tại.", "The unit code is taken.", "code_taken")
    if version is not None and current is None:
        raise NotFound()
    check_unit_parent(code, parent, {c: u["parent"] for c, u in units.items()})
    abbreviation = _checked_abbreviation(abbreviation)
    if abbreviation is None and current is not None and current["abbreviation"] != code:
        abbreviation = current["abbreviation"]
    new_version = 1 if version is None else version + 1
    if review_completion is None:
        review_completion = bool(current and current.get("review_completion"))
    item = _unit_item(code, name, kind, parent, new_version, review_completion, abbreviation)
    uow = store.unit_of_work()
    if version is None:
        store.add_unit(uow, item)
    else:
        store.save_unit(uow, version, item)
    chain = f"unit:{code}"
    trail.append(uow, trail.head(chain), caller,
                 "unit.create" if version is None else "unit.update",
                 summary=name, before=current, after=_unit_view(item))
    uow.emit(DomainEvent("unit.saved", chain, {"code": code}))
    uow.commit()
    return _unit_view(item)


# ---------------------------------------------------------------- users

def _profile_view(item: dict[str, Any]) -> dict[str, Any]:
    return {
        "username": item["username"], "full_name": item.get("full_name", ""),
        "email": item.get("email"), "unit": item.get("unit"), "unit_name": item.get("unit_name"),
        "title": item.get("title", ""), "roles": sorted(item.get("roles") or []),
        "status": item.get("status", "active"), "version": int(item.get("version", 1)),
        "has_signature": bool(item.get("signature_key")),
        "category": item.get("category") or "cong_chuc",
    }


def get_user(username: str, table: Table | None = None, *,
             store: Directory | None = None) -> dict[str, Any]:
    return _profile_view(known_user(directory_over(table, store), username))


def list_users(unit: str | None = None, table: Table | None = None, *,
               store: Directory | None = None) -> list[dict[str, Any]]:
    store = directory_over(table, store)
    units = [unit] if unit else [u["code"] for u in list_units(store=store)]
    out: list[dict[str, Any]] = []
    for code in units:
        out.extend(_profile_view(i) for i in store.members(code))
    return sorted(out, key=lambda u: (u["unit"] or "", u["username"]))


def _unit_name(code: str, store: Directory) -> str:
    item = store.unit(code)
    if item is None:
        raise InvalidInput("Đơn vị không tồn tại.", "The unit does not exist.", "invalid_unit",
                           [FieldProblem("unit", "Không tồn tại.", "Does not exist.")])
    return str(item["name"])


def _cognito_attributes(full_name: str, email: str, unit: str) -> dict[str, str]:
    return {"name": full_name, "email": email, "email_verified": "true", "custom:unit": unit}


def create_user(caller: Caller, *, username: str, full_name: str, email: str, unit: str,
                roles: list[Role], title: str, category: str | None = None,
                table: Table | None = None,
                directory: CognitoDirectory | None = None, store: Directory | None = None,
                trail: AuditTrail | None = None) -> tuple[dict[str, Any], str]:
    """Returns the profile and the initial password, shown once to the administrator."""
    store = directory_over(table, store)
    trail = _trail(store, trail)
    directory = directory or CognitoDirectory()
    if not USERNAME.match(username):
        raise InvalidInput("Tên đăng nhập không hợp lệ.", "Invalid username.", "invalid_username",
                           [FieldProblem("username", "3–64 ký tự: chữ thường, số, . _ -",
                                         "3-64 characters: lower-case letters, digits, . _ -")])
    unit_name = _unit_name(unit, store)
    password = generate_password()
    directory.create(username, _cognito_attributes(full_name, email, unit), password)
    directory.set_groups(username, {r.value for r in roles})
    now = iso(utcnow())
    item = {
        "username": username, "full_name": full_name, "email": email, "unit": unit,
        "unit_name": unit_name, "title": title, "roles": sorted(r.value for r in roles),
        "status": "active", "version": 1, "created_at": now, "updated_at": now,
    }
    if category:
        item["category"] = category
    uow = store.unit_of_work()
    store.add_user(uow, item)
    chain = f"user:{username}"
    trail.append(uow, trail.head(chain), caller, "user.create", summary=full_name,
                 after=_profile_view(item))
    uow.emit(DomainEvent("user.created", chain, {"username": username}))
    uow.commit()
    return _profile_view(item), password


def _load_profile(username: str, store: Directory) -> dict[str, Any]:
    item = store.user_to_change(username)
    if item is None:
        raise NotFound()
    return item


def _save_profile(caller: Caller, before: dict[str, Any], after: dict[str, Any], action: str,
                  store: Directory, trail: AuditTrail | None, summary: str = ""
                  ) -> dict[str, Any]:
    trail = _trail(store, trail)
    version = int(before.get("version", 1))
    after = {**after, "version": version + 1, "updated_at": iso(utcnow())}
    uow = store.unit_of_work()
    store.save_user(uow, before, after)
    chain = f"user:{after['username']}"
    trail.append(uow, trail.head(chain), caller, action, summary=summary,
                 before=_profile_view(before), after=_profile_view(after))
    uow.emit(DomainEvent(action, chain, {"username": after["username"]}))
    uow.commit()
    return _profile_view(after)


def update_user(caller: Caller, username: str, *, version: int, full_name: str, email: str,
                unit: str, roles: list[Role], title: str, category: str | None = None,
                table: Table | None = None,
                directory: CognitoDirectory | None = None, store: Directory | None = None,
                trail: AuditTrail | None = None) -> dict[str, Any]:
    store = directory_over(table, store)
    directory = directory or CognitoDirectory()
    before = _load_profile(username, store)
    if int(before.get("version", 1)) != version:
        from chalicelib.kernel.errors import Conflict

        raise Conflict()
    unit_name = _unit_name(unit, store)
    directory.update_attributes(username, _cognito_attributes(full_name, email, unit))
    directory.set_groups(username, {r.value for r in roles})
    after = {**before, "full_name": full_name, "email": email, "unit": unit,
             "unit_name": unit_name, "title": title, "roles": sorted(r.value for r in roles)}
    if category:
        after["category"] = category
    return _save_profile(caller, before, after, "user.update", store, trail,
                         summary=full_name)


def set_enabled(caller: Caller, username: str, enabled: bool, table: Table | None = None,
                directory: CognitoDirectory | None = None, store: Directory | None = None,
                trail: AuditTrail | None = None) -> dict[str, Any]:
    store = directory_over(table, store)
    directory = directory or CognitoDirectory()
    if username == caller.username and not enabled:
        raise InvalidInput("Không thể tự khoá tài khoản của mình.",
                           "You cannot disable your own account.", "self_disable")
    before = _load_profile(username, store)
    if enabled:
        directory.enable(username)
    else:
        directory.disable(username)
    after = {**before, "status": "active" if enabled else "disabled"}
    if not enabled:
        after["tokens_valid_after"] = _now_mark()
    return _save_profile(caller, before, after, "user.enable" if enabled else "user.disable",
                         store, trail)


def reset_password(caller: Caller, username: str, table: Table | None = None,
                   directory: CognitoDirectory | None = None, store: Directory | None = None,
                   trail: AuditTrail | None = None) -> str:
    store = directory_over(table, store)
    directory = directory or CognitoDirectory()
    before = _load_profile(username, store)
    password = generate_password()
    # The administrator sees it: the user replaces it at the next sign-in.
    directory.set_password(username, password, temporary=True)
    directory.sign_out(username)
    _save_profile(caller, before, {**before, "tokens_valid_after": _now_mark()},
                  "user.reset_password", store, trail,
                  summary="Đặt lại mật khẩu")
    return password


def set_signature(caller: Caller, username: str, png: bytes, *, s3: Any, bucket: str,
                  table: Table | None = None, store: Directory | None = None,
                  trail: AuditTrail | None = None) -> dict[str, Any]:
    store = directory_over(table, store)
    if filetypes.sniff(png) != filetypes.PNG:
        raise InvalidInput("Ảnh chữ ký phải là tệp PNG.", "The signature image must be a PNG.",
                           "invalid_image",
                           [FieldProblem("image_base64", "Không phải PNG.", "Not a PNG.")])
    if len(png) > SIGNATURE_MAX_BYTES:
        from chalicelib.kernel.errors import TooLarge

        raise TooLarge(SIGNATURE_MAX_BYTES)
    before = _load_profile(username, store)
    digest = hashlib.sha256(png).hexdigest()
    # Content-addressed under the user's id: never a name the client chose.
    key = f"signatures/{uuid.uuid5(uuid.NAMESPACE_URL, username).hex}/{digest}.png"
    s3.put_object(Bucket=bucket, Key=key, Body=png, ContentType="image/png")
    after = {**before, "signature_key": key, "signature_sha256": digest}
    return _save_profile(caller, before, after, "user.signature", store, trail,
                         summary="Cập nhật ảnh chữ ký")


# ---------------------------------------------------------------- delegations

def _delegation(item: dict[str, Any]) -> Delegation:
    return Delegation(
        id=item["id"], grantor=item["grantor"], delegate=item["delegate"],
        kind=DelegationKind(item["delegation_kind"]), start=date.fromisoformat(item["start"]),
        end=date.fromisoformat(item["end"]), status=item.get("status", "active"),
    )


def _delegation_view(item: dict[str, Any]) -> dict[str, Any]:
    return {"id": item["id"], "grantor": item["grantor"], "delegate": item["delegate"],
            "kind": item["delegation_kind"], "start": item["start"], "end": item["end"],
            "note": item.get("note", ""), "status": item.get("status", "active"),
            "created_by": item.get("created_by"), "created_at": item.get("created_at")}


def list_delegations(grantor: str, table: Table | None = None, *,
                     store: Directory | None = None) -> list[dict[str, Any]]:
    return [_delegation_view(i) for i in directory_over(table, store).delegations_of(grantor)]


def delegations_to(delegate: str, table: Table | None = None, *,
                   store: Directory | None = None) -> list[dict[str, Any]]:
    return [_delegation_view(i) for i in directory_over(table, store).delegations_to(delegate)]


def active_delegation_for(delegate: str, day: date, table: Table | None = None, *,
                          store: Directory | None = None) -> dict[str, Any] | None:
    """The delegation under which ``delegate`` acts on ``day`` (shown as KT./TL.)."""
    for view in delegations_to(delegate, table, store=store):
        if view["status"] == "active" and view["start"] <= day.isoformat() <= view["end"]:
            return view
    return None


def create_delegation(caller: Caller, *, grantor: str, delegate: str, kind: DelegationKind,
                      start: date, end: date, note: str, table: Table | None = None,
                      store: Directory | None = None, trail: AuditTrail | None = None
                      ) -> dict[str, Any]:
    store = directory_over(table, store)
    trail = _trail(store, trail)
    grantor_profile = _load_profile(grantor, store)
    if Role.LEADER.value not in (grantor_profile.get("roles") or []):
        raise InvalidInput("Chỉ lãnh đạo Sở mới uỷ quyền ký.", "Only a leader can delegate.",
                           "invalid_grantor")
    try:
        delegate_profile = _load_profile(delegate, store)
    except NotFound as exc:
        raise InvalidInput("Người được uỷ quyền không tồn tại.", "The delegate does not exist.",
                           "invalid_delegate", [FieldProblem("delegate", "Không tồn tại.",
                                                             "Does not exist.")]) from exc
    new = Delegation(uuid.uuid4().hex, grantor, delegate, kind, start, end)
    check_delegation(new, [_delegation(i) for i in store.delegations_of(grantor)])
    if delegate_profile.get("status") != "active":
        raise InvalidInput("Người được uỷ quyền đang bị khoá.", "The delegate is disabled.",
                           "invalid_delegate")
    delegate_roles = set(delegate_profile.get("roles") or [])
    if kind == DelegationKind.KT and Role.LEADER.value not in delegate_roles:
        raise InvalidInput("Ký thay (KT.) chỉ giao cho cấp phó trong Ban Giám đốc.",
                           "KT. goes to a deputy leader.", "invalid_delegate",
                           [FieldProblem("delegate", "Phải là lãnh đạo Sở.", "Must be a leader.")])
    if kind == DelegationKind.TL and delegate_profile.get("unit") != office_unit(store=store):
        raise InvalidInput("Thừa lệnh (TL.) chỉ giao cho lãnh đạo Văn phòng.",
                           "TL. goes to the head of the office.", "invalid_delegate",
                           [FieldProblem("delegate", "Phải thuộc Văn phòng.",
                                         "Must belong to the office.")])
    now = iso(utcnow())
    item = {
        "id": new.id, "grantor": grantor, "delegate": delegate, "delegation_kind": kind.value,
        "start": start.isoformat(), "end": end.isoformat(), "note": note, "status": "active",
        "created_by": caller.username, "created_at": now,
    }
    uow = store.unit_of_work()
    store.add_delegation(uow, item)
    chain = f"user:{grantor}"
    trail.append(uow, trail.head(chain), caller, "delegation.create",
                 summary=f"{kind.value}. cho {delegate}", after=_delegation_view(item))
    uow.emit(DomainEvent("delegation.created", chain, {"id": new.id}))
    uow.commit()
    return _delegation_view(item)


def revoke_delegation(caller: Caller, grantor: str, delegation_id: str,
                      table: Table | None = None, *, store: Directory | None = None,
                      trail: AuditTrail | None = None) -> dict[str, Any]:
    store = directory_over(table, store)
    trail = _trail(store, trail)
    item = store.delegation(grantor, delegation_id)
    if item is None:
        raise NotFound()
    after = {**item, "status": "revoked", "revoked_by": caller.username,
             "revoked_at": iso(utcnow())}
    uow = store.unit_of_work()
    store.end_delegation(uow, after)
    chain = f"user:{grantor}"
    trail.append(uow, trail.head(chain), caller, "delegation.revoke",
                 before=_delegation_view(item), after=_delegation_view(after))
    uow.emit(DomainEvent("delegation.revoked", chain, {"id": delegation_id}))
    uow.commit()
    return _delegation_view(after)


def office_unit(table: Table | None = None, *, store: Directory | None = None) -> str | None:
    for unit in list_units(table, store=store):
        if unit["kind"] == UnitKind.OFFICE.value:
            return str(unit["code"])
    return None


def heads_of(table: Table | None, units: list[str], *,
             store: Directory | None = None) -> list[str]:
    """The active heads of these units, by username."""
    store = directory_over(table, store)
    heads: list[str] = []
    for code in units:
        heads += [u["username"] for u in list_users(code, store=store)
                  if Role.UNIT_HEAD.value in u["roles"] and u["status"] == "active"]
    return heads


def desk_phone(table: Table | None) -> str:
    """The one-stop desk's phone from the agency profile; the default one when
    there is no table to read (the in-memory stores of unit tests)."""
    return agency_profile(table)["desk_phone"] if table is not None else \
        DEFAULT_AGENCY["desk_phone"]


def agency_profile(table: Table | None = None, *,
                   store: Directory | None = None) -> dict[str, str]:
    """The agency as printed on its documents (an administrator may override it)."""
    stored = directory_over(table, store).agency() or {}
    return {k: str(stored.get(k) or v) for k, v in DEFAULT_AGENCY.items()}
