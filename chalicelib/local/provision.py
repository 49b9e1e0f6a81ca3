"""Creates in moto (or whatever endpoint boto3 points at) the resources that
infra/template.yaml declares, read from that file: the template is the one list of
resources, so the local runtime cannot drift from what CloudFormation deploys.

It is a small CloudFormation for one template, not a general one: it evaluates the
parameters, conditions, rules and the intrinsic functions the template uses, orders
the resources by their references, and creates each with boto3. Every step looks
for the resource first, so a second run (or a run against a moto whose state was
restored) finds everything in place and changes nothing.

A resource type or property it does not know stops it with the name: a resource
added to the template must be taught here or listed in SKIPPED_TYPES with the
reason it means nothing locally, never silently left out.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import boto3
import yaml
from botocore.exceptions import ClientError

from chalicelib.kernel.config import APP_NAME, ENV_NAMES

log = logging.getLogger(__name__)

TEMPLATE_PATH = Path(__file__).resolve().parents[2] / "infra" / "template.yaml"
DEFAULT_REGION = "ap-southeast-1"
DEFAULT_MAIL_FROM = "vanthu@skhdt.example"

# Tags that let a later run find resources AWS gives no name to (KMS keys).
STACK_TAG = "eoffice:stack"
LOGICAL_ID_TAG = "eoffice:logical-id"

SKIPPED_TYPES: dict[str, str] = {
    "AWS::CloudWatch::Alarm": "no metrics or alarms run locally; the DLQs can be read directly",
    "AWS::S3::BucketPolicy": (
        "the policies only deny plain-HTTP access, and the local endpoint is plain HTTP on "
        "loopback; moto 5.2 also evaluates a Deny whose Condition does not match as a match "
        "(moto.iam.access_control.IAMPolicyStatement), so it would refuse every request"
    ),
}

# Properties that have no effect in moto, by resource type; any other unknown property
# is an error.
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


class TemplateError(Exception):
    """The template uses something this provisioner does not understand, or a
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


# ---------------------------------------------------------------------------- evaluation


class _NoValue:
    def __repr__(self) -> str:
        return "AWS::NoValue"


NO_VALUE = _NoValue()
_SUB_VARIABLE = re.compile(r"\$\{([^}]+)\}")


@dataclass
class Physical:
    """What ``Ref`` and ``Fn::GetAtt`` return for a created resource."""

    ref: str
    attrs: dict[str, Any] = field(default_factory=dict)


def references(value: Any) -> set[str]:
    """Names a piece of template refers to through Ref, GetAtt and Sub variables."""
    found: set[str] = set()
    if isinstance(value, dict):
        if len(value) == 1:
            (key, arg), = value.items()
            if key == "Ref" and isinstance(arg, str):
                return {arg}
            if key == "Fn::GetAtt":
                target = arg[0] if isinstance(arg, list) else str(arg).split(".", 1)[0]
                return {target}
            if key == "Fn::Sub":
                text, local = (arg[0], arg[1]) if isinstance(arg, list) else (arg, {})
                for name in _SUB_VARIABLE.findall(text):
                    if not name.startswith("!") and name not in local:
                        found.add(name.split(".", 1)[0])
                return found | references(local)
        for item in value.values():
            found |= references(item)
    elif isinstance(value, list):
        for item in value:
            found |= references(item)
    return found


