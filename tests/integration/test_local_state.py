"""The local runtime's persistence: moto's state survives a save and a load
into fresh backends — items, files, users, queued messages and, above all,
the KMS key material (certificates are issued for those keys)."""

from __future__ import annotations

import boto3
from moto import mock_aws

from chalicelib.local.embedded_aws import load_state, save_state


def test_state_round_trip_keeps_everything(tmp_path, monkeypatch):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "x")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "x")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "ap-southeast-1")
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    state = tmp_path / "state.pickle"
    with mock_aws():
        ddb = boto3.client("dynamodb")
        ddb.create_table(TableName="t", BillingMode="PAY_PER_REQUEST",
                         KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                         AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}])
        ddb.put_item(TableName="t", Item={"pk": {"S": "Hà Nội"}})
        s3 = boto3.client("s3")
        s3.create_bucket(Bucket="tep-tin",
                         CreateBucketConfiguration={"LocationConstraint": "ap-southeast-1"})
        s3.put_object(Bucket="tep-tin", Key="a.pdf", Body=b"%PDF-1.7 noi dung")
        kms = boto3.client("kms")
        key_id = kms.create_key(KeySpec="RSA_2048", KeyUsage="SIGN_VERIFY")["KeyMetadata"]["KeyId"]
        public_key = kms.get_public_key(KeyId=key_id)["PublicKey"]
        sqs = boto3.client("sqs")
        queue = sqs.create_queue(QueueName="q")["QueueUrl"]
        sqs.send_message(QueueUrl=queue, MessageBody="việc chờ")
        idp = boto3.client("cognito-idp")
        pool = idp.create_user_pool(PoolName="p")["UserPool"]["Id"]
        app_client = idp.create_user_pool_client(
            UserPoolId=pool, ClientName="web",
            ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH"])["UserPoolClient"]["ClientId"]
        idp.admin_create_user(UserPoolId=pool, Username="lan", MessageAction="SUPPRESS")
        idp.admin_set_user_password(UserPoolId=pool, Username="lan", Password="Mk-2026-abc!X",
                                    Permanent=True)
        assert save_state(state)
    with mock_aws():  # fresh, empty backends
        assert boto3.client("dynamodb").list_tables()["TableNames"] == []
        assert load_state(state)
        item = boto3.client("dynamodb").get_item(TableName="t", Key={"pk": {"S": "Hà Nội"}})
        assert item["Item"]["pk"]["S"] == "Hà Nội"
        body = boto3.client("s3").get_object(Bucket="tep-tin", Key="a.pdf")["Body"].read()
        assert body == b"%PDF-1.7 noi dung"
        kms = boto3.client("kms")
        assert kms.get_public_key(KeyId=key_id)["PublicKey"] == public_key
        signature = kms.sign(KeyId=key_id, Message=b"van ban", MessageType="RAW",
                             SigningAlgorithm="RSASSA_PKCS1_V1_5_SHA_256")["Signature"]
        assert kms.verify(KeyId=key_id, Message=b"van ban", MessageType="RAW",
                          Signature=signature,
                          SigningAlgorithm="RSASSA_PKCS1_V1_5_SHA_256")["SignatureValid"]
        msgs = boto3.client("sqs").receive_message(QueueUrl=queue)["Messages"]
        assert msgs[0]["Body"] == "việc chờ"
        tokens = boto3.client("cognito-idp").initiate_auth(
            ClientId=app_client, AuthFlow="USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": "lan", "PASSWORD": "Mk-2026-abc!X"})
        assert tokens["AuthenticationResult"]["IdToken"]


def test_missing_state_file_means_a_fresh_start(tmp_path):
    assert load_state(tmp_path / "none.pickle") is False


def test_a_restart_hands_out_again_what_the_dead_process_held(tmp_path, monkeypatch):
    """A snapshot taken while a handler held a message (received, hidden for the
    visibility timeout) and while its step claim was in progress: after the
    load, the message is visible and the claim expired, so the redelivery runs
    the step at once instead of 12 minutes later."""
    from chalicelib.local.embedded_aws import release_in_flight

    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "x")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "x")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "ap-southeast-1")
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    state = tmp_path / "state.pickle"
    claim = {"pk": {"S": "CLAIMS#step"}, "sk": {"S": "step#sign#1"},
             "status": {"S": "INPROGRESS"}, "in_progress_expiration": {"N": "99999999999999"}}
    done = {**claim, "sk": {"S": "step#sign#0"}, "status": {"S": "COMPLETED"}}
    with mock_aws():
        ddb = boto3.client("dynamodb")
        ddb.create_table(TableName="t", BillingMode="PAY_PER_REQUEST",
                         KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"},
                                    {"AttributeName": "sk", "KeyType": "RANGE"}],
                         AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"},
                                               {"AttributeName": "sk", "AttributeType": "S"}])
        ddb.put_item(TableName="t", Item=claim)
        ddb.put_item(TableName="t", Item=done)
        sqs = boto3.client("sqs")
        queue = sqs.create_queue(QueueName="q", Attributes={"VisibilityTimeout": "720"})
        sqs.send_message(QueueUrl=queue["QueueUrl"], MessageBody="ký số")
        sqs.send_message(QueueUrl=queue["QueueUrl"], MessageBody="chưa ai nhận",
                         DelaySeconds=900)
        assert len(sqs.receive_message(QueueUrl=queue["QueueUrl"])["Messages"]) == 1
        assert save_state(state)
    with mock_aws():
        assert load_state(state)
        sqs = boto3.client("sqs")
        assert "Messages" not in sqs.receive_message(QueueUrl=queue["QueueUrl"])
        assert release_in_flight("CLAIMS#step") == 2
        again = sqs.receive_message(QueueUrl=queue["QueueUrl"], MaxNumberOfMessages=10)
        assert [m["Body"] for m in again["Messages"]] == ["ký số"]  # the delayed one waits
        ddb = boto3.client("dynamodb")
        key = {k: claim[k] for k in ("pk", "sk")}
        assert ddb.get_item(TableName="t", Key=key)["Item"]["in_progress_expiration"] == {
            "N": "0"}
        # A finished claim stays as it was: that step is not run again.
        assert ddb.get_item(TableName="t", Key={k: done[k] for k in ("pk", "sk")})[
            "Item"] == done
