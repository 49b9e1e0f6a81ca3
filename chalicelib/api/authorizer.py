"""The API Gateway authorizer: checks the Cognito ID token and hands the caller
(user, roles, unit) to the routes through the request context.

The token says who the caller is; what they may do comes from their profile
item, read on every request (one GetItem): an administrator's change of role or
unit applies at the next request, and a disabled account is refused at once,
without waiting for the token to expire.

A missing or invalid token is not refused here: it passes as anonymous with
the reason, and the route answers 401 in the API's own error shape, so that the
browser sees the same body on AWS, under ``chalice local`` and in tests. Routes
that are not public refuse anonymous callers before they run (see routing.py).
"""

from __future__ import annotations

from chalice import AuthResponse, Blueprint

from chalicelib.adapters.dynamo import Table
from chalicelib.adapters.tokens import InvalidToken, verifier

authorizer_bp = Blueprint(__name__)


# ttl 0: a user disabled while signed in must be refused on the next request.
@authorizer_bp.authorizer(ttl_seconds=0)
def jwt_authorizer(auth_request):  # type: ignore[no-untyped-def]
    token = (auth_request.token or "").strip()
    if token.lower().startswith("bearer "):
        token = token[7:].strip()
    if not token:
        return AuthResponse(routes=["*"], principal_id="anonymous", context={"reason": "missing"})
    try:
        claims = verifier().verify(token)
    except InvalidToken as exc:
        return AuthResponse(
            routes=["*"], principal_id="anonymous", context={"reason": str(exc)[:200]}
        )
    username = claims["cognito:username"]
    profile = Table().get(f"USER#{username}", "PROFILE")
    if profile is None or profile.get("status") != "active":
        return AuthResponse(routes=["*"], principal_id="anonymous",
                            context={"reason": "account disabled or unknown"})
    if int(claims.get("iat", 0)) < float(profile.get("tokens_valid_after", 0)):
        # Signed out (or password reset) after this token was issued. iat has whole
        # seconds and the mark has milliseconds: a token issued in the same second
        # as the sign-out is refused too, erring on the safe side.
        return AuthResponse(routes=["*"], principal_id="anonymous",
                            context={"reason": "signed out"})
    return AuthResponse(
        routes=["*"],
        principal_id=username,
        context={
            "username": username,
            "roles": ",".join(profile.get("roles") or []),
            "unit": profile.get("unit") or "",
            "full_name": profile.get("full_name", ""),
            "auth_time": str(claims.get("auth_time", "")),
        },
    )
