"""One Jinja environment for every face's pages: each face keeps its templates in its own
folder and names them under its prefix (``candidate/start.html``, ``dashboard/...``)."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, PrefixLoader, StrictUndefined
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.template.config import TemplateConfig


def template_config(folders: Mapping[str, Path]) -> TemplateConfig[JinjaTemplateEngine]:
    """Templates of each face under its prefix: autoescaped, and an undefined name is an
    error (a typo in a template fails loudly in tests rather than rendering blank)."""
    environment = Environment(
        loader=PrefixLoader({prefix: FileSystemLoader(path) for prefix, path in folders.items()}),
        autoescape=True,
        undefined=StrictUndefined,
    )
    return TemplateConfig(instance=JinjaTemplateEngine.from_environment(environment))
