"""OpenAPI at ``/schema/openapi.json`` and a Swagger UI page at ``/schema/swagger`` that needs no internet.

Litestar's docs pages load their scripts from a CDN; the Swagger UI bundle is installed as a Python
package and served from here instead.
"""

from __future__ import annotations

from pathlib import Path

import swagger_ui_bundle
from litestar.openapi.config import OpenAPIConfig
from litestar.openapi.plugins import SwaggerRenderPlugin
from litestar.openapi.spec import Components, SecurityScheme
from litestar.router import Router
from litestar.static_files import create_static_files_router

ASSETS_PATH = "/schema/assets"

DESCRIPTION = """\
救助账本 Relief Ledger: claims under the district's 10-peril government relief liability insurance,
the charity guidance fund, and their double-entry Beancount ledger.

* Money is a decimal **string** with at most 2 places (`"12345.67"`); JSON numbers are refused.
* Sign in with `POST /api/auth/token`, then send `Authorization: Bearer <token>`.
* Every error is `application/problem+json` with `detail`, and `field` / `rule` where one input is at fault.
"""


def openapi_config(version: str) -> OpenAPIConfig:
    """The OpenAPI settings, with the offline Swagger UI as the docs page."""
    swagger = SwaggerRenderPlugin(
        js_url=f"{ASSETS_PATH}/swagger-ui-bundle.js",
        css_url=f"{ASSETS_PATH}/swagger-ui.css",
        standalone_preset_js_url=f"{ASSETS_PATH}/swagger-ui-standalone-preset.js",
        path="/swagger",
        favicon=f"<link rel='icon' type='image/png' href='{ASSETS_PATH}/favicon-32x32.png'>",
    )
    return OpenAPIConfig(
        title="Relief Ledger 救助账本",
        version=version,
        description=DESCRIPTION,
        path="/schema",
        render_plugins=[swagger],
        components=Components(
            security_schemes={"bearer": SecurityScheme(type="http", scheme="bearer", bearer_format="JWT")}
        ),
    )


def assets_router() -> Router:
    """Serves the Swagger UI scripts and styles from the installed bundle."""
    return create_static_files_router(
        path=ASSETS_PATH, directories=[Path(swagger_ui_bundle.swagger_ui_path)], opt={"public": True}
    )
