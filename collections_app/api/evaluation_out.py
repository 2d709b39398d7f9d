"""The evaluate / decision response, typed field by field for OpenAPI: no free-form object, every
key always present (null where it does not apply). Mirrors collections_app.selectors.whatif."""

from rest_framework import serializers

from policy_engine.facts import NOTICE_KINDS

MONEY = {"max_digits": 14, "decimal_places": 2}


def money(**kw):  # type: ignore[no-untyped-def]
    return serializers.DecimalField(**MONEY, **kw)


class RuleCheckOut(serializers.Serializer):
    code = serializers.CharField()
    outcome = serializers.ChoiceField(choices=["satisfied", "blocked", "deferred", "not_applicable"])
    reason = serializers.CharField()
    citation = serializers.CharField(allow_blank=True)
    step = serializers.IntegerField()
    until = serializers.DateField(allow_null=True)
    preset = serializers.CharField(allow_blank=True)
    action_needed = serializers.CharField(allow_blank=True, help_text="what staff must do to satisfy it")


class AmountOut(serializers.Serializer):
    code = serializers.CharField()
    amount = money()
    reason = serializers.CharField()
    citation = serializers.CharField(allow_blank=True)


class DecisionOut(serializers.Serializer):
    as_of = serializers.DateField()
    status = serializers.ChoiceField(choices=["eligible", "deferred", "blocked", "not_delinquent"])
    eligible = serializers.BooleanField()
    earliest_date = serializers.DateField(allow_null=True, help_text="earliest permissible action date")
    action = serializers.ChoiceField(choices=["disconnect", "low_flow"])
    deciding = RuleCheckOut(allow_null=True)
    checks = RuleCheckOut(many=True, help_text="every rule checked, in pipeline order")
    policy_name = serializers.CharField()
    policy_version = serializers.IntegerField()
    past_due = money()
    days_delinquent = serializers.IntegerField()
    amounts = AmountOut(many=True, help_text="late fee, notice fee, reconnection fee as decided")


class PolicyOut(serializers.Serializer):
    name = serializers.CharField()
    version = serializers.IntegerField()
    presets = serializers.ListField(child=serializers.CharField())


class DelinquencyOut(serializers.Serializer):
    status = serializers.ChoiceField(choices=["current", "past_due", "delinquent"])
    days_delinquent = serializers.IntegerField()
    past_due = money()
    clock_start = serializers.DateField(allow_null=True)
    oldest_due = serializers.DateField(
        allow_null=True, help_text="effective due date of the oldest unpaid bill"
    )


class NoticePlanOut(serializers.Serializer):
    kind = serializers.ChoiceField(choices=NOTICE_KINDS)
    send_on = serializers.DateField(help_text="earliest date the notice may be sent")
    earliest_action = serializers.DateField(allow_null=True, help_text="earliest disconnection it enables")
    valid_through = serializers.DateField(
        allow_null=True, help_text="last day it may be acted on; null: no expiry"
    )
    occupant_required = serializers.BooleanField()
    reason = serializers.CharField()
    citation = serializers.CharField(allow_blank=True)
    preset = serializers.CharField(allow_blank=True)


class InterestWaiverOut(serializers.Serializer):
    available = serializers.BooleanField(help_text="the low-income late-charge waiver applies today")
    period_months = serializers.IntegerField(allow_null=True)
    last_used_on = serializers.DateField(allow_null=True)
    next_available_on = serializers.DateField(allow_null=True)
    reason = serializers.CharField()
    citation = serializers.CharField(allow_blank=True)


class ReconnectionOut(serializers.Serializer):
    normal = AmountOut()
    after_hours = AmountOut()
    actual_cost = money(allow_null=True)
    low_income_cap_normal = money(allow_null=True, help_text="null: no cap for this household")
    low_income_cap_after_hours = money(allow_null=True)


class DepositHeldOut(serializers.Serializer):
    amount = money()
    held_since = serializers.DateField()
    interest = AmountOut(help_text="accrued since last credited")
    refund_eligible = serializers.BooleanField()
    refund_due_on = serializers.DateField(allow_null=True)
    refund_amount = money(help_text="the deposit with the interest accrued")
    reason = serializers.CharField()
    citation = serializers.CharField(allow_blank=True)


class DepositOut(serializers.Serializer):
    required = AmountOut()
    basis = serializers.ChoiceField(choices=["history", "estimated_bills"])
    monthly_bills = serializers.ListField(child=money(), help_text="the bills averaged, oldest first")
    held = DepositHeldOut(many=True)


class ArrangementOptionsOut(serializers.Serializer):
    eligible = serializers.BooleanField()
    max_months = serializers.IntegerField()
    min_months = serializers.IntegerField()
    down_payment_cap = money(allow_null=True)
    down_payment_min = money()
    checks = RuleCheckOut(many=True)
    fixed_months = serializers.IntegerField(allow_null=True)
    late_fees_continue = serializers.BooleanField()
    checks_accepted = serializers.BooleanField()
    next_allowed_on = serializers.DateField(allow_null=True)
    average_monthly_bill = money()
    installments = serializers.ListField(child=money())


class InstallmentOut(serializers.Serializer):
    number = serializers.IntegerField()
    due_on = serializers.DateField()
    arrears_part = money()
    current_charges = money()
    amount = money()


