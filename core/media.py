"""Public media served by the portal itself (the embedded portal, DEBUG, browser tests).

In production a reverse proxy or the media storage serves MEDIA_URL. Django's own
`django.views.static.serve` answers every request with the whole file, and a phone's
browser (Safari on iOS above all) will not play a `<video>` whose server ignores `Range`:
it asks for `bytes=0-1` first and expects `206 Partial Content`. This view answers byte
ranges (one range per request, which is all browsers ask of a video) and whole files
otherwise.
"""

import mimetypes
import posixpath
import re
from pathlib import Path

from django.conf import settings
from django.http import FileResponse, Http404, HttpResponse, HttpResponseNotModified, StreamingHttpResponse
from django.utils._os import safe_join
from django.utils.http import http_date
from django.views.static import was_modified_since

RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")
CHUNK = 64 * 1024


def _ranged_file(path: Path, start: int, length: int):
    with path.open("rb") as handle:
        handle.seek(start)
        left = length
        while left > 0:
            data = handle.read(min(CHUNK, left))
            if not data:
                return
            left -= len(data)
            yield data


def serve_media(request, path, document_root=None):
    """Serve `path` below `document_root` (MEDIA_ROOT, read per request, when not given)."""
    path = posixpath.normpath(path).lstrip("/")
    try:
        fullpath = Path(safe_join(document_root or settings.MEDIA_ROOT, path))
    except Exception as error:  # a path that climbs out of the root (SuspiciousFileOperation)
        raise Http404 from error
    if not fullpath.is_file():
        raise Http404
    stat = fullpath.stat()
    content_type = mimetypes.guess_type(str(fullpath))[0] or "application/octet-stream"
    range_header = request.headers.get("Range", "")
    match = RANGE.match(range_header.strip()) if range_header else None
    if match is None:
        if not was_modified_since(request.headers.get("If-Modified-Since"), stat.st_mtime):
            return HttpResponseNotModified()
        response = FileResponse(fullpath.open("rb"), content_type=content_type)
    else:
        size = stat.st_size
        first, last = match.groups()
        if first == "":  # the last N bytes
            start, end = max(0, size - int(last or 0)), size - 1
        else:
            start, end = int(first), min(int(last), size - 1) if last else size - 1
        if first == last == "" or start >= size or start > end:
            response = HttpResponse(status=416)
            response["Content-Range"] = f"bytes */{size}"
            return response
        response = StreamingHttpResponse(_ranged_file(fullpath, start, end - start + 1), status=206)
        response["Content-Type"] = content_type
        response["Content-Range"] = f"bytes {start}-{end}/{size}"
        response["Content-Length"] = str(end - start + 1)
    response["Accept-Ranges"] = "bytes"
    response["Last-Modified"] = http_date(stat.st_mtime)
    response["X-Content-Type-Options"] = "nosniff"
    return response
