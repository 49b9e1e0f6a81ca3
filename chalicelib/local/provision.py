"""Creates in moto the resources that infra/template.yaml declares, with moto's own
CloudFormation: ``create_stack`` of that file, so the local runtime cannot drift from
what CloudFormation deploys.

moto evaluates the template (parameters, conditions, Ref, Fn::Sub, Fn::GetAtt, Fn::If,
dependency order, outputs). What moto's CloudFormation lacks is added to it by
chalicelib/local/moto_cfn.py, one class per gap, and what it does not check is checked
here before the stack is created:

- parameters against AllowedValues, AllowedPattern, MinValue and MaxValue, and the
  template's Rules (moto checks neither);
- resource types and properties: moto skips a type it does not know, and most models
  drop the properties they do not know, both silently. Here a type or property that is
  neither honoured (by moto or an addition) nor listed as meaningless locally stops
  provisioning with its name.

The stack lives in moto's state like the resources, so a later run, on the same moto
or on one restored from disk, finds it and writes nothing; after the template or the
parameters changed it is updated.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import boto3
import yaml
from botocore.exceptions import BotoCoreError, ClientError
from botocore.parsers import ResponseParserError

from chalicelib.kernel.config import APP_NAME, ENV_NAMES

log = logging.getLogger(__name__)

TEMPLATE_PATH = Path(__file__).resolve().parents[2] / "infra" / "template.yaml"
DEFAULT_REGION = "ap-southeast-1"
DEFAULT_MAIL_FROM = "vanthu@skhdt.example"

SKIPPED_TYPES: dict[str, str] = {
    "AWS::Serverless::Function": (
        "the OCR function's container image; locally the pump runs the same handler "
        "in-process (chalicelib/local/pump.py)"
    ),
    "AWS::CloudWatch::Alarm": "no metrics or alarms run locally; the DLQs can be read directly",
    "AWS::WAFv2::WebACL": (
        "the local API listens on loopback only, behind no API Gateway to attach it to; "
        "the app's own per-source limits and per-code attempt budgets still apply"
    ),
    "AWS::S3::BucketPolicy": (
        "the policies only deny plain-HTTP access, and the local endpoint is plain HTTP on "
        "loopback; moto 5.2 also evaluates a Deny whose Condition does not match as a match "
        "(moto.iam.access_control.IAMPolicyStatement), so it would refuse every request"
    ),
}

# Per resource type, the properties that take effect locally: applied by moto's own
# model (m) or by the addition in moto_cfn (a) for the type. Any other property is an
# error unless IGNORED_PROPERTIES says why it means nothing locally.
_M_TABLE = {
    "TableName", "AttributeDefinitions", "KeySchema", "GlobalSecondaryIndexes",
    "LocalSecondaryIndexes", "BillingMode", "ProvisionedThroughput", "StreamSpecification",
    "DeletionProtectionEnabled", "Tags", "WarmThroughput",
}
HONOURED_PROPERTIES: dict[str, set[str]] = {
    "AWS::DynamoDB::Table": _M_TABLE | {  # a: moto_cfn.Table
        "SSESpecification", "TimeToLiveSpecification", "PointInTimeRecoverySpecification",
    },
    "AWS::KMS::Key": {  # a: moto_cfn.KmsKey
        "Description", "KeySpec", "KeyUsage", "KeyPolicy", "EnableKeyRotation", "Enabled",
        "Tags", "MultiRegion",
    },
    "AWS::KMS::Alias": {"AliasName", "TargetKeyId"},  # m
    "AWS::S3::Bucket": {"BucketName", "BucketEncryption", "Tags"} | {  # m | a: moto_cfn.Bucket
        "VersioningConfiguration", "PublicAccessBlockConfiguration", "OwnershipControls",
        "NotificationConfiguration", "ObjectLockEnabled", "ObjectLockConfiguration",
        "CorsConfiguration",
    },
    "AWS::SQS::Queue": {  # m: moto's create_queue takes them as queue attributes
        "QueueName", "VisibilityTimeout", "MessageRetentionPeriod", "RedrivePolicy",
        "RedriveAllowPolicy", "KmsMasterKeyId", "KmsDataKeyReusePeriodSeconds",
        "DelaySeconds", "MaximumMessageSize", "ReceiveMessageWaitTimeSeconds",
        "SqsManagedSseEnabled", "FifoQueue", "ContentBasedDeduplication", "Tags",
    },
    "AWS::SQS::QueuePolicy": {"Queues", "PolicyDocument"},  # a: moto_cfn.QueuePolicy
    "AWS::Cognito::UserPool": {  # a: moto_cfn.UserPool (CreateUserPool's own names)
        "UserPoolName", "Policies", "Schema", "AutoVerifiedAttributes", "AliasAttributes",
        "UsernameAttributes", "UsernameConfiguration", "AdminCreateUserConfig",
        "AccountRecoverySetting", "MfaConfiguration", "DeletionProtection",
        "EmailConfiguration", "VerificationMessageTemplate", "UserAttributeUpdateSettings",
        "UserPoolTags", "EmailVerificationMessage", "EmailVerificationSubject",
        "DeviceConfiguration",
    },
    "AWS::Cognito::UserPoolGroup": {  # a: moto_cfn.UserPoolGroup
        "GroupName", "UserPoolId", "Description", "Precedence", "RoleArn",
    },
    "AWS::Cognito::UserPoolClient": {  # a: moto_cfn.UserPoolClient
        "UserPoolId", "ClientName", "GenerateSecret", "ExplicitAuthFlows",
        "PreventUserExistenceErrors", "EnableTokenRevocation", "SupportedIdentityProviders",
        "AccessTokenValidity", "IdTokenValidity", "RefreshTokenValidity",
        "TokenValidityUnits", "ReadAttributes", "WriteAttributes", "AuthSessionValidity",
        "CallbackURLs", "LogoutURLs", "AllowedOAuthFlows", "AllowedOAuthScopes",
        "AllowedOAuthFlowsUserPoolClient", "DefaultRedirectURI",
    },
    "AWS::SES::EmailIdentity": {"EmailIdentity"},  # a: moto_cfn.EmailIdentity
}

IGNORED_PROPERTIES: dict[str, dict[str, str]] = {
    "AWS::S3::Bucket": {"LifecycleConfiguration": "moto never expires objects"},
    "AWS::KMS::Key": {"PendingWindowInDays": "only used when the key is deleted"},
    "AWS::SES::EmailIdentity": {
        "DkimSigningAttributes": "DKIM needs DNS, which the local runtime has none of",
        "DkimAttributes": "DKIM needs DNS, which the local runtime has none of",
        "MailFromAttributes": "a custom MAIL FROM domain needs DNS",
        "FeedbackAttributes": "no bounces or complaints happen locally",
        "ConfigurationSetAttributes": "no configuration sets are provisioned locally",
    },
}

_DONE = ("CREATE_COMPLETE", "UPDATE_COMPLETE")


class TemplateError(Exception):
    """The template uses something the local provisioning does not support, or a
    parameter or rule does not hold."""


# ---------------------------------------------------------------------------- loading


class CfnLoader(yaml.SafeLoader):
    """YAML loader that reads CloudFormation's short-form tags (!Ref, !Sub, ...) as
    their long form ({"Ref": ...}, {"Fn::Sub": ...}), so the result is the same data
    CloudFormation sees and can be written out as JSON."""


def _construct_intrinsic(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> Any:
    key = suffix if suffix in ("Ref", "Condition") else f"Fn::{suffix}"
    value: Any
    if isinstance(node, yaml.ScalarNode):
        value = loader.construct_scalar(node)
        if suffix == "GetAtt":
            value = str(value).split(".", 1)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        value = loader.construct_mapping(node, deep=True)  # type: ignore[arg-type]
    return {key: value}


CfnLoader.add_multi_constructor("!", _construct_intrinsic)
# CloudFormation reads 2010-09-09 as a string; YAML would make it a date that JSON cannot hold.
CfnLoader.add_constructor("tag:yaml.org,2002:timestamp", yaml.SafeLoader.construct_yaml_str)


def load_template(path: str | Path = TEMPLATE_PATH) -> dict[str, Any]:
    with open(path, encoding="utf-8") as handle:
        template = yaml.load(handle, Loader=CfnLoader)  # noqa: S506 - a SafeLoader subclass
    if not isinstance(template, dict) or "Resources" not in template:
        raise TemplateError(f"{path} is not a CloudFormation template")
    return template


def env_name(output_name: str) -> str:
    """Output ``UserPoolClientId`` -> environment variable ``USER_POOL_CLIENT_ID``."""
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", output_name).upper()


def env_outputs(template: Mapping[str, Any]) -> dict[str, str]:
    """Output name -> environment variable, for the outputs that configure the app."""
    known = set(ENV_NAMES.values())
    return {
        name: env_name(name) for name in template.get("Outputs", {}) if env_name(name) in known
    }


def _parameter_values(
    template: Mapping[str, Any], given: Mapping[str, str]
) -> dict[str, str]:
    """Every parameter's value, defaults filled in, checked against its constraints:
    moto's create_stack takes any value."""
    declared = template.get("Parameters", {})
    unknown = set(given) - set(declared)
    if unknown:
        raise TemplateError(f"parameters not in the template: {sorted(unknown)}")
    values: dict[str, str] = {}
    for name, spec in declared.items():
        if name in given:
            value = str(given[name])
        elif "Default" in spec:
            value = str(spec["Default"])
        else:
            raise TemplateError(f"parameter {name} needs a value")
        allowed = spec.get("AllowedValues")
        if allowed is not None and value not in [str(a) for a in allowed]:
            raise TemplateError(f"parameter {name}={value!r} not in {allowed}")
        pattern = spec.get("AllowedPattern")
        if pattern is not None and not re.fullmatch(pattern, value):
            raise TemplateError(f"parameter {name}={value!r} does not match {pattern}")
        if spec.get("Type") == "Number":
            number = float(value)
            if "MinValue" in spec and number < float(spec["MinValue"]):
                raise TemplateError(f"parameter {name}={value} < {spec['MinValue']}")
            if "MaxValue" in spec and number > float(spec["MaxValue"]):
                raise TemplateError(f"parameter {name}={value} > {spec['MaxValue']}")
        values[name] = value
    return values


