"""What moto's CloudFormation lacks for infra/template.yaml, added to it.

moto's CloudFormation (``create_stack``) evaluates the template itself: parameters,
conditions, Ref, Fn::Sub, Fn::GetAtt, Fn::If, AWS::NoValue, dependency order and
outputs. What it does not do is create some of our resource types, or all of their
properties. Each class below fills one such gap for one resource type, working on
moto's own backends as moto's models do, and is registered in moto's table of
CloudFormation models, so that the template is still evaluated by moto alone.

They are registered in this process only: moto must run here, in-process
(``mock_aws`` in tests) or as the runtime's embedded server.

Gaps found in moto 5.2.5 (``moto/cloudformation/parsing.py`` and each service's
``create_from_cloudformation_json``); docs/local-runtime.md lists them too.
"""

from __future__ import annotations

import json
from typing import Any, ClassVar

from moto.cloudformation import parsing
from moto.cognitoidp.models import cognitoidp_backends
from moto.dynamodb.models import dynamodb_backends
from moto.dynamodb.models.table import Table as MotoTable
from moto.kms.models import kms_backends
from moto.s3.models import FakeBucket, s3_backends
from moto.ses.models import ses_backends
from moto.sqs.models import sqs_backends
from moto.utilities.utils import get_partition


class AdditionError(Exception):
    """The template asks an addition for something it does not do."""


class Created:
    """What Ref and Fn::GetAtt see of a resource whose moto object is not a
    CloudFormation model (Cognito, SES) or that has no moto object at all."""

    def __init__(self, ref: str, **attrs: str) -> None:
        self.physical_resource_id = ref
        self.attrs = attrs

    def get_cfn_attribute(self, name: str) -> str:
        if name not in self.attrs:
            raise AdditionError(f"attribute {name} of {self.physical_resource_id} not provided")
        return self.attrs[name]

    def is_created(self) -> bool:
        return True


class Addition:
    """A CloudFormation model for moto's parser: created and updated from the
    properties moto has already resolved."""

    TYPE: ClassVar[str]

    @classmethod
    def create(cls, props: dict[str, Any], account: str, region: str, logical_id: str) -> Any:
        raise NotImplementedError

    @classmethod
    def update(cls, current: Any, props: dict[str, Any], account: str, region: str) -> Any:
        raise NotImplementedError

    # The names and signatures moto's parser calls.
    @classmethod
    def create_from_cloudformation_json(
        cls, resource_name: str, cloudformation_json: dict[str, Any], account_id: str,
        region_name: str, **kwargs: Any,
    ) -> Any:
        props = cloudformation_json.get("Properties", {})
        return cls.create(props, account_id, region_name, str(kwargs.get("LogicalId", "")))

    @classmethod
    def update_from_cloudformation_json(
        cls, original_resource: Any, new_resource_name: str,
        cloudformation_json: dict[str, Any], account_id: str, region_name: str,
    ) -> Any:
        return cls.update(
            original_resource, cloudformation_json.get("Properties", {}), account_id, region_name
        )

    @classmethod
    def delete_from_cloudformation_json(
        cls, resource_name: str, cloudformation_json: dict[str, Any], account_id: str,
        region_name: str,
    ) -> None:
        # A resource dropped from the template stays in the local state; `make reset`
        # starts afresh. Nothing local depends on its absence.
        return None

    @classmethod
    def has_cfn_attr(cls, attr: str) -> bool:
        return True


# ---------------------------------------------------------------------------- DynamoDB


class Table(Addition):
    """moto's Table model ignores TimeToLiveSpecification and
    PointInTimeRecoverySpecification, reads SSESpecification under the API's key
    (Enabled) instead of CloudFormation's (SSEEnabled), and has no update: on a changed
    table moto's update_stack would replace it with nothing. A changed table gets
    its new indexes, TTL and PITR here."""

    TYPE = "AWS::DynamoDB::Table"

    @classmethod
    def create(cls, props: dict[str, Any], account: str, region: str, logical_id: str) -> Any:
        cfn_props = dict(props)
        if "SSESpecification" in props:
            sse = props["SSESpecification"]
            cfn_props["SSESpecification"] = {
                "Enabled": bool(sse.get("SSEEnabled")),
                **{k: sse[k] for k in ("SSEType", "KMSMasterKeyId") if k in sse},
            }
        table = MotoTable.create_from_cloudformation_json(
            props["TableName"], {"Properties": cfn_props}, account, region
        )
        cls._settings(table.name, props, account, region)
        return table

    @classmethod
    def update(cls, current: Any, props: dict[str, Any], account: str, region: str) -> Any:
        backend = dynamodb_backends[account][region]
        have = {index.name for index in current.global_indexes}
        new = [i for i in props.get("GlobalSecondaryIndexes", []) if i["IndexName"] not in have]
        if new:
            backend.update_table(
                current.name, props["AttributeDefinitions"], [{"Create": i} for i in new],
                None, None, None, None, None,
            )
        cls._settings(current.name, props, account, region)
        return current

    @staticmethod
    def _settings(name: str, props: dict[str, Any], account: str, region: str) -> None:
        backend = dynamodb_backends[account][region]
        if "TimeToLiveSpecification" in props:
            ttl = props["TimeToLiveSpecification"]
            backend.update_time_to_live(
                name, {"AttributeName": ttl["AttributeName"], "Enabled": bool(ttl["Enabled"])}
            )
        if "PointInTimeRecoverySpecification" in props:
            enabled = bool(props["PointInTimeRecoverySpecification"]["PointInTimeRecoveryEnabled"])
            backend.update_continuous_backups(name, {"PointInTimeRecoveryEnabled": enabled})


