"""Packages the Chalice app and infra/template.yaml into ONE CloudFormation template.

    python infra/package.py --stage prod --out build/package     (what `make package` runs)

1. Loads the app the way `chalice package` will (EOFFICE_STAGE set, so queue names
   resolve) and reads its functions and SQS event sources from Chalice's own graph.
2. Writes a merge template (build/merge-<stage>.json): infra/template.yaml itself, plus
   what `chalice package` cannot express:
   - FunctionResponseTypes [ReportBatchItemFailures] on every SQS event of every function
     (the handlers return batchItemFailures; without this Lambda ignores them and retries
     the whole batch), and the event's queue ARN as ${Queue.Arn} so that CloudFormation
     creates the queue before the event source mapping;
   - SAM Globals: every Lambda's environment from the template's outputs (the same
     outputs provision() turns into the local environment);
   - API Gateway responses in the API's error shape;
   - the Stage parameter pinned to the packaged stage (the queue names inside the
     package are already that stage's).
3. Runs `chalice package --stage <stage> --merge-template <merge> <out>`.
4. Checks the result (every SQS event reports batch item failures, no local-only
   variable is set) and runs cfn-lint on it.

The .chalice/policy-*.json files use CloudFormation intrinsics (Fn::GetAtt Table.Arn,
...) that only resolve inside this merged template: that is how each role names the
exact resources of its own stack. It also means `chalice deploy` is not supported.
"""

from __future__ import annotations

import argparse
import copy
import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # run as a script: make the project importable
    sys.path.insert(0, str(ROOT))

from chalicelib.api.gateway_errors import NOT_FOUND  # noqa: E402 - needs the path above
from chalicelib.local.provision import (  # noqa: E402 - needs the path above
    DEFAULT_REGION,
    TEMPLATE_PATH,
    Evaluator,
    env_outputs,
    load_template,
)

SAM_TRANSFORM = "AWS::Serverless-2016-10-31"
LANGUAGE_EXTENSIONS = "AWS::LanguageExtensions"
# Only the local runtime may point the app at another endpoint or key set.
LOCAL_ONLY_ENV = ("JWKS_URL", "AWS_ENDPOINT_URL")
# AWS: a queue's visibility timeout should be at least six times the timeout of the
# function that consumes it, or messages of a throttled batch reappear while in flight.
VISIBILITY_FACTOR = 6
CFN_LINT_IGNORES: dict[str, str] = {}


def _error_body(code: str, message: str, message_en: str) -> str:
    return json.dumps(
        {
            "error": {
                "code": code,
                "message": message,
                "message_en": message_en,
                "fields": [],
                "request_id": "$context.requestId",
            }
        },
        ensure_ascii=False,
    )


def _gateway_response(
    code: str, message: str, message_en: str, status: int | None = None
) -> dict[str, Any]:
    response: dict[str, Any] = {
        "ResponseParameters": {
            "Headers": {
                "Content-Type": "'application/json; charset=utf-8'",
                "Cache-Control": "'no-store'",
            }
        },
        "ResponseTemplates": {"application/json": _error_body(code, message, message_en)},
    }
    if status is not None:
        response["StatusCode"] = status
    return response


