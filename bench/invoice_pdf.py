"""Rendering a 20-line tax invoice PDF: time and peak memory, on a throwaway PostgreSQL.

    .venv/bin/python bench/invoice_pdf.py --runs 20

Posts one 20-line GST bill (mixed rates, a discount, the seller's UPI id so the QR code is drawn)
and reports:

- the first PDF in a fresh process (WeasyPrint's import and font set-up included: what the first
  invoice after a worker starts pays), and the median and worst of --runs PDFs after it;
- the same through the web page (``GET /sales/bills/<id>/pdf/`` with the test client: queries,
  template, PDF), and the "E-mail PDF" request, which only queues (the PDF and SMTP run after it);
- wall time and this process's CPU time, since the machine is shared;
- peak Python memory of one render (tracemalloc, measured apart from the timings, which it slows)
  and the process's peak resident memory (``ru_maxrss``).
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import sys
import threading
import time
import tracemalloc
from decimal import Decimal
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from bench_reports import environment, machine  # noqa: E402

LINES = 20


def _bill():
    from accounts.roles import Role
    from accounts.services import create_user
    from company.models import SellerProfile
    from inventory.models import Item, ItemKind
    from purchasing.models import Supplier
    from purchasing.services import PurchaseLineInput, create_purchase
    from sales.models import Customer
    from sales.services import SaleLineInput, create_sale
    from tax.models import TaxRate

    manager = create_user(username="bench_manager", role=Role.MANAGER, password="bench-manager-password-1")
    SellerProfile.objects.create(
        legal_name="Bottleworks Plastics Pvt Ltd",
        trade_name="Bottleworks",
        address="Plot 7, MIDC\nPune 411019",
        state_code="27",
        gstin="27AABCB1234F1Z8",
        pan="AABCB1234F",
        bank_name="State Bank of India",
        bank_account_number="30012345678",
        bank_ifsc="SBIN0001234",
        upi_id="bottleworks@sbi",
        invoice_terms="Goods once sold are taken back only against a credit note.",
    )
    rates = [TaxRate.objects.create(name=f"GST {r}%", rate=r) for r in (5, 12, 18)]
    items = [
        Item.objects.create(
            sku=f"BTL-{n:03d}",
            name=f"Bottle {250 + 50 * n} ml, pack of 24",
            kind=ItemKind.BOTTLE,
            hsn_code="39233090",
            tax_rate=rates[n % 3],
        )
        for n in range(LINES)
    ]
    supplier = Supplier.objects.create(name="Bench supplier")
    purchase = create_purchase(
        by=manager,
        supplier=supplier,
        lines=[PurchaseLineInput(item=i, quantity=100, unit_price=Decimal("1.00")) for i in items],
        submit=True,
    )
    assert purchase.status == "posted", purchase.status  # below the approval threshold
    customer = Customer.objects.create(
        name="Aqua Traders", address="12 Market Road\nBengaluru", gstin="29AAACA5678K1Z7", state_code="29"
    )
    sale = create_sale(
        by=manager,
        customer=customer,
        lines=[
            SaleLineInput(
                item=item,
                quantity=10 + n,
                unit_price=Decimal("5.25"),
                discount=Decimal("1.00") if n % 4 == 0 else Decimal("0"),
            )
            for n, item in enumerate(items)
        ],
        submit=True,
    )
    assert sale.status == "posted", sale.status
    return manager, sale


def _times(action, runs: int) -> tuple[list[float], list[float]]:
    """Wall and CPU milliseconds of each run (CPU: this process only, so the machine's other load
    and PostgreSQL's own work are left out of it)."""
    wall, cpu = [], []
    for _ in range(runs):
        started, started_cpu = time.perf_counter(), time.process_time()
        action()
        wall.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - started_cpu) * 1000)
    return wall, cpu


def _row(label: str, wall: list[float], cpu: list[float]) -> str:
    return (
        f"| {label} | {statistics.median(wall):.0f} / {max(wall):.0f} ms | "
        f"{statistics.median(cpu):.0f} / {max(cpu):.0f} ms |"
    )


