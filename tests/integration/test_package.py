"""`make package` builds one template that passes cfn-lint and carries what
`chalice package` alone cannot (partial batch failures, the environment from the
stack's own resources, API Gateway errors in our shape)."""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from chalicelib.kernel.config import ENV_NAMES

ROOT = Path(__file__).resolve().parents[2]
LOCAL_ONLY = {"JWKS_URL", "AWS_ENDPOINT_URL"}


def _load_package_module() -> ModuleType:
    spec = importlib.util.spec_from_file_location("infra_package", ROOT / "infra" / "package.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while defining
    spec.loader.exec_module(module)
    return module


packaging = _load_package_module()


# What `chalice package` and infra/package.py read of the project.
PACKAGED_PARTS = ("app.py", "chalicelib", "infra", ".chalice")


def project_without_dependencies(dest: Path) -> Path:
    """A copy of the project's packaged parts with an empty requirements.txt.

    `chalice package` spends over a minute downloading and unpacking the Linux
    wheels of requirements.txt into deployment.zip, a file no test reads: the
    template it writes is the same either way (CodeUri names the zip), and a
    wheel it cannot find is only a warning, never a failed package."""
    ignore = shutil.ignore_patterns("__pycache__", "deployments", "deployed")
    for name in PACKAGED_PARTS:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, dest / name, ignore=ignore)
        else:
            shutil.copy2(source, dest / name)
    (dest / "requirements.txt").write_text("", "utf-8")
    return dest