class ArrangementTermsOut(serializers.Serializer):
    arrears = money()
    months = serializers.IntegerField()
    down_payment = money()
    current_charges = money()
    schedule = InstallmentOut(many=True)
    reason = serializers.CharField()
    citation = serializers.CharField(allow_blank=True)


class ArrangementStatusOut(serializers.Serializer):
    state = serializers.ChoiceField(choices=["none", "kept", "broken"])
    out_of_compliance_since = serializers.DateField(allow_null=True)
    days_out_of_compliance = serializers.IntegerField(allow_null=True)
    check = RuleCheckOut()


class ArrangementOut(serializers.Serializer):
    options = ArrangementOptionsOut()
    terms = ArrangementTermsOut(allow_null=True, help_text="null: no arrangement may be offered")
    status = ArrangementStatusOut()


class MedicalOut(serializers.Serializer):
    protected = serializers.BooleanField()
    received_on = serializers.DateField(allow_null=True)
    protected_through = serializers.DateField(
        allow_null=True, help_text="null: not protected, or indefinitely"
    )
    renewal = serializers.IntegerField(allow_null=True)
    renewals_left = serializers.IntegerField(allow_null=True, help_text="null: no renewal cap")
    check = RuleCheckOut()


class PledgeOut(serializers.Serializer):
    protected = serializers.BooleanField()
    pledge_amount = money(allow_null=True)
    uncovered_amount = money(allow_null=True)
    protected_through = serializers.DateField(allow_null=True)
    check = RuleCheckOut()


class NsfOut(serializers.Serializer):
    paid_on = serializers.DateField()
    amount = money()
    returned_on = serializers.DateField()
    fee = AmountOut()
    redeem_by = serializers.DateField(allow_null=True)
    cash_only_until = serializers.DateField(allow_null=True)
    immediate_disconnect = serializers.BooleanField()
    voids_arrangement = serializers.BooleanField()
    checks = RuleCheckOut(many=True)


class PaymentAcceptanceOut(serializers.Serializer):
    certified_funds_only = serializers.BooleanField()
    certified_funds_only_until = serializers.DateField(allow_null=True)
    held_until_paid = serializers.BooleanField(
        help_text="service stays off until pay_before_restoration is paid"
    )
    pay_before_restoration = money(allow_null=True)
    full_balance_required = serializers.BooleanField()
    reasons = serializers.ListField(child=serializers.CharField())


class BankruptcyOut(serializers.Serializer):
    status = serializers.ChoiceField(
        choices=[
            "none",
            "pending",
            "pre_petition_only",
            "assurance_window",
            "assurance_received",
            "assurance_missed",
            "dismissed",
        ]
    )
    chapter = serializers.IntegerField(allow_null=True)
    petition_date = serializers.DateField(allow_null=True)
    assurance_deadline = serializers.DateField(allow_null=True)
    assurance_amount = money(allow_null=True)
    pre_petition_balance = money(allow_null=True)
    post_petition_past_due = money(allow_null=True)
    reason = serializers.CharField()
    citation = serializers.CharField(allow_blank=True)


class PayoffOut(serializers.Serializer):
    referred_on = serializers.DateField(allow_null=True)
    principal = money()
    fee = AmountOut(allow_null=True)
    interest = AmountOut(allow_null=True)
    total = money()


class CollectionsOut(serializers.Serializer):
    referral = RuleCheckOut()
    payoff = PayoffOut()


class WriteOffOut(serializers.Serializer):
    small_balance = serializers.BooleanField()
    uncollectible_eligible = serializers.BooleanField()
    checks = RuleCheckOut(many=True)
    eligible_amount = money()
    criterion = serializers.CharField(allow_blank=True)


class RecertificationOut(serializers.Serializer):
    low_income = serializers.BooleanField()
    period_months = serializers.IntegerField()
    certified_on = serializers.DateField(allow_null=True)
    due_on = serializers.DateField(allow_null=True)
    reminder_on = serializers.DateField(allow_null=True)
    overdue = serializers.BooleanField()
    discount_applies = serializers.BooleanField()
    reason = serializers.CharField()
    citation = serializers.CharField(allow_blank=True)


class DiscountOut(serializers.Serializer):
    applies = serializers.BooleanField()
    reason = serializers.CharField()
    citation = serializers.CharField(allow_blank=True)


class EvaluationOut(serializers.Serializer):
    policy = PolicyOut()
    as_of = serializers.DateField()
    decision = DecisionOut()
    delinquency = DelinquencyOut()
    notice_plan = NoticePlanOut(allow_null=True, help_text="the next notice due; null: none")
    late_fee = AmountOut()
    notice_fee = AmountOut()
    trip_fee = AmountOut()
    interest_waiver = InterestWaiverOut()
    reconnection = ReconnectionOut()
    deposit = DepositOut()
    arrangement = ArrangementOut()
    medical_certificate = MedicalOut()
    pledge = PledgeOut()
    nsf = NsfOut(allow_null=True, help_text="the latest returned payment; null: none")
    payment_acceptance = PaymentAcceptanceOut()
    bankruptcy = BankruptcyOut()
    collections = CollectionsOut()
    write_off = WriteOffOut()
    recertification = RecertificationOut()
    discount = DiscountOut()
