"""The web pages: server-rendered shells in Vietnamese. Pages carry no data of
their own; the page script fetches it from the API with the user's token, so a
page is as public as the login form and every datum goes through a route policy."""

from __future__ import annotations

import mimetypes
from pathlib import Path

from chalice import Blueprint, Response

from chalicelib.api.html import render_page
from chalicelib.api.routing import Call, Policy, route
from chalicelib.kernel.errors import NotFound
from chalicelib.outputs.templating import TEMPLATES

pages_bp = Blueprint(__name__)

STATIC = TEMPLATES / "static"
# The files are ours and few: serve only names that exist in the folder, never a
# path built from the request.
STATIC_FILES = {p.name: p for p in STATIC.iterdir() if p.is_file()} if STATIC.exists() else {}

PAGES = {
    "home": ("home.html", "Trang chủ"),
    "outbox": ("outbox.html", "Hộp thư đi (môi trường cục bộ)"),
    "calendar": ("calendar.html", "Lịch làm việc"),
    "units": ("units.html", "Cơ cấu tổ chức"),
    "users": ("users.html", "Cán bộ và tài khoản"),
    "delegations": ("delegations.html", "Uỷ quyền ký"),
    "audit": ("audit.html", "Nhật ký hoạt động"),
    "intake": ("intake.html", "Tiếp nhận văn bản"),
    "incoming": ("incoming.html", "Văn bản đến"),
    "document": ("document.html", "Văn bản đến"),
    "work": ("work.html", "Công việc của tôi"),
    "notifications": ("notifications.html", "Thông báo"),
    "tasks": ("tasks.html", "Giao việc"),
    "task": ("task.html", "Công việc được giao"),
    "meetings": ("meetings.html", "Lịch họp"),
    "meeting": ("meeting.html", "Cuộc họp"),
    "outgoing": ("outgoing.html", "Văn bản đi"),
    "outgoing-doc": ("outgoing_doc.html", "Văn bản đi"),
    "outgoing-register": ("outgoing_register.html", "Sổ văn bản đi"),
    "pki": ("pki.html", "Chứng thư số"),
    "complaints": ("complaints.html", "Đơn thư"),
    "complaint": ("complaint.html", "Đơn thư"),
    "complaints-dashboard": ("complaints_dashboard.html", "Theo dõi giải quyết đơn thư"),
    "dossiers": ("dossiers.html", "Hồ sơ một cửa"),
    "dossier": ("dossier.html", "Hồ sơ một cửa"),
    "onestop-report": ("onestop_report.html", "Báo cáo tình hình giải quyết TTHC (mẫu số 06)"),
    "search": ("search.html", "Kết quả tìm kiếm"),
    "evaluation": ("evaluation.html", "Đánh giá, xếp loại"),
    "archive": ("archive.html", "Hồ sơ lưu trữ"),
    "iso": ("iso.html", "Quy trình ISO"),
}

# The public verification page: anyone may open it, a few times a minute.
VERIFY_PAGE = Policy.anyone("public verification page", rate_limit=(30, 60))
# The public complaint pages (file one, follow one): the same allowance.
COMPLAINT_PAGE = Policy.anyone("public complaint pages", rate_limit=(30, 60))
# The public one-stop pages (submit a dossier, follow one): the same allowance.
DOSSIER_PAGE = Policy.anyone("public one-stop pages", rate_limit=(30, 60))


def _page_context(page: str) -> dict[str, object]:
    """What a page's form needs from the domain (options fixed by the decree)."""
    if page == "outgoing":
        from chalicelib.kernel import numbering

        return {"document_types": list(numbering.DOCUMENT_TYPES.items()),
                "authorities": list(numbering.SIGNING_AUTHORITIES.items())}
    if page == "work":
        from chalicelib.work.mail_prefs import CHOICE_LABELS, MAIL_KINDS

        return {"mail_kinds": list(MAIL_KINDS.items()),
                "mail_choices": list(CHOICE_LABELS.items())}
    if page in ("complaints", "complaint"):
        from chalicelib.complaints.clocks import CaseKind, Complexity
        from chalicelib.complaints.rules import STATUS_LABELS
        from chalicelib.kernel import numbering

        return {"kinds": [(k.value, k.label_vi) for k in CaseKind],
                "complexities": [(c.value, c.label_vi) for c in Complexity],
                "statuses": [(s.value, label) for s, label in STATUS_LABELS.items()],
                "authorities": list(numbering.SIGNING_AUTHORITIES.items())}
    return {}


