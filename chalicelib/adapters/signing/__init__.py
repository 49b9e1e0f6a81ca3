"""Signing engine: KMS-held keys, a development PKI, visible stamps, PAdES
signing of outgoing documents and verification. Pure functions over bytes and
a boto3 KMS client; nothing here touches DynamoDB or S3."""
