"""The one-stop shop (một cửa) as the rest of the application calls it: the
procedure catalogue, dossiers received online or at the desk, their code and
appointment, processing step by step with the control slip, requests for
additional papers that stop the clock, withdrawal, results, the public lookup,
the counters behind report form 06 and the apology letters of late dossiers.

Each job has its module; this one only gathers their public names, so that
routes, jobs, the local seed, benches and tests keep one place to call:

- ``procedures``: the catalogue (``ensure_catalogue``, ``catalogue``);
- ``reception``: receiving a dossier, its receipt, refusals at the desk;
- ``reading``: one dossier, the month's list, the public lookup;
- ``processing``: the step hand-offs (``advance``);
- ``supplements`` and ``withdrawal``: additional papers, withdrawal, stopping;
- ``results``: the signed result and its return;
- ``reports``: form 06; ``apologies``: letters for late dossiers;
- ``store``: where all of it lives in the table (``OneStopStore``).
"""

from __future__ import annotations

from chalicelib.onestop.apologies import draft_apologies
from chalicelib.onestop.dossiers import (
    DEFAULT_RECEIVING_CODE,
    RECEIVING_UNIT,
    TZ,
    Deps,
    S,
    chain_of,
    load_dossier,
)
from chalicelib.onestop.procedures import catalogue, ensure_catalogue
from chalicelib.onestop.processing import advance
from chalicelib.onestop.reading import list_visible, lookup, view
from chalicelib.onestop.reception import (
    UPLOADS,
    receipt_pdf,
    receive,
    refusal_slip,
    refuse_at_desk,
    upload_form,
)
from chalicelib.onestop.reports import FORM06_COLUMNS, form06
from chalicelib.onestop.results import (
    public_result_url,
    record_result,
    request_result,
    result_url,
    return_result,
)
from chalicelib.onestop.supplements import request_supplement, supplied, supply_online
from chalicelib.onestop.withdrawal import stop, withdraw

__all__ = [
    "DEFAULT_RECEIVING_CODE", "FORM06_COLUMNS", "RECEIVING_UNIT", "TZ", "UPLOADS", "Deps", "S",
    "advance", "catalogue", "chain_of", "draft_apologies", "ensure_catalogue", "form06",
    "list_visible", "load_dossier", "lookup", "public_result_url", "receipt_pdf", "receive",
    "record_result",
    "refusal_slip", "refuse_at_desk", "request_result", "request_supplement", "result_url",
    "return_result", "stop", "supplied", "supply_online", "upload_form", "view", "withdraw",
]
