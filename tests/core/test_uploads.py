"""Upload checks by content (merchants/uploads.py); files are made here with Pillow."""

import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from core.uploads import MAX_DOCUMENT_BYTES, check_upload, make_thumbnail

EXIF_ORIENTATION = 0x0112
EXIF_GPS_IFD = 0x8825
ROTATE_90_CW = 6

PDF_BYTES = (
    b"%PDF-1.4\n"
    b"1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n"
    b"2 0 obj\n<< /Type /Pages /Kids [] /Count 0 >>\nendobj\n"
    b"trailer\n<< /Root 1 0 R >>\n"
    b"%%EOF\n"
)


def image_bytes(image_format: str, size=(64, 48), mode="RGB", **save_options) -> bytes:
    buffer = io.BytesIO()
    Image.new(mode, size, "red" if mode == "RGB" else 200).save(buffer, image_format, **save_options)
    return buffer.getvalue()


def noisy_jpeg(size=(400, 300)) -> bytes:
    """A JPEG that does not compress away, so cutting it leaves real missing data."""
    buffer = io.BytesIO()
    Image.effect_noise(size, 64).convert("RGB").save(buffer, "JPEG", quality=90)
    return buffer.getvalue()


def upload(name: str, data: bytes, content_type: str = "application/octet-stream") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=content_type)


def refused(file, **kwargs) -> ValidationError:
    with pytest.raises(ValidationError) as excinfo:
        check_upload(file, **kwargs)
    return excinfo.value


# --- check_upload: what is accepted ---------------------------------------------------


@pytest.mark.parametrize(
    ("image_format", "content_type"),
    [("JPEG", "image/jpeg"), ("PNG", "image/png"), ("WEBP", "image/webp")],
)
@pytest.mark.parametrize("allow_pdf", [True, False])
def test_photo_is_accepted_with_its_real_type_and_size(image_format, content_type, allow_pdf):
    # given a 64x48 image, named as if it were something else
    data = image_bytes(image_format, size=(64, 48))
    file = upload("scan.bin", data)
    # when
    checked = check_upload(file, allow_pdf=allow_pdf)
    # then
    assert checked.content_type == content_type
    assert (checked.width, checked.height) == (64, 48)
    assert checked.size == len(data)


def test_check_leaves_the_file_at_its_start():
    # given a PNG upload
    file = upload("licence.png", image_bytes("PNG"))
    # when
    check_upload(file, allow_pdf=False)
    # then the file can be saved from the start
    assert file.tell() == 0


def test_pdf_is_accepted_where_allowed():
    # given a small well-formed PDF
    file = upload("licence.pdf", PDF_BYTES, "application/pdf")
    # when
    checked = check_upload(file, allow_pdf=True)
    # then
    assert checked.content_type == "application/pdf"
    assert checked.size == len(PDF_BYTES)
    assert (checked.width, checked.height) == (None, None)


def test_pdf_is_refused_where_only_photos_are_allowed():
    # given the same PDF on a photo-only field
    file = upload("licence.pdf", PDF_BYTES, "application/pdf")
    # when
    error = refused(file, allow_pdf=False)
    # then
    assert error.code == "pdf_not_allowed"


def test_pdf_without_end_marker_is_refused_as_broken():
    # given a PDF cut before its %%EOF
    data = PDF_BYTES[: PDF_BYTES.index(b"%%EOF")]
    file = upload("licence.pdf", data, "application/pdf")
    # when
    error = refused(file, allow_pdf=True)
    # then
    assert error.code == "pdf_broken"


# --- check_upload: wrong type ---------------------------------------------------------


@pytest.mark.parametrize("allow_pdf", [True, False])
def test_text_file_named_jpg_is_refused_by_content(allow_pdf):
    # given a text file renamed licence.jpg and sent as image/jpeg
    file = upload("licence.jpg", "营业执照 business licence\n".encode(), "image/jpeg")
    # when
    error = refused(file, allow_pdf=allow_pdf)
    # then
    assert error.code == "file_type"


def test_gif_is_refused():
    # given a real GIF, named .png
    file = upload("logo.png", image_bytes("GIF", mode="P"), "image/png")
    assert Image.open(io.BytesIO(file.read())).format == "GIF"
    # when
    error = refused(file, allow_pdf=False)
    # then
    assert error.code == "file_type"


def test_phone_jpeg_with_multi_picture_segment_is_accepted_as_jpeg():
    # given a JPEG with a second (preview) picture in an MPF segment, as phone cameras write
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), "red").save(
        buffer, "MPO", save_all=True, append_images=[Image.new("RGB", (32, 24), "blue")]
    )
    data = buffer.getvalue()
    assert data.startswith(b"\xff\xd8\xff")
    # when
    checked = check_upload(upload("IMG_0001.jpg", data, "image/jpeg"), allow_pdf=False)
    # then
    assert checked.content_type == "image/jpeg"
    assert (checked.width, checked.height) == (64, 48)


