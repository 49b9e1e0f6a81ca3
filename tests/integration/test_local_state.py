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