def run(args) -> None:
    from django.core.management import call_command
    from django.test import Client

    call_command("migrate", verbosity=0)
    manager, sale = _bill()
    from django.core.cache import cache

    from sales import invoice

    def render():
        return invoice.pdf_from_html(  # the renderer itself, past the cache
            invoice.render_html(invoice.load_sale(sale.pk), copies=invoice.SENT_COPIES, pdf=True),
            receipt=False,
        )

    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    first_wall, first_cpu = _times(render, 1)  # the first in this process: imports, fonts
    pdf = render()
    warm = _times(render, args.runs)

    client = Client()
    client.force_login(manager)

    def page(clear: bool):
        def get():
            if clear:
                cache.clear()
            response = client.get(f"/sales/bills/{sale.pk}/pdf/")
            assert response.status_code == 200 and response["Content-Type"] == "application/pdf"

        return get

    page(True)()
    web = _times(page(True), args.runs)
    web_cached = _times(page(False), args.runs)

    from django.conf import settings

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"

    def join_background():
        for thread in threading.enumerate():
            if thread.name.startswith("invoice-"):
                thread.join()

    mail_request, share_request = ([], []), ([], [])
    anonymous = Client()
    shared_open = ([], [])
    for _ in range(args.runs):
        cache.clear()
        wall, cpu = _times(lambda: client.post(f"/sales/bills/{sale.pk}/email/", {"to": "b@example.com"}), 1)
        mail_request[0].extend(wall), mail_request[1].extend(cpu)
        join_background()  # the PDF and SMTP, after the response was in hand
        cache.clear()
        response = None

        def share_click():
            nonlocal response
            response = client.post(f"/sales/bills/{sale.pk}/share/")
            assert response.status_code == 302

        wall, cpu = _times(share_click, 1)
        share_request[0].extend(wall), share_request[1].extend(cpu)
        join_background()  # the PDF made ready in the cache
        link = parse_qs(urlsplit(response["Location"]).query)["text"][0].rsplit(" ", 1)[-1]
        wall, cpu = _times(lambda link=link: anonymous.get(urlsplit(link).path), 1)
        shared_open[0].extend(wall), shared_open[1].extend(cpu)

    tracemalloc.start()
    render()
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    rss_peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux

    print(f"machine: {machine()}")
    print(f"{LINES}-line tax invoice, {len(pdf) / 1024:.0f} KiB PDF, {args.runs} runs each")
    print("| figure | wall: median / worst | CPU of this process: median / worst |")
    print("|---|---|---|")
    print(_row("first PDF render in a fresh process (imports, fonts)", first_wall, first_cpu))
    print(_row("PDF render (WeasyPrint, the invoice's HTML to PDF)", *warm))
    print(_row("GET /sales/bills/<id>/pdf/, not cached (queries, template, PDF)", *web))
    print(_row("GET /sales/bills/<id>/pdf/, cached", *web_cached))
    print(_row("POST …/email/ (the request; PDF and SMTP run after it)", *mail_request))
    print(_row("POST …/share/ (the request; the PDF is rendered after it)", *share_request))
    print(_row("the buyer opens the shared link (no login)", *shared_open))
    print(f"peak Python memory of one render (tracemalloc): {peak / 1024 / 1024:.1f} MiB")
    print(
        f"process peak RSS (ru_maxrss): {rss_before / 1024:.0f} MiB before the first PDF, "
        f"{rss_peak / 1024:.0f} after"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()

    from testing.postgres import start_postgres

    url, stop = start_postgres()
    try:
        import psycopg

        with psycopg.connect(url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as admin:
            admin.execute("CREATE DATABASE bottleworks")
        environment(url)
        os.environ["DEBUG"] = "0"
        import django

        django.setup()
        run(args)
    finally:
        from django.db import connections

        connections.close_all()
        stop()


if __name__ == "__main__":
    main()