# ---------------------------------------------------------------------------- KMS


class KmsKey(Addition):
    """moto's Key model creates every key SYMMETRIC_DEFAULT / ENCRYPT_DECRYPT whatever
    KeySpec and KeyUsage say (the agency seal key could not sign), and keeps KeyPolicy
    as a dict where KMS keeps JSON text (DescribeKey then fails with a TypeError)."""

    TYPE = "AWS::KMS::Key"

    @classmethod
    def create(cls, props: dict[str, Any], account: str, region: str, logical_id: str) -> Any:
        key = kms_backends[account][region].create_key(
            policy=json.dumps(props["KeyPolicy"]) if "KeyPolicy" in props else None,
            key_usage=props.get("KeyUsage", "ENCRYPT_DECRYPT"),
            key_spec=props.get("KeySpec", "SYMMETRIC_DEFAULT"),
            description=props.get("Description", ""),
            tags=[{"TagKey": t["Key"], "TagValue": t["Value"]} for t in props.get("Tags", [])],
            multi_region=bool(props.get("MultiRegion", False)),
        )
        return cls.update(key, props, account, region)

    @classmethod
    def update(cls, current: Any, props: dict[str, Any], account: str, region: str) -> Any:
        spec = (props.get("KeySpec", "SYMMETRIC_DEFAULT"), props.get("KeyUsage", "ENCRYPT_DECRYPT"))
        if spec != (current.key_spec, current.key_usage):
            # CloudFormation would replace the key: a new key, and every signature or
            # ciphertext of the old one orphaned. Locally that is `make reset`.
            raise AdditionError(
                f"KMS key {current.id}: KeySpec/KeyUsage changed to {spec}; run `make reset`"
            )
        current.description = props.get("Description", "")
        if "KeyPolicy" in props:
            current.policy = json.dumps(props["KeyPolicy"])
        current.key_rotation_status = bool(props.get("EnableKeyRotation", False))
        current.enabled = bool(props.get("Enabled", True))
        return current


# ---------------------------------------------------------------------------- S3


class Bucket(Addition):
    """moto's Bucket model applies BucketEncryption and Tags only. Versioning, object
    lock, the public access block, ownership controls, CORS (the browser's presigned
    POST) and the notification to the ingest queue would be silently missing."""

    TYPE = "AWS::S3::Bucket"

    @classmethod
    def create(cls, props: dict[str, Any], account: str, region: str, logical_id: str) -> Any:
        bucket = FakeBucket.create_from_cloudformation_json(
            props["BucketName"], {"Properties": props}, account, region
        )
        if props.get("ObjectLockEnabled"):
            # Only at creation, as with CreateBucket's x-amz-bucket-object-lock-enabled.
            bucket.object_lock_enabled = True
            bucket.versioning_status = "Enabled"
        return cls.update(bucket, props, account, region)

    @classmethod
    def update(cls, current: Any, props: dict[str, Any], account: str, region: str) -> Any:
        backend = s3_backends[account][get_partition(region)]
        if "BucketEncryption" in props or "Tags" in props:
            # moto's own update; it replaces the bucket if BucketName changed.
            current = FakeBucket.update_from_cloudformation_json(
                current, current.name, {"Properties": props}, account, region
            )
        name = current.name
        sse = props.get("BucketEncryption", {}).get("ServerSideEncryptionConfiguration", [])
        if sse and "BucketKeyEnabled" in sse[0] and current.encryption:
            # moto's conversion of BucketEncryption drops it; objects then say "false".
            current.encryption["Rule"]["BucketKeyEnabled"] = str(
                bool(sse[0]["BucketKeyEnabled"])
            ).lower()
        if "VersioningConfiguration" in props:
            backend.put_bucket_versioning(name, props["VersioningConfiguration"]["Status"])
        if "ObjectLockConfiguration" in props:
            lock = props["ObjectLockConfiguration"]
            retention = lock.get("Rule", {}).get("DefaultRetention", {})
            backend.put_object_lock_configuration(
                name, lock.get("ObjectLockEnabled", "Enabled") == "Enabled",
                retention.get("Mode"),
                int(retention["Days"]) if "Days" in retention else None,
                int(retention["Years"]) if "Years" in retention else None,
            )
        if "PublicAccessBlockConfiguration" in props:
            backend.put_public_access_block(name, props["PublicAccessBlockConfiguration"])
        if "OwnershipControls" in props:
            rules = props["OwnershipControls"]["Rules"]
            backend.put_bucket_ownership_controls(name, rules[0]["ObjectOwnership"])
        if "CorsConfiguration" in props:
            backend.put_bucket_cors(name, [_cors_rule(r) for r in
                                           props["CorsConfiguration"]["CorsRules"]])
        if "NotificationConfiguration" in props:
            wanted = _notification(props["NotificationConfiguration"])
            # Compared first: every put sends an s3:TestEvent to the queue.
            if _notification_key(current.notification_configuration) != _notification_key(
                wanted
            ):
                backend.put_bucket_notification_configuration(name, wanted)
        return current


