"""Standard Webhooks signatures: `whsec_` secrets and the three headers.

The signed content is `{webhook-id}.{webhook-timestamp}.{body}`, HMAC-SHA256
with the secret's bytes, sent as `v1,<base64>`; during a rotation the previous
secret signs too and both signatures go space-separated.
"""

import base64
import secrets
from datetime import UTC, datetime

from standardwebhooks.webhooks import Webhook

SECRET_PREFIX = "whsec_"
SECRET_BYTES = 32


def secret_generate() -> str:
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(SECRET_BYTES)).decode()


def signature_headers(*, webhook_id: str, at: datetime, body: str, secrets_: list[str]) -> dict:
    """The three headers of one attempt, signed with each of `secrets_`."""
    at = at.astimezone(UTC)
    signatures = [
        Webhook(secret).sign(msg_id=webhook_id, timestamp=at, data=body) for secret in secrets_
    ]
    return {
        "webhook-id": webhook_id,
        "webhook-timestamp": str(int(at.timestamp())),
        "webhook-signature": " ".join(signatures),
    }
