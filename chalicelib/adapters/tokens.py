"""Verifies Cognito ID tokens against the pool's published keys (JWKS).

The keys are fetched once per process and again only when a token names a key
id we have not seen (Cognito rotates keys rarely). PyJWT is imported on first
use so that it does not weigh on every Lambda's cold start.
"""

from __future__ import annotations

import json
import threading
import urllib.request
from typing import Any

from chalicelib.kernel.config import get_settings


class InvalidToken(Exception):
    pass


class TokenVerifier:
    def __init__(self, jwks_url: str, issuer: str, audience: str) -> None:
        self.jwks_url = jwks_url
        self.issuer = issuer
        self.audience = audience
        self._keys: dict[str, Any] = {}
        self._lock = threading.Lock()

    def _load_keys(self) -> None:
        import jwt

        # The URL comes from our own configuration, never from a request.
        with urllib.request.urlopen(self.jwks_url, timeout=5) as resp:  # noqa: S310
            data = json.loads(resp.read())
        self._keys = {
            k["kid"]: jwt.PyJWK.from_dict(k).key for k in data.get("keys", []) if "kid" in k
        }

    def _key(self, kid: str) -> Any:
        with self._lock:
            if kid not in self._keys:
                self._load_keys()
            if kid not in self._keys:
                raise InvalidToken("unknown key id")
            return self._keys[kid]

    def verify(self, token: str) -> dict[str, Any]:
        import jwt

        try:
            header = jwt.get_unverified_header(token)
            key = self._key(str(header.get("kid")))
            claims = jwt.decode(
                token,
                key,
                algorithms=["RS256"],
                audience=self.audience,
                issuer=self.issuer,
                options={"require": ["exp", "iat", "iss", "aud", "token_use"]},
            )
        except jwt.PyJWTError as exc:
            raise InvalidToken(str(exc)) from exc
        if claims.get("token_use") != "id":
            raise InvalidToken("not an id token")
        return claims


_verifier: TokenVerifier | None = None


def verifier() -> TokenVerifier:
    global _verifier
    settings = get_settings()
    if _verifier is None or _verifier.audience != settings.user_pool_client_id:
        _verifier = TokenVerifier(
            settings.jwks_location, settings.issuer, settings.user_pool_client_id
        )
    return _verifier