# Errors API Gateway answers itself, before or instead of our code: the same body as
# chalicelib.api.routing.error_response, so the browser handles one shape. The default
# 4XX/5XX keep API Gateway's status code.
GATEWAY_RESPONSES: dict[str, dict[str, Any]] = {
    "UNAUTHORIZED": _gateway_response(
        "unauthorized", "Bạn cần đăng nhập để tiếp tục.", "You need to sign in.", 401
    ),
    "ACCESS_DENIED": _gateway_response(
        "forbidden", "Bạn không có quyền thực hiện thao tác này.",
        "You are not allowed to do this.", 403,
    ),
    # A REST API answers an unknown path with "Missing Authentication Token" (403):
    # a mistyped address (/tracuu) is a 404 saying so. (chalicelib/local/gateway.py
    # answers the same locally, with the page for a browser.)
    "MISSING_AUTHENTICATION_TOKEN": _gateway_response("not_found", *NOT_FOUND, 404),
    "RESOURCE_NOT_FOUND": _gateway_response("not_found", *NOT_FOUND, 404),
    # A content type that no model of a method takes (415), before our code runs.
    "UNSUPPORTED_MEDIA_TYPE": _gateway_response(
        "unsupported_media_type", "Kiểu dữ liệu gửi lên không được chấp nhận.",
        "Unsupported content type.", 415,
    ),
    "THROTTLED": _gateway_response(
        "rate_limited", "Quá nhiều yêu cầu, vui lòng thử lại sau.",
        "Too many requests; retry later.", 429,
    ),
    "REQUEST_TOO_LARGE": _gateway_response(
        "too_large", "Dữ liệu quá lớn.", "Payload too large.", 413
    ),
    "INTEGRATION_TIMEOUT": _gateway_response(
        "timeout", "Hệ thống xử lý quá lâu, vui lòng thử lại.",
        "The request took too long; retry.", 504,
    ),
    "DEFAULT_4XX": _gateway_response(
        "request_rejected", "Yêu cầu không hợp lệ.", "The request was rejected."
    ),
    "DEFAULT_5XX": _gateway_response(
        "internal_error",
        "Đã có lỗi hệ thống. Vui lòng thử lại; nếu vẫn lỗi, báo mã yêu cầu cho quản trị.",
        "Something went wrong. Retry; if it persists, report the request id.",
    ),
}


class PackagingError(Exception):
    pass


@dataclass(frozen=True)
class Function:
    name: str  # Chalice's name, the key in .chalice/config.json lambda_functions
    logical_id: str  # its resource in the SAM template
    timeout: int
    memory: int
    log_group_id: str | None  # its AWS::Logs::LogGroup, when log_retention_in_days is set


@dataclass(frozen=True)
class SqsSource:
    function: Function
    event_id: str  # key under the function's Events
    queue: str  # queue name, as the app registered it


@dataclass(frozen=True)
class AppShape:
    functions: dict[str, Function]
    sqs_sources: list[SqsSource]
    has_rest_api: bool


def app_shape(stage: str) -> AppShape:
    """The functions and SQS subscriptions of the app, from the graph `chalice package`
    itself builds (same logical ids, same config lookups)."""
    os.environ["EOFFICE_STAGE"] = stage
    from chalice.cli.factory import CLIFactory
    from chalice.deploy import models
    from chalice.deploy.appgraph import ApplicationGraphBuilder, DependencyBuilder
    from chalice.utils import to_cfn_resource_name

    config = CLIFactory(project_dir=str(ROOT)).create_config_obj(chalice_stage_name=stage)
    application = ApplicationGraphBuilder().build(config, stage)
    resources = DependencyBuilder().build_dependencies(application)
    api_handler = next(
        (r.lambda_function.resource_name for r in resources if isinstance(r, models.RestAPI)),
        None,
    )
    functions: dict[str, Function] = {}
    sqs_sources: list[SqsSource] = []
    for resource in resources:
        if isinstance(resource, models.LambdaFunction):
            name = resource.resource_name
            logical = "APIHandler" if name == api_handler else to_cfn_resource_name(name)
            log_group = (
                to_cfn_resource_name(resource.log_group.resource_name)
                if resource.log_group is not None else None
            )
            functions[name] = Function(
                name, logical, int(resource.timeout), int(resource.memory_size), log_group
            )
    for resource in resources:
        if isinstance(resource, models.SQSEventSource):
            if isinstance(resource.queue, models.QueueARN):
                queue = resource.queue.arn.rsplit(":", 1)[-1]
            else:
                queue = str(resource.queue)
            sqs_sources.append(
                SqsSource(
                    functions[resource.lambda_function.resource_name],
                    to_cfn_resource_name(resource.resource_name),
                    queue,
                )
            )
    return AppShape(functions, sqs_sources, api_handler is not None)


def queues_by_name(template: dict[str, Any], stage: str) -> dict[str, str]:
    """Physical queue name for the stage -> logical id in the template."""
    evaluator = Evaluator(template, {"Stage": stage})
    found: dict[str, str] = {}
    for logical, spec in template["Resources"].items():
        if spec["Type"] == "AWS::SQS::Queue":
            found[str(evaluator.resolve(spec["Properties"]["QueueName"]))] = logical
    return found


