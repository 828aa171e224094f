"""Text written by people, made safe to show: Markdown rendered to HTML, HTML sanitised with nh3
(an allow-list: no scripts, no event handlers, no javascript: links), and plain text extracted.
"""

from __future__ import annotations

import html
import re
from functools import lru_cache
from typing import Literal

import nh3
from markdown_it import MarkdownIt

TextFormat = Literal["markdown", "html"]

# What a book description or an article may contain: structure and emphasis, links, no media
# (images come through the upload endpoint and their own fields).
ALLOWED_TAGS = frozenset(
    {
        "p", "br", "hr", "h2", "h3", "h4", "strong", "b", "em", "i", "u", "s", "del", "sub",
        "sup", "blockquote", "ul", "ol", "li", "a", "code", "pre", "span", "small",
    }
)  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "ol": {"start"}}
URL_SCHEMES = frozenset({"http", "https", "mailto"})
_SPACES = re.compile(r"\s+")


@lru_cache
def _markdown() -> MarkdownIt:
    # Raw HTML inside Markdown is escaped, not passed through: Markdown authors get Markdown.
    return MarkdownIt("commonmark", {"html": False})


def sanitize_html(value: str) -> str:
    return nh3.clean(
        value,
        tags=set(ALLOWED_TAGS),
        attributes={tag: set(attrs) for tag, attrs in ALLOWED_ATTRIBUTES.items()},
        url_schemes=set(URL_SCHEMES),
        link_rel="noopener noreferrer nofollow",
    ).strip()


def render_markdown(value: str) -> str:
    return sanitize_html(_markdown().render(value))


def to_safe_html(value: str, text_format: TextFormat) -> str:
    """Sanitised HTML from Markdown or from HTML."""
    return render_markdown(value) if text_format == "markdown" else sanitize_html(value)


def plain_text(value: str, max_length: int | None = None) -> str:
    """The text of some HTML (or plain text) with tags removed and whitespace collapsed,
    cut at a word boundary when longer than `max_length`."""
    text = _SPACES.sub(" ", html.unescape(nh3.clean(value, tags=set()))).strip()
    if max_length is not None and len(text) > max_length:
        cut = text[: max_length - 1].rsplit(" ", 1)[0].rstrip(",.;:")
        text = cut + "…"
    return text