def _cors_rule(rule: dict[str, Any]) -> dict[str, Any]:
    """CloudFormation's CorsRule -> the parsed XML of PutBucketCors that moto stores."""
    out: dict[str, Any] = {
        "AllowedMethod": rule["AllowedMethods"], "AllowedOrigin": rule["AllowedOrigins"],
    }
    for cfn, xml in (("AllowedHeaders", "AllowedHeader"), ("ExposedHeaders", "ExposeHeader")):
        if cfn in rule:
            out[xml] = rule[cfn]
    if "MaxAge" in rule:
        out["MaxAgeSeconds"] = str(rule["MaxAge"])
    if "Id" in rule:
        out["ID"] = rule["Id"]
    return out


def _notification(cfg: dict[str, Any]) -> dict[str, Any]:
    """CloudFormation's NotificationConfiguration -> the parsed XML moto stores."""
    unsupported = set(cfg) - {"QueueConfigurations"}
    if unsupported:
        raise AdditionError(f"bucket notifications not provisioned locally: {sorted(unsupported)}")
    queues = []
    for item in cfg.get("QueueConfigurations", []):
        entry: dict[str, Any] = {"Queue": item["Queue"], "Event": [item["Event"]]}
        rules = item.get("Filter", {}).get("S3Key", {}).get("Rules")
        if rules:
            entry["Filter"] = {"S3Key": {"FilterRule": [
                {"Name": r["Name"], "Value": r["Value"]} for r in rules
            ]}}
        queues.append(entry)
    return {"QueueConfiguration": queues}


def _notification_key(cfg: Any) -> list[tuple[str, tuple[str, ...], str]]:
    if cfg is None:
        return []
    if isinstance(cfg, dict):
        items = [(q["Queue"], q["Event"], q.get("Filter", {})) for q in cfg["QueueConfiguration"]]
    else:
        items = [(q.arn, q.events, q.filters) for q in cfg.queue]
    out = []
    for arn, events, filters in items:
        rules = filters.get("S3Key", {}).get("FilterRule", [])
        text = ",".join(sorted(f"{r['Name'].lower()}={r['Value']}" for r in rules))
        out.append((arn, tuple(sorted(events)), text))
    return sorted(out)


# ---------------------------------------------------------------------------- SQS


class QueuePolicy(Addition):
    """moto's CloudFormation has no AWS::SQS::QueuePolicy."""

    TYPE = "AWS::SQS::QueuePolicy"

    @classmethod
    def create(cls, props: dict[str, Any], account: str, region: str, logical_id: str) -> Any:
        return cls.update(Created(logical_id), props, account, region)

    @classmethod
    def update(cls, current: Any, props: dict[str, Any], account: str, region: str) -> Any:
        policy = json.dumps(props["PolicyDocument"], separators=(",", ":"))
        for url in props["Queues"]:
            sqs_backends[account][region].set_queue_attributes(
                url.rsplit("/", 1)[-1], {"Policy": policy}
            )
        return current


# ---------------------------------------------------------------------------- Cognito


class UserPool(Addition):
    """moto's CloudFormation has no Cognito resources. CloudFormation's properties of a
    user pool are CreateUserPool's, except the name."""

    TYPE = "AWS::Cognito::UserPool"

    @classmethod
    def create(cls, props: dict[str, Any], account: str, region: str, logical_id: str) -> Any:
        config = {k: v for k, v in props.items() if k != "UserPoolName"}
        pool = cognitoidp_backends[account][region].create_user_pool(
            props["UserPoolName"], config
        )
        provider = f"cognito-idp.{region}.amazonaws.com/{pool.id}"
        return Created(pool.id, Arn=pool.arn, UserPoolId=pool.id, ProviderName=provider,
                       ProviderURL=f"https://{provider}")

    @classmethod
    def update(cls, current: Any, props: dict[str, Any], account: str, region: str) -> Any:
        # Cognito refuses schema changes after creation; moto keeps the first schema.
        config = {k: v for k, v in props.items() if k not in ("UserPoolName", "Schema")}
        cognitoidp_backends[account][region].update_user_pool(current.physical_resource_id,
                                                              config)
        return current


