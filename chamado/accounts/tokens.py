"""API token keys: drawn at random, stored only as their SHA-256 (pure, no database)."""

import hashlib
import secrets

KEY_START = "chm_"  # says what the secret is when it turns up in a log or a repository
PREFIX_LENGTH = 12  # "chm_" and 8 random characters: shown, to tell tokens apart


def token_key_new() -> str:
    return KEY_START + secrets.token_urlsafe(32)


def token_key_hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def token_key_prefix(key: str) -> str:
    return key[:PREFIX_LENGTH]
