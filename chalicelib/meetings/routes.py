"""Meetings: schedule, change, cancel, answer; and the public answer page that
the link in an invitation opens (outside guests have no account)."""

from __future__ import annotations

from typing import Any

from chalice import Blueprint, Response

from chalicelib.api.routing import Call, Policy, route
from chalicelib.bootstrap import meetings as use_cases
from chalicelib.bootstrap import table
from chalicelib.kernel.errors import Conflict, DomainError, NotFound
from chalicelib.kernel.identity import Role
from chalicelib.meetings.rules import Answer

meetings_bp = Blueprint(__name__)
S = "chalicelib.meetings.schemas:"
SIGNED_IN = Policy.signed_in()
SCHEDULERS = Policy.only(Role.LEADER, Role.UNIT_HEAD, Role.CLERK)


@route(meetings_bp, "/api/meetings", methods=("POST",), body=S + "MeetingIn", policy=SCHEDULERS,
       tags=("meetings",),
       summary="Schedule a meeting; invitations with an .ics go out by e-mail")
def create(call: Call) -> dict[str, Any]:
    return use_cases().create(call.user, call.body.to_input())


@route(meetings_bp, "/api/meetings", query=S + "MeetingListQuery", policy=SIGNED_IN,
       tags=("meetings",),
       summary="Meetings I chair or am invited to (scope=mine), scheduled (scheduled), "
               "or of a unit (unit: its head, leaders); latest start first")
def list_meetings(call: Call) -> dict[str, Any]:
    q = call.query
    if q.scope == "scheduled":
        return use_cases().list_scheduled(call.user, limit=q.limit, cursor=q.cursor, q=q.q)
    if q.scope == "unit":
        return use_cases().list_unit(call.user, q.unit, limit=q.limit, cursor=q.cursor,
                                     q=q.q)
    return use_cases().list_mine(call.user, limit=q.limit, cursor=q.cursor, q=q.q)


@route(meetings_bp, "/api/meetings/{meeting_id}", policy=SIGNED_IN, tags=("meetings",),
       summary="One meeting with its invitations and answers")
def get(call: Call) -> dict[str, Any]:
    return use_cases().view(call.user, call.params["meeting_id"])


@route(meetings_bp, "/api/meetings/{meeting_id}", methods=("PUT",), body=S + "MeetingUpdateIn",
       policy=SIGNED_IN, tags=("meetings",),
       summary="Change a meeting (its chair or scheduler); everyone is invited again")
def update(call: Call) -> dict[str, Any]:
    return use_cases().update(call.user, call.params["meeting_id"], call.body.to_input(),
                           call.body.version)


@route(meetings_bp, "/api/meetings/{meeting_id}/cancel", methods=("POST",), body=S + "CancelIn",
       policy=SIGNED_IN, tags=("meetings",),
       summary="Cancel a meeting (its chair or scheduler); everyone gets METHOD:CANCEL")
def cancel(call: Call) -> dict[str, Any]:
    return use_cases().cancel(call.user, call.params["meeting_id"], call.body.version,
                           call.body.reason)


@route(meetings_bp, "/api/meetings/{meeting_id}/answer", methods=("POST",), body=S + "AnswerIn",
       policy=SIGNED_IN, tags=("meetings",),
       summary="Answer one's own invitation: accept, decline or tentative")
def answer(call: Call) -> dict[str, Any]:
    return use_cases().answer(call.user, call.params["meeting_id"], Answer(call.body.answer))


# ---------------------------------------------------------------- the public answer page

