"""A credit note on a bill already paid: the bill is settled (it owes nothing, it is "paid") and
the excess is the customer's credit, shown as money on account beside the ageing buckets and set
against their other open bills, not as a negative figure against the bill."""

from datetime import date
from decimal import Decimal as D

import pytest

from documents import lifecycle
from inventory.verification import verify_ledger
from reporting import ageing, summaries
from reporting.models import BillOutstanding
from reporting.periods import Period
from reporting.reports import customers
from returns.models import Disposition, ReturnReason, Settlement
from returns.services import SalesReturnLineInput, create_sales_return
from sales import selectors
from sales.services import record_payment

pytestmark = pytest.mark.django_db


def test_a_credit_note_on_a_paid_bill_is_the_customers_credit_not_a_negative_bill(
    plant, staff_user, manager_user
):
    plant.buy(manager_user, (plant.bottle, 20, "3.00"))
    paid_bill = plant.sell(staff_user, (plant.bottle, 10, "10.00"))
    payment = record_payment(
        by=staff_user, customer=plant.customer, sale=paid_bill, amount=D("100.00"), method="cash"
    )
    plant.sell(staff_user, (plant.bottle, 5, "10.00"))
    note = create_sales_return(
        by=staff_user,
        sale=paid_bill,
        lines=[SalesReturnLineInput(paid_bill.lines.get(), 3, Disposition.RESTOCK, ReturnReason.WRONG_ITEM)],
        settlement=Settlement.CREDIT,
        submit=True,
    )
    assert (note.status, note.total, note.refund) == ("posted", D("30.00"), D("0.00"))
    today = date.today()

    # The bill is settled; the customer owes 50 on the other bill less a credit of 30.
    assert selectors.bill_outstanding(paid_bill) == D("0.00")
    assert selectors.with_payments(paid_bill).payment_state == "paid"
    assert selectors.customer_outstanding(plant.customer) == D("20.00")
    # owed 20 = 50 in the first bucket − 30 on account.
    assert customers.ageing(today) == [(plant.customer.pk, D("20.00"), D("50.00"), 0, 0, 0, D("-30.00"))]
    kept = ageing.receivables_per_customer(today)
    assert kept[plant.customer.pk][ageing.CREDIT] == D("30.00")
    assert kept == ageing.receivables_from_rows(today)
    assert kept == ageing.per_party(customers.open_bills(today), "customer_id", today)
    report = customers.build(Period(today, today))
    row = report.table("ageing").rows[0]
    assert (row["outstanding"], row["days_0_30"], row["on_account"]) == (D("20.00"), D("50.00"), D("-30.00"))
    # The kept figure stays signed (see BillOutstanding), and agrees with the documents.
    assert BillOutstanding.objects.get(sale=paid_bill).outstanding == D("-30.00")
    assert summaries.differences() == []
    assert verify_ledger() == []

    # Cancelling the payment reopens the bill at what the note left it asking: 70, no credit.
    lifecycle.cancel(document=payment, by=manager_user, reason="cheque bounced")
    assert selectors.bill_outstanding(paid_bill) == D("70.00")
    assert customers.ageing(today) == [(plant.customer.pk, D("120.00"), D("120.00"), 0, 0, 0, 0)]
    assert ageing.receivables_per_customer(today) == ageing.receivables_from_rows(today)
    assert summaries.differences() == []