@pytest.fixture(scope="module")
def packaged(tmp_path_factory: pytest.TempPathFactory) -> Path:
    project = project_without_dependencies(tmp_path_factory.mktemp("project"))
    out = tmp_path_factory.mktemp("build") / "package"
    env = {**os.environ, "AWS_DEFAULT_REGION": "ap-southeast-1"}
    env.pop("AWS_ENDPOINT_URL", None)
    # A separate process: packaging imports the app with EOFFICE_STAGE=prod, and this
    # test process may already hold the app imported for another stage.
    done = subprocess.run(
        [sys.executable, str(project / "infra" / "package.py"), "--stage", "prod", "--out",
         str(out), "--no-lint"],
        cwd=project, env=env, capture_output=True, text=True, timeout=900,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return out / "sam.json"


@pytest.fixture(scope="module")
def sam(packaged: Path) -> dict[str, Any]:
    return json.loads(packaged.read_text("utf-8"))


def _functions(sam: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {
        k: v for k, v in sam["Resources"].items() if v["Type"] == "AWS::Serverless::Function"
    }


def test_cfn_lint_passes(packaged: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-c", "import sys; from cfnlint.runner import main; sys.exit(main())",
         str(packaged)],
        cwd=ROOT, capture_output=True, text=True, timeout=300,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_every_sqs_event_reports_batch_item_failures(sam: dict[str, Any]) -> None:
    events = [
        (name, event_id, event)
        for name, fn in _functions(sam).items()
        for event_id, event in (fn["Properties"].get("Events") or {}).items()
        if event["Type"] == "SQS"
    ]
    assert {name for name, _, _ in events} >= {"OnWorkflowMessage", "OnIntakeNotification"}
    for name, event_id, event in events:
        assert event["Properties"]["FunctionResponseTypes"] == ["ReportBatchItemFailures"], (
            name, event_id
        )
        # Through the queue resource, so CloudFormation creates the queue first.
        queue = event["Properties"]["Queue"]["Fn::Sub"]
        assert queue.startswith("${") and queue.endswith(".Arn}")
        assert sam["Resources"][queue[2:-5]]["Type"] == "AWS::SQS::Queue"


def test_environment_comes_from_the_stack_and_never_points_elsewhere(
    sam: dict[str, Any],
) -> None:
    variables = sam["Globals"]["Function"]["Environment"]["Variables"]
    assert set(variables) == set(ENV_NAMES.values()) - LOCAL_ONLY
    assert variables["TABLE_NAME"] == {"Ref": "Table"}
    assert variables["WORKFLOW_QUEUE_URL"] == {"Ref": "WorkflowQueue"}
    for name, fn in _functions(sam).items():
        own = fn["Properties"].get("Environment", {}).get("Variables", {})
        assert not LOCAL_ONLY & set(own), name
        # A function declared in infra/template.yaml (the OCR image) takes the Stage
        # parameter, which the package pins to the packaged stage (rule PackagedStage).
        assert own.get("EOFFICE_STAGE") in ("prod", {"Ref": "Stage"}), name


def test_gateway_responses_use_the_error_shape(sam: dict[str, Any]) -> None:
    responses = sam["Resources"]["RestAPI"]["Properties"]["GatewayResponses"]
    assert {"UNAUTHORIZED", "ACCESS_DENIED", "DEFAULT_4XX", "DEFAULT_5XX"} <= set(responses)
    for kind, response in responses.items():
        body = json.loads(response["ResponseTemplates"]["application/json"])
        error = body["error"]
        assert set(error) == {"code", "message", "message_en", "fields", "request_id"}, kind
        assert error["request_id"] == "$context.requestId"
        assert error["fields"] == []
        assert error["message"] and error["message_en"] and error["message"] != error["message_en"]
    assert responses["UNAUTHORIZED"]["StatusCode"] == 401
    assert responses["ACCESS_DENIED"]["StatusCode"] == 403


def test_unknown_paths_and_refused_content_types_answer_in_our_shape() -> None:
    """A mistyped address (/tracuu) and a wrong content type, answered by API
    Gateway itself: our shape, Vietnamese, with the status that says it."""
    from chalicelib.api.gateway_errors import NOT_FOUND

    responses = packaging.GATEWAY_RESPONSES
    expected = {"MISSING_AUTHENTICATION_TOKEN": (404, "not_found"),
                "RESOURCE_NOT_FOUND": (404, "not_found"),
                "UNSUPPORTED_MEDIA_TYPE": (415, "unsupported_media_type"),
                "UNAUTHORIZED": (401, "unauthorized")}
    for kind, (status, code) in expected.items():
        assert responses[kind]["StatusCode"] == status, kind
        error = json.loads(responses[kind]["ResponseTemplates"]["application/json"])["error"]
        assert error["code"] == code, kind
        assert "Missing Authentication Token" not in error["message"] + error["message_en"]
    not_found = json.loads(
        responses["MISSING_AUTHENTICATION_TOKEN"]["ResponseTemplates"]["application/json"])
    assert (not_found["error"]["message"], not_found["error"]["message_en"]) == NOT_FOUND
    assert {"DEFAULT_4XX", "DEFAULT_5XX"} <= set(responses)


def test_stateful_resources_and_stage_are_in_the_same_template(sam: dict[str, Any]) -> None:
    for logical in ("Table", "IntakeBucket", "WorkflowQueue", "IngestQueue", "UserPool",
                    "AgencySealKey", "MailFromIdentity"):
        assert logical in sam["Resources"], logical
    assert sam["Transform"] == ["AWS::LanguageExtensions", "AWS::Serverless-2016-10-31"]
    assert sam["Parameters"]["Stage"]["Default"] == "prod"
    assert sam["Rules"]["PackagedStage"]["Assertions"][0]["Assert"] == {
        "Fn::Equals": [{"Ref": "Stage"}, "prod"]
    }


def test_roles_use_the_policy_files_with_stack_references(sam: dict[str, Any]) -> None:
    role = sam["Resources"]["ApiHandlerRole"]["Properties"]["Policies"][0]["PolicyDocument"]
    text = json.dumps(role)
    assert '"Fn::GetAtt": ["Table", "Arn"]' in text
    assert "dynamodb:Scan" not in text  # no Scan on any request path (DESIGN.md)
    authorizer = sam["Resources"]["JwtAuthorizerRole"]["Properties"]["Policies"][0]
    actions = {a for s in authorizer["PolicyDocument"]["Statement"] for a in s["Action"]}
    # The authorizer reads profiles (a disabled user is refused at once), nothing else.
    assert actions - {"logs:CreateLogGroup", "logs:CreateLogStream",
                      "logs:PutLogEvents"} == {"dynamodb:GetItem"}
    assert "USER#*" in json.dumps(authorizer)
    audit_deny = [s for s in role["Statement"] if s.get("Sid") == "AuditIsAppendOnly"]
    assert audit_deny and audit_deny[0]["Effect"] == "Deny"


# ---- checks that need no app: the merge logic itself


def _template() -> dict[str, Any]:
    from chalicelib.local.provision import load_template

    return load_template()


def test_a_queue_consumer_with_a_long_timeout_is_refused() -> None:
    slow = packaging.Function("on_workflow_message", "OnWorkflowMessage", 900, 512, None)
    shape = packaging.AppShape(
        {"on_workflow_message": slow},
        [packaging.SqsSource(slow, "OnWorkflowMessageSqsEventSource", "eoffice-prod-workflow")],
        False,
    )
    problems = packaging.check_event_sources(_template(), shape, "prod")
    assert problems and "VisibilityTimeout" in problems[0]


def test_a_queue_missing_from_the_template_is_refused() -> None:
    fn = packaging.Function("on_other", "OnOther", 10, 512, None)
    shape = packaging.AppShape(
        {"on_other": fn}, [packaging.SqsSource(fn, "OnOtherSqsEventSource", "eoffice-prod-x")],
        False,
    )
    problems = packaging.check_event_sources(_template(), shape, "prod")
    assert problems and "does not declare" in problems[0]


def test_merge_adds_batch_failures_for_every_registered_source() -> None:
    a = packaging.Function("on_a", "OnA", 60, 512, None)
    b = packaging.Function("on_b", "OnB", 60, 512, None)
    shape = packaging.AppShape(
        {"on_a": a, "on_b": b},
        [packaging.SqsSource(a, "OnASqsEventSource", "eoffice-dev-workflow"),
         packaging.SqsSource(b, "OnBSqsEventSource", "eoffice-dev-ingest")],
        True,
    )
    merge = packaging.build_merge(_template(), shape, "dev")
    for fn, event, queue in (("OnA", "OnASqsEventSource", "WorkflowQueue"),
                             ("OnB", "OnBSqsEventSource", "IngestQueue")):
        props = merge["Resources"][fn]["Properties"]["Events"][event]["Properties"]
        assert props == {"Queue": {"Fn::Sub": "${" + queue + ".Arn}"},
                         "FunctionResponseTypes": ["ReportBatchItemFailures"]}
    assert "GatewayResponses" in merge["Resources"]["RestAPI"]["Properties"]
    assert not LOCAL_ONLY & set(merge["Globals"]["Function"]["Environment"]["Variables"])


def test_a_rate_based_waf_rule_guards_the_public_routes_of_the_api_stage() -> None:
    """#21 item 1: floods of the public routes stop at the edge, per address."""
    template = _template()
    acl = template["Resources"]["PublicWebAcl"]
    assert acl["Type"] == "AWS::WAFv2::WebACL"
    props = acl["Properties"]
    assert props["Scope"] == "REGIONAL" and props["DefaultAction"] == {"Allow": {}}
    (rule,) = props["Rules"]
    assert "Block" in rule["Action"]
    rate = rule["Statement"]["RateBasedStatement"]
    assert rate["AggregateKeyType"] == "IP" and 10 <= rate["Limit"] <= 1000
    scoped = {s["ByteMatchStatement"]["SearchString"]
              for s in rate["ScopeDownStatement"]["OrStatement"]["Statements"]}
    assert {"/api/public/", "/tra-cuu", "/nop-ho-so", "/gui-don"} <= scoped
    # What the blocked client reads is our error shape, in Vietnamese and English.
    body = props["CustomResponseBodies"][rule["Action"]["Block"]["CustomResponse"][
        "CustomResponseBodyKey"]]
    error = json.loads(body["Content"])["error"]
    assert error["code"] == "rate_limited" and error["message"] and error["message_en"]

    shape = packaging.AppShape({}, [], True)
    association = packaging.build_merge(template, shape, "prod")["Resources"][
        "PublicWebAclAssociation"]
    assert association["Type"] == "AWS::WAFv2::WebACLAssociation"
    assert association["Properties"]["WebACLArn"] == {"Fn::GetAtt": ["PublicWebAcl", "Arn"]}
    arn = association["Properties"]["ResourceArn"]["Fn::Sub"]
    assert "/restapis/${RestAPI}/stages/${RestAPI.Stage}" in arn
