"""The parameter catalogue (§3), overrides, presets (§2) and policy building."""

from decimal import Decimal

import pytest

from policy_engine import params
from policy_engine.catalogue import SPECS
from policy_engine.policy import PolicyError, policy_build
from policy_engine.presets import PRESETS

REQUIRED_PRESETS = [
    "DEFAULT",
    "CA_SB998_WATER",
    "CA_CPUC_ENERGY",
    "CA_MUNI_WATER",
    "AZ_ACC_ELECTRIC",
    "AZ_ACC_WATER",
    "AZ_ACC_SEWER",
    "AZ_PHOENIX_WATER",
    "AZ_MESA",
    "AZ_TUCSON_WATER",
    "AZ_SCOTTSDALE",
    "UT_ST_GEORGE",
    "NY_HEFPA",
    "PA_CH14",
    "TX_PUC_ELECTRIC",
    "TX_PUC_WATER",
    "FED_BANKRUPTCY",
]


def test_section_3_defaults():
    d = params.DEFAULTS
    assert d["delinquency"]["clock_start"] == "DUE_DATE"
    assert d["delinquency"]["min_days_before_disconnect"] == 60
    assert d["notices"]["pre_disconnect_lead"] == {"value": 7, "unit": "BUSINESS_DAYS"}
    assert d["notices"]["occupant_notice_days"] == 10
    assert d["blackout"]["weekdays"] == ["SAT", "SUN"]
    assert d["blackout"]["day_before_holiday"] is False
    assert d["weather"]["look_ahead_hours"] == 24
    assert d["protections"]["medical"]["validity_days"] == 30
    assert d["arrangements"]["broken_lookback_months"] == 6
    assert d["late_fee"]["pct"] == Decimal("0.02")
    assert d["late_fee"]["min_balance"] == Decimal("25.00")
    assert d["deposit"]["interest_rate"] == Decimal("0.06")
    assert d["nsf"]["fee_subsequent"] == Decimal("35.00")
    assert d["reconnect"]["low_income_cap_after_hours"] == Decimal("150.00")
    assert d["collections"]["small_balance_write_off"] == Decimal("3.00")
    assert d["bankruptcy"]["assurance_days"] == 20
    assert d["low_income"]["recert_months"] == 24


def test_money_parameters_are_decimals_never_floats():
    for spec in SPECS:
        if spec.kind == "decimal" and spec.default is not None:
            assert isinstance(spec.default, Decimal), spec.path


def test_override_with_dotted_path_and_json_number_is_exact():
    tree = params.apply_overrides(params.DEFAULTS, {"late_fee.pct": 0.015, "late_fee.floor": "7.50"})
    assert tree["late_fee"]["pct"] == Decimal("0.015")
    assert tree["late_fee"]["floor"] == Decimal("7.50")
    assert params.DEFAULTS["late_fee"]["pct"] == Decimal("0.02")  # the base is not mutated


def test_lead_can_be_overridden_whole_or_by_sub_key():
    tree = params.apply_overrides(params.DEFAULTS, {"notices.pre_disconnect_lead.value": 10})
    assert tree["notices"]["pre_disconnect_lead"] == {"value": 10, "unit": "BUSINESS_DAYS"}
    tree = params.apply_overrides(
        params.DEFAULTS, {"notices.pre_disconnect_lead": {"value": 15, "unit": "CALENDAR_DAYS"}}
    )
    assert tree["notices"]["pre_disconnect_lead"]["unit"] == "CALENDAR_DAYS"


