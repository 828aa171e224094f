"""Rendering of email templates in Jinja2's sandbox, from the files in mail/templates or from
sources an admin wrote. HTML parts are autoescaped; a missing variable is an error (a template
that names one is refused when it is saved, and a stored template that fails at send time falls
back to its file, so a mail is never lost to an edit)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

import jinja2
from jinja2.sandbox import SandboxedEnvironment

PARTS = ("subject", "text_body", "html_body")
_SUFFIXES = {"subject": "subject.txt", "text_body": "txt", "html_body": "html"}


@dataclass(frozen=True, slots=True)
class Sources:
    subject: str
    text_body: str
    html_body: str


@dataclass(frozen=True, slots=True)
class Rendered:
    subject: str
    text_body: str
    html_body: str


class TemplateProblem(Exception):
    """A template that does not compile or render; `part` names which of the three failed."""

    def __init__(self, part: str, message: str) -> None:
        self.part = part
        self.message = message
        super().__init__(f"{part}: {message}")


@lru_cache(maxsize=2)
def _environment(html: bool) -> SandboxedEnvironment:
    return SandboxedEnvironment(
        loader=jinja2.PackageLoader("authorhub.mail", "templates"),
        autoescape=html,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def file_names() -> list[str]:
    """Every mail that has files: `<name>.subject.txt`, `.txt` and `.html` (partials start with _)."""
    folder = resources.files("authorhub.mail") / "templates"
    return sorted(
        entry.name.removesuffix(".subject.txt")
        for entry in folder.iterdir()
        if entry.name.endswith(".subject.txt") and not entry.name.startswith("_")
    )


def file_sources(name: str) -> Sources | None:
    folder = resources.files("authorhub.mail") / "templates"
    texts: dict[str, str] = {}
    for part, suffix in _SUFFIXES.items():
        entry = folder / f"{name}.{suffix}"
        if not entry.is_file():
            return None
        texts[part] = entry.read_text(encoding="utf-8")
    return Sources(**texts)


@lru_cache(maxsize=256)
def _compile(part: str, source: str) -> jinja2.Template:
    try:
        return _environment(part == "html_body").from_string(source)
    except jinja2.TemplateSyntaxError as exc:
        raise TemplateProblem(part, f"line {exc.lineno}: {exc.message}") from exc


def check_syntax(sources: Sources) -> None:
    for part in PARTS:
        _compile(part, getattr(sources, part))


def render_sources(sources: Sources, context: dict[str, Any]) -> Rendered:
    """Render the three parts; TemplateProblem names the part and the error."""
    out: dict[str, str] = {}
    for part in PARTS:
        template = _compile(part, getattr(sources, part))
        try:
            out[part] = template.render(context)
        except jinja2.TemplateError as exc:  # undefined variable, sandbox refusal, bad include
            raise TemplateProblem(part, f"{type(exc).__name__}: {exc.message or exc}") from exc
        except Exception as exc:  # a filter given the wrong type, a division by zero...
            raise TemplateProblem(part, f"{type(exc).__name__}: {exc}") from exc
    return Rendered(
        subject=" ".join(out["subject"].split()),
        text_body=out["text_body"],
        html_body=out["html_body"],
    )


def render_file(name: str, context: dict[str, Any]) -> Rendered:
    sources = file_sources(name)
    if sources is None:
        raise LookupError(f"no mail template named {name!r}")
    return render_sources(sources, context)
