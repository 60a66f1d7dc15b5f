"""Photos attached to a case: accepted only as re-encoded pixels, never as the uploaded file.

A resident's phone writes where and when a picture was taken (EXIF GPS), the phone's make and
often the owner's name into the file. A case photo may be shown to handlers and, once the case
is published, to the public, so only the pixels cross over: every photo is decoded, turned
upright, shrunk to a sensible size and encoded afresh with no metadata at all. Decoding an
untrusted file is also where decompression bombs bite, so the pixel count is checked from the
header before anything is decoded.

No Django here: forms and the API pass bytes in and translate `PhotoRejected.reason`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from io import BytesIO
from typing import Literal

from PIL import Image, ImageOps

MAX_PHOTO_BYTES = 8 * 1024 * 1024
MAX_PHOTOS_PER_CASE = 4  # enforced by the actions that attach photos
MAX_PHOTO_PIXELS = 40_000_000  # above any phone camera; a bigger header is a bomb, not a photo
MAX_SIDE = 2560  # plenty to see a broken lamp; keeps storage and page weight down
JPEG_QUALITY = 85
WEBP_QUALITY = 85

ALLOWED_FORMATS = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}
EXTENSIONS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}

Reason = Literal["too_large", "not_an_image", "unsupported_format", "too_many_pixels"]


class PhotoRejected(ValueError):
    """The upload is not a photo we keep; `reason` says why, for the caller to word."""

    def __init__(self, reason: Reason) -> None:
        super().__init__(reason)
        self.reason: Reason = reason


@dataclass(frozen=True)
class CleanPhoto:
    """A photo re-encoded from its pixels alone, ready to store."""

    data: bytes
    content_type: str
    extension: str
    width: int
    height: int


def clean_photo(data: bytes) -> CleanPhoto:
    """The upload upright, at most MAX_SIDE px a side, re-encoded without metadata.

    Raises PhotoRejected with the reason when the upload is not a photo we keep.
    """
    if len(data) > MAX_PHOTO_BYTES:
        raise PhotoRejected("too_large")
    format_name = _check_header(data)
    picture = _downscale(_upright(_decode(data)))
    return _encode(_strip(picture, format_name), format_name=format_name)


def _check_header(data: bytes) -> str:
    """The file's format, read from its header alone; refuses what we don't keep or can't afford."""
    try:
        # Image.open reads only the header, and refuses sizes past Pillow's own bomb limit.
        with Image.open(BytesIO(data)) as probe:
            format_name = probe.format or ""
            pixels = probe.width * probe.height
    except Image.DecompressionBombError as error:
        raise PhotoRejected("too_many_pixels") from error
    except Exception as error:
        raise PhotoRejected("not_an_image") from error
    if format_name not in ALLOWED_FORMATS:
        raise PhotoRejected("unsupported_format")
    if pixels > MAX_PHOTO_PIXELS:
        raise PhotoRejected("too_many_pixels")
    return format_name


def _decode(data: bytes) -> Image.Image:
    try:
        with Image.open(BytesIO(data)) as probe:
            probe.verify()  # checksums and structure, before decoding any pixels
        picture = Image.open(BytesIO(data))
        _decode_smaller(picture)
        picture.load()
    except Exception as error:
        # A malformed file can make a decoder raise nearly anything (OSError, SyntaxError,
        # struct.error, IndexError...); to the resident it is all "not a picture".
        raise PhotoRejected("not_an_image") from error
    return picture


def _decode_smaller(picture: Image.Image) -> None:
    # A JPEG can be decoded at 1/2, 1/4 or 1/8 scale for a fraction of the memory; ask for the
    # smallest that still leaves the longest side at least MAX_SIDE.
    longest = max(picture.size)
    if longest > MAX_SIDE:
        wanted = tuple(math.ceil(side * MAX_SIDE / longest) for side in picture.size)
        picture.draft(None, (wanted[0], wanted[1]))


def _upright(picture: Image.Image) -> Image.Image:
    # Phones store pixels as the sensor saw them and an Orientation tag; the tag is dropped
    # with the rest of the metadata, so turn the pixels now.
    try:
        return ImageOps.exif_transpose(picture)
    except Exception:
        # Unreadable EXIF is dropped anyway; a sideways photo is better than a refused one.
        return picture


def _downscale(picture: Image.Image) -> Image.Image:
    if max(picture.size) <= MAX_SIDE:
        return picture
    if picture.mode not in ("L", "LA", "RGB", "RGBA"):
        # Palette and bilevel images only resize by nearest neighbour; give them real colours.
        picture = picture.convert("RGBA" if picture.has_transparency_data else "RGB")
    picture.thumbnail((MAX_SIDE, MAX_SIDE), Image.Resampling.LANCZOS)  # ours, a fresh decode
    return picture


def _strip(picture: Image.Image, format_name: str) -> Image.Image:
    """Only the pixels, in a mode the target format stores: no EXIF, XMP, ICC, comment or text."""
    bare = Image.new(_target_mode(picture, format_name), picture.size)
    bare.paste(picture.convert(bare.mode))
    return bare


def _target_mode(picture: Image.Image, format_name: str) -> str:
    if format_name == "JPEG":
        # JPEG has no alpha, and CMYK shows badly in browsers.
        return "L" if picture.mode == "L" else "RGB"
    if format_name == "PNG" and picture.mode in ("L", "LA", "RGB", "RGBA"):
        return picture.mode
    return "RGBA" if picture.has_transparency_data else "RGB"


def _encode(picture: Image.Image, *, format_name: str) -> CleanPhoto:
    output = BytesIO()
    if format_name == "JPEG":
        picture.save(output, "JPEG", quality=JPEG_QUALITY, optimize=True)
    elif format_name == "PNG":
        picture.save(output, "PNG", optimize=True)
    else:
        picture.save(output, "WEBP", quality=WEBP_QUALITY)
    return CleanPhoto(
        data=output.getvalue(),
        content_type=ALLOWED_FORMATS[format_name],
        extension=EXTENSIONS[format_name],
        width=picture.width,
        height=picture.height,
    )
