"""Tasks given directly by a leader or a head of unit."""

from __future__ import annotations

from typing import Any

from chalice import Blueprint

from chalicelib.api.routing import Call, Policy, route
from chalicelib.bootstrap import tasks as use_cases
from chalicelib.kernel.identity import Role

tasks_bp = Blueprint(__name__)
S = "chalicelib.work.task_schemas:"
SIGNED_IN = Policy.signed_in()


@route(tasks_bp, "/api/tasks", methods=("POST",), body=S + "TaskIn",
       policy=Policy.only(Role.LEADER, Role.UNIT_HEAD), tags=("work",),
       summary="Give a task: lead and supporting assignees, deadline, priority")
def create(call: Call) -> dict[str, Any]:
    b = call.body
    return use_cases().create(call.user, title=b.title, description=b.description, lead=b.lead,
                        supporting=b.supporting, deadline=b.deadline, priority=b.priority)


@route(tasks_bp, "/api/tasks", query=S + "ListQuery", policy=SIGNED_IN, tags=("work",),
       summary="Tasks the caller may see, newest first")
def list_tasks(call: Call) -> dict[str, Any]:
    return use_cases().list_visible(call.user, call.query.cursor, call.query.limit,
                                    q=call.query.q)


@route(tasks_bp, "/api/tasks/{task_id}", policy=SIGNED_IN, tags=("work",),
       summary="One task with its parts and their deadline status")
def get(call: Call) -> dict[str, Any]:
    return use_cases().view(call.user, call.params["task_id"])


@route(tasks_bp, "/api/tasks/{task_id}/progress", methods=("POST",), body=S + "ProgressIn",
       policy=SIGNED_IN, tags=("work",), summary="Report progress on one's part")
def progress(call: Call) -> dict[str, Any]:
    return use_cases().report(call.user, call.params["task_id"], progress=call.body.progress,
                        note=call.body.note)


@route(tasks_bp, "/api/tasks/{task_id}/complete", methods=("POST",), body=S + "ResultIn",
       policy=SIGNED_IN, tags=("work",), summary="Complete one's part with a result")
def complete(call: Call) -> dict[str, Any]:
    return use_cases().complete(call.user, call.params["task_id"], call.body.result)


@route(tasks_bp, "/api/tasks/{task_id}/extension", methods=("POST",), body=S + "ExtensionIn",
       policy=SIGNED_IN, tags=("work",), summary="Ask the assigner for a later deadline")
def extension(call: Call) -> dict[str, Any]:
    return use_cases().request_extension(call.user, call.params["task_id"], until=call.body.until,
                                   reason=call.body.reason)


@route(tasks_bp, "/api/tasks/{task_id}/extension/decision", methods=("POST",),
       body=S + "DecisionIn", policy=Policy.only(Role.LEADER, Role.UNIT_HEAD), tags=("work",),
       summary="The assigner approves or refuses an extension")
def decide(call: Call) -> dict[str, Any]:
    b = call.body
    return use_cases().decide_extension(call.user, call.params["task_id"], assignee=b.assignee,
                                  approve=b.approve, note=b.note)


@route(tasks_bp, "/api/tasks/{task_id}/reopen", methods=("POST",), body=S + "ReasonIn",
       policy=Policy.only(Role.LEADER, Role.UNIT_HEAD), tags=("work",),
       summary="The assigner reopens a finished task")
def reopen(call: Call) -> dict[str, Any]:
    return use_cases().reopen(call.user, call.params["task_id"], call.body.reason)
