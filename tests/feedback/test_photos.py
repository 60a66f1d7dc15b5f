import struct
import zlib
from io import BytesIO

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import ExifTags, Image, ImageCms, PngImagePlugin

from tongxin.feedback.photos import (
    ALLOWED_FORMATS,
    MAX_PHOTO_BYTES,
    MAX_PHOTOS_PER_CASE,
    CleanPhoto,
    PhotoRejected,
    clean_photo,
)

GPS_LATITUDE = (39.0, 54.0, 27.0)
GPS_LONGITUDE = (116.0, 23.0, 29.0)


def encode(picture: Image.Image, format_name: str, **options) -> bytes:
    output = BytesIO()
    picture.save(output, format_name, **options)
    return output.getvalue()


def open_clean(photo: CleanPhoto) -> Image.Image:
    return Image.open(BytesIO(photo.data))


def phone_exif() -> Image.Exif:
    """What a phone writes: sideways pixels, its make, and where the picture was taken."""
    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = 6  # rotate 90° clockwise to view
    exif[ExifTags.Base.Make] = "PhoneCo"
    exif[ExifTags.IFD.GPSInfo] = {
        ExifTags.GPS.GPSLatitudeRef: "N",
        ExifTags.GPS.GPSLatitude: GPS_LATITUDE,
        ExifTags.GPS.GPSLongitudeRef: "E",
        ExifTags.GPS.GPSLongitude: GPS_LONGITUDE,
    }
    return exif


def sideways_phone_photo() -> bytes:
    # Left half red, right half blue: after turning upright, red is on top.
    picture = Image.new("RGB", (40, 20), (200, 0, 0))
    picture.paste((0, 0, 200), (20, 0, 40, 20))
    return encode(picture, "JPEG", exif=phone_exif(), comment=b"owner: Zhang San")


def png_claiming_size(width: int, height: int) -> bytes:
    """A tiny PNG whose header claims a huge size, as a decompression bomb's does."""
    real = encode(Image.new("L", (1, 1)), "PNG")
    header = struct.pack(">II", width, height) + real[24:29]  # keep depth, colour, etc.
    chunk = b"IHDR" + header
    patched_ihdr = struct.pack(">I", 13) + chunk + struct.pack(">I", zlib.crc32(chunk))
    return real[:8] + patched_ihdr + real[33:]


def test_limits():
    assert MAX_PHOTO_BYTES == 8 * 1024 * 1024
    assert MAX_PHOTOS_PER_CASE == 4
    assert ALLOWED_FORMATS == {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}


def test_phone_photo_loses_gps_and_all_exif():
    upload = sideways_phone_photo()
    assert Image.open(BytesIO(upload)).getexif().get_ifd(ExifTags.IFD.GPSInfo) != {}

    photo = clean_photo(upload)
    cleaned = open_clean(photo)

    assert dict(cleaned.getexif()) == {}
    assert cleaned.getexif().get_ifd(ExifTags.IFD.GPSInfo) == {}
    assert b"Exif" not in photo.data
    assert b"GPS" not in photo.data
    assert b"PhoneCo" not in photo.data
    assert b"Zhang San" not in photo.data
    assert set(cleaned.info) <= {"jfif", "jfif_version", "jfif_unit", "jfif_density", "progressive"}


def test_phone_photo_is_turned_upright():
    photo = clean_photo(sideways_phone_photo())
    cleaned = open_clean(photo).convert("RGB")

    assert (photo.width, photo.height) == (20, 40)
    assert cleaned.size == (20, 40)
    top_red, _, top_blue = cleaned.getpixel((10, 5))
    bottom_red, _, bottom_blue = cleaned.getpixel((10, 35))
    assert top_red > 150 and top_blue < 50
    assert bottom_blue > 150 and bottom_red < 50


def test_jpeg_stays_jpeg():
    photo = clean_photo(encode(Image.new("RGB", (30, 20), (10, 120, 10)), "JPEG"))

    assert (photo.content_type, photo.extension, photo.width, photo.height) == (
        "image/jpeg",
        "jpg",
        30,
        20,
    )
    assert open_clean(photo).format == "JPEG"


def test_png_with_alpha_stays_png_with_alpha():
    picture = Image.new("RGBA", (16, 8), (255, 0, 0, 0))
    picture.paste((0, 255, 0, 255), (0, 0, 8, 8))

    photo = clean_photo(encode(picture, "PNG"))
    cleaned = open_clean(photo)

    assert (photo.content_type, photo.extension) == ("image/png", "png")
    assert (cleaned.format, cleaned.mode, cleaned.size) == ("PNG", "RGBA", (16, 8))
    assert cleaned.getpixel((2, 2)) == (0, 255, 0, 255)
    assert cleaned.getpixel((12, 2))[3] == 0


def test_png_text_and_colour_profile_are_dropped():
    text = PngImagePlugin.PngInfo()
    text.add_text("Author", "Zhang San")
    profile = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    upload = encode(Image.new("RGB", (8, 8)), "PNG", pnginfo=text, icc_profile=profile)
    assert Image.open(BytesIO(upload)).info.keys() >= {"Author", "icc_profile"}

    photo = clean_photo(upload)

    assert open_clean(photo).info == {}
    assert b"Zhang San" not in photo.data