def check_event_sources(template: dict[str, Any], shape: AppShape, stage: str) -> list[str]:
    problems: list[str] = []
    queues = queues_by_name(template, stage)
    for source in shape.sqs_sources:
        logical = queues.get(source.queue)
        if logical is None:
            problems.append(
                f"{source.function.name} consumes queue {source.queue}, which "
                "infra/template.yaml does not declare"
            )
            continue
        visibility = int(template["Resources"][logical]["Properties"].get("VisibilityTimeout", 30))
        if visibility < VISIBILITY_FACTOR * source.function.timeout:
            problems.append(
                f"{logical}: VisibilityTimeout {visibility}s < {VISIBILITY_FACTOR} x "
                f"{source.function.name}'s lambda_timeout {source.function.timeout}s"
            )
    return problems


def build_merge(template: dict[str, Any], shape: AppShape, stage: str) -> dict[str, Any]:
    merge = copy.deepcopy(template)
    transforms = merge.get("Transform", [])
    transforms = [transforms] if isinstance(transforms, str) else list(transforms)
    # LanguageExtensions must run before SAM.
    merge["Transform"] = [t for t in transforms if t != SAM_TRANSFORM] + [SAM_TRANSFORM]

    # The queue names inside the package are already this stage's, so the stack must be
    # deployed with the same Stage. A rule rather than AllowedValues: [stage], which
    # would make every !If [IsProd, ...] branch provably dead to cfn-lint (W1028).
    merge["Parameters"]["Stage"]["Default"] = stage
    merge.setdefault("Rules", {})["PackagedStage"] = {
        "Assertions": [
            {
                "Assert": {"Fn::Equals": [{"Ref": "Stage"}, stage]},
                "AssertDescription": f"This package was built for Stage={stage}.",
            }
        ]
    }

    variables: dict[str, Any] = {}
    for output_name, variable in env_outputs(template).items():
        spec = template["Outputs"][output_name]
        value = spec["Value"]
        if "Condition" in spec:
            value = {"Fn::If": [spec["Condition"], value, {"Ref": "AWS::NoValue"}]}
        variables[variable] = value
    leaked = set(variables) & set(LOCAL_ONLY_ENV)
    if leaked:
        raise PackagingError(f"outputs would set local-only variables: {sorted(leaked)}")
    merge["Globals"] = {"Function": {"Environment": {"Variables": variables}}}

    queues = queues_by_name(template, stage)
    resources = merge["Resources"]
    for source in shape.sqs_sources:
        logical = queues[source.queue]
        function = resources.setdefault(source.function.logical_id, {})
        events = function.setdefault("Properties", {}).setdefault("Events", {})
        events[source.event_id] = {
            "Properties": {
                # Same ARN Chalice writes, but through the queue resource: a dependency.
                "Queue": {"Fn::Sub": "${" + logical + ".Arn}"},
                "FunctionResponseTypes": ["ReportBatchItemFailures"],
            }
        }
    for function in shape.functions.values():
        # Chalice renames the API function to APIHandler but its log group still says
        # ${ApiHandler} (aws/chalice#2079): point it at the real resource.
        if function.log_group_id:
            resources.setdefault(function.log_group_id, {}).setdefault("Properties", {})[
                "LogGroupName"
            ] = {"Fn::Sub": "/aws/lambda/${" + function.logical_id + "}"}
    if shape.has_rest_api:
        resources.setdefault("RestAPI", {}).setdefault("Properties", {})[
            "GatewayResponses"
        ] = GATEWAY_RESPONSES
        if "PublicWebAcl" in resources:
            # The web ACL of template.yaml guards the API's stage; RestAPI.Stage
            # (SAM's generated stage) also orders the association after it.
            resources["PublicWebAclAssociation"] = {
                "Type": "AWS::WAFv2::WebACLAssociation",
                "Properties": {
                    "ResourceArn": {"Fn::Sub": "arn:${AWS::Partition}:apigateway:"
                                    "${AWS::Region}::/restapis/${RestAPI}/stages/"
                                    "${RestAPI.Stage}"},
                    "WebACLArn": {"Fn::GetAtt": ["PublicWebAcl", "Arn"]},
                },
            }
    return merge


