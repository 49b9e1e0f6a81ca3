"""The composition root: the one place where clients, the table, stores, mailers
and settings are built and handed to the use cases that need them, and the one
place that knows which modules wire into which.

Entry points (routes, workflow steps, scheduled jobs, the local runtime) ask
here for their use cases; use cases never build their own collaborators, so a
unit test can hand them fakes of our own ports instead (``tests/fakes.py``).
Everything is built on demand: ``import app`` loads no capability, and a
Lambda builds only what its request uses.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from chalicelib.adapters.dynamo import Table
from chalicelib.kernel.ports import Mailer

if TYPE_CHECKING:
    from chalicelib.archive.service import Archive
    from chalicelib.audit.trail import Trail
    from chalicelib.complaints.service import Complaints
    from chalicelib.dashboard.service import Dashboard
    from chalicelib.evaluation.service import Evaluations
    from chalicelib.incoming.service import Incoming
    from chalicelib.iso.service import Library as IsoLibrary
    from chalicelib.meetings.service import Meetings
    from chalicelib.notifications.notices import Notifier
    from chalicelib.onestop.dossiers import Deps as OneStopDeps
    from chalicelib.organisation.store import Directory
    from chalicelib.outgoing.service import Outgoing
    from chalicelib.work.store import WorkStore
    from chalicelib.work.tasks import Tasks


def table() -> Table:
    """The one DynamoDB table of the stage (its name from the settings)."""
    return Table()


# ---------------------------------------------------------------- shared collaborators
# Each factory takes the table it builds on, so that a bundle's collaborators
# share one; entry points call them with no argument.

def trail(t: Table | None = None) -> Trail:
    """The audit trail (``kernel.ports.AuditTrail``)."""
    from chalicelib.audit.trail import Trail

    return Trail(t or table())


def directory(t: Table | None = None) -> Directory:
    """Units, people, delegations, the agency (``kernel.ports.Directory``)."""
    from chalicelib.organisation.store import Directory

    return Directory(t or table())


def work_store(t: Table | None = None) -> WorkStore:
    """The open-work indexes, preferences and counters of the work jobs."""
    from chalicelib.work.store import WorkStore

    return WorkStore(t or table())


# ---------------------------------------------------------------- use cases per capability

def tasks() -> Tasks:
    from chalicelib.calendar.service import agency_calendar
    from chalicelib.work.pending import Pending
    from chalicelib.work.task_store import TaskStore
    from chalicelib.work.tasks import Tasks

    t = table()
    return Tasks(store=TaskStore(t), trail=trail(t), directory=directory(t),
                 calendar=agency_calendar, pending=Pending.over(t, agency_calendar))


def evaluations() -> Evaluations:
    """Staff evaluation: scores from the monthly measures, marks, rounds."""
    from chalicelib.adapters.files import BucketFiles
    from chalicelib.calendar.service import agency_calendar
    from chalicelib.evaluation.service import Evaluations
    from chalicelib.evaluation.store import EvaluationStore
    from chalicelib.kernel.config import get_settings

    t = table()
    return Evaluations(store=EvaluationStore(t), work=work_store(t), trail=trail(t),
                       directory=directory(t), calendar=agency_calendar,
                       files=BucketFiles(get_settings().documents_bucket))


def outgoing() -> Outgoing:
    """Outgoing documents (as ``outgoing.service.outgoing_for`` builds them)."""
    from chalicelib.outgoing.neighbours import TableNeighbours
    from chalicelib.outgoing.service import Outgoing
    from chalicelib.outgoing.store import OutgoingStore
    from chalicelib.work.pending import Pending

    t = table()
    return Outgoing(store=OutgoingStore(t), trail=trail(t), neighbours=TableNeighbours(t),
                    pending=Pending.over(t))


def complaints() -> Complaints:
    """Complaints, denunciations, petitions (as ``complaints.service.use_cases``)."""
    from chalicelib.calendar.service import agency_calendar
    from chalicelib.complaints.service import Complaints
    from chalicelib.complaints.store import CaseStore
    from chalicelib.organisation.service import office_unit

    t = table()
    return Complaints(store=CaseStore(t), trail=trail(t), directory=directory(t),
                      calendar=agency_calendar, office=lambda: office_unit(t))


def onestop() -> OneStopDeps:
    """What the one-stop use cases share (as ``onestop.dossiers.deps_for``); they
    take it as ``deps=``."""
    from chalicelib.onestop.dossiers import Deps, iso_procedures
    from chalicelib.onestop.store import OneStopStore
    from chalicelib.organisation.service import list_units

    t = table()
    return Deps(store=OneStopStore(t), trail=trail(t), units=lambda: list_units(t),
                procedures=iso_procedures(t))


def dashboard() -> Dashboard:
    """The leaders' dashboard over its sources (as ``dashboard.service.dashboard_for``);
    the evaluation bands are the published rounds' (``evaluation.service``)."""
    from chalicelib.dashboard.service import Dashboard
    from chalicelib.dashboard.sources import sources_for
    from chalicelib.evaluation.service import published_bands
    from chalicelib.evaluation.store import EvaluationStore

    t = table()
    rounds = EvaluationStore(t)
    return Dashboard(sources=sources_for(
        t, bands=lambda units, months: published_bands(rounds, units, months)))


