"""The interactive docs load from the application alone (service/system/docs.py).

They used to load Scalar from a CDN at ``@latest``: with no internet the page stayed white. Here a
real server is opened in headless Chromium that can resolve no host but 127.0.0.1, so a script or
style still fetched from elsewhere would leave the page blank or unstyled; the rendered page must
show every operation, and Chromium's network log must show that the page asked this server only.
"""

from __future__ import annotations

import json
import re
import shutil
import struct
import subprocess
import zlib
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import httpx
import pytest
from openapi_ui_bundles import redoc, swagger_ui

CHROMIUM = shutil.which("chromium")
needs_chromium = pytest.mark.skipif(
    CHROMIUM is None,
    reason="no `chromium` on PATH: the docs page is checked in headless Chromium (Debian: apt-get install chromium)",
)
PAGES = ["/schema", "/schema/swagger", "/schema/redoc"]


def _assets(html: str) -> list[str]:
    return re.findall(r"""(?:src|href)=["']([^"']+)["']""", html)


def test_docs_pages_name_no_other_host(live_server: str) -> None:
    """Each page is the renderer's markup around the OpenAPI document: the markup loads its files
    from this server and names no other host (the document may: its contents are data)."""
    from service.system.openapi import _SCRIPT_SAFE

    with httpx.Client(base_url=live_server) as http:
        # embedded in an inline script, the document's '<', '>' and '&' are written as JSON escapes
        document = http.get("/schema/openapi.json").text.translate(_SCRIPT_SAFE)
        for page in PAGES:
            response = http.get(page)
            assert response.status_code == 200, page
            assert response.headers["content-type"].startswith("text/html"), page
            assert response.text.count(document) == 1, page  # the document is embedded as served
            markup = response.text.replace(document, "")
            assert not re.search(r"https?://", markup, re.IGNORECASE), page
            assets = _assets(markup)
            assert any(asset.endswith(".js") for asset in assets), page
            assert all(asset.startswith("/schema/assets/") for asset in assets), (page, assets)
            # Nothing but this server's files: a browser fetches no asset from another host.
            assert "default-src 'self'" in response.headers["content-security-policy"], page


def test_assets_are_the_packages_files_cached_for_a_year_and_compressed(live_server: str) -> None:
    packaged = {"swagger-ui": swagger_ui.static_path, "redoc": redoc.static_path}
    with httpx.Client(base_url=live_server) as http:
        assets = {asset for page in PAGES for asset in _assets(http.get(page).text)}
        assert len(assets) == 5  # Swagger UI's script, preset and style, Redoc's script, the icon
        for asset in assets:
            response = http.get(asset, headers={"Accept-Encoding": "gzip"})
            assert response.status_code == 200, asset
            renderer, name = asset.split("/")[-2:]
            assert response.content == (packaged[renderer] / name).read_bytes(), asset
            assert "immutable" in response.headers["cache-control"], asset
            assert "max-age=31536000" in response.headers["cache-control"], asset
            kind = response.headers["content-type"]
            expected = {".js": "text/javascript", ".css": "text/css", ".png": "image/png"}[Path(name).suffix]
            assert kind.startswith(expected), asset
            if not kind.startswith("image/"):
                assert response.headers["content-encoding"] == "gzip", asset
            if name.endswith(".css"):
                # What a style sheet loads: only inline images.
                assert all(url.strip("'\"").startswith("data:") for url in re.findall(r"url\(([^)]*)\)", response.text))


def test_only_the_two_renderers_and_their_files_are_served(live_server: str) -> None:
    """Stoplight Elements, RapiDoc and Scalar have no files here; the package's demo pages (Swagger
    UI's shows the Petstore) are not the app's."""
    with httpx.Client(base_url=live_server) as http:
        swagger_script = next(a for a in _assets(http.get("/schema").text) if a.endswith("swagger-ui-bundle.js"))
        demo_page = swagger_script.rsplit("/", 1)[0] + "/index.html"
        for path in ("/schema/elements", "/schema/rapidoc", "/schema/scalar", demo_page):
            assert http.get(path).status_code == 404, path


