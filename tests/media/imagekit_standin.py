"""A small real HTTP server that answers like ImageKit's upload and delete APIs (the facts in
shared/docs/services-and-security.md section 2): Basic auth with the private key as user and
an empty password, multipart upload at /api/v1/files/upload, DELETE /v1/files/{fileId} -> 204.
Tests read what it received and script failures."""

from __future__ import annotations

import base64
import uuid
from dataclasses import dataclass, field
from typing import Any

from starlette.applications import Starlette
from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route


@dataclass
class ImageKitStandIn:
    private_key: str
    url_endpoint: str = "https://ik.imagekit.io/victoria"
    uploads: list[dict[str, Any]] = field(default_factory=list)
    deletes: list[str] = field(default_factory=list)
    fail_with: int | None = None  # answer every call with this status

    def _authorised(self, request: Request) -> bool:
        expected = base64.b64encode(f"{self.private_key}:".encode()).decode()
        return request.headers.get("authorization") == f"Basic {expected}"

    def app(self) -> Starlette:
        async def upload(request: Request) -> Response:
            if not self._authorised(request):
                return JSONResponse(
                    {"message": "Your request does not contain private API key."}, status_code=401
                )
            if self.fail_with:
                return JSONResponse({"message": "Internal error"}, status_code=self.fail_with)
            form = await request.form()
            upload = form["file"]
            assert isinstance(upload, UploadFile)
            content = await upload.read()
            fields = {k: v for k, v in form.items() if k != "file"}
            self.uploads.append({"fields": fields, "content": content})
            path = f"{fields['folder'].rstrip('/')}/{fields['fileName']}"
            return JSONResponse(
                {
                    "fileId": uuid.uuid4().hex[:24],
                    "name": fields["fileName"],
                    "url": f"{self.url_endpoint}{path}",
                    "thumbnailUrl": f"{self.url_endpoint}/tr:n-media_library_thumbnail{path}",
                    "filePath": path,
                    "size": len(content),
                    "fileType": "image",
                    "isPrivateFile": fields.get("isPrivateFile") == "true",
                },
                headers={"x-ik-requestId": uuid.uuid4().hex},
            )

        async def delete(request: Request) -> Response:
            if not self._authorised(request):
                return JSONResponse({"message": "Unauthorized"}, status_code=401)
            self.deletes.append(request.path_params["file_id"])
            return Response(status_code=204)

        return Starlette(
            routes=[
                Route("/api/v1/files/upload", upload, methods=["POST"]),
                Route("/v1/files/{file_id}", delete, methods=["DELETE"]),
            ]
        )