def archive() -> Archive:
    """Case files and the archive: the yearly lists, filing, hand-over under Object Lock."""
    from chalicelib.adapters.archive_files import ArchiveFiles
    from chalicelib.archive.service import Archive
    from chalicelib.archive.sources import read
    from chalicelib.archive.store import ArchiveStore
    from chalicelib.calendar.service import agency_calendar
    from chalicelib.kernel.config import get_settings
    from chalicelib.organisation.service import agency_profile

    t = table()
    settings = get_settings()
    return Archive(store=ArchiveStore(t), trail=trail(t), directory=directory(t),
                   calendar=agency_calendar, reader=lambda c, k, r: read(c, k, r, t),
                   vault=ArchiveFiles(settings.documents_bucket, settings.archive_bucket),
                   agency=lambda: agency_profile(t))


def incoming() -> Incoming:
    """Incoming documents: registration by hand, reading, correction, sharing."""
    from chalicelib.incoming.intake_store import IntakeStore
    from chalicelib.incoming.service import Incoming
    from chalicelib.incoming.store import IncomingStore
    from chalicelib.work.pending import Pending

    t = table()
    return Incoming(store=IncomingStore(t), trail=trail(t), intakes=IntakeStore(t),
                    directory=directory(t), pending=Pending.over(t))


def meetings() -> Meetings:
    """Meetings: scheduling, changes, answers (in the app and by the mailed link)."""
    from chalicelib.calendar.service import agency_calendar
    from chalicelib.meetings.service import Meetings
    from chalicelib.meetings.store import MeetingStore
    from chalicelib.work.pending import Pending

    t = table()
    return Meetings(store=MeetingStore(t), trail=trail(t), directory=directory(t),
                    calendar=agency_calendar, pending=Pending.over(t))


def load_steps() -> None:
    """Import every module that registers workflow steps with
    ``kernel.subscribers.subscribe`` (explicit: no discovery by file name)."""
    from chalicelib.complaints import steps as _complaint_steps  # noqa: F401
    from chalicelib.evaluation import steps as _evaluation_steps  # noqa: F401
    from chalicelib.exchange import steps as _exchange_steps  # noqa: F401
    from chalicelib.incoming import steps as _incoming_steps  # noqa: F401
    from chalicelib.meetings import service as _meetings  # noqa: F401
    from chalicelib.notifications import service as _notifications  # noqa: F401
    from chalicelib.notifications import steps as _notification_steps  # noqa: F401
    from chalicelib.onestop import steps as _onestop_steps  # noqa: F401
    from chalicelib.outgoing import steps as _outgoing_steps  # noqa: F401
    from chalicelib.search import service as _search  # noqa: F401


def exchange() -> Any:
    """The inter-agency exchange's use cases (``exchange.service.Exchange``)."""
    from chalicelib.exchange.service import exchange_for

    return exchange_for(table())


def mailer() -> Mailer:
    """The application's mailer: SES, as raw MIME so that attachments travel."""
    from chalicelib.adapters.mailer import SesMailer

    return SesMailer()


def notifier() -> Notifier:
    """In-app notices and their mails, as each person prefers, over the stage's table."""
    from chalicelib.kernel.config import get_settings
    from chalicelib.notifications.notices import DirectoryPeople, Notifier
    from chalicelib.notifications.store import NoticeStore
    from chalicelib.work.service import preferences

    t = table()
    return Notifier(notices=NoticeStore(t), people=DirectoryPeople(directory(t)),
                    prefs=lambda username: preferences(username, t),
                    mailer=mailer(), base_url=get_settings().public_base_url)


# What a workflow step may ask for with ``subscribe(..., needs=(...))``. The step
# runner hands them in: a step cannot import this module to fetch them itself,
# since load_steps imports the steps (the import graph would have a cycle).
COLLABORATORS: dict[str, Callable[[], Any]] = {"mailer": mailer, "evaluations": evaluations,
                                               "table": table, "notifier": notifier}


def collaborators(needs: Iterable[str]) -> dict[str, Any]:
    """The keyword arguments of a step that declared ``needs``."""
    unknown = sorted(set(needs) - set(COLLABORATORS))
    if unknown:
        raise LookupError(f"no collaborator named {unknown} in the composition root")
    return {name: COLLABORATORS[name]() for name in needs}


def iso_library() -> IsoLibrary:
    """The ISO process library (as ``iso.service.library_for`` builds it)."""
    from chalicelib.iso.service import Library
    from chalicelib.iso.store import IsoStore

    t = table()
    return Library(store=IsoStore(t), trail=trail(t), members=directory(t).members)


def s3_pool(connections: int) -> Any:
    """An S3 client with ``connections`` connections in its pool (boto3 clients
    are thread-safe): the search rebuild's reader threads share one, which the
    process's shared client (ten connections) would make wait."""
    import boto3
    from botocore.config import Config

    from chalicelib.adapters.aws import client

    shared = client("s3")
    return boto3.client("s3", region_name=shared.meta.region_name,
                        config=shared.meta.config.merge(Config(max_pool_connections=connections)))
