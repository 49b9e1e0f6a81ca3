"""Where signing keys and certificates live in the table, and the only code that
knows their keys.

- ``USER#{username}/SIGNING_KEY`` a signer's key and ``AGENCY/SIGNING_KEY`` the
  agency seal's (kind ``signing_key``: owner, key_id in KMS, csr_pem, chain_pem,
  certificate);
- ``PKI/TRUST#{sha256}`` a trust root verification accepts (pem, subject, issuer,
  serial, validity, sha256, added_at, added_by);
- ``PKI/DEVCA`` the development CA (key_id of its KMS key, pem);
- ``CONFIG#agency/SEAL`` the image of the agency's seal (``key`` in S3), when
  one was configured.
"""

from __future__ import annotations

from typing import Any

from chalicelib.adapters.dynamo import put_op
from chalicelib.adapters.outbox import TableStore, UnitOfWork

AGENCY = "AGENCY"


class SigningStore(TableStore):
    def key(self, owner: str) -> dict[str, Any] | None:
        """``owner``: a username, or ``AGENCY`` for the seal."""
        return self.table.get(*self._key_of(owner), consistent=True)

    def save_key(self, uow: UnitOfWork, item: dict[str, Any]) -> dict[str, Any]:
        """The owner's key item as a whole (``item["owner"]`` names it). Returns it as stored."""
        pk, sk = self._key_of(item["owner"])
        stored = {**item, "pk": pk, "sk": sk, "kind": "signing_key"}
        uow.add(put_op(stored))
        return stored

    def trust_roots(self) -> list[dict[str, Any]]:
        return self.table.query("PKI", sk_prefix="TRUST#", limit=100).items

    def add_trust_root(self, root: dict[str, Any]) -> None:
        """``root["sha256"]`` names it; adding it again replaces it."""
        self.table.put({"pk": "PKI", "sk": f"TRUST#{root['sha256']}", "kind": "trust_root",
                        **root})

    def dev_ca(self) -> dict[str, Any] | None:
        return self.table.get("PKI", "DEVCA", consistent=True)

    def add_dev_ca(self, key_id: str, pem: str) -> dict[str, Any]:
        item = {"pk": "PKI", "sk": "DEVCA", "kind": "dev_ca", "key_id": key_id, "pem": pem}
        self.table.put(item)
        return item

    def seal_image(self) -> str | None:
        """The S3 key of the seal's image, if the agency configured one."""
        seal = self.table.get("CONFIG#agency", "SEAL")
        return str(seal["key"]) if seal and seal.get("key") else None

    @staticmethod
    def _key_of(owner: str) -> tuple[str, str]:
        return (AGENCY, "SIGNING_KEY") if owner == AGENCY else (f"USER#{owner}", "SIGNING_KEY")
