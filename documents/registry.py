"""The document types' pages, registered by the app that owns each type.

The kernel's own pages (approvals) read this list, so the kernel never imports the document apps
above it. Each app registers its ``DocumentPages`` when its pages module is imported (its
AppConfig.ready imports it); ``order`` keeps the approvals page's groups in a fixed order.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from documents.pages import DocumentPages

_registered: dict[str, tuple[int, DocumentPages]] = {}


def register(pages: DocumentPages, *, order: int) -> DocumentPages:
    """Add one document type's pages (again under the same model replaces the first)."""
    _registered[pages.model._meta.label_lower] = (order, pages)
    return pages


def document_pages() -> list[DocumentPages]:
    """Every registered document type's pages, in their ``order``."""
    return [pages for _, pages in sorted(_registered.values(), key=lambda entry: entry[0])]