# ---------------------------------------------------------------------------- checks


class Evaluator:
    """Resolves what depends on parameters only: the template's Rules, which moto's
    CloudFormation does not check, the conditions of the outputs expected, and (for
    infra/package.py) resource names without a stack. Resources are moto's business."""

    def __init__(self, template: Mapping[str, Any], values: Mapping[str, Any]) -> None:
        self.template = template
        self.values = dict(values)

    def condition(self, name: str) -> bool:
        definitions = self.template.get("Conditions", {})
        if name not in definitions:
            raise TemplateError(f"unknown condition {name}")
        return bool(self.resolve(definitions[name]))

    def resolve(self, value: Any) -> Any:
        if isinstance(value, list):
            return [self.resolve(item) for item in value]
        if not isinstance(value, dict):
            return value
        if len(value) != 1:
            return {k: self.resolve(v) for k, v in value.items()}
        (key, arg), = value.items()
        if key == "Ref":
            if arg not in self.values:
                raise TemplateError(f"{arg}: only parameters resolve without a stack")
            return self.values[arg]
        if key == "Condition":
            return self.condition(arg)
        if key == "Fn::Equals":
            left, right = (self.resolve(a) for a in arg)
            return str(left) == str(right)
        if key == "Fn::Not":
            return not self.resolve(arg[0])
        if key == "Fn::And":
            return all(self.resolve(a) for a in arg)
        if key == "Fn::Or":
            return any(self.resolve(a) for a in arg)
        if key == "Fn::If":
            name, when_true, when_false = arg
            return self.resolve(when_true if self.condition(name) else when_false)
        if key == "Fn::Sub" and isinstance(arg, str):
            return re.sub(r"\$\{([^}!]+)\}", lambda m: str(self.resolve({"Ref": m.group(1)})),
                          arg)
        if key.startswith("Fn::"):
            raise TemplateError(f"{key} does not resolve without a stack")
        return {key: self.resolve(arg)}

    def check_rules(self) -> None:
        for name, rule in self.template.get("Rules", {}).items():
            if "RuleCondition" in rule and not self.resolve(rule["RuleCondition"]):
                continue
            for assertion in rule.get("Assertions", []):
                if not self.resolve(assertion["Assert"]):
                    raise TemplateError(
                        f"rule {name}: {assertion.get('AssertDescription', 'assertion failed')}"
                    )