class _Rendered(HTMLParser):
    """The text a reader sees in a page's body. Scripts are left out: the page's inline script holds
    the whole OpenAPI document, which names every path whether or not anything rendered."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._in_body = False
        self._in_script = 0

    def handle_starttag(self, tag: str, attrs: Any) -> None:
        self._in_body = self._in_body or tag == "body"
        self._in_script += tag in ("script", "style")

    def handle_endtag(self, tag: str) -> None:
        self._in_script -= tag in ("script", "style")

    def handle_data(self, data: str) -> None:
        if self._in_body and not self._in_script:
            self.parts.append(data)


def _open(url: str, run: Path, *action: str) -> tuple[str, list[str]]:
    """Open ``url`` in headless Chromium doing ``action`` (``--dump-dom``, ``--screenshot=…``): its
    output, and the URLs the page asked for (the document's own requests, its scripts' and their
    workers'; the requests Chromium makes for itself start from no origin)."""
    assert CHROMIUM is not None
    run.mkdir()
    netlog = run / "netlog.json"
    result = subprocess.run(
        [
            CHROMIUM,
            "--headless=new",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--disable-background-networking",
            f"--user-data-dir={run / 'profile'}",
            # Offline but for this machine: whatever the page would fetch from elsewhere fails.
            "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
            f"--log-net-log={netlog}",
            "--virtual-time-budget=10000",
            *action,
            url,
        ],
        capture_output=True,
        text=True,
        timeout=180,  # a hung browser fails the test rather than the run
    )
    assert result.returncode == 0, result.stderr[-2000:]
    log = json.loads(netlog.read_text())
    start = log["constants"]["logEventTypes"]["URL_REQUEST_START_JOB"]
    origin = url.split("/schema", 1)[0]
    requested = [
        event["params"]["url"]
        for event in log["events"]
        if event["type"] == start and event.get("params", {}).get("initiator") == origin
    ]
    return result.stdout, requested


def _distinct_byte_values(png: Path) -> int:
    """How many byte values the image's (decompressed) pixel rows hold: a page of one colour takes a
    handful (the blank page of the CDN days took 4), rendered text all 256."""
    data = png.read_bytes()
    assert data.startswith(b"\x89PNG\r\n\x1a\n")
    pixels, position = b"", 8
    while position < len(data):
        (length,) = struct.unpack(">I", data[position : position + 4])
        if data[position + 4 : position + 8] == b"IDAT":
            pixels += data[position + 8 : position + 8 + length]
        position += 12 + length
    return len(set(zlib.decompress(pixels)))


@needs_chromium
@pytest.mark.parametrize("page", ["/schema", "/schema/redoc"], ids=["swagger-ui", "redoc"])
def test_docs_page_shows_every_operation_offline(live_server: str, page: str, tmp_path: Path) -> None:
    paths = httpx.get(f"{live_server}/schema/openapi.json").json()["paths"]

    dom, requested = _open(live_server + page, tmp_path / "dom", "--dump-dom")
    rendered = _Rendered()
    rendered.feed(dom)
    text = "".join(rendered.parts)
    assert "Rivalry API" in text
    assert "/api/v1/events" in text
    assert [path for path in paths if path not in text] == []
    assert any(url.endswith(".js") for url in requested), requested
    assert [url for url in requested if not url.startswith(f"{live_server}/schema/assets/")] == []

    screenshot = tmp_path / "docs.png"
    _, requested = _open(
        live_server + page, tmp_path / "screenshot", f"--screenshot={screenshot}", "--window-size=1280,2000"
    )
    assert [url for url in requested if not url.startswith(f"{live_server}/schema/assets/")] == []
    assert _distinct_byte_values(screenshot) > 16, f"{screenshot} is blank"


async def test_a_served_example_cannot_end_the_pages_inline_script(settings: Any, seeded_engine: Any) -> None:
    """The pages embed the document, seeded examples included, in an inline script: a stored title
    holding "</script>" must stay text, or anyone able to add a document runs script on the page."""
    from litestar.testing import AsyncTestClient

    from service.system.examples import EXAMPLES_STATE
    from tests.conftest import app_on

    hostile = "</script><script>alert(1)</script>"
    app = app_on(settings, seeded_engine)
    async with AsyncTestClient(app) as client:
        examples = app.state[EXAMPLES_STATE]
        assert examples, "the seeded database gives the document examples"
        for page in examples.values():
            page["data"][0]["title" if "title" in page["data"][0] else "id"] = hostile
        for path in ("/schema", "/schema/redoc"):
            html = (await client.get(path)).text
            assert "<script>alert(1)" not in html, path
            assert "\\u003c/script\\u003e\\u003cscript\\u003ealert(1)" in html, path
