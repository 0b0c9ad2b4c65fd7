"""Tax rates kept by Managers. A bill line copies its rate when posted, so changing or retiring a
rate never rewrites a posted bill."""

from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords


class TaxRate(models.Model):
    name = models.CharField(max_length=40, unique=True, help_text="e.g. GST 18%")
    rate = models.DecimalField(
        "rate (%)",
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
    )
    is_active = models.BooleanField("active", default=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["rate", "name"]
        constraints = [
            models.CheckConstraint(condition=Q(rate__gte=0) & Q(rate__lte=100), name="tax_rate_percent"),
        ]

    def __str__(self) -> str:
        return self.name