def check_resources(template: Mapping[str, Any]) -> None:
    """Every type and property either takes effect locally or is listed with why not."""
    problems: list[str] = []
    for name, spec in template["Resources"].items():
        rtype = spec["Type"]
        if rtype in SKIPPED_TYPES:
            continue
        if rtype not in HONOURED_PROPERTIES:
            problems.append(f"{name}: resource type {rtype}")
            continue
        allowed = HONOURED_PROPERTIES[rtype] | set(IGNORED_PROPERTIES.get(rtype, {}))
        unknown = sorted(set(spec.get("Properties", {})) - allowed)
        if unknown:
            problems.append(f"{name} ({rtype}): properties " + ", ".join(unknown))
    if problems:
        raise TemplateError(
            "not provisioned locally: " + "; ".join(problems)
            + " (see what moto's CloudFormation does with it, then list it in"
            " chalicelib/local/provision.py, with an addition in moto_cfn.py if needed,"
            " or add it to SKIPPED_TYPES/IGNORED_PROPERTIES with why)"
        )


# ---------------------------------------------------------------------------- provisioning


def _error_code(exc: ClientError) -> str:
    return str(exc.response.get("Error", {}).get("Code", ""))


def _stack(cfn: Any, name: str) -> dict[str, Any] | None:
    try:
        return dict(cfn.describe_stacks(StackName=name)["Stacks"][0])
    except ClientError as exc:
        if _error_code(exc) == "ValidationError":  # "Stack with id ... does not exist"
            return None
        raise


