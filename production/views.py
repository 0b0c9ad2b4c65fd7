from __future__ import annotations

from documents import forms as document_forms
from documents import registry
from documents.pages import DocumentPages
from production import entry, services
from production import forms as f
from production.models import ProductionRun


class RunPages(DocumentPages):
    model = ProductionRun
    namespace = "production"
    slug = "run"
    title = "Production runs"
    noun = "production run"
    header_form = f.RunForm
    # The inputs come first: a service's line errors refer to them.
    formsets = {"inputs": f.InputFormSet, "rejects": f.RejectFormSet}
    party_field = None
    # A run concerns the bottle it makes, the inputs it consumes and the scrap it yields.
    item_lookup = ("product", "inputs__item", "scrap_item")
    list_related = ("created_by", "product")
    detail_prefetch = ("inputs__item", "rejects")

    def create(self, *, request, header, rows, request_key, submit):
        # No inputs typed: the service takes them from the recipe.
        return entry.create_run(
            by=request.user,
            data=header,
            inputs=rows["inputs"] or None,
            rejects=rows["rejects"],
            request_key=request_key,
            submit=submit,
        )

    def update(self, *, request, document, header, rows, submit):
        return entry.update_run(
            run=document,
            by=request.user,
            data=header,
            inputs=rows["inputs"] or None,
            rejects=rows["rejects"],
            submit=submit,
        )

    def handle_button(self, request, data, document):
        """ "Fill from recipe": put the recipe's inputs for good + rejected bottles into the rows."""
        if "fill_recipe" not in data:
            return None
        form, formsets = self._forms(request, data)
        rejects = formsets["rejects"]
        product_ok = form.is_valid() or (
            "product" in form.cleaned_data and "good_quantity" in form.cleaned_data
        )
        if not product_ok or not rejects.is_valid():
            return self._redisplay(
                request,
                data,
                document,
                {None: "Choose the bottle and the good quantity first, then fill from the recipe."},
            )
        rejected = sum(r.cleaned_data["quantity"] for r in rejects.kept_forms())
        lines = services.recipe_inputs(
            form.cleaned_data["product"], form.cleaned_data["good_quantity"] + rejected
        )
        rows = [{"item": line.item.pk, "quantity": line.quantity} for line in lines]
        return self._redisplay(request, document_forms.replace_rows(data, "inputs", rows), document)

    def initial_header(self, document):
        return {
            name: getattr(document, name)
            for name in (
                "good_quantity",
                "machine",
                "shift",
                "date",
                "conversion_cost",
                "scrap_quantity",
                "scrap_value",
                "notes",
            )
        } | {"product": document.product_id, "scrap_item": document.scrap_item_id}

    def initial_rows(self, document):
        return {
            "inputs": [{"item": i.item_id, "quantity": i.quantity} for i in document.inputs.all()],
            "rejects": [{"reason": r.reason, "quantity": r.quantity} for r in document.rejects.all()],
        }


run_pages = registry.register(RunPages(), order=20)
