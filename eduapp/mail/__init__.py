"""Outgoing e-mail: messages are written to an outbox in the transaction of what they tell
about, and sent afterwards by a sender that retries, so a slow or dead mail server never fails a
request and no message is lost (docs/mail.md)."""
