"""eduapp's own signing keys: the newest signs, the key set publishes it and the recently
retired ones (docs/lti.md, "Keys").

The private keys are kept encrypted (Fernet) under a key derived from SECRET_KEY, so that a
copy of the database alone signs nothing. Changing SECRET_KEY makes them unreadable: rotate
then (`flask lti rotate-key`), and the platforms fetch the new set on their own.
"""

import base64
import hashlib
import json
import secrets
from datetime import timedelta
from functools import cache

import jwt
import sqlalchemy as sa
from cryptography.fernet import Fernet
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from flask import current_app

from eduapp.extensions import db, utcnow
from eduapp.lti.models import ToolKey
from eduapp.transaction import separate_transaction

ALGORITHM = "RS256"


def _fernet(secret: str) -> Fernet:
    digest = hashlib.sha256(b"eduapp-lti-keys:" + secret.encode())
    return Fernet(base64.urlsafe_b64encode(digest.digest()))


def _new_key_values() -> dict:
    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = private.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    return {"kid": secrets.token_urlsafe(16), "private_pem": _sealer().encrypt(pem).decode()}


def new_key() -> ToolKey:
    """A fresh RSA key, added as the signing key."""
    key = ToolKey(**_new_key_values())
    db.session.add(key)
    db.session.flush()
    return key


def rotate() -> ToolKey:
    """Retire every signing key and add a new one; the retired stay published for a while."""
    db.session.execute(
        sa.update(ToolKey).where(ToolKey.retired_at.is_(None)).values(retired_at=utcnow())
    )
    return new_key()


def signing_key() -> ToolKey | None:
    return db.session.scalar(
        sa.select(ToolKey)
        .where(ToolKey.retired_at.is_(None))
        .order_by(ToolKey.created_at.desc(), ToolKey.id.desc())
        .limit(1)
    )


def ensure_signing_key() -> ToolKey:
    """The signing key, made if there is none yet (when the first platform is registered)."""
    return signing_key() or new_key()


def published_keys() -> list[ToolKey]:
    overlap = timedelta(hours=current_app.config["LTI_KEY_OVERLAP_HOURS"])
    return list(
        db.session.scalars(
            sa.select(ToolKey)
            .where(sa.or_(ToolKey.retired_at.is_(None), ToolKey.retired_at > utcnow() - overlap))
            .order_by(ToolKey.created_at.desc(), ToolKey.id.desc())
        )
    )


def _sealer() -> Fernet:
    return _fernet(current_app.config["SECRET_KEY"])


@cache
def _unsealed(sealed: str, secret: str):
    return serialization.load_pem_private_key(_fernet(secret).decrypt(sealed.encode()), None)


def _private(key: ToolKey):
    return _unsealed(key.private_pem, current_app.config["SECRET_KEY"])


def public_jwk(key: ToolKey) -> dict:
    jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(_private(key).public_key()))
    return {**jwk, "kid": key.kid, "alg": ALGORITHM, "use": "sig"}


def key_set() -> dict:
    """eduapp's JWKS: what platforms check its signatures with."""
    return {"keys": [public_jwk(key) for key in published_keys()]}


def sign(claims: dict) -> str:
    """A JWT of these claims, signed with the signing key. If there is none yet (no platform
    was registered through the admin's page), one is made and committed at once, on a
    transaction of its own: the platform checks the signature against the published key set,
    which must hold the key before this request ends."""
    key = signing_key()
    if key is None:
        with separate_transaction() as connection:
            connection.execute(sa.insert(ToolKey).values(created_at=utcnow(), **_new_key_values()))
        key = signing_key()
    return jwt.encode(claims, _private(key), algorithm=ALGORITHM, headers={"kid": key.kid})
