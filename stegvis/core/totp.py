"""QR codes for enrolling an authenticator app."""

from __future__ import annotations

import segno


def qr_data_uri(otpauth_url: str) -> str:
    """An SVG QR code as a data URI, so that no third party ever sees the secret."""
    return str(segno.make(otpauth_url, error="m").svg_data_uri(scale=5, border=2))
