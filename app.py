"""eoffice — the Chalice app. It only registers blueprints: routes live in
chalicelib/api, event and schedule entry points in chalicelib/handlers."""

from chalice import Chalice

from chalicelib.api.audit import audit_bp
from chalicelib.api.auth import auth_bp
from chalicelib.api.authorizer import authorizer_bp
from chalicelib.api.calendar import calendar_bp
from chalicelib.api.complaints import complaints_bp
from chalicelib.api.grants import grants_bp
from chalicelib.api.handling import handling_bp
from chalicelib.api.incoming import incoming_bp
from chalicelib.api.meetings import meetings_bp
from chalicelib.api.onestop import onestop_bp
from chalicelib.api.organisation import org_bp
from chalicelib.api.outgoing import outgoing_bp
from chalicelib.api.pages import pages_bp
from chalicelib.api.registers import registers_bp
from chalicelib.api.signing_keys import pki_bp
from chalicelib.api.system import system_bp
from chalicelib.api.tasks import tasks_bp
from chalicelib.api.verification import verification_bp
from chalicelib.api.work import work_bp
from chalicelib.handlers.ingest import ingest_bp
from chalicelib.handlers.meeting_jobs import meeting_jobs_bp
from chalicelib.handlers.schedule import schedule_bp
from chalicelib.handlers.workflow import workflow_bp

app = Chalice(app_name="eoffice")
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
    onestop_bp,
)
for blueprint in BLUEPRINTS:
    app.register_blueprint(blueprint)
