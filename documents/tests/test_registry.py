"""The kernel's registry of document pages: every document type the lifecycle knows has its pages there."""

from documents import lifecycle, registry


def test_every_document_type_of_the_lifecycle_registers_its_pages():
    registered = {pages.model for pages in registry.document_pages()}
    assert registered == set(lifecycle.registered_models())


def test_the_approvals_page_lists_the_document_types_in_their_fixed_order():
    labels = [pages.model._meta.label_lower for pages in registry.document_pages()]
    first = ["purchasing.purchase", "production.productionrun", "sales.sale", "sales.payment"]
    # New document types may come anywhere; these keep the order the approvals page always had.
    assert [label for label in labels if label in first + ["inventory.stockcount"]] == [
        *first,
        "inventory.stockcount",
    ]
