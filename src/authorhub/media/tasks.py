"""Jobs of the media domain: removing files once the transaction that dropped them committed."""

from __future__ import annotations

from authorhub.config import get_settings
from authorhub.jobs import DEFAULT_RETRY, job_app
from authorhub.media.storage import private_storage


@job_app.task(name="media.delete_private_file", retry=DEFAULT_RETRY, pass_context=False)
async def delete_private_file(key: str) -> None:
    await private_storage(get_settings()).delete(key)
