"""QR codes as inline SVG (the `qrcode` library, installed with django-allauth[mfa]): <path> elements only, no
style attribute, no image request, so the Content-Security-Policy needs nothing extra."""

import qrcode
import qrcode.image.svg
from django.utils.safestring import mark_safe


def qr_svg(data):
    """The QR code of `data` as an <svg> element; sized by CSS (.qr svg), which overrides its width and height."""
    image = qrcode.make(data, image_factory=qrcode.image.svg.SvgPathImage, box_size=10, border=4)
    # Markup made here from a URL, with no user text in it: the path's coordinates only.
    return mark_safe(image.to_string(encoding="unicode"))  # noqa: S308