# GET only shows the meeting and asks: mail scanners and link previews open links
# on their own, and must not answer for the guest. The buttons POST.
_PAGE = """<!doctype html>
<html lang="vi">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <meta name="robots" content="noindex">
  <title>{{ heading }} — Cơ quan điện tử</title>
  <link rel="stylesheet" href="/static/app.css">
</head>
<body data-auth="none">
  <main id="main" class="main">
    <h1>{{ heading }}</h1>
    <section class="card">
    {% if meeting %}
      <h2>{{ meeting.title }}</h2>
      <p><strong>Thời gian:</strong> {{ meeting.when }}</p>
      {% if meeting.place %}<p><strong>Địa điểm:</strong> {{ meeting.place }}</p>{% endif %}
      {% if meeting.online_url %}<p><strong>Họp trực tuyến:</strong>
        <a href="{{ meeting.online_url }}" rel="noopener noreferrer">{{ meeting.online_url }}</a>
      </p>{% endif %}
      <p><strong>Chủ trì:</strong> {{ meeting.chair_name }}</p>
      {% if meeting.agenda %}
      <p><strong>Chương trình họp:</strong></p>
      <ol>{% for item in meeting.agenda %}<li>{{ item.title }}</li>{% endfor %}</ol>
      {% endif %}
    {% endif %}
    {% if message %}
      <p class="flash {{ 'ok' if ok else '' }}" role="status">{{ message }}</p>
    {% endif %}
    {% if choices %}
      <p>Kính gửi {{ name }}, trả lời hiện tại: <strong>{{ current }}</strong>.
      Vui lòng chọn:</p>
      <div class="actions">
      {% for value, label in choices %}
        <form method="post" action="{{ action }}&amp;answer={{ value }}" style="display:inline">
          <button type="submit"{% if value == chosen %} autofocus{% endif %}
                  class="{{ '' if value == chosen else 'secondary' }}">{{ label }}</button>
        </form>
      {% endfor %}
      </div>
    {% endif %}
    </section>
  </main>
</body>
</html>
"""

_CHOICES = (("accept", "Tham dự"), ("tentative", "Chưa chắc chắn"), ("decline", "Không tham dự"))


def _page(status: int, heading: str, **context: Any) -> Response:
    from chalicelib.api.html import page_headers
    from chalicelib.outputs.templating import render_string

    defaults = {"meeting": None, "message": "", "ok": False, "choices": (), "name": "",
                "current": "", "action": "", "chosen": None}
    html = render_string(_PAGE, heading=heading, **{**defaults, **context})
    return Response(body=html, status_code=status, headers=page_headers())


def _error_page(exc: DomainError) -> Response:
    if isinstance(exc, NotFound):
        message = exc.message if exc.message != "Không tìm thấy." else (
            "Liên kết không hợp lệ hoặc đã hết hạn.")
        return _page(404, "Không mở được giấy mời", message=message)
    status = 409 if isinstance(exc, Conflict) else 400
    return _page(status, "Không ghi nhận được trả lời", message=exc.message)


@route(meetings_bp, "/api/public/meetings/answer", methods=("GET", "POST"),
       query=S + "PublicAnswerQuery", produces="text/html",
       content_types=("application/json", "application/x-www-form-urlencoded"),
       policy=Policy.anyone("the answer link of a meeting invitation (token)",
                            rate_limit=(30, 60)),
       tags=("meetings",),
       summary="GET shows the invitation and asks; POST records the answer (accept, "
               "decline, tentative). The token in the link is the only credential.")
def public_answer(call: Call) -> Response:
    from urllib.parse import urlencode

    token, chosen = call.query.token, call.query.answer
    try:
        if meetings_bp.current_request.method == "POST":
            if chosen is None:
                return _page(400, "Không ghi nhận được trả lời",
                             message="Chưa chọn câu trả lời.")
            done = use_cases().answer_by_token(token, Answer(chosen), source_ip=call.source_ip,
                                               user_agent=call.headers.get("user-agent", ""))
            return _page(200, "Đã ghi nhận trả lời", ok=True,
                         meeting=done["meeting"],
                         message=f"Cảm ơn. Trả lời của bạn: {done['answer_label']}.")
        shown = use_cases().token_view(token)
    except DomainError as exc:
        return _error_page(exc)
    if shown["status"] == "cancelled":
        return _page(200, "Cuộc họp đã bị huỷ", meeting=shown,
                     message="Cuộc họp này đã bị huỷ; không cần trả lời.")
    return _page(200, "Giấy mời họp", meeting=shown, name=shown["name"],
                 current=shown["answer_label"], choices=_CHOICES, chosen=chosen,
                 action="/api/public/meetings/answer?" + urlencode({"token": token}))


@route(meetings_bp, "/api/meetings/{meeting_id}/letter", methods=("POST",),
       body="chalicelib.outgoing.schemas:LetterIn", policy=Policy.signed_in(),
       tags=("meetings",),
       summary="Draft the meeting's Giấy mời as an outgoing document (chair or scheduler)")
def letter(call: Call) -> dict[str, Any]:
    from chalicelib.adapters.aws import client
    from chalicelib.kernel.config import get_settings
    from chalicelib.meetings.letter import draft_letter

    return draft_letter(call.user, call.params["meeting_id"], signer=call.body.signer,
                        authority=call.body.authority, s3=client("s3"),
                        bucket=get_settings().documents_bucket, table=table())
