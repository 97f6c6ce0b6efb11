"""Encryption of respondents' contact data at rest (Fernet, keys from the environment).

``CONTACT_ENCRYPTION_KEY`` holds one or more comma-separated Fernet keys; the first
encrypts, all decrypt (so keys can be rotated). In debug mode without a key, one
is derived from SECRET_KEY so that the demo works; production must set its own.
"""

from __future__ import annotations

import base64
import hashlib
import json
from functools import cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


@cache
def _fernet() -> MultiFernet:
    keys = list(settings.CONTACT_ENCRYPTION_KEYS)
    if not keys:
        if not settings.DEBUG:
            raise ImproperlyConfigured("CONTACT_ENCRYPTION_KEY is required when DEBUG is off")
        digest = hashlib.sha256(("contact:" + settings.SECRET_KEY).encode()).digest()
        keys = [base64.urlsafe_b64encode(digest).decode()]
    try:
        return MultiFernet([Fernet(key) for key in keys])
    except ValueError as exc:
        raise ImproperlyConfigured(
            "CONTACT_ENCRYPTION_KEY: each key must be 32 url-safe base64-encoded bytes "
            "(make one with: python -c 'from cryptography.fernet import Fernet; "
            "print(Fernet.generate_key().decode())')"
        ) from exc


def encrypt_json(value: dict) -> str:
    return _fernet().encrypt(json.dumps(value, ensure_ascii=False).encode()).decode()


def decrypt_json(token: str) -> dict:
    try:
        return json.loads(_fernet().decrypt(token.encode()))
    except InvalidToken as exc:
        raise ImproperlyConfigured(
            "Contact data cannot be decrypted with CONTACT_ENCRYPTION_KEY: was the key changed "
            "without keeping the old one after it?"
        ) from exc