def test_palette_png_with_transparency_keeps_transparency():
    picture = Image.new("P", (4, 4), 1)
    picture.putpalette([0, 0, 0, 255, 0, 0])
    upload = encode(picture, "PNG", transparency=0)

    cleaned = open_clean(clean_photo(upload))

    assert cleaned.format == "PNG"
    assert cleaned.mode == "RGBA"
    assert cleaned.getpixel((0, 0)) == (255, 0, 0, 255)


def test_webp_stays_webp_without_exif():
    upload = encode(Image.new("RGB", (12, 10), (0, 0, 255)), "WEBP", exif=phone_exif())

    photo = clean_photo(upload)

    assert (photo.content_type, photo.extension) == ("image/webp", "webp")
    assert b"EXIF" not in photo.data
    assert dict(open_clean(photo).getexif()) == {}
    # The Orientation tag was honoured before it was dropped.
    assert (photo.width, photo.height) == (10, 12)


def test_large_photo_is_shrunk_to_2560_on_its_longest_side():
    photo = clean_photo(encode(Image.new("RGB", (3000, 1000), (90, 90, 90)), "JPEG"))

    assert (photo.width, photo.height) == (2560, 853)
    assert open_clean(photo).size == (2560, 853)


def test_very_large_jpeg_is_decoded_small_and_shrunk():
    photo = clean_photo(encode(Image.new("RGB", (6000, 2000), (90, 90, 90)), "JPEG"))

    assert (photo.width, photo.height) == (2560, 853)


def test_cmyk_jpeg_becomes_rgb():
    photo = clean_photo(encode(Image.new("CMYK", (8, 8)), "JPEG"))

    assert open_clean(photo).mode == "RGB"


def test_text_file_is_not_an_image():
    with pytest.raises(PhotoRejected) as rejected:
        clean_photo("小区门口路灯坏了\n".encode())

    assert rejected.value.reason == "not_an_image"
    assert isinstance(rejected.value, ValueError)


def test_empty_upload_is_not_an_image():
    with pytest.raises(PhotoRejected) as rejected:
        clean_photo(b"")

    assert rejected.value.reason == "not_an_image"


@pytest.mark.parametrize("after_a_poster", [False, True], ids=["alone", "after-a-duty-poster"])
def test_truncated_jpeg_is_not_an_image(after_a_poster):
    if after_a_poster:  # WeasyPrint, once imported, would let Pillow accept truncated images
        from tongxin.duty.views.bulletin import one_page_pdf

        one_page_pdf(lambda _lines: "<p>海报</p>")
    upload = encode(Image.effect_noise((200, 200), 64).convert("RGB"), "JPEG")

    with pytest.raises(PhotoRejected) as rejected:
        clean_photo(upload[: len(upload) // 2])

    assert rejected.value.reason == "not_an_image"


@pytest.mark.parametrize("format_name", ["GIF", "BMP", "TIFF"])
def test_other_formats_are_unsupported(format_name):
    with pytest.raises(PhotoRejected) as rejected:
        clean_photo(encode(Image.new("RGB", (8, 8)), format_name))

    assert rejected.value.reason == "unsupported_format"


def test_oversize_upload_is_rejected_before_decoding():
    with pytest.raises(PhotoRejected) as rejected:
        clean_photo(b"\xff" * (MAX_PHOTO_BYTES + 1))

    assert rejected.value.reason == "too_large"


def test_upload_of_exactly_the_limit_is_judged_on_its_content():
    with pytest.raises(PhotoRejected) as rejected:
        clean_photo(b"\xff" * MAX_PHOTO_BYTES)

    assert rejected.value.reason == "not_an_image"


def test_too_many_pixels_within_pillows_own_limit():
    bilevel = encode(Image.new("1", (10_000, 5_000)), "PNG")  # 50 megapixels, a few kB
    assert len(bilevel) < 100_000

    with pytest.raises(PhotoRejected) as rejected:
        clean_photo(bilevel)

    assert rejected.value.reason == "too_many_pixels"


def test_decompression_bomb_header_is_rejected():
    bomb = png_claiming_size(20_000, 20_000)
    assert Image.open(BytesIO(png_claiming_size(3, 2))).size == (3, 2)

    with pytest.raises(PhotoRejected) as rejected:
        clean_photo(bomb)

    assert rejected.value.reason == "too_many_pixels"


@settings(max_examples=200)
@given(st.binary(max_size=2_000))
def test_any_bytes_give_a_photo_or_a_reason(data):
    try:
        photo = clean_photo(data)
    except PhotoRejected as rejected:
        assert rejected.reason in {"not_an_image", "unsupported_format", "too_many_pixels"}
    else:
        assert photo.content_type in ALLOWED_FORMATS.values()


@pytest.mark.filterwarnings("ignore::UserWarning:PIL.TiffImagePlugin")  # damaged EXIF
@settings(max_examples=100)
@given(st.integers(0, 2_000), st.binary(min_size=1, max_size=8))
def test_damaged_photos_give_a_photo_or_a_reason(position, damage):
    upload = bytearray(sideways_phone_photo())
    position = min(position, len(upload) - 1)
    upload[position : position + len(damage)] = damage

    try:
        photo = clean_photo(bytes(upload))
    except PhotoRejected as rejected:
        assert rejected.reason in {"not_an_image", "unsupported_format", "too_many_pixels"}
    else:
        assert b"Exif" not in photo.data