class Evaluator:
    """Resolves intrinsic functions against parameters, conditions and the resources
    created so far."""

    def __init__(self, template: Mapping[str, Any], values: Mapping[str, Any]) -> None:
        self.template = template
        self.values = dict(values)  # parameters and pseudo parameters
        self.resources: dict[str, Physical] = {}
        self._conditions: dict[str, bool] = {}

    # -- conditions
    def condition(self, name: str) -> bool:
        if name not in self._conditions:
            definitions = self.template.get("Conditions", {})
            if name not in definitions:
                raise TemplateError(f"unknown condition {name}")
            self._conditions[name] = bool(self._truth(definitions[name]))
        return self._conditions[name]

    def _truth(self, expr: Any) -> Any:
        if isinstance(expr, dict) and len(expr) == 1:
            (key, arg), = expr.items()
            if key == "Condition":
                return self.condition(arg)
            if key == "Fn::Equals":
                left, right = (self._truth(a) for a in arg)
                return str(left) == str(right)
            if key == "Fn::Not":
                return not self._truth(arg[0])
            if key == "Fn::And":
                return all(self._truth(a) for a in arg)
            if key == "Fn::Or":
                return any(self._truth(a) for a in arg)
            if key == "Fn::Contains":
                haystack, needle = self.resolve(arg[0]), self.resolve(arg[1])
                return str(needle) in [str(h) for h in haystack]
        return self.resolve(expr)

    def check_rules(self) -> None:
        for name, rule in self.template.get("Rules", {}).items():
            if "RuleCondition" in rule and not self._truth(rule["RuleCondition"]):
                continue
            for assertion in rule.get("Assertions", []):
                if not self._truth(assertion["Assert"]):
                    raise TemplateError(
                        f"rule {name}: {assertion.get('AssertDescription', 'assertion failed')}"
                    )

    # -- values
    def resolve(self, value: Any) -> Any:
        if isinstance(value, dict):
            if len(value) == 1:
                (key, arg), = value.items()
                if key == "Ref":
                    return self.ref(arg)
                if key.startswith("Fn::"):
                    return self._function(key, arg)
            resolved = {k: self.resolve(v) for k, v in value.items()}
            return {k: v for k, v in resolved.items() if v is not NO_VALUE}
        if isinstance(value, list):
            return [v for v in (self.resolve(item) for item in value) if v is not NO_VALUE]
        return value

    def ref(self, name: str) -> Any:
        if name == "AWS::NoValue":
            return NO_VALUE
        if name in self.values:
            return self.values[name]
        if name in self.resources:
            return self.resources[name].ref
        if name in self.template.get("Resources", {}):
            raise TemplateError(f"{name} is referred to but not created (condition false?)")
        raise TemplateError(f"unknown reference {name}")

    def get_att(self, resource: str, attribute: str) -> Any:
        if resource not in self.resources:
            raise TemplateError(f"{resource}.{attribute}: {resource} is not created")
        attrs = self.resources[resource].attrs
        if attribute not in attrs:
            raise TemplateError(f"{resource}.{attribute}: attribute not provided locally")
        return attrs[attribute]

    def _function(self, key: str, arg: Any) -> Any:
        if key == "Fn::Sub":
            return self._sub(arg)
        if key == "Fn::GetAtt":
            resource, attribute = arg if isinstance(arg, list) else str(arg).split(".", 1)
            return self.get_att(resource, self.resolve(attribute))
        if key == "Fn::If":
            name, when_true, when_false = arg
            return self.resolve(when_true if self.condition(name) else when_false)
        if key == "Fn::Join":
            separator, items = arg
            return str(separator).join(str(i) for i in self.resolve(items))
        if key == "Fn::Select":
            index, items = arg
            return self.resolve(items)[int(self.resolve(index))]
        if key == "Fn::Split":
            separator, text = arg
            return str(self.resolve(text)).split(separator)
        if key in ("Fn::Equals", "Fn::Not", "Fn::And", "Fn::Or"):
            return self._truth({key: arg})
        raise TemplateError(f"intrinsic function {key} is not supported by the local provisioner")

    def _sub(self, arg: Any) -> str:
        if isinstance(arg, list):
            text, local = arg[0], {k: self.resolve(v) for k, v in arg[1].items()}
        else:
            text, local = arg, {}

        def substitute(match: re.Match[str]) -> str:
            name = match.group(1)
            if name.startswith("!"):
                return "${" + name[1:] + "}"
            if name in local:
                return str(local[name])
            if "." in name and name not in self.values:
                resource, attribute = name.split(".", 1)
                return str(self.get_att(resource, attribute))
            return str(self.ref(name))

        return _SUB_VARIABLE.sub(substitute, text)


def _parameter_values(
    template: Mapping[str, Any], given: Mapping[str, str]
) -> dict[str, str]:
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


def creation_order(template: Mapping[str, Any], active: Iterable[str]) -> list[str]:
    """Resources in an order where each comes after everything it refers to; ties keep
    the template's order so that runs are reproducible."""
    resources = template["Resources"]
    active_set = set(active)
    names = [n for n in resources if n in active_set]
    deps: dict[str, set[str]] = {}
    for name in names:
        spec = resources[name]
        depends_on = spec.get("DependsOn", [])
        if isinstance(depends_on, str):
            depends_on = [depends_on]
        missing = sorted(d for d in depends_on if d not in active_set)
        if missing:
            raise TemplateError(f"{name} depends on {missing}, which are not created")
        # A reference to a resource whose condition is false can only stand in the
        # untaken branch of an Fn::If; if not, resolving it fails with its name.
        found = references(spec.get("Properties", {})) | set(depends_on)
        deps[name] = {d for d in found if d in active_set and d != name}
    ordered: list[str] = []
    done: set[str] = set()
    while len(ordered) < len(names):
        ready = [n for n in names if n not in done and deps[n] <= done]
        if not ready:
            cycle = sorted(n for n in names if n not in done)
            raise TemplateError(f"circular references between {cycle}")
        ordered.append(ready[0])
        done.add(ready[0])
    return ordered


