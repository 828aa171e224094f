"""The small HTML pages behind links in mails: confirm a subscription, unsubscribe. A GET only
shows a page with a button; the POST does it (mail scanners that follow links change nothing)."""

from __future__ import annotations

from functools import lru_cache

from jinja2 import Environment, select_autoescape
from jinja2 import Template as JinjaTemplate

_PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width"><meta name="robots" content="noindex">
<title>{{ title }}</title><style>body{font-family:Georgia,serif;background:#f6f3ee;color:#2b2118;
margin:0;padding:24px}main{max-width:480px;margin:10vh auto;background:#fff;padding:32px;
border-radius:8px}button{background:#7b3f00;color:#fff;border:0;padding:10px 18px;border-radius:4px;
font-size:1rem;cursor:pointer}</style></head><body><main><h1>{{ title }}</h1><p>{{ text }}</p>
{% if action %}<form method="post" action="{{ action }}">{% for k, v in fields.items() %}
<input type="hidden" name="{{ k }}" value="{{ v }}">{% endfor %}<button type="submit">{{ button }}</button></form>{% endif %}
</main></body></html>"""


@lru_cache
def _template() -> JinjaTemplate:
    return Environment(autoescape=select_autoescape(default_for_string=True)).from_string(_PAGE)


def page(
    title: str,
    text: str,
    *,
    action: str | None = None,
    button: str = "",
    fields: dict[str, str] | None = None,
) -> str:
    return _template().render(
        title=title, text=text, action=action, button=button, fields=fields or {}
    )


def masked(email: str) -> str:
    """a***@example.com: enough for the owner to recognise, little for anyone else."""
    local, _, domain = email.partition("@")
    return f"{local[:1]}***@{domain}"
