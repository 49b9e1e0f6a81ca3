"""The packet's XML signature: enveloped, RSA-SHA256, exclusive c14n.

Signing takes a callable that signs bytes (PKCS#1 v1.5 over their SHA-256):
in the app that is a KMS ``Sign`` call with the agency's key, so the private key
never leaves KMS. Verification accepts exactly the shape we write (one
Reference to the whole document, these transforms, these algorithms), which
closes the doors signature-wrapping attacks use, and checks the value with the
certificate the packet carries; whether that certificate is the sender's is the
caller's question (the agency directory pins it).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from collections.abc import Callable
from typing import Any

from chalicelib.exchange.rules import refusal

DS = "http://www.w3.org/2000/09/xmldsig#"
D = f"{{{DS}}}"
EXC_C14N = "http://www.w3.org/2001/10/xml-exc-c14n#"
ENVELOPED = "http://www.w3.org/2000/09/xmldsig#enveloped-signature"
RSA_SHA256 = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"
SHA256 = "http://www.w3.org/2001/04/xmlenc#sha256"

Sign = Callable[[bytes], bytes]


def _c14n(node: Any) -> bytes:
    from lxml import etree

    return bytes(etree.tostring(node, method="c14n", exclusive=True, with_comments=False))


def _without_signature(root: Any) -> Any:
    import copy

    clone = copy.deepcopy(root)
    for sig in clone.iter(D + "Signature"):
        sig.getparent().remove(sig)
        break
    return clone


def _sub(parent: Any, name: str, text: str | None = None, **attrs: str) -> Any:
    from lxml import etree

    node = etree.SubElement(parent, D + name, attrs)
    if text is not None:
        node.text = text
    return node


def sign(root: Any, signer: Sign, certificate_der: bytes) -> Any:
    """Put the signature into the packet's header (in place) and return the root."""
    from lxml import etree

    digest = base64.b64encode(hashlib.sha256(_c14n(_without_signature(root))).digest())
    header = root[0]
    signature = etree.SubElement(header, D + "Signature", nsmap={"ds": DS})
    info = _sub(signature, "SignedInfo")
    _sub(info, "CanonicalizationMethod", Algorithm=EXC_C14N)
    _sub(info, "SignatureMethod", Algorithm=RSA_SHA256)
    ref = _sub(info, "Reference", URI="")
    transforms = _sub(ref, "Transforms")
    _sub(transforms, "Transform", Algorithm=ENVELOPED)
    _sub(transforms, "Transform", Algorithm=EXC_C14N)
    _sub(ref, "DigestMethod", Algorithm=SHA256)
    _sub(ref, "DigestValue", digest.decode("ascii"))
    value = signer(_c14n(info))
    _sub(signature, "SignatureValue", base64.b64encode(value).decode("ascii"))
    data = _sub(_sub(signature, "KeyInfo"), "X509Data")
    _sub(data, "X509Certificate", base64.b64encode(certificate_der).decode("ascii"))
    return root


def _only(parent: Any, path: str) -> Any:
    found = parent.findall(path, {"ds": DS})
    if len(found) != 1:
        raise refusal("signature", path.replace("ds:", ""))
    return found[0]


def _algorithm(node: Any, expected: str) -> None:
    if node.get("Algorithm") != expected:
        raise refusal("signature", f"algorithm {node.get('Algorithm')!r}")


def verify(root: Any) -> bytes:
    """Check the packet's signature; returns the signer's certificate (DER).
    Raises ``PacketError`` (code ``signature``) on anything but a valid one."""
    from cryptography import x509
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import padding, rsa

    signatures = list(root.iter(D + "Signature"))
    if len(signatures) != 1 or signatures[0].getparent() is not root[0]:
        raise refusal("signature", "no single signature in the header")
    signature = signatures[0]
    info = _only(signature, "ds:SignedInfo")
    _algorithm(_only(info, "ds:CanonicalizationMethod"), EXC_C14N)
    _algorithm(_only(info, "ds:SignatureMethod"), RSA_SHA256)
    ref = _only(info, "ds:Reference")
    if ref.get("URI") != "":
        raise refusal("signature", "reference")
    transforms = ref.findall("ds:Transforms/ds:Transform", {"ds": DS})
    if [t.get("Algorithm") for t in transforms] != [ENVELOPED, EXC_C14N]:
        raise refusal("signature", "transforms")
    _algorithm(_only(ref, "ds:DigestMethod"), SHA256)
    try:
        stated = base64.b64decode(_only(ref, "ds:DigestValue").text or "", validate=True)
        value = base64.b64decode(_only(signature, "ds:SignatureValue").text or "",
                                 validate=True)
        cert_der = base64.b64decode(
            _only(signature, "ds:KeyInfo/ds:X509Data/ds:X509Certificate").text or "",
            validate=True)
        certificate = x509.load_der_x509_certificate(cert_der)
    except (binascii.Error, ValueError) as exc:
        raise refusal("signature", "encoding") from exc
    key = certificate.public_key()
    if not isinstance(key, rsa.RSAPublicKey):
        raise refusal("signature", "key type")
    try:
        key.verify(value, _c14n(info), padding.PKCS1v15(), hashes.SHA256())
    except InvalidSignature as exc:
        raise refusal("signature", "value") from exc
    if hashlib.sha256(_c14n(_without_signature(root))).digest() != stated:
        raise refusal("signature", "digest")
    return cert_der
