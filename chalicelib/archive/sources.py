"""What the archive reads of the documents it files, through each owning
capability's public loaders; each answers NotFound when the caller may not see
the item (``kernel.access.can_view``), so a case file never lists what its
filer could not open."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from chalicelib.adapters.dynamo import Table
from chalicelib.archive.rules import ItemKind
from chalicelib.kernel.identity import Caller


@dataclass(frozen=True)
class Filed:
    """A document's metadata as the index of a case file shows it (mục lục văn bản)."""

    kind: ItemKind
    ref: str
    number: str  # số, ký hiệu (or the case/dossier code)
    date: str  # ngày tháng of the document (ISO day or instant)
    title: str  # trích yếu
    author: str  # tác giả: the issuing agency or unit
    units: tuple[str, ...]
    file_key: str | None  # its PDF in the documents bucket, if it has one
    sha256: str | None = None
    pages: int | None = None

    def as_entry(self) -> dict[str, Any]:
        return {"item_kind": self.kind.value, "ref": self.ref, "number": self.number,
                "date": self.date, "title": self.title, "author": self.author,
                "units": list(self.units), "file_key": self.file_key, "sha256": self.sha256,
                "pages": self.pages}


def read(caller: Caller, kind: ItemKind, ref: str, table: Table) -> Filed:
    if kind == ItemKind.INCOMING:
        from chalicelib.incoming.service import load_visible

        d = load_visible(caller, ref, table)
        return Filed(kind, ref, str(d.get("so_ky_hieu") or d.get("so_den_text") or ""),
                     str(d.get("ngay_ban_hanh") or d.get("arrival_at") or ""),
                     str(d.get("trich_yeu") or ""), str(d.get("co_quan_ban_hanh") or ""),
                     tuple(d.get("units") or ()), d.get("file_key"), d.get("sha256"),
                     int(d["pages"]) if d.get("pages") is not None else None)
    if kind == ItemKind.OUTGOING:
        from chalicelib.outgoing.service import load

        d = load(caller, ref, table)
        key = d.get("issued_key") or d.get("signed_key") or d.get("current_key")
        return Filed(kind, ref, str(d.get("number_text") or ""),
                     str(d.get("issued_on") or d.get("created_at") or ""),
                     str(d.get("subject") or ""), str(d.get("drafting_unit") or ""),
                     tuple(d.get("units") or ()), key, None, None)
    if kind == ItemKind.COMPLAINT:
        from chalicelib.complaints.service import load_case

        d = load_case(caller, ref, table)
        return Filed(kind, ref, str(d.get("code") or ""), str(d.get("received_at") or ""),
                     str(d.get("summary") or ""), str(d.get("unit") or ""),
                     tuple(d.get("units") or ()), None)
    from chalicelib.onestop.dossiers import load_dossier

    d = load_dossier(caller, ref, table)
    return Filed(kind, ref, str(d.get("code") or ""), str(d.get("received_at") or ""),
                 str((d.get("procedure") or {}).get("name") or ""), str(d.get("unit") or ""),
                 tuple(d.get("units") or ()), None)
