"""File answers of the API: a body, its type and the name a browser saves it
under (``attachment``) or shows it with (``inline``); and the registers, which
every register route answers alike as JSON rows, an XLSX sheet or a PDF."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from chalice import Response

from chalicelib.outputs.pdf import table_document
from chalicelib.outputs.sheets import XLSX, to_xlsx

PDF = "application/pdf"
# A4 landscape less 10 mm margins: the width register columns are scaled to.
LANDSCAPE_WIDTH_MM = 277


def file_response(body: bytes | str, content_type: str, filename: str, *,
                  inline: bool = False, no_store: bool = False) -> Response:
    """``no_store`` for files drawn from data that changes (a browser must not
    show yesterday's copy)."""
    headers = {"Content-Type": content_type,
               "Content-Disposition": f'{"inline" if inline else "attachment"}; '
                                      f'filename="{filename}"'}
    if no_store:
        headers["Cache-Control"] = "no-store"
    return Response(body=body, status_code=200, headers=headers)


def register_answer(fmt: str | None, *, title: str, subtitle: str, header: Sequence[str],
                    rows: Sequence[Sequence[Any]], widths: Sequence[int], stem: str) -> Any:
    """A register in the format asked for: ``xlsx``, ``pdf`` (its columns scaled
    to the landscape page) or else JSON with the same title and rows."""
    if fmt == "xlsx":
        return file_response(to_xlsx(title, header, rows, widths), XLSX, f"{stem}.xlsx")
    if fmt == "pdf":
        total = sum(widths)
        scaled = [w * LANDSCAPE_WIDTH_MM / total for w in widths]
        return file_response(table_document(title, subtitle, header, rows, scaled), PDF,
                             f"{stem}.pdf")
    return {"title": title, "subtitle": subtitle, "columns": list(header), "rows": rows}