class UserPoolClient(Addition):
    """moto's CloudFormation has no Cognito resources."""

    TYPE = "AWS::Cognito::UserPoolClient"

    @classmethod
    def create(cls, props: dict[str, Any], account: str, region: str, logical_id: str) -> Any:
        config = {k: v for k, v in props.items() if k not in ("UserPoolId", "GenerateSecret")}
        client = cognitoidp_backends[account][region].create_user_pool_client(
            props["UserPoolId"], bool(props.get("GenerateSecret", False)), config
        )
        return Created(client.id, ClientId=client.id, Name=props["ClientName"])

    @classmethod
    def update(cls, current: Any, props: dict[str, Any], account: str, region: str) -> Any:
        # A secret cannot be added or removed after creation.
        config = {k: v for k, v in props.items() if k not in ("UserPoolId", "GenerateSecret")}
        cognitoidp_backends[account][region].update_user_pool_client(
            props["UserPoolId"], current.physical_resource_id, config
        )
        return current


class UserPoolGroup(Addition):
    """moto's CloudFormation has no Cognito resources."""

    TYPE = "AWS::Cognito::UserPoolGroup"

    @classmethod
    def create(cls, props: dict[str, Any], account: str, region: str, logical_id: str) -> Any:
        cognitoidp_backends[account][region].create_group(
            props["UserPoolId"], props["GroupName"], props.get("Description"),
            props.get("RoleArn"), props.get("Precedence"),
        )
        return Created(props["GroupName"])

    @classmethod
    def update(cls, current: Any, props: dict[str, Any], account: str, region: str) -> Any:
        cognitoidp_backends[account][region].update_group(
            props["UserPoolId"], props["GroupName"], props.get("Description"),
            props.get("RoleArn"), props.get("Precedence"),
        )
        return current


# ---------------------------------------------------------------------------- SES


class EmailIdentity(Addition):
    """moto's CloudFormation has no AWS::SES::EmailIdentity. moto verifies an identity
    as soon as it exists, which is what lets local sends work; a domain gets moto's
    fixed DKIM tokens for the DkimDNSToken* attributes."""

    TYPE = "AWS::SES::EmailIdentity"

    @classmethod
    def create(cls, props: dict[str, Any], account: str, region: str, logical_id: str) -> Any:
        backend = ses_backends[account][region]
        identity = props["EmailIdentity"]
        if identity not in backend.email_identities:
            backend.create_email_identity_v2(
                identity, None, props.get("DkimSigningAttributes"), None
            )
        attrs: dict[str, str] = {}
        if "@" not in identity:
            tokens = backend.get_identity_dkim_attributes([identity])[identity]["DkimTokens"]
            for i, token in enumerate(tokens[:3], start=1):
                attrs[f"DkimDNSTokenName{i}"] = f"{token}._domainkey.{identity}"
                attrs[f"DkimDNSTokenValue{i}"] = f"{token}.dkim.amazonses.com"
        return Created(identity, **attrs)

    @classmethod
    def update(cls, current: Any, props: dict[str, Any], account: str, region: str) -> Any:
        return cls.create(props, account, region, "")


# ---------------------------------------------------------------------------- skipped


class NothingLocally(Addition):
    """For the types that mean nothing locally (provision.SKIPPED_TYPES): moto would
    skip them too, but with a warning per resource and a Ref of None."""

    TYPE = ""

    @classmethod
    def create(cls, props: dict[str, Any], account: str, region: str, logical_id: str) -> Any:
        return Created(logical_id)

    @classmethod
    def update(cls, current: Any, props: dict[str, Any], account: str, region: str) -> Any:
        return current


ADDITIONS: tuple[type[Addition], ...] = (
    Table, KmsKey, Bucket, QueuePolicy, UserPool, UserPoolClient, UserPoolGroup, EmailIdentity,
)


def register(skipped_types: list[str]) -> None:
    """Puts the additions into moto's table of CloudFormation models (type -> model),
    in place of moto's own model where it has one. moto builds that table once
    (functools.lru_cache) and looks every resource up in it."""
    models: dict[str, Any] = parsing.get_model_map()
    for addition in ADDITIONS:
        models[addition.TYPE] = addition
    for resource_type in skipped_types:
        models[resource_type] = NothingLocally


def supported_types() -> set[str]:
    return set(parsing.get_model_map())
