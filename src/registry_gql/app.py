"""The Starlette application: routes, authentication middleware, lifespan."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from registry_gql.auth.endpoint import auth_routes
from registry_gql.auth.keys import ensure_signing_keys
from registry_gql.auth.middleware import AuthenticationMiddleware
from registry_gql.auth.tokens import TokenVerifier
from registry_gql.authz.document import DocumentChecker
from registry_gql.authz.policy import load_policies
from registry_gql.db.engine import create_engine, create_request_engine
from registry_gql.db.rls_check import check_row_level_security
from registry_gql.graphql.compiler.plans import ReadCompiler
from registry_gql.graphql.endpoint import graphql_endpoint
from registry_gql.graphql.schema import prepare_schema, schema
from registry_gql.graphql.services import Services
from registry_gql.settings import Settings


async def health(request: Request) -> Response:
    return JSONResponse({"status": "ok"})


def create_app(settings: Settings | None = None) -> Starlette:
    """Build the application; it connects to the database when it starts.

    The lifespan startup raises RowSecurityError, so that the server does not
    serve, when row-level security does not bind the application's database role.
    """
    settings = settings or Settings()
    keys = ensure_signing_keys(settings.jwt_private_key_file)
    policies = load_policies()
    prepare_schema(policies)
    # Requests' connections keep their last caller's settings (db/request.py);
    # the token endpoint and the geography loader get connections that never do.
    engine = create_request_engine(
        settings.resolved_app_database_url, pool_size=settings.app_database_pool_size
    )
    support_engine = create_engine(settings.resolved_app_database_url, pool_size=2)
    services = Services(
        settings=settings,
        app_engine=engine,
        support_engine=support_engine,
        policies=policies,
        checker=DocumentChecker(schema._schema),
        read_compiler=ReadCompiler(
            schema,
            reference_year=settings.reference_year,
            max_page_size=settings.max_page_size,
        )
        if settings.compiled_reads
        else None,
    )
    verifier = TokenVerifier(
        keys, issuer=settings.oauth_issuer, audience=settings.oauth_audience
    )

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        try:
            await check_row_level_security(engine)
            yield
        finally:
            await services.dispose()

    app = Starlette(
        routes=[
            Route("/graphql", graphql_endpoint, methods=["GET", "POST"]),
            Route("/healthz", health, methods=["GET"]),
            *auth_routes(settings, support_engine, keys),
        ],
        middleware=[Middleware(AuthenticationMiddleware, verifier=verifier)],
        lifespan=lifespan,
    )
    app.state.services = services
    return app