# ---------------------------------------------------------------------------- provisioning


def _error_code(exc: ClientError) -> str:
    return str(exc.response.get("Error", {}).get("Code", ""))


def _attribute_string(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dict, list)):
        return json.dumps(value, separators=(",", ":"))
    return str(value)


def _same_attribute(current: str | None, wanted: str) -> bool:
    if current == wanted:
        return True
    if current is None:
        return False
    try:  # policies come back re-serialised, and maxReceiveCount as a number
        return _normalise_json(json.loads(current)) == _normalise_json(json.loads(wanted))
    except ValueError:
        return False


def _normalise_json(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _normalise_json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_normalise_json(v) for v in value]
    return str(value)


class Provisioner:
    """Creates the active resources of a template, in dependency order."""

    def __init__(
        self,
        template: Mapping[str, Any],
        parameters: Mapping[str, str],
        *,
        session: boto3.Session | None = None,
        region: str | None = None,
        endpoint_url: str | None = None,
    ) -> None:
        self.template = template
        self.session = session or boto3.Session()
        self.region = region or self.session.region_name or DEFAULT_REGION
        self.endpoint_url = endpoint_url
        self._clients: dict[str, Any] = {}
        values = _parameter_values(template, parameters)
        self.stack_name = f"{APP_NAME}-{values.get('Stage', 'local')}"
        account = self.client("sts").get_caller_identity()["Account"]
        partition = {"cn": "aws-cn", "us-gov": "aws-us-gov"}.get(
            self.region.rsplit("-", 2)[0], "aws"
        )
        self.evaluator = Evaluator(
            template,
            {
                **values,
                "AWS::AccountId": account,
                "AWS::Region": self.region,
                "AWS::Partition": partition,
                "AWS::URLSuffix": "amazonaws.com.cn" if partition == "aws-cn" else "amazonaws.com",
                "AWS::StackName": self.stack_name,
                "AWS::StackId": (
                    f"arn:{partition}:cloudformation:{self.region}:{account}:stack/"
                    f"{self.stack_name}/local"
                ),
                "AWS::NotificationARNs": [],
            },
        )
        self.handlers: dict[str, Callable[[str, dict[str, Any]], Physical]] = {
            "AWS::DynamoDB::Table": self._table,
            "AWS::KMS::Key": self._kms_key,
            "AWS::KMS::Alias": self._kms_alias,
            "AWS::S3::Bucket": self._bucket,
            "AWS::SQS::Queue": self._queue,
            "AWS::SQS::QueuePolicy": self._queue_policy,
            "AWS::Cognito::UserPool": self._user_pool,
            "AWS::Cognito::UserPoolGroup": self._user_pool_group,
            "AWS::Cognito::UserPoolClient": self._user_pool_client,
            "AWS::SES::EmailIdentity": self._email_identity,
        }

    def client(self, service: str) -> Any:
        if service not in self._clients:
            self._clients[service] = self.session.client(
                service, region_name=self.region, endpoint_url=self.endpoint_url
            )
        return self._clients[service]

    # -- driver
    def run(self) -> dict[str, Any]:
        """Creates what is missing; returns the template's outputs (name -> value)."""
        resources = self.template["Resources"]
        self.check_types()
        self.evaluator.check_rules()
        active = [
            name for name, spec in resources.items()
            if "Condition" not in spec or self.evaluator.condition(spec["Condition"])
        ]
        for name in creation_order(self.template, active):
            rtype = resources[name]["Type"]
            properties = self.evaluator.resolve(resources[name].get("Properties", {}))
            if rtype in SKIPPED_TYPES:
                log.debug("skip %s (%s): %s", name, rtype, SKIPPED_TYPES[rtype])
                self.evaluator.resources[name] = Physical(ref=name)
                continue
            self._check_properties(name, rtype, properties)
            self.evaluator.resources[name] = self.handlers[rtype](name, properties)
        return self.outputs()

    def check_types(self) -> None:
        unknown = sorted(
            {spec["Type"] for spec in self.template["Resources"].values()}
            - set(self.handlers) - set(SKIPPED_TYPES)
        )
        if unknown:
            raise TemplateError(
                "resource types the local provisioner does not support: "
                + ", ".join(unknown)
                + " (teach chalicelib/local/provision.py, or add them to SKIPPED_TYPES with why)"
            )

    def outputs(self) -> dict[str, Any]:
        result: dict[str, Any] = {}
        for name, spec in self.template.get("Outputs", {}).items():
            if "Condition" in spec and not self.evaluator.condition(spec["Condition"]):
                continue
            result[name] = self.evaluator.resolve(spec["Value"])
        return result

    _HANDLED: dict[str, set[str]] = {
        "AWS::DynamoDB::Table": {
            "TableName", "AttributeDefinitions", "KeySchema", "GlobalSecondaryIndexes",
            "LocalSecondaryIndexes", "BillingMode", "ProvisionedThroughput", "SSESpecification",
            "StreamSpecification", "DeletionProtectionEnabled", "TableClass", "Tags",
            "TimeToLiveSpecification", "PointInTimeRecoverySpecification",
        },
        "AWS::KMS::Key": {
            "Description", "KeySpec", "KeyUsage", "KeyPolicy", "EnableKeyRotation", "Tags",
            "MultiRegion",
        },
        "AWS::KMS::Alias": {"AliasName", "TargetKeyId"},
        "AWS::S3::Bucket": {
            "BucketName", "VersioningConfiguration", "BucketEncryption",
            "PublicAccessBlockConfiguration", "OwnershipControls", "NotificationConfiguration",
            "ObjectLockEnabled", "ObjectLockConfiguration", "Tags", "CorsConfiguration",
        },
        "AWS::SQS::Queue": {
            "QueueName", "VisibilityTimeout", "MessageRetentionPeriod", "RedrivePolicy",
            "RedriveAllowPolicy", "KmsMasterKeyId", "KmsDataKeyReusePeriodSeconds",
            "DelaySeconds", "MaximumMessageSize", "ReceiveMessageWaitTimeSeconds",
            "SqsManagedSseEnabled", "FifoQueue", "ContentBasedDeduplication", "Tags",
        },
        "AWS::SQS::QueuePolicy": {"Queues", "PolicyDocument"},
        "AWS::Cognito::UserPool": {
            "UserPoolName", "Policies", "Schema", "AutoVerifiedAttributes", "AliasAttributes",
            "UsernameAttributes", "UsernameConfiguration", "AdminCreateUserConfig",
            "AccountRecoverySetting", "MfaConfiguration", "DeletionProtection",
            "EmailConfiguration", "VerificationMessageTemplate", "UserAttributeUpdateSettings",
            "UserPoolTags", "EmailVerificationMessage", "EmailVerificationSubject",
            "DeviceConfiguration",
        },
        "AWS::Cognito::UserPoolGroup": {
            "GroupName", "UserPoolId", "Description", "Precedence", "RoleArn",
        },
        "AWS::Cognito::UserPoolClient": {
            "UserPoolId", "ClientName", "GenerateSecret", "ExplicitAuthFlows",
            "PreventUserExistenceErrors", "EnableTokenRevocation", "SupportedIdentityProviders",
            "AccessTokenValidity", "IdTokenValidity", "RefreshTokenValidity",
            "TokenValidityUnits", "ReadAttributes", "WriteAttributes", "AuthSessionValidity",
            "CallbackURLs", "LogoutURLs", "AllowedOAuthFlows", "AllowedOAuthScopes",
            "AllowedOAuthFlowsUserPoolClient", "DefaultRedirectURI",
        },
        "AWS::SES::EmailIdentity": {"EmailIdentity"},
    }

    def _check_properties(self, name: str, rtype: str, properties: Mapping[str, Any]) -> None:
        allowed = self._HANDLED.get(rtype, set()) | set(IGNORED_PROPERTIES.get(rtype, {}))
        unknown = sorted(set(properties) - allowed)
        if unknown:
            raise TemplateError(
                f"{name} ({rtype}): properties the local provisioner does not support: "
                + ", ".join(unknown)
            )

    def _tags(self, logical: str) -> dict[str, str]:
        return {STACK_TAG: self.stack_name, LOGICAL_ID_TAG: logical}

    # -- DynamoDB
    def _table(self, logical: str, p: dict[str, Any]) -> Physical:
        ddb = self.client("dynamodb")
        name = p["TableName"]
        try:
            table = ddb.describe_table(TableName=name)["Table"]
        except ClientError as exc:
            if _error_code(exc) != "ResourceNotFoundException":
                raise
            table = self._create_table(p)
        else:
            self._add_missing_indexes(table, p)
        ttl = p.get("TimeToLiveSpecification")
        if ttl:
            current = ddb.describe_time_to_live(TableName=name)["TimeToLiveDescription"]
            enabled = current.get("TimeToLiveStatus") in ("ENABLED", "ENABLING")
            # DynamoDB refuses to "enable" TTL that is already enabled: change only a difference.
            if bool(ttl.get("Enabled")) != enabled or (
                enabled and current.get("AttributeName") != ttl["AttributeName"]
            ):
                ddb.update_time_to_live(
                    TableName=name,
                    TimeToLiveSpecification={
                        "AttributeName": ttl["AttributeName"], "Enabled": bool(ttl.get("Enabled"))
                    },
                )
        pitr = p.get("PointInTimeRecoverySpecification")
        if pitr is not None:
            wanted = bool(pitr.get("PointInTimeRecoveryEnabled"))
            current = ddb.describe_continuous_backups(TableName=name)[
                "ContinuousBackupsDescription"
            ].get("PointInTimeRecoveryDescription", {}).get("PointInTimeRecoveryStatus")
            if (current == "ENABLED") != wanted:
                ddb.update_continuous_backups(
                    TableName=name,
                    PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": wanted},
                )
        return Physical(
            ref=name,
            attrs={"Arn": table["TableArn"], "StreamArn": table.get("LatestStreamArn", "")},
        )

    def _create_table(self, p: dict[str, Any]) -> dict[str, Any]:
        ddb = self.client("dynamodb")
        args: dict[str, Any] = {
            key: p[key]
            for key in (
                "TableName", "AttributeDefinitions", "KeySchema", "GlobalSecondaryIndexes",
                "LocalSecondaryIndexes", "BillingMode", "ProvisionedThroughput",
                "DeletionProtectionEnabled", "TableClass", "Tags",
            )
            if key in p
        }
        if "SSESpecification" in p:
            sse = p["SSESpecification"]
            args["SSESpecification"] = {
                "Enabled": bool(sse.get("SSEEnabled")),
                **{k: sse[k] for k in ("SSEType", "KMSMasterKeyId") if k in sse},
            }
        if "StreamSpecification" in p:
            args["StreamSpecification"] = {
                "StreamEnabled": True,
                "StreamViewType": p["StreamSpecification"]["StreamViewType"],
            }
        table = ddb.create_table(**args)["TableDescription"]
        ddb.get_waiter("table_exists").wait(TableName=p["TableName"])
        log.info("created table %s", p["TableName"])
        return dict(table)

    def _add_missing_indexes(self, table: Mapping[str, Any], p: dict[str, Any]) -> None:
        """A GSI added to the template after the table was created locally."""
        have = {i["IndexName"] for i in table.get("GlobalSecondaryIndexes", [])}
        for index in p.get("GlobalSecondaryIndexes", []):
            if index["IndexName"] in have:
                continue
            self.client("dynamodb").update_table(
                TableName=p["TableName"],
                AttributeDefinitions=p["AttributeDefinitions"],
                GlobalSecondaryIndexUpdates=[{"Create": index}],
            )
            log.info("added index %s to %s", index["IndexName"], p["TableName"])

    # -- KMS
    def _kms_key(self, logical: str, p: dict[str, Any]) -> Physical:
        kms = self.client("kms")
        key_id = self._find_key(logical)
        if key_id is None:
            tags = {t["Key"]: t["Value"] for t in p.get("Tags", [])} | self._tags(logical)
            args: dict[str, Any] = {
                "Description": p.get("Description", ""),
                "KeyUsage": p.get("KeyUsage", "ENCRYPT_DECRYPT"),
                "KeySpec": p.get("KeySpec", "SYMMETRIC_DEFAULT"),
                "Tags": [{"TagKey": k, "TagValue": v} for k, v in tags.items()],
                "MultiRegion": bool(p.get("MultiRegion", False)),
            }
            if "KeyPolicy" in p:
                args["Policy"] = json.dumps(p["KeyPolicy"])
            key_id = kms.create_key(**args)["KeyMetadata"]["KeyId"]
            log.info("created KMS key %s for %s", key_id, logical)
        if p.get("EnableKeyRotation"):
            if not kms.get_key_rotation_status(KeyId=key_id)["KeyRotationEnabled"]:
                kms.enable_key_rotation(KeyId=key_id)
        meta = kms.describe_key(KeyId=key_id)["KeyMetadata"]
        return Physical(ref=meta["KeyId"], attrs={"Arn": meta["Arn"], "KeyId": meta["KeyId"]})

    def _find_key(self, logical: str) -> str | None:
        kms = self.client("kms")
        wanted = self._tags(logical)
        for page in kms.get_paginator("list_keys").paginate():
            for key in page["Keys"]:
                tags = {
                    t["TagKey"]: t["TagValue"]
                    for t in kms.list_resource_tags(KeyId=key["KeyId"]).get("Tags", [])
                }
                if any(tags.get(k) != v for k, v in wanted.items()):
                    continue
                state = kms.describe_key(KeyId=key["KeyId"])["KeyMetadata"]["KeyState"]
                if state not in ("PendingDeletion", "PendingReplicaDeletion"):
                    return str(key["KeyId"])
        return None

    def _kms_alias(self, logical: str, p: dict[str, Any]) -> Physical:
        kms = self.client("kms")
        name = p["AliasName"]
        target = kms.describe_key(KeyId=p["TargetKeyId"])["KeyMetadata"]["KeyId"]
        current = None
        for page in kms.get_paginator("list_aliases").paginate():
            for alias in page["Aliases"]:
                if alias["AliasName"] == name:
                    current = alias.get("TargetKeyId")
        if current is None:
            kms.create_alias(AliasName=name, TargetKeyId=target)
            log.info("created alias %s", name)
        elif current != target:
            kms.update_alias(AliasName=name, TargetKeyId=target)
        return Physical(ref=name)

    # -- S3
    def _bucket(self, logical: str, p: dict[str, Any]) -> Physical:
        s3 = self.client("s3")
        name = p["BucketName"]
        try:
            s3.head_bucket(Bucket=name)
        except ClientError as exc:
            if _error_code(exc) not in ("404", "NoSuchBucket", "NotFound"):
                raise
            args: dict[str, Any] = {"Bucket": name}
            if self.region != "us-east-1":
                args["CreateBucketConfiguration"] = {"LocationConstraint": self.region}
            if p.get("ObjectLockEnabled"):
                args["ObjectLockEnabledForBucket"] = True
            s3.create_bucket(**args)
            log.info("created bucket %s", name)
        if "VersioningConfiguration" in p:
            status = p["VersioningConfiguration"]["Status"]
            if s3.get_bucket_versioning(Bucket=name).get("Status") != status:
                s3.put_bucket_versioning(Bucket=name, VersioningConfiguration={"Status": status})
        if "ObjectLockConfiguration" in p:
            self._s3_put_if_changed(
                name, "object_lock_configuration", "ObjectLockConfiguration",
                _object_lock(p["ObjectLockConfiguration"]),
            )
        if "BucketEncryption" in p:
            rules = [
                {
                    "ApplyServerSideEncryptionByDefault": rule["ServerSideEncryptionByDefault"],
                    **({"BucketKeyEnabled": rule["BucketKeyEnabled"]}
                       if "BucketKeyEnabled" in rule else {}),
                }
                for rule in p["BucketEncryption"]["ServerSideEncryptionConfiguration"]
            ]
            self._s3_put_if_changed(
                name, "bucket_encryption", "ServerSideEncryptionConfiguration", {"Rules": rules}
            )
        if "PublicAccessBlockConfiguration" in p:
            self._s3_put_if_changed(
                name, "public_access_block", "PublicAccessBlockConfiguration",
                p["PublicAccessBlockConfiguration"],
            )
        if "OwnershipControls" in p:
            self._s3_put_if_changed(
                name, "bucket_ownership_controls", "OwnershipControls", p["OwnershipControls"]
            )
        if "Tags" in p:
            self._s3_put_if_changed(name, "bucket_tagging", "Tagging", {"TagSet": p["Tags"]})
        if "CorsConfiguration" in p:
            rules = [
                {
                    "AllowedMethods": r["AllowedMethods"], "AllowedOrigins": r["AllowedOrigins"],
                    **({"AllowedHeaders": r["AllowedHeaders"]} if "AllowedHeaders" in r else {}),
                    **({"ExposeHeaders": r["ExposedHeaders"]} if "ExposedHeaders" in r else {}),
                    **({"MaxAgeSeconds": r["MaxAge"]} if "MaxAge" in r else {}),
                }
                for r in p["CorsConfiguration"]["CorsRules"]
            ]
            self._s3_put_if_changed(name, "bucket_cors", "CORSConfiguration",
                                    {"CORSRules": rules})
        if "NotificationConfiguration" in p:
            wanted = _notification(p["NotificationConfiguration"])
            current = s3.get_bucket_notification_configuration(Bucket=name)
            # Compared first: S3 (and moto) send an s3:TestEvent on every put.
            if _normalise_notification(current) != _normalise_notification(wanted):
                s3.put_bucket_notification_configuration(
                    Bucket=name, NotificationConfiguration=wanted
                )
        return Physical(
            ref=name,
            attrs={
                "Arn": f"arn:{self.evaluator.values['AWS::Partition']}:s3:::{name}",
                "DomainName": f"{name}.s3.amazonaws.com",
                "RegionalDomainName": f"{name}.s3.{self.region}.amazonaws.com",
            },
        )

    def _s3_put_if_changed(self, bucket: str, what: str, key: str, wanted: Any) -> None:
        """Reads a bucket setting and writes it only if it differs, so that a second run
        makes no write at all."""
        s3 = self.client("s3")
        try:
            current = getattr(s3, f"get_{what}")(Bucket=bucket)
        except ClientError as exc:
            if _error_code(exc) in ("AccessDenied", "403"):
                raise
            current = {}  # the S3 API answers "not configured" with an error
        if what == "bucket_tagging":
            current = {"Tagging": {"TagSet": current.get("TagSet", [])}}
        if what == "bucket_cors":
            current = {"CORSConfiguration": {"CORSRules": current.get("CORSRules", [])}}
        if _subset(wanted, current.get(key)):
            return
        getattr(s3, f"put_{what}")(Bucket=bucket, **{key: wanted})

    # -- SQS
    def _queue(self, logical: str, p: dict[str, Any]) -> Physical:
        sqs = self.client("sqs")
        name = p["QueueName"]
        attributes = {
            k: _attribute_string(v) for k, v in p.items() if k not in ("QueueName", "Tags")
        }
        try:
            url = sqs.get_queue_url(QueueName=name)["QueueUrl"]
        except ClientError as exc:
            if _error_code(exc) not in (
                "AWS.SimpleQueueService.NonExistentQueue", "QueueDoesNotExist"
            ):
                raise
            url = sqs.create_queue(QueueName=name, Attributes=attributes)["QueueUrl"]
            log.info("created queue %s", name)
        else:
            current = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])[
                "Attributes"
            ]
            changed = {
                k: v for k, v in attributes.items()
                if k not in ("FifoQueue",) and not _same_attribute(current.get(k), v)
            }
            if changed:
                sqs.set_queue_attributes(QueueUrl=url, Attributes=changed)
        if p.get("Tags"):
            sqs.tag_queue(QueueUrl=url, Tags={t["Key"]: t["Value"] for t in p["Tags"]})
        arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])[
            "Attributes"
        ]["QueueArn"]
        return Physical(ref=url, attrs={"Arn": arn, "QueueName": name, "QueueUrl": url})

    def _queue_policy(self, logical: str, p: dict[str, Any]) -> Physical:
        sqs = self.client("sqs")
        policy = json.dumps(p["PolicyDocument"], separators=(",", ":"))
        for url in p["Queues"]:
            current = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["Policy"])
            if not _same_attribute(current.get("Attributes", {}).get("Policy"), policy):
                sqs.set_queue_attributes(QueueUrl=url, Attributes={"Policy": policy})
        return Physical(ref=logical)

    # -- Cognito
    def _user_pool(self, logical: str, p: dict[str, Any]) -> Physical:
        idp = self.client("cognito-idp")
        name = p["UserPoolName"]
        pool_id = None
        for page in idp.get_paginator("list_user_pools").paginate(MaxResults=60):
            for pool in page["UserPools"]:
                if pool["Name"] == name:
                    pool_id = pool["Id"]
        if pool_id is None:
            args = {("PoolName" if k == "UserPoolName" else k): v for k, v in p.items()}
            pool_id = idp.create_user_pool(**args)["UserPool"]["Id"]
            log.info("created user pool %s (%s)", name, pool_id)
        arn = idp.describe_user_pool(UserPoolId=pool_id)["UserPool"]["Arn"]
        provider = f"cognito-idp.{self.region}.amazonaws.com/{pool_id}"
        return Physical(
            ref=pool_id,
            attrs={
                "Arn": arn, "UserPoolId": pool_id, "ProviderName": provider,
                "ProviderURL": f"https://{provider}",
            },
        )

    def _user_pool_group(self, logical: str, p: dict[str, Any]) -> Physical:
        idp = self.client("cognito-idp")
        try:
            idp.get_group(GroupName=p["GroupName"], UserPoolId=p["UserPoolId"])
        except ClientError as exc:
            if _error_code(exc) != "ResourceNotFoundException":
                raise
            idp.create_group(**p)
        return Physical(ref=p["GroupName"])

    def _user_pool_client(self, logical: str, p: dict[str, Any]) -> Physical:
        idp = self.client("cognito-idp")
        pool_id = p["UserPoolId"]
        client_id = None
        for page in idp.get_paginator("list_user_pool_clients").paginate(
            UserPoolId=pool_id, MaxResults=60
        ):
            for item in page["UserPoolClients"]:
                if item["ClientName"] == p["ClientName"]:
                    client_id = item["ClientId"]
        if client_id is None:
            client_id = idp.create_user_pool_client(**p)["UserPoolClient"]["ClientId"]
            log.info("created app client %s (%s)", p["ClientName"], client_id)
        else:
            current = idp.describe_user_pool_client(UserPoolId=pool_id, ClientId=client_id)[
                "UserPoolClient"
            ]
            # A secret cannot be added or removed after creation; the rest can follow
            # the template.
            wanted = {k: v for k, v in p.items() if k != "GenerateSecret"}
            if any(_normalise_json(current.get(k)) != _normalise_json(v)
                   for k, v in wanted.items()):
                idp.update_user_pool_client(ClientId=client_id, **wanted)
        return Physical(ref=client_id, attrs={"Name": p["ClientName"]})

    # -- SES
    def _email_identity(self, logical: str, p: dict[str, Any]) -> Physical:
        ses = self.client("ses")
        identity = p["EmailIdentity"]
        status = ses.get_identity_verification_attributes(Identities=[identity])[
            "VerificationAttributes"
        ].get(identity, {}).get("VerificationStatus")
        if status != "Success":
            if "@" in identity:
                # moto marks it verified at once, which is what lets local sends work.
                ses.verify_email_identity(EmailAddress=identity)
            else:
                ses.verify_domain_identity(Domain=identity)
            log.info("verified SES identity %s", identity)
        attrs: dict[str, Any] = {}
        if "@" not in identity:
            tokens = ses.get_identity_dkim_attributes(Identities=[identity])[
                "DkimAttributes"
            ].get(identity, {}).get("DkimTokens") or ses.verify_domain_dkim(Domain=identity)[
                "DkimTokens"
            ]
            for i, token in enumerate(tokens[:3], start=1):
                attrs[f"DkimDNSTokenName{i}"] = f"{token}._domainkey.{identity}"
                attrs[f"DkimDNSTokenValue{i}"] = f"{token}.dkim.amazonses.com"
        return Physical(ref=identity, attrs=attrs)


