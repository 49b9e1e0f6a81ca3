"""eoffice — the Chalice app. It only registers blueprints: routes live in
chalicelib/api, event and schedule entry points in chalicelib/handlers."""

from chalice import Chalice

from chalicelib.api.authorizer import authorizer_bp
from chalicelib.api.gateway_errors import errors_bp
from chalicelib.api.system import system_bp
from chalicelib.archive.routes import archive_bp
from chalicelib.audit.routes import audit_bp
from chalicelib.calendar.routes import calendar_bp
from chalicelib.complaints.routes import complaints_bp
from chalicelib.dashboard.routes import dashboard_bp
from chalicelib.evaluation.routes import evaluation_bp
from chalicelib.exchange.jobs import exchange_jobs_bp
from chalicelib.exchange.routes import exchange_bp
from chalicelib.handlers.schedule import schedule_bp
from chalicelib.handlers.workflow import workflow_bp
from chalicelib.incoming.grant_routes import grants_bp
from chalicelib.incoming.handling_routes import handling_bp
from chalicelib.incoming.ingest import ingest_bp
from chalicelib.incoming.register_routes import registers_bp
from chalicelib.incoming.routes import incoming_bp
from chalicelib.iso.routes import iso_bp
from chalicelib.meetings.jobs import meeting_jobs_bp
from chalicelib.meetings.routes import meetings_bp
from chalicelib.notifications.routes import notifications_bp
from chalicelib.onestop.routes import onestop_bp
from chalicelib.organisation.routes import org_bp
from chalicelib.organisation.session_routes import auth_bp
from chalicelib.outgoing.routes import outgoing_bp
from chalicelib.outgoing.verification_routes import verification_bp
from chalicelib.search.jobs import search_writer_bp
from chalicelib.search.routes import search_bp
from chalicelib.signing.key_routes import pki_bp
from chalicelib.web.pages import pages_bp
from chalicelib.work.routes import work_bp
from chalicelib.work.task_routes import tasks_bp

# Logs go through Powertools (kernel.logging), which names its logger after the
# service too: a handler from Chalice on the same logger would print every line twice.
app = Chalice(app_name="eoffice", configure_logs=False)
app.api.binary_types.extend([
    "application/pdf",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "image/png",
    "application/octet-stream",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
])

BLUEPRINTS = (
    authorizer_bp, auth_bp, org_bp, audit_bp, calendar_bp, incoming_bp, grants_bp, handling_bp,
    registers_bp, work_bp, tasks_bp, system_bp, pages_bp, workflow_bp, ingest_bp, schedule_bp,
    meetings_bp, meeting_jobs_bp, outgoing_bp, pki_bp, verification_bp, complaints_bp,
    onestop_bp, notifications_bp, search_bp, evaluation_bp, dashboard_bp, errors_bp,
    archive_bp, iso_bp, exchange_bp, search_writer_bp, exchange_jobs_bp,
)
for blueprint in BLUEPRINTS:
    app.register_blueprint(blueprint)
