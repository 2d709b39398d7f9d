from django.conf import settings
from django.db import models


class PaymentFile(models.Model):
    """A lockbox or agency payment file; the same file imported twice is refused as a whole."""

    class Source(models.TextChoices):
        LOCKBOX = "lockbox", "Bank lockbox"
        AGENCY = "agency", "Assistance agency"

    source = models.CharField(max_length=10, choices=Source.choices)
    file_name = models.CharField(max_length=200)
    sha256 = models.CharField(max_length=64, unique=True)
    imported_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    imported_at = models.DateTimeField(auto_now_add=True)
    lines = models.PositiveIntegerField(default=0)
    posted = models.PositiveIntegerField(default=0)
    skipped = models.PositiveIntegerField(default=0)
    total = models.DecimalField(max_digits=14, decimal_places=2, default=0)
    transaction = models.OneToOneField(
        "payments.CounterTransaction",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="payment_file",
    )

    def __str__(self) -> str:
        return self.file_name


class PaymentFileLine(models.Model):
    file = models.ForeignKey(PaymentFile, on_delete=models.PROTECT, related_name="file_lines")
    line_number = models.PositiveIntegerField()
    # the sender's own id for the line: the same item in a later file is not posted twice
    external_id = models.CharField(max_length=60, unique=True)
    payment = models.OneToOneField("payments.Payment", on_delete=models.PROTECT, related_name="+")

    def __str__(self) -> str:
        return self.external_id