@route(pages_bp, "/", policy=Policy.anyone("web app shell"), produces="text/html",
       summary="Home page", tags=("pages",))
def home(call: Call) -> Response:
    return render_page("home.html", title="Trang chủ")


@route(pages_bp, "/login", policy=Policy.anyone("sign-in page"), produces="text/html",
       summary="Sign-in page", tags=("pages",))
def login_page(call: Call) -> Response:
    return render_page("login.html", title="Đăng nhập")


@route(pages_bp, "/app/{page}", policy=Policy.anyone("web app shell"), produces="text/html",
       summary="A page of the web app", tags=("pages",))
def app_page(call: Call) -> Response:
    entry = PAGES.get(call.params["page"])
    if entry is None:
        return render_page("not_found.html", status=404, title="Không tìm thấy")
    template, title = entry
    return render_page(template, title=title, **_page_context(call.params["page"]))


@route(pages_bp, "/verify", policy=VERIFY_PAGE, produces="text/html",
       summary="Public page: check a document by file or printed code", tags=("pages",))
def verify_page(call: Call) -> Response:
    return render_page("verify.html", title="Kiểm tra văn bản", code="")


@route(pages_bp, "/verify/{code}", policy=VERIFY_PAGE, produces="text/html",
       summary="Public page: the code printed under a document's QR, looked up", tags=("pages",))
def verify_code_page(call: Call) -> Response:
    # Only the letters a code may have reach the page (the script looks it up).
    code = "".join(ch for ch in call.params["code"].upper() if ch.isascii() and ch.isalnum())
    return render_page("verify.html", title="Kiểm tra văn bản", code=code[:20])


@route(pages_bp, "/gui-don", policy=COMPLAINT_PAGE, produces="text/html",
       summary="Public page: file a complaint, denunciation or petition", tags=("pages",))
def complaint_file_page(call: Call) -> Response:
    return render_page("complaint_file.html", title="Gửi đơn khiếu nại, tố cáo, phản ánh")


@route(pages_bp, "/tra-cuu-don", policy=COMPLAINT_PAGE, produces="text/html",
       summary="Public page: follow a case by its code and the phone's last 4 digits",
       tags=("pages",))
def complaint_lookup_page(call: Call) -> Response:
    # ?code= (the link of the receipt e-mail) is read by the page script.
    return render_page("complaint_lookup.html", title="Tra cứu đơn")


@route(pages_bp, "/nop-ho-so", policy=DOSSIER_PAGE, produces="text/html",
       summary="Public page: submit an administrative-procedure dossier online",
       tags=("pages",))
def dossier_submit_page(call: Call) -> Response:
    # The catalogue (procedures in force, their papers) is read by the page script.
    return render_page("dossier_submit.html", title="Nộp hồ sơ trực tuyến")


@route(pages_bp, "/tra-cuu", policy=DOSSIER_PAGE, produces="text/html",
       summary="Public page: follow a dossier by its code and the phone's last 4 digits",
       tags=("pages",))
def dossier_lookup_page(call: Call) -> Response:
    # ?code= (the link of the receipt e-mail) is read by the page script.
    return render_page("dossier_lookup.html", title="Tra cứu hồ sơ")


@route(pages_bp, "/static/{name}", policy=Policy.anyone("stylesheets and scripts"),
       produces="text/plain", summary="Static asset", tags=("pages",))
def static_file(call: Call) -> Response:
    path: Path | None = STATIC_FILES.get(call.params["name"])
    if path is None:
        raise NotFound()
    content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    if content_type.startswith("text/") or content_type.endswith("javascript"):
        content_type += "; charset=utf-8"
    return Response(body=path.read_text("utf-8"), status_code=200,
                    headers={"Content-Type": content_type, "Cache-Control": "public, max-age=300",
                             "X-Content-Type-Options": "nosniff"})