@pytest.mark.parametrize(
    ("path", "value", "message"),
    [
        ("late_fee.pcx", 1, "unknown parameter 'late_fee.pcx'"),
        ("late_fee.pct", True, "late_fee.pct: expected a number"),
        ("late_fee.pct", "two percent", "late_fee.pct: expected a number"),
        ("delinquency.min_days_before_disconnect", 1.5, "expected a non-negative whole number"),
        ("delinquency.min_days_before_disconnect", -1, "expected a non-negative whole number"),
        ("delinquency.clock_start", "PAYDAY", "expected one of DUE_DATE, BILL_DATE"),
        ("blackout.weekdays", ["SAT", "FUNDAY"], "'FUNDAY' is not one of"),
        ("blackout.holidays", "yes", "expected true or false"),
        ("weather.moratorium_start", "6/1", "expected a month-day like 06-01"),
        ("notices.pre_disconnect_lead", {"value": 7}, "notices.pre_disconnect_lead: expected"),
        ("notices.pre_disconnect_lead.unit", "WEEKS", "expected one of CALENDAR_DAYS, BUSINESS_DAYS"),
        ("late_fee.floor", None, "null is not allowed"),
        ("arrangements.max_months_by_fpl", [[250, 36], [150, 60]], "ascending order"),
        ("arrangements.max_months_by_fpl", [[None, 6], [150, 60]], "only the last tier may be open-ended"),
        ("applicability.small_systems_from", "2024-13-01", "expected a date like 2024-08-01"),
        ("reconnect.after_hours_from", "4pm", "expected a time like 16:00"),
    ],
)
def test_bad_overrides_name_the_path(path, value, message):
    with pytest.raises(PolicyError, match=message.replace("(", r"\(").replace(")", r"\)")):
        policy_build(presets=["DEFAULT"], overrides={path: value})


def test_nullable_parameter_accepts_null():
    p = policy_build(presets=["PA_CH14"], overrides={"notices.validity_days": None})
    assert p.param("notices.validity_days") is None


def test_describe_lists_every_parameter_with_help_and_default():
    rows = params.describe()
    assert len(rows) == len(SPECS) > 120
    by_path = {r["path"]: r for r in rows}
    assert by_path["late_fee.min_balance"]["default"] == Decimal("25.00")
    assert by_path["delinquency.clock_start"]["choices"] == ["DUE_DATE", "BILL_DATE"]
    assert all(r["help"] for r in rows)
    assert len({r["path"] for r in rows}) == len(rows)


def test_every_required_preset_exists_and_builds():
    assert set(REQUIRED_PRESETS) <= set(PRESETS)
    for name in PRESETS:
        policy = policy_build(presets=[name])
        assert policy.preset_names == ((name,) if name != "FED_BANKRUPTCY" else ("DEFAULT",))


def test_preset_values_all_carry_citations_and_manual_flags():
    for preset in PRESETS.values():
        assert preset.label and preset.summary
        for path, value in preset.values.items():
            assert value.citation, (preset.name, path)
    assert "notices.final_posting_after_plan_default" in PRESETS["CA_SB998_WATER"].manual_paths
    assert "protections.winter_block_fpl_pct" in PRESETS["PA_CH14"].manual_paths
    assert "notices.validity_days" not in PRESETS["PA_CH14"].manual_paths


def test_layer_citation_marks_manual_values():
    policy = policy_build(presets=["PA_CH14"])
    assert policy.layers[0].cite("protections.winter_block_fpl_pct").endswith("[M]")
    assert policy.layers[0].cite("notices.validity_days") == "52 Pa. Code 56.333; 66 Pa.C.S. 1406(b)"


def test_unknown_preset_is_rejected_with_the_known_list():
    with pytest.raises(PolicyError, match="unknown preset 'CA_SB999'"):
        policy_build(presets=["CA_SB999"])


def test_overrides_apply_to_every_layer_after_the_preset():
    policy = policy_build(presets=["AZ_MESA", "UT_ST_GEORGE"], overrides={"late_fee.floor": "7.50"})
    assert [layer.p("late_fee.floor") for layer in policy.layers] == [Decimal("7.50")] * 2
    assert policy.param("fees.notice") == Decimal("3.00")  # first layer: Mesa


def test_bankruptcy_rules_are_always_layered_on():
    policy = policy_build(presets=["TX_PUC_WATER", "FED_BANKRUPTCY"])
    assert policy.preset_names == ("TX_PUC_WATER",)
    assert policy.bankruptcy.preset == "FED_BANKRUPTCY"
    assert policy.layers[0].p("bankruptcy.assurance_days") == 20
    assert policy.layers[0].p("delinquency.min_days_before_disconnect") == 0  # not DEFAULT's 60


def test_policy_carries_name_version_and_calendar():
    policy = policy_build(presets=["DEFAULT"], name="City", version=3, holidays=[])
    assert (policy.name, policy.version, policy.label()) == ("City", 3, "City")
    assert policy.calendar.holidays == frozenset()
