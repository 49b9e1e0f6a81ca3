"""Provisioning from infra/template.yaml into moto (in-process), with moto's
CloudFormation and the additions of chalicelib/local/moto_cfn.py, creates what the app
needs; running it again changes nothing, also on a state restored from disk; a changed
template updates the stack in place."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import unquote_plus

import boto3
import pytest
import yaml
from moto import mock_aws

from chalicelib.kernel.config import ENV_NAMES, resource_name
from chalicelib.local.embedded_aws import restore_bytes, snapshot_bytes
from chalicelib.local.provision import (
    TemplateError,
    env_name,
    load_template,
    provision,
)

REGION = "ap-southeast-1"
ROLES = {"clerk", "officer", "unit_head", "leader", "one_stop", "admin", "archivist"}
READ_ONLY_PREFIXES = ("Get", "Describe", "List", "Head")


@pytest.fixture
def aws(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    for name in ("AWS_ENDPOINT_URL", "AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_REGION"):
        monkeypatch.delenv(name, raising=False)
    with mock_aws():
        yield


@pytest.fixture
def env(aws: None) -> dict[str, str]:
    return provision(stage="local")


def client(service: str) -> Any:
    return boto3.client(service, region_name=REGION)


def test_env_covers_every_setting_the_template_can_give(env: dict[str, str]) -> None:
    # JWKS_URL and AWS_ENDPOINT_URL belong to the local runtime, never to the template.
    assert set(env) == set(ENV_NAMES.values()) - {"JWKS_URL", "AWS_ENDPOINT_URL"}
    assert env["MAIL_FROM"] == "vanthu@skhdt.example"
    assert all(env.values())


def test_output_names_map_to_env_names() -> None:
    assert env_name("UserPoolClientId") == "USER_POOL_CLIENT_ID"
    assert env_name("WorkflowQueueUrl") == "WORKFLOW_QUEUE_URL"
    assert env_name("TableName") == "TABLE_NAME"


def test_table_has_keys_indexes_ttl_and_pitr(env: dict[str, str]) -> None:
    ddb = client("dynamodb")
    table = ddb.describe_table(TableName=env["TABLE_NAME"])["Table"]
    assert {(k["AttributeName"], k["KeyType"]) for k in table["KeySchema"]} == {
        ("pk", "HASH"), ("sk", "RANGE")
    }
    indexes = {i["IndexName"]: i for i in table["GlobalSecondaryIndexes"]}
    assert set(indexes) == {"gsi1", "gsi2", "gsi3"}
    for name, index in indexes.items():
        assert {(k["AttributeName"], k["KeyType"]) for k in index["KeySchema"]} == {
            (f"{name}pk", "HASH"), (f"{name}sk", "RANGE")
        }
        assert index["Projection"]["ProjectionType"] == "ALL"
    assert table["BillingModeSummary"]["BillingMode"] == "PAY_PER_REQUEST"
    ttl = ddb.describe_time_to_live(TableName=env["TABLE_NAME"])["TimeToLiveDescription"]
    assert (ttl["TimeToLiveStatus"], ttl["AttributeName"]) == ("ENABLED", "expires_at")
    backups = ddb.describe_continuous_backups(TableName=env["TABLE_NAME"])
    pitr = backups["ContinuousBackupsDescription"]["PointInTimeRecoveryDescription"]
    assert pitr["PointInTimeRecoveryStatus"] == "ENABLED"
    assert table["SSEDescription"]["Status"] == "ENABLED"
    assert table["DeletionProtectionEnabled"] is False
    # The table answers a query on an index: the app's access path works.
    ddb.put_item(
        TableName=env["TABLE_NAME"],
        Item={"pk": {"S": "A"}, "sk": {"S": "B"}, "gsi2pk": {"S": "X"}, "gsi2sk": {"S": "1"}},
    )
    found = ddb.query(
        TableName=env["TABLE_NAME"], IndexName="gsi2",
        KeyConditionExpression="gsi2pk = :p", ExpressionAttributeValues={":p": {"S": "X"}},
    )
    assert found["Count"] == 1


def test_buckets_are_versioned_encrypted_and_private(env: dict[str, str]) -> None:
    s3 = client("s3")
    kms = client("kms")
    data_key = kms.describe_key(KeyId="alias/eoffice-local-data")["KeyMetadata"]["Arn"]
    for variable in ("INTAKE_BUCKET", "DOCUMENTS_BUCKET", "ARCHIVE_BUCKET"):
        bucket = env[variable]
        assert bucket.endswith(f"-123456789012-{REGION}")
        assert s3.get_bucket_versioning(Bucket=bucket)["Status"] == "Enabled"
        rule = s3.get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"][
            "Rules"
        ][0]
        assert rule["ApplyServerSideEncryptionByDefault"] == {
            "SSEAlgorithm": "aws:kms", "KMSMasterKeyID": data_key
        }
        assert rule["BucketKeyEnabled"] is True
        block = s3.get_public_access_block(Bucket=bucket)["PublicAccessBlockConfiguration"]
        assert all(block.values())
        ownership = s3.get_bucket_ownership_controls(Bucket=bucket)["OwnershipControls"]
        assert ownership["Rules"] == [{"ObjectOwnership": "BucketOwnerEnforced"}]
    # The clerk's browser posts straight to the intake bucket from the app's origin.
    cors = s3.get_bucket_cors(Bucket=env["INTAKE_BUCKET"])["CORSRules"]
    assert cors == [{"AllowedHeaders": ["*"], "AllowedMethods": ["POST"],
                     "AllowedOrigins": [env["PUBLIC_BASE_URL"]], "MaxAgeSeconds": 3600}]
    # Object lock is a prod-only setting.
    with pytest.raises(s3.exceptions.ClientError):
        s3.get_object_lock_configuration(Bucket=env["ARCHIVE_BUCKET"])


def test_object_written_under_incoming_reaches_the_ingest_queue(env: dict[str, str]) -> None:
    s3 = client("s3")
    sqs = client("sqs")
    ingest_arn = sqs.get_queue_attributes(QueueUrl=env["INGEST_QUEUE_URL"],
                                          AttributeNames=["QueueArn", "Policy"])["Attributes"]
    (notification,) = s3.get_bucket_notification_configuration(Bucket=env["INTAKE_BUCKET"])[
        "QueueConfigurations"
    ]
    assert notification["QueueArn"] == ingest_arn["QueueArn"]
    assert notification["Events"] == ["s3:ObjectCreated:*"]
    assert notification["Filter"]["Key"]["FilterRules"] == [
        {"Name": "prefix", "Value": "incoming/"}
    ]
    (statement,) = json.loads(ingest_arn["Policy"])["Statement"]
    assert statement["Principal"] == {"Service": "s3.amazonaws.com"}
    assert statement["Condition"]["ArnEquals"]["aws:SourceArn"].endswith(env["INTAKE_BUCKET"])
    s3.put_object(Bucket=env["INTAKE_BUCKET"], Key="elsewhere/skip.pdf", Body=b"%PDF-1.7")
    s3.put_object(Bucket=env["INTAKE_BUCKET"], Key="incoming/scan-001.pdf", Body=b"%PDF-1.7")
    records = []
    for _ in range(3):
        out = sqs.receive_message(QueueUrl=env["INGEST_QUEUE_URL"], MaxNumberOfMessages=10)
        for message in out.get("Messages", []):
            body = json.loads(message["Body"])
            records.extend(body.get("Records", []))  # the one s3:TestEvent has none
    # Event keys are URL-encoded (AWS: spaces as "+"; moto also encodes "/" as %2F), so
    # a consumer must unquote_plus them before GetObject.
    assert [unquote_plus(r["s3"]["object"]["key"]) for r in records] == ["incoming/scan-001.pdf"]
    assert records[0]["eventName"].startswith("ObjectCreated:")
    assert records[0]["s3"]["bucket"]["name"] == env["INTAKE_BUCKET"]


def test_queues_have_the_app_names_and_dead_letter_queues(env: dict[str, str]) -> None:
    sqs = client("sqs")
    for logical, variable, visibility in (
        ("workflow", "WORKFLOW_QUEUE_URL", 720), ("ingest", "INGEST_QUEUE_URL", 1800)
    ):
        # The app subscribes by name (on_sqs_message(queue=resource_name(...))).
        assert env[variable].endswith("/" + resource_name(logical, "local"))
        attrs = sqs.get_queue_attributes(QueueUrl=env[variable], AttributeNames=["All"])[
            "Attributes"
        ]
        assert int(attrs["VisibilityTimeout"]) == visibility
        redrive = json.loads(attrs["RedrivePolicy"])
        assert int(redrive["maxReceiveCount"]) == 5
        dlq_url = sqs.get_queue_url(QueueName=resource_name(f"{logical}-dlq", "local"))["QueueUrl"]
        dlq = sqs.get_queue_attributes(QueueUrl=dlq_url, AttributeNames=["All"])["Attributes"]
        assert redrive["deadLetterTargetArn"] == dlq["QueueArn"]
        assert int(dlq["MessageRetentionPeriod"]) == 14 * 86400


def test_the_ocr_queue_waits_for_a_25_page_scan_and_parks_after_three_receives(
        env: dict[str, str]) -> None:
    from chalicelib.incoming.ocr_step import MAX_RECEIVES

    sqs = client("sqs")
    assert env["OCR_QUEUE_URL"].endswith("/" + resource_name("ocr", "local"))
    attrs = sqs.get_queue_attributes(QueueUrl=env["OCR_QUEUE_URL"],
                                     AttributeNames=["All"])["Attributes"]
    assert int(attrs["VisibilityTimeout"]) == 6 * 600  # 6 x the OCR function's timeout
    assert int(json.loads(attrs["RedrivePolicy"])["maxReceiveCount"]) == MAX_RECEIVES


def test_message_is_parked_in_the_dlq_after_five_receives(env: dict[str, str]) -> None:
    sqs = client("sqs")
    sqs.set_queue_attributes(QueueUrl=env["WORKFLOW_QUEUE_URL"],
                             Attributes={"VisibilityTimeout": "0"})
    sqs.send_message(QueueUrl=env["WORKFLOW_QUEUE_URL"], MessageBody="{}")
    for _ in range(5):
        assert sqs.receive_message(QueueUrl=env["WORKFLOW_QUEUE_URL"]).get("Messages")
    assert not sqs.receive_message(QueueUrl=env["WORKFLOW_QUEUE_URL"]).get("Messages")
    dlq_url = sqs.get_queue_url(QueueName="eoffice-local-workflow-dlq")["QueueUrl"]
    assert sqs.receive_message(QueueUrl=dlq_url).get("Messages")


def test_data_key_encrypts_rotates_and_carries_its_policy(env: dict[str, str]) -> None:
    kms = client("kms")
    key = kms.describe_key(KeyId="alias/eoffice-local-data")["KeyMetadata"]
    assert (key["KeySpec"], key["KeyUsage"]) == ("SYMMETRIC_DEFAULT", "ENCRYPT_DECRYPT")
    assert kms.get_key_rotation_status(KeyId=key["KeyId"])["KeyRotationEnabled"] is True
    policy = json.loads(kms.get_key_policy(KeyId=key["KeyId"], PolicyName="default")["Policy"])
    assert [s["Sid"] for s in policy["Statement"]] == [
        "AccountManagesKeyThroughIam", "S3NotifiesEncryptedQueues"
    ]
    blob = kms.encrypt(KeyId="alias/eoffice-local-data", Plaintext=b"ho so")["CiphertextBlob"]
    assert kms.decrypt(CiphertextBlob=blob)["Plaintext"] == b"ho so"
    # The queues are encrypted with it too.
    attrs = client("sqs").get_queue_attributes(QueueUrl=env["WORKFLOW_QUEUE_URL"],
                                               AttributeNames=["KmsMasterKeyId"])
    assert attrs["Attributes"]["KmsMasterKeyId"] == key["KeyId"]


def test_agency_seal_key_signs_and_verifies(env: dict[str, str]) -> None:
    kms = client("kms")
    alias = kms.describe_key(KeyId="alias/eoffice-local-agency-seal")["KeyMetadata"]
    assert alias["KeyId"] == env["AGENCY_KEY_ID"]
    assert (alias["KeySpec"], alias["KeyUsage"]) == ("RSA_2048", "SIGN_VERIFY")
    message = "Quyết định số 12/QĐ-SKHĐT".encode()
    # RAW, not DIGEST: moto hashes a DIGEST again (see DESIGN.md).
    signature = kms.sign(
        KeyId=env["AGENCY_KEY_ID"], Message=message, MessageType="RAW",
        SigningAlgorithm="RSASSA_PKCS1_V1_5_SHA_256",
    )["Signature"]
    verified = kms.verify(
        KeyId=env["AGENCY_KEY_ID"], Message=message, MessageType="RAW", Signature=signature,
        SigningAlgorithm="RSASSA_PKCS1_V1_5_SHA_256",
    )
    assert verified["SignatureValid"] is True
    tampered = kms.verify(
        KeyId=env["AGENCY_KEY_ID"], Message=message + b"!", MessageType="RAW",
        Signature=signature, SigningAlgorithm="RSASSA_PKCS1_V1_5_SHA_256",
    )
    assert tampered["SignatureValid"] is False


def test_user_pool_groups_and_client_sign_a_user_in(env: dict[str, str]) -> None:
    idp = client("cognito-idp")
    pool_id, client_id = env["USER_POOL_ID"], env["USER_POOL_CLIENT_ID"]
    groups = {g["GroupName"] for g in idp.list_groups(UserPoolId=pool_id)["Groups"]}
    assert groups == ROLES
    pool = idp.describe_user_pool(UserPoolId=pool_id)["UserPool"]
    assert pool["AdminCreateUserConfig"]["AllowAdminCreateUserOnly"] is True
    assert "custom:unit" in {a["Name"] for a in pool["SchemaAttributes"]}
    app = idp.describe_user_pool_client(UserPoolId=pool_id, ClientId=client_id)[
        "UserPoolClient"
    ]
    assert set(app["ExplicitAuthFlows"]) == {"ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"}
    assert app["PreventUserExistenceErrors"] == "ENABLED"
    assert "ClientSecret" not in app
    assert "custom:unit" not in app["WriteAttributes"]

    idp.admin_create_user(
        UserPoolId=pool_id, Username="vanthu01", MessageAction="SUPPRESS",
        UserAttributes=[
            {"Name": "email", "Value": "vanthu01@skhdt.example"},
            {"Name": "name", "Value": "Nguyễn Thị Lan"},
            {"Name": "custom:unit", "Value": "VP"},
        ],
    )
    with pytest.raises(idp.exceptions.InvalidPasswordException):
        idp.admin_set_user_password(
            UserPoolId=pool_id, Username="vanthu01", Password="short", Permanent=True
        )
    idp.admin_set_user_password(
        UserPoolId=pool_id, Username="vanthu01", Password="Mat-khau-2024!", Permanent=True
    )
    idp.admin_add_user_to_group(UserPoolId=pool_id, Username="vanthu01", GroupName="clerk")
    result = idp.initiate_auth(
        ClientId=client_id, AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": "vanthu01", "PASSWORD": "Mat-khau-2024!"},
    )["AuthenticationResult"]
    import jwt

    claims = jwt.decode(result["IdToken"], options={"verify_signature": False})
    assert claims["cognito:username"] == "vanthu01"
    assert claims["cognito:groups"] == ["clerk"]
    assert claims["aud"] == client_id
    refreshed = idp.initiate_auth(
        ClientId=client_id, AuthFlow="REFRESH_TOKEN_AUTH",
        AuthParameters={"REFRESH_TOKEN": result["RefreshToken"]},
    )["AuthenticationResult"]
    assert refreshed["IdToken"]


def test_mail_from_identity_is_verified_so_sends_work(env: dict[str, str]) -> None:
    ses = client("ses")
    status = ses.get_identity_verification_attributes(Identities=[env["MAIL_FROM"]])[
        "VerificationAttributes"
    ][env["MAIL_FROM"]]["VerificationStatus"]
    assert status == "Success"
    sent = ses.send_raw_email(
        Source=env["MAIL_FROM"], Destinations=["giamdoc@skhdt.example"],
        RawMessage={"Data": b"Subject: Moi hop\r\n\r\nKinh moi."},
    )
    assert sent["MessageId"]


def test_second_run_writes_nothing_and_returns_the_same_env(env: dict[str, str]) -> None:
    session = boto3.Session(region_name=REGION)
    calls: list[str] = []

    def record(model: Any, **_: Any) -> None:
        calls.append(f"{model.service_model.service_name}:{model.name}")

    session.events.register("before-call", record)
    again = provision(stage="local", session=session)
    assert again == env
    assert calls, "the hook saw no call"
    writes = [c for c in calls if not c.split(":")[1].startswith(READ_ONLY_PREFIXES)]
    # STS GetCallerIdentity is a read despite its name; nothing else may write.
    assert writes == []


def test_restored_state_finds_the_stack_and_writes_nothing(env: dict[str, str]) -> None:
    """What the local runtime does at each start: moto's state comes back from disk,
    then provisioning runs again."""
    from moto.core.base_backend import BackendDict

    kms = client("kms")
    public_key = kms.get_public_key(KeyId=env["AGENCY_KEY_ID"])["PublicKey"]
    key_count = len(kms.list_keys()["Keys"])
    state = snapshot_bytes()
    BackendDict.reset()  # as a new process would start: nothing in moto
    assert client("cloudformation").describe_stacks()["Stacks"] == []
    restore_bytes(state)
    session = boto3.Session(region_name=REGION)
    calls: list[str] = []
    session.events.register("before-call", lambda model, **_: calls.append(model.name))
    assert provision(stage="local", session=session) == env
    assert calls and [c for c in calls if not c.startswith(READ_ONLY_PREFIXES)] == []
    # Same keys, same material: nothing was created a second time.
    assert kms.get_public_key(KeyId=env["AGENCY_KEY_ID"])["PublicKey"] == public_key
    assert len(kms.list_keys()["Keys"]) == key_count
    assert len(client("cognito-idp").list_user_pools(MaxResults=60)["UserPools"]) == 1


def test_state_without_the_stack_asks_for_a_reset(env: dict[str, str]) -> None:
    """A state saved before provisioning used moto's CloudFormation has the resources
    but no stack: creating it again would collide, so the message says what to do."""
    from moto.cloudformation.models import cloudformation_backends

    cloudformation_backends["123456789012"][REGION].stacks.clear()
    with pytest.raises(TemplateError, match="make reset"):
        provision(stage="local")


def test_changed_template_updates_the_stack_in_place(
    env: dict[str, str], tmp_path: Path
) -> None:
    ddb = client("dynamodb")
    ddb.put_item(TableName=env["TABLE_NAME"], Item={"pk": {"S": "A"}, "sk": {"S": "B"}})
    template = load_template()
    table = template["Resources"]["Table"]["Properties"]
    table["AttributeDefinitions"] += [
        {"AttributeName": "gsi4pk", "AttributeType": "S"},
        {"AttributeName": "gsi4sk", "AttributeType": "S"},
    ]
    table["GlobalSecondaryIndexes"].append({
        "IndexName": "gsi4",
        "KeySchema": [{"AttributeName": "gsi4pk", "KeyType": "HASH"},
                      {"AttributeName": "gsi4sk", "KeyType": "RANGE"}],
        "Projection": {"ProjectionType": "ALL"},
    })
    template["Resources"]["WorkflowQueue"]["Properties"]["VisibilityTimeout"] = 900
    path = tmp_path / "template.yaml"
    path.write_text(yaml.safe_dump(template), "utf-8")

    assert provision(stage="local", template_path=path) == env
    described = ddb.describe_table(TableName=env["TABLE_NAME"])["Table"]
    assert {i["IndexName"] for i in described["GlobalSecondaryIndexes"]} == {
        "gsi1", "gsi2", "gsi3", "gsi4"
    }
    assert ddb.get_item(TableName=env["TABLE_NAME"],
                        Key={"pk": {"S": "A"}, "sk": {"S": "B"}}).get("Item")
    attrs = client("sqs").get_queue_attributes(QueueUrl=env["WORKFLOW_QUEUE_URL"],
                                               AttributeNames=["VisibilityTimeout"])
    assert attrs["Attributes"]["VisibilityTimeout"] == "900"


def test_domain_identity_and_extra_parameters(aws: None) -> None:
    env = provision(stage="local", parameters={"MailDomain": "skhdt.example"})
    identities = client("ses").list_identities()["Identities"]
    assert {"skhdt.example", env["MAIL_FROM"]} <= set(identities)
    outputs = client("cloudformation").describe_stacks(StackName="eoffice-local")["Stacks"][0][
        "Outputs"
    ]
    dkim = {o["OutputKey"]: o["OutputValue"] for o in outputs if o["OutputKey"].startswith("Dkim")}
    assert sorted(dkim) == ["DkimRecord1", "DkimRecord2", "DkimRecord3"]
    assert all(
        re.fullmatch(r"\w+\._domainkey\.skhdt\.example CNAME \w+\.dkim\.amazonses\.com", v)
        for v in dkim.values()
    ), dkim


def test_unknown_resource_type_fails_loudly(aws: None, tmp_path: Path) -> None:
    template = load_template()
    template["Resources"]["Topic"] = {"Type": "AWS::SNS::Topic", "Properties": {}}
    path = tmp_path / "template.yaml"
    path.write_text(yaml.safe_dump(template), "utf-8")
    with pytest.raises(TemplateError, match="AWS::SNS::Topic"):
        provision(stage="local", template_path=path)


def test_unknown_property_fails_loudly(aws: None, tmp_path: Path) -> None:
    template = load_template()
    template["Resources"]["WorkflowQueue"]["Properties"]["SomethingNew"] = 1
    path = tmp_path / "template.yaml"
    path.write_text(yaml.safe_dump(template), "utf-8")
    with pytest.raises(TemplateError, match="SomethingNew"):
        provision(stage="local", template_path=path)


def test_parameters_and_rules_are_checked(aws: None) -> None:
    with pytest.raises(TemplateError, match="Stage"):
        provision(stage="staging")
    with pytest.raises(TemplateError, match="MailFrom"):
        provision(stage="local", mail_from="not-an-address")
    # A deployed stage must not e-mail links to 127.0.0.1.
    with pytest.raises(TemplateError, match="PublicBaseUrl"):
        provision(stage="dev")


def test_prod_archive_bucket_gets_object_lock(aws: None) -> None:
    env = provision(
        stage="prod", mail_from="vanthu@skhdt.hanoi.gov.vn",
        parameters={"PublicBaseUrl": "https://eoffice.skhdt.hanoi.gov.vn"},
    )
    lock = client("s3").get_object_lock_configuration(Bucket=env["ARCHIVE_BUCKET"])[
        "ObjectLockConfiguration"
    ]
    assert lock["ObjectLockEnabled"] == "Enabled"
    retention = lock["Rule"]["DefaultRetention"]
    assert (retention["Mode"], retention["Years"]) == ("GOVERNANCE", 10)
    table = client("dynamodb").describe_table(TableName=env["TABLE_NAME"])["Table"]
    assert table["DeletionProtectionEnabled"] is True

