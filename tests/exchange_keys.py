"""A foreign agency's key and certificate, made in-process: a peer agency signs
with its own key, not with one of ours in KMS."""

from __future__ import annotations

from typing import Any

from chalicelib.local.peer import make_key, rsa_sign


class _Key:
    def __init__(self, private: Any) -> None:
        self.private = private

    def sign_pkcs1(self, data: bytes) -> bytes:
        return rsa_sign(self.private, data)


def self_signed(name: str) -> tuple[_Key, bytes]:
    private, cert = make_key(name)
    return _Key(private), cert
