"""Checks every uploaded file by its content, never by its name.

An image is accepted only when Pillow identifies it as JPEG, PNG or WebP, its pixel
count is within the limit (checked from the header before decoding, so a
decompression bomb is refused without being expanded), and it then decodes fully.
A PDF, where allowed, is accepted by its signature (`%PDF-` at the start, `%%EOF`
near the end); it is stored as is and never rendered by the portal.

Where a request must stay fast (quick listing), `decode="draft"` decodes the picture at
thumbnail size instead: a JPEG through libjpeg's DCT scaling (an eighth of each side,
every byte of the file still read), a PNG's chunks and checksums to its end (a
WebP's container is read whole when it is opened). A truncated or damaged photo is
then refused on the request, before anything goes live; the full decode stays in Celery.
"""

import io
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageOps, UnidentifiedImageError

MAX_DOCUMENT_BYTES = 10 * 1024 * 1024
MAX_IMAGE_PIXELS = 25_000_000
# Many phone cameras write JPEGs with a second, preview picture inside; Pillow calls
# those "MPO". They are JPEG files to every browser and to the merchant.
ACCEPTED_IMAGE_FORMATS = {"JPEG": "image/jpeg", "MPO": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}
PDF_SIGNATURE = b"%PDF-"
DRAFT = "draft"
# libjpeg scales a JPEG down by at most 1/8; a size this small asks for that much.
DRAFT_SIZE = (64, 64)


@dataclass(frozen=True)
class CheckedUpload:
    content_type: str
    size: int
    width: int | None = None
    height: int | None = None


def _read_all(upload) -> bytes:
    upload.seek(0)
    data = upload.read()
    upload.seek(0)
    return data


def check_upload(
    upload, *, allow_pdf: bool, max_bytes: int = MAX_DOCUMENT_BYTES, decode: bool | str = True
) -> CheckedUpload:
    """Return what the file really is, or raise a ValidationError a person can act on.

    With `decode=False` only the header is read (type, size, pixel count); with
    `decode=DRAFT` the picture is also decoded at thumbnail size (see the module's
    docstring), so the request stays fast and a Celery task decodes it fully later.
    """
    size = upload.size
    if size > max_bytes:
        raise ValidationError(
            _("The file is %(size)s; the limit is %(limit)s."),
            code="file_too_large",
            params={"size": filesizeformat(size), "limit": filesizeformat(max_bytes)},
        )
    if size == 0:
        raise ValidationError(_("The file is empty."), code="file_empty")
    data = _read_all(upload)
    if data.startswith(PDF_SIGNATURE):
        if not allow_pdf:
            raise ValidationError(
                _("Upload a photo (JPEG, PNG or WebP) here, not a PDF."), code="pdf_not_allowed"
            )
        if b"%%EOF" not in data[-2048:]:
            raise ValidationError(_("The PDF file is damaged or incomplete."), code="pdf_broken")
        return CheckedUpload(content_type="application/pdf", size=size)
    return _check_image(data, size=size, allow_pdf=allow_pdf, decode=decode)


def _wrong_type_error(allow_pdf: bool) -> ValidationError:
    if allow_pdf:
        return ValidationError(
            _("This file is not a JPEG, PNG or WebP image or a PDF, whatever its name says."),
            code="file_type",
        )
    return ValidationError(
        _("This file is not a JPEG, PNG or WebP image, whatever its name says."), code="file_type"
    )


def _check_image(data: bytes, *, size: int, allow_pdf: bool, decode: bool | str = True) -> CheckedUpload:
    try:
        with Image.open(io.BytesIO(data)) as image:
            image_format = image.format
            width, height = image.size
    except (UnidentifiedImageError, OSError, ValueError):
        raise _wrong_type_error(allow_pdf) from None
    except Image.DecompressionBombError:
        raise _too_many_pixels() from None
    if image_format not in ACCEPTED_IMAGE_FORMATS:
        raise _wrong_type_error(allow_pdf)
    if width * height > MAX_IMAGE_PIXELS:
        raise _too_many_pixels()
    if not decode:
        return CheckedUpload(
            content_type=ACCEPTED_IMAGE_FORMATS[image_format], size=size, width=width, height=height
        )
    try:
        with Image.open(io.BytesIO(data)) as image:
            if decode == DRAFT:
                _draft_decode(image)
            else:
                image.load()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise _too_many_pixels() from None
    except (OSError, ValueError, SyntaxError):
        raise ValidationError(_("The image is damaged and cannot be opened."), code="image_broken") from None
    return CheckedUpload(
        content_type=ACCEPTED_IMAGE_FORMATS[image_format], size=size, width=width, height=height
    )


def _draft_decode(image) -> None:
    """Decode `image` at thumbnail size where its format allows, else read its data through.

    A PNG has no reduced decode, and inflating 25 megapixels takes longer than a request
    may: its chunks and their checksums, read to the end, refuse a cut or damaged file.
    A WebP's container is parsed whole when it is opened (a cut one fails there); its
    pixels, with no reduced decode either, are left to Celery.
    """
    if image.format in ("JPEG", "MPO"):
        image.draft(None, DRAFT_SIZE)
        image.load()
    elif image.format == "PNG":
        image.verify()


def _too_many_pixels() -> ValidationError:
    return ValidationError(
        _("The image has too many pixels (at most %(megapixels)d megapixels)."),
        code="image_too_many_pixels",
        params={"megapixels": MAX_IMAGE_PIXELS // 1_000_000},
    )


def make_thumbnail(source, *, max_side: int = 480) -> bytes:
    """Return a WebP thumbnail of an image file, upright (EXIF orientation applied), metadata dropped."""
    return make_webp_sizes(source, sizes=(max_side,))[0]


def make_webp_sizes(source, *, sizes) -> list[bytes]:
    """Decode an image once and return WebP renditions whose longest side is each of `sizes`.

    The renditions are upright (EXIF orientation applied) and carry no metadata at all:
    no EXIF, so no GPS position of where the photo was taken.
    """
    with Image.open(source) as image:
        image.load()
        upright = ImageOps.exif_transpose(image)
        if upright.mode not in ("RGB", "RGBA"):
            upright = upright.convert("RGB")
        renditions = []
        for side in sizes:
            copy = upright.copy()
            copy.thumbnail((side, side))
            out = io.BytesIO()
            copy.save(out, format="WEBP", quality=80)
            renditions.append(out.getvalue())
    return renditions