def _subset(wanted: Any, current: Any) -> bool:
    """Whether ``current`` already holds everything in ``wanted`` (AWS adds fields of its
    own to what it returns, and scalars come back as bools or strings)."""
    if isinstance(wanted, dict):
        return isinstance(current, dict) and all(
            _subset(v, current.get(k)) for k, v in wanted.items()
        )
    if isinstance(wanted, list):
        return (
            isinstance(current, list) and len(wanted) == len(current)
            and all(_subset(w, c) for w, c in zip(wanted, current, strict=True))
        )
    return str(wanted).lower() == str(current).lower()


def _object_lock(cfg: Mapping[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {"ObjectLockEnabled": cfg.get("ObjectLockEnabled", "Enabled")}
    retention = cfg.get("Rule", {}).get("DefaultRetention")
    if retention:
        out["Rule"] = {
            "DefaultRetention": {
                k: (int(v) if k in ("Days", "Years") else v) for k, v in retention.items()
            }
        }
    return out


def _notification(cfg: Mapping[str, Any]) -> dict[str, Any]:
    """CloudFormation's notification shape -> the S3 API's."""
    unsupported = set(cfg) - {"QueueConfigurations"}
    if unsupported:
        raise TemplateError(f"bucket notifications not supported locally: {sorted(unsupported)}")
    queues = []
    for item in cfg.get("QueueConfigurations", []):
        entry: dict[str, Any] = {"QueueArn": item["Queue"], "Events": [item["Event"]]}
        rules = item.get("Filter", {}).get("S3Key", {}).get("Rules")
        if rules:
            entry["Filter"] = {
                "Key": {"FilterRules": [{"Name": r["Name"], "Value": r["Value"]} for r in rules]}
            }
        queues.append(entry)
    return {"QueueConfigurations": queues}


def _normalise_notification(cfg: Mapping[str, Any]) -> list[tuple[str, tuple[str, ...], str]]:
    out = []
    for item in cfg.get("QueueConfigurations", []):
        rules = item.get("Filter", {}).get("Key", {}).get("FilterRules", [])
        rule_text = ",".join(sorted(f"{r['Name'].lower()}={r['Value']}" for r in rules))
        out.append((item["QueueArn"], tuple(sorted(item["Events"])), rule_text))
    return sorted(out)


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
    """Creates (or finds) every resource of the template for ``stage`` and returns the
    app's environment: ENV_NAMES variable -> value, from the template's outputs.

    The endpoint is boto3's usual one, so AWS_ENDPOINT_URL points it at moto in server
    mode and ``moto.mock_aws`` intercepts it in tests; ``endpoint_url`` overrides both.
    JWKS_URL and AWS_ENDPOINT_URL are not outputs: the local runtime adds them.
    """
    template = load_template(template_path)
    values = {"Stage": stage, "MailFrom": mail_from, **(parameters or {})}
    provisioner = Provisioner(
        template, values, session=session, region=region, endpoint_url=endpoint_url
    )
    outputs = provisioner.run()
    names = env_outputs(template)
    return {names[k]: str(v) for k, v in outputs.items() if k in names}
