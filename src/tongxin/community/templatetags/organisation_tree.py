"""The organisation tree, rendered in Python.

The tree page lists a hundred places, each with the places under it and its bodies grouped by
kind. A template can only nest such a tree by including itself once a place, and its loops cost
more per place than everything else on the page; even `format_html`, which checks every argument
for lazy text before escaping it, costs more than the markup. So the markup is joined here, from
values escaped with the standard library's `html.escape` (what Django's `escape` uses).
"""

from __future__ import annotations

from html import escape
from typing import TYPE_CHECKING

from django import template
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

if TYPE_CHECKING:
    from tongxin.community.views import Link, PlaceNode

register = template.Library()


@register.simple_tag
def place_tree(nodes: list[PlaceNode]) -> SafeString:
    """The places as `<li class="place">` items, each with its bodies and the places under it."""
    parts: list[str] = []
    in_label = escape(_("In"))
    for node in nodes:
        _place_item(node, parts, in_label)
    return mark_safe("\n".join(parts))  # every value in it is escaped


def _link(link: Link) -> str:
    return f'<a href="{escape(link.url)}">{escape(link.name)}</a>'


def _place_item(node: PlaceNode, parts: list[str], in_label: str) -> None:
    parts.append('<li class="place">')
    if node.trail:
        # A page that starts deep in the tree says where its first places lie.
        trail = " › ".join(_link(ancestor) for ancestor in node.trail)
        parts.append(f'<p class="trail">{in_label} {trail}</p>')
    place = node.link
    parts.append(f'<a class="place-name" href="{escape(place.url)}">{escape(place.name)}</a>')
    parts.append(f'<span class="kind">{escape(node.kind)}</span>')
    if node.bodies:
        parts.append(_body_lists(node.bodies))
    if node.children:
        parts.append("<ul>")
        for child in node.children:
            _place_item(child, parts, in_label)
        parts.append("</ul>")
    parts.append("</li>")


def _body_lists(groups: list[tuple[str, list[Link]]]) -> str:
    """A place's bodies under their kinds' labels."""
    items = "".join(
        f'<div><dt>{escape(label)}</dt><dd><ul class="inline-list">'
        + "".join(f"<li>{_link(link)}</li>" for link in links)
        + "</ul></dd></div>"
        for label, links in groups
    )
    return f'<dl class="bodies">{items}</dl>'
