"""Community posts as text: a Markdown subset rendered with markdown-it-py and sanitised with
nh3, @mentions turned into profile links, and the counts the moderation rules need (links,
watched words). No I/O here."""

from __future__ import annotations

import html
import re
from collections.abc import Iterable
from functools import lru_cache
from typing import Any

import nh3
from markdown_it import MarkdownIt

from authorhub.kit.richtext import plain_text

# What a post may contain: paragraphs, emphasis, lists, quotes, code, links. No headings, no
# images, no raw HTML (escaped, not passed through).
ALLOWED_TAGS = frozenset(
    {"p", "br", "hr", "strong", "em", "del", "blockquote", "ul", "ol", "li", "a", "code", "pre"}
)
LINK_REL = "nofollow ugc noopener"
HANDLE_PATTERN = r"[a-z0-9_]{3,30}"
HANDLE = re.compile(HANDLE_PATTERN)
# "@handle" not preceded by a word character, "@" or "/" (so emails and URLs are not mentions).
MENTION = re.compile(rf"(?<![\w@/])@({HANDLE_PATTERN})\b", re.IGNORECASE)
LINK = re.compile(r"(?:https?://|www\.)[^\s<>()\[\]]+", re.IGNORECASE)


@lru_cache
def _markdown() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False, "linkify": False}).disable(
        ["heading", "lheading", "html_block", "html_inline"]
    )
    md.add_render_rule("image", _image_as_link)
    return md


def _image_as_link(self: Any, tokens: Any, idx: int, options: Any, env: Any) -> str:
    """No images in posts (a tracking pixel, a shock image): an image becomes a link to it."""
    token = tokens[idx]
    src = html.escape(str(token.attrGet("src") or ""), quote=True)
    alt = html.escape(token.content or "image")
    return f'<a href="{src}">{alt}</a>'


def mentioned_handles(source: str) -> list[str]:
    """The distinct handles @mentioned in a post, lower-case, in order of appearance."""
    seen: dict[str, None] = {}
    for match in MENTION.finditer(source):
        seen.setdefault(match.group(1).lower())
    return list(seen)


def count_links(source: str) -> int:
    return len(LINK.findall(source))


def render(source: str, *, known_handles: Iterable[str], profile_url: str) -> str:
    """Sanitised HTML of a post. Mentions of existing members link to their profile
    (`profile_url` with "{handle}"); every link gets rel="nofollow ugc noopener"."""
    handles = set(known_handles)

    def link_mention(match: re.Match[str]) -> str:
        handle = match.group(1).lower()
        if handle not in handles:
            return match.group(0)
        return f"[@{handle}]({profile_url.format(handle=handle)})"

    rendered = _markdown().render(MENTION.sub(link_mention, source))
    return nh3.clean(
        rendered,
        tags=set(ALLOWED_TAGS),
        attributes={"a": {"href", "title"}},
        url_schemes={"http", "https", "mailto"},
        link_rel=LINK_REL,
    ).strip()


def quote_block(text: str, handle: str | None, max_length: int = 400) -> str:
    """A Markdown blockquote of another post's words, with who wrote them."""
    words = plain_text(text, max_length)
    lines = [f"> {line}" for line in words.splitlines() or [""]]
    attribution = f"> — @{handle}" if handle else "> — a former member"
    return "\n".join([*lines, ">", attribution]) + "\n\n"


def watched_word_hits(source: str, words: Iterable[str]) -> list[str]:
    """The watched words (lower-case) that occur in the text as whole words."""
    lowered = source.lower()
    return [
        word for word in words if re.search(rf"(?<!\w){re.escape(word)}(?!\w)", lowered) is not None
    ]