# --- check_upload: size ---------------------------------------------------------------


def test_file_over_the_given_limit_is_refused():
    # given a 2 KB image and a 1 KB limit
    data = noisy_jpeg(size=(40, 40))
    assert 1024 < len(data) <= 4096
    file = upload("photo.jpg", data, "image/jpeg")
    # when
    error = refused(file, allow_pdf=False, max_bytes=1024)
    # then
    assert error.code == "file_too_large"
    assert "KB" in error.messages[0]


def test_file_over_the_default_limit_is_refused_before_reading():
    # given a 30 MB payload (a JPEG start followed by zeros)
    data = b"\xff\xd8\xff\xe0" + bytes(30 * 1024 * 1024 - 4)
    assert len(data) > MAX_DOCUMENT_BYTES
    file = upload("photo.jpg", data, "image/jpeg")
    # when
    error = refused(file, allow_pdf=True)
    # then
    assert error.code == "file_too_large"
    message = error.messages[0]
    assert "MB" in message
    assert "30.0" in message
    assert "10.0" in message


def test_empty_file_is_refused():
    # given an empty upload
    file = upload("photo.jpg", b"", "image/jpeg")
    # when
    error = refused(file, allow_pdf=True)
    # then
    assert error.code == "file_empty"


# --- check_upload: damaged or hostile images ------------------------------------------


def test_decompression_bomb_is_refused_from_its_header():
    # given an 8000x5000 (40 megapixel) single-colour PNG: small on disk, 40 MB once decoded
    data = image_bytes("PNG", size=(8000, 5000), mode="L")
    assert len(data) < 200_000
    with Image.open(io.BytesIO(data)) as header_only:
        assert header_only.size == (8000, 5000)
    file = upload("licence.png", data, "image/png")
    # when
    error = refused(file, allow_pdf=False)
    # then
    assert error.code == "image_too_many_pixels"
    assert error.params == {"megapixels": 25}


def test_truncated_jpeg_is_refused_as_broken():
    # given a JPEG whose header is intact but whose body is cut in half
    whole = noisy_jpeg()
    data = whole[: len(whole) // 2]
    with Image.open(io.BytesIO(data)) as header_only:
        assert (header_only.format, header_only.size) == ("JPEG", (400, 300))
    file = upload("photo.jpg", data, "image/jpeg")
    # when
    error = refused(file, allow_pdf=False)
    # then
    assert error.code == "image_broken"


# --- make_thumbnail -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("image_format", "size", "expected"),
    [
        ("JPEG", (1200, 800), (480, 320)),
        ("PNG", (600, 1500), (192, 480)),
        ("WEBP", (300, 200), (300, 200)),
    ],
)
def test_thumbnail_is_webp_and_fits_in_480(image_format, size, expected):
    # given an image
    source = io.BytesIO(image_bytes(image_format, size=size))
    # when
    thumbnail = make_thumbnail(source)
    # then
    with Image.open(io.BytesIO(thumbnail)) as result:
        assert result.format == "WEBP"
        assert result.size == expected
        assert max(result.size) <= 480


def test_thumbnail_of_palette_png_is_webp():
    # given a palette (mode P) PNG, which WebP cannot store as such
    source = io.BytesIO(image_bytes("PNG", size=(500, 250), mode="P"))
    # when
    thumbnail = make_thumbnail(source)
    # then
    with Image.open(io.BytesIO(thumbnail)) as result:
        assert result.format == "WEBP"
        assert result.size == (480, 240)


def test_thumbnail_is_upright_and_drops_exif_with_gps():
    # given a phone photo stored 1200x800 with EXIF "rotate 90° clockwise" and a GPS position
    exif = Image.Exif()
    exif[EXIF_ORIENTATION] = ROTATE_90_CW
    gps = exif.get_ifd(EXIF_GPS_IFD)
    gps[1] = "N"
    gps[2] = (30.0, 15.0, 0.0)
    buffer = io.BytesIO()
    Image.new("RGB", (1200, 800), "red").save(buffer, "JPEG", exif=exif)
    buffer.seek(0)
    with Image.open(buffer) as stored:
        assert stored.size == (1200, 800)
        assert stored.getexif()[EXIF_ORIENTATION] == ROTATE_90_CW
        assert stored.getexif().get_ifd(EXIF_GPS_IFD)[1] == "N"
    buffer.seek(0)
    # when
    thumbnail = make_thumbnail(buffer)
    # then it is shown upright (width and height swapped) and carries no EXIF at all
    with Image.open(io.BytesIO(thumbnail)) as result:
        assert result.format == "WEBP"
        assert result.size == (320, 480)
        assert EXIF_GPS_IFD not in result.getexif()
        assert dict(result.getexif()) == {}
        assert "exif" not in result.info
