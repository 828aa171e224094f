"""The provider clients a request uses, audited into the app's database."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from authorhub.auth.dependencies import AppSettings
from authorhub.payments.gateway import Providers


async def get_providers(request: Request, settings: AppSettings) -> Providers:
    return Providers(settings, request.app.state.database)


PaymentProviders = Annotated[Providers, Depends(get_providers)]