def provision(
    stage: str = "local",
    template_path: str | Path = TEMPLATE_PATH,
    mail_from: str = DEFAULT_MAIL_FROM,
    *,
    parameters: Mapping[str, str] | None = None,
    session: boto3.Session | None = None,
    region: str | None = None,
    endpoint_url: str | None = None,
) -> dict[str, str]:
    """Creates (or finds, or updates) the stack of the template for ``stage`` in moto
    and returns the app's environment: ENV_NAMES variable -> value, from its outputs.

    The endpoint is boto3's usual one, so AWS_ENDPOINT_URL points it at the runtime's
    embedded moto and ``moto.mock_aws`` intercepts it in tests; ``endpoint_url``
    overrides both. moto must run in this process: the additions live here.
    JWKS_URL and AWS_ENDPOINT_URL are not outputs: the local runtime adds them.
    """
    from chalicelib.local import moto_cfn

    moto_cfn.register(list(SKIPPED_TYPES))
    body = Path(template_path).read_text("utf-8")
    template = load_template(template_path)
    values = _parameter_values(
        template, {"Stage": stage, "MailFrom": mail_from, **(parameters or {})}
    )
    evaluator = Evaluator(template, values)
    evaluator.check_rules()
    check_resources(template)

    session = session or boto3.Session()
    cfn = session.client(
        "cloudformation", region_name=region or session.region_name or DEFAULT_REGION,
        endpoint_url=endpoint_url,
    )
    stack_name = f"{APP_NAME}-{stage}"
    args = {
        "StackName": stack_name, "TemplateBody": body,
        "Parameters": [{"ParameterKey": k, "ParameterValue": v} for k, v in values.items()],
    }
    stack = _stack(cfn, stack_name)
    created = stack is None
    if stack is None:
        try:
            cfn.create_stack(**args)
        except (ClientError, BotoCoreError, ResponseParserError) as exc:
            # Typically a state saved before provisioning went through moto's
            # CloudFormation: its resources exist, but no stack records them.
            raise TemplateError(
                f"creating stack {stack_name} failed ({exc}); if moto's state holds "
                "resources of an earlier provisioning, `make reset`"
            ) from exc
        log.info("created stack %s", stack_name)
    elif stack["StackStatus"] not in _DONE:
        raise TemplateError(
            f"stack {stack_name} is {stack['StackStatus']} in the local state; `make reset`"
        )
    else:
        current = {p["ParameterKey"]: str(p["ParameterValue"]) for p in stack["Parameters"]}
        if cfn.get_template(StackName=stack_name)["TemplateBody"] != body or current != values:
            cfn.update_stack(**args)
            log.info("updated stack %s", stack_name)
    stack = _stack(cfn, stack_name) or {}
    if stack.get("StackStatus") not in _DONE:
        raise TemplateError(f"stack {stack_name}: {stack.get('StackStatus')}")
    outputs = {o["OutputKey"]: o["OutputValue"] for o in stack.get("Outputs", [])}
    expected = [
        name for name, spec in template.get("Outputs", {}).items()
        if "Condition" not in spec or evaluator.condition(spec["Condition"])
    ]
    missing = [name for name in expected if name not in outputs]
    if missing:
        # moto drops an output whose resource it skipped, without a word.
        raise TemplateError(f"stack {stack_name} has no value for the outputs {missing}")
    names = env_outputs(template)
    if created and "TableName" in outputs:
        _mark_fresh_table(session, region, endpoint_url, str(outputs["TableName"]))
    return {names[k]: str(v) for k, v in outputs.items() if k in names}


def _mark_fresh_table(session: boto3.Session, region: str | None, endpoint_url: str | None,
                      table: str) -> None:
    """A table just created holds no document, so every document has its intake
    pointers: say so, or the intake would query the indexes until a backfill
    (chalicelib/incoming/store.py ``backfill_pointers``)."""
    from chalicelib.adapters.dynamo import to_dynamo
    from chalicelib.incoming.store import fresh_table_marker

    session.client("dynamodb", region_name=region or session.region_name or DEFAULT_REGION,
                   endpoint_url=endpoint_url).put_item(TableName=table,
                                                       Item=to_dynamo(fresh_table_marker()))
