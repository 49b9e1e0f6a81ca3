"""The stack's IAM around the audit trail (#21 item 6), read from the files that
deploy it: the checkpoints of the chains are written, and their key used for
signing, by the anchoring job's role alone; entries stay append-only for all."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from chalicelib.audit.anchor import anchor_alias

ROOT = Path(__file__).resolve().parents[2]
CHALICE = ROOT / ".chalice"
ANCHOR = "policy-audit-anchor.json"
WRITES = {"dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem",
          "dynamodb:BatchWriteItem"}


def _policies() -> dict[str, dict[str, Any]]:
    return {p.name: json.loads(p.read_text("utf-8")) for p in CHALICE.glob("policy-*.json")}


def _actions(statement: dict[str, Any]) -> set[str]:
    action = statement["Action"]
    return {action} if isinstance(action, str) else set(action)


def _allowed(policy: dict[str, Any]) -> set[str]:
    return {a for s in policy["Statement"] if s["Effect"] == "Allow" for a in _actions(s)}


def _denied(policy: dict[str, Any], prefix: str) -> set[str]:
    """Table actions the policy denies on partitions ``prefix``."""
    out: set[str] = set()
    for s in policy["Statement"]:
        keys = (s.get("Condition", {}).get("ForAnyValue:StringLike", {})
                .get("dynamodb:LeadingKeys", []))
        if s["Effect"] == "Deny" and prefix in keys and s["Resource"] == [
                {"Fn::GetAtt": ["Table", "Arn"]}]:
            out |= _actions(s)
    return out


def _uses_anchor_key(statement: dict[str, Any]) -> bool:
    return statement.get("Resource") == {"Fn::GetAtt": ["AuditAnchorKey", "Arn"]}


def _template() -> dict[str, Any]:
    from chalicelib.local.provision import load_template

    return load_template()


def test_the_anchoring_job_has_a_role_of_its_own() -> None:
    config = json.loads((CHALICE / "config.json").read_text("utf-8"))
    assert config["lambda_functions"]["anchor_audit"]["iam_policy_file"] == ANCHOR
    others = {name for name, fn in config["lambda_functions"].items()
              if fn.get("iam_policy_file") == ANCHOR}
    assert others == {"anchor_audit"}


@pytest.mark.parametrize("name", sorted(set(_policies()) - {ANCHOR}))
def test_no_other_role_writes_checkpoints_or_signs_with_their_key(name: str) -> None:
    policy = _policies()[name]
    if _allowed(policy) & WRITES:
        # PutItem also governs the Put of a TransactWriteItems (IAM has no action
        # of its own for transactions): one deny covers both.
        assert _denied(policy, "AUDITCP#*") >= WRITES, name
        assert _denied(policy, "AUDIT#*") >= WRITES - {"dynamodb:PutItem"}, name
    for s in policy["Statement"]:
        if _uses_anchor_key(s) and s["Effect"] == "Allow":
            assert "kms:Sign" not in _actions(s), name
    if "kms:Sign" in _allowed(policy):
        assert any(_uses_anchor_key(s) and s["Effect"] == "Deny"
                   and "kms:Sign" in _actions(s) for s in policy["Statement"]), name


def test_the_anchor_signs_and_appends_checkpoints_and_nothing_else() -> None:
    policy = _policies()[ANCHOR]
    assert _allowed(policy) & WRITES == {"dynamodb:PutItem"}
    assert _denied(policy, "AUDIT#*") >= WRITES  # writes no entry of any chain
    assert _denied(policy, "AUDITCP#*") >= WRITES - {"dynamodb:PutItem"}
    assert any(_uses_anchor_key(s) and s["Effect"] == "Allow" and "kms:Sign" in _actions(s)
               for s in policy["Statement"])
    assert "dynamodb:Scan" not in _allowed(policy)


def test_the_anchor_key_is_an_untagged_signing_key_under_the_apps_alias() -> None:
    resources = _template()["Resources"]
    key = resources["AuditAnchorKey"]["Properties"]
    assert (key["KeySpec"], key["KeyUsage"]) == ("RSA_2048", "SIGN_VERIFY")
    # The other roles may sign with keys tagged with the stage (the signers' keys).
    assert "Tags" not in key
    alias = resources["AuditAnchorKeyAlias"]["Properties"]
    assert alias["TargetKeyId"] == {"Ref": "AuditAnchorKey"}
    name = alias["AliasName"]
    name = name.get("Fn::Sub", name) if isinstance(name, dict) else name
    assert name.replace("${Stage}", "prod") == anchor_alias("prod")
