"""Setting up ODK Collect for a panel with one scan, as ODK Central does.

Collect reads a QR code whose text is its settings as JSON, zlib-compressed, then base64
encoded ("Configure with QR code" in Collect's project settings). The settings here carry
the panel's OpenRosa address, the project's name and the form update mode, and never a
username, password or token: a lost phone or a photographed screen gives nobody access,
and each enumerator still logs in with their own account.
"""

from __future__ import annotations

import base64
import json
import zlib
from typing import Any

import segno

# Collect keeps the downloaded forms exactly as the server lists them: a form the panel
# no longer offers disappears from the phone, a changed form replaces the old one.
FORM_UPDATE_MODE = "match_exactly"


def collect_settings(server_url: str, project_name: str) -> dict[str, Any]:
    """Collect's project settings for the panel: the server and the name, no credentials."""
    return {
        "general": {"server_url": server_url, "form_update_mode": FORM_UPDATE_MODE},
        "admin": {},
        "project": {"name": project_name},
    }


def collect_payload(server_url: str, project_name: str) -> str:
    """The text of the QR code: the settings as compact JSON, zlib-compressed, base64."""
    text = json.dumps(
        collect_settings(server_url, project_name), ensure_ascii=False, separators=(",", ":")
    )
    return base64.b64encode(zlib.compress(text.encode("utf-8"))).decode("ascii")


def read_payload(payload: str) -> dict[str, Any]:
    """The settings a QR code's text carries (what Collect does after scanning it)."""
    settings: dict[str, Any] = json.loads(zlib.decompress(base64.b64decode(payload)))
    return settings


def collect_qr_svg(server_url: str, project_name: str, title: str) -> str:
    """The QR code as an inline SVG element (no XML declaration), scaled by its viewBox.

    Error correction "M" survives a scratched or glare-struck screen; the quiet zone of
    four modules is the standard's, which phone cameras need to find the code.
    """
    code = segno.make_qr(collect_payload(server_url, project_name), error="m")
    svg: str = code.svg_inline(
        scale=1,
        border=4,
        title=title,
        svgclass="collect-qr",
        light="#fff",
        lineclass=None,
        omitsize=True,
    )
    return svg