def verify_package(sam: dict[str, Any]) -> list[str]:
    """What must hold in the template that is deployed, whatever produced it."""
    problems: list[str] = []
    sqs_events = 0
    for logical, spec in sam["Resources"].items():
        if spec.get("Type") != "AWS::Serverless::Function":
            continue
        properties = spec.get("Properties", {})
        for event_id, event in (properties.get("Events") or {}).items():
            if event.get("Type") != "SQS":
                continue
            sqs_events += 1
            types = event.get("Properties", {}).get("FunctionResponseTypes", [])
            if "ReportBatchItemFailures" not in types:
                problems.append(f"{logical}.{event_id}: no ReportBatchItemFailures")
            queue = event.get("Properties", {}).get("Queue")
            if not (isinstance(queue, dict) and set(queue) == {"Fn::Sub"}):
                problems.append(f"{logical}.{event_id}: queue ARN is not a single Fn::Sub")
        own = (properties.get("Environment") or {}).get("Variables") or {}
        for name in LOCAL_ONLY_ENV:
            if name in own:
                problems.append(f"{logical}: sets {name}, which only the local runtime may")
    if sqs_events == 0:
        problems.append("no SQS event source found: did the app load?")
    globals_env = sam.get("Globals", {}).get("Function", {}).get("Environment", {})
    variables = globals_env.get("Variables", {})
    for name in LOCAL_ONLY_ENV:
        if name in variables:
            problems.append(f"Globals set {name}, which only the local runtime may")
    if "TABLE_NAME" not in variables:
        problems.append("Globals do not set the app's environment")
    return problems


def run_chalice_package(stage: str, merge_path: Path, out_dir: Path) -> Path:
    command = [
        sys.executable, "-c", "import sys; from chalice.cli import main; sys.exit(main())",
        "--project-dir", str(ROOT),
        "package", "--stage", stage, "--merge-template", str(merge_path), str(out_dir),
    ]
    print(f"EOFFICE_STAGE={stage} chalice package --stage {stage} "
          f"--merge-template {merge_path} {out_dir}", flush=True)
    env = {**os.environ, "EOFFICE_STAGE": stage}
    # Chalice wants a region only to pick service principals and DNS suffixes; the
    # template itself uses ${AWS::Region}, so any commercial-partition region will do.
    if not (env.get("AWS_REGION") or env.get("AWS_DEFAULT_REGION")):
        env["AWS_DEFAULT_REGION"] = DEFAULT_REGION
    subprocess.run(  # noqa: S603 - fixed command line, our own arguments
        command, cwd=ROOT, env=env, check=True
    )
    sam = out_dir / "sam.json"
    if not sam.exists():
        raise PackagingError(f"chalice package wrote no {sam}")
    return sam


def run_cfn_lint(path: Path) -> int:
    command = [
        sys.executable, "-c", "import sys; from cfnlint.runner import main; sys.exit(main())",
        str(path),
    ]
    for rule in CFN_LINT_IGNORES:
        command += ["--ignore-checks", rule]
    print(f"cfn-lint {path}", flush=True)
    return subprocess.run(command, cwd=ROOT).returncode  # noqa: S603


def package(stage: str, out_dir: Path, lint: bool = True) -> Path:
    template = load_template(TEMPLATE_PATH)
    shape = app_shape(stage)
    problems = check_event_sources(template, shape, stage)
    if problems:
        raise PackagingError("\n".join(problems))
    merge_path = out_dir.parent / f"merge-{stage}.json"
    merge_path.parent.mkdir(parents=True, exist_ok=True)
    merge_path.write_text(
        json.dumps(build_merge(template, shape, stage), ensure_ascii=False, indent=2), "utf-8"
    )
    sam_path = run_chalice_package(stage, merge_path, out_dir)
    problems = verify_package(json.loads(sam_path.read_text("utf-8")))
    if problems:
        raise PackagingError("\n".join(problems))
    if lint and run_cfn_lint(sam_path) != 0:
        raise PackagingError(f"cfn-lint found problems in {sam_path}")
    return sam_path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--stage", required=True, choices=["dev", "prod", "local"])
    parser.add_argument("--out", type=Path, default=ROOT / "build" / "package")
    parser.add_argument("--no-lint", action="store_true", help="skip cfn-lint")
    args = parser.parse_args(argv)
    try:
        sam = package(args.stage, args.out.resolve(), lint=not args.no_lint)
    except (PackagingError, subprocess.CalledProcessError) as exc:
        print(f"packaging failed:\n{exc}", file=sys.stderr)
        return 1
    print(f"packaged {sam}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
