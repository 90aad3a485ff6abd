# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from datetime import datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ecomfin import suggest
from ecomfin.suggest import DEFAULT_MODEL, FEATURES, Model, Side, fit, rank

T0 = datetime(2024, 3, 1, 10, 0)


def side(key, amount, minutes=0, currency="CNY", buyer=None, skus=(), **kw):
    return Side(
        key=key,
        amount=amount,
        currency=currency,
        at=T0 + timedelta(minutes=minutes),
        buyer=buyer,
        skus=frozenset(skus),
        line_ids=(key,) if isinstance(key, int) else (),
        **kw,
    )


ORDER = side("o1", 100.0, buyer="b1", skus={"A", "B"})


def test_exact_amount_minutes_later_ranks_first_with_reasons():
    pool = [side(1, 100.0, minutes=3), side(2, 100.0, minutes=60 * 30), side(3, 80.0, minutes=1)]
    found = rank(ORDER, pool)
    assert [s.line_ids for s in found] == [(1,), (2,)]
    best = found[0].as_dict()
    assert best["line_ids"] == [1] and best["order_ids"] == []
    assert 0.5 < best["confidence"] <= 1
    assert "same amount (100.00)" in best["reasons"]
    assert "3 min apart" in best["reasons"]
    assert found[0].confidence > found[1].confidence


def test_net_of_the_usual_fee():
    found = rank(ORDER, [side(1, 99.40, minutes=5)], fee_rate=0.006)
    assert found and found[0].features[FEATURES.index("amount_after_fee")] > 0.5
    assert any("after the channel's usual fee of 0.60%" in r for r in found[0].as_dict()["reasons"])
    # without the fee rate the same payment is a weaker candidate
    plain = rank(ORDER, [side(1, 99.40, minutes=5)])
    assert plain[0].confidence < found[0].confidence


def test_payment_net_of_the_fee_against_orders():
    payment = side(1, 99.40)
    orders = [side("o1", 100.0, minutes=-5), side("o2", 99.0, minutes=-5)]
    found = rank(payment, orders, fee_rate=0.006, target_is_net=True)
    assert found[0].keys == ("o1",)
    assert any(
        r.startswith("amount within 0.00 after the channel's usual fee")
        for r in found[0].as_dict()["reasons"]
    )


def test_refund_split_in_two():
    refund = side("r", 60.0)
    pool = [side(1, 25.0, minutes=10), side(2, 35.0, minutes=20), side(3, 50.0, minutes=5)]
    found = rank(refund, pool)
    assert found[0].line_ids == (1, 2)
    assert "two partial amounts adding up to 60.00" in found[0].as_dict()["reasons"]


def test_buyer_and_basket_speak_for_a_candidate():
    with_buyer = side(1, 100.0, minutes=120, buyer="b1", skus={"A", "B"})
    without = side(2, 100.0, minutes=120, buyer="b2")
    found = rank(ORDER, [with_buyer, without])
    assert found[0].line_ids == (1,)
    reasons = found[0].as_dict()["reasons"]
    assert "same buyer fingerprint" in reasons
    assert "same SKU basket (100% in common)" in reasons
    assert found[1].features[FEATURES.index("buyer")] == -1.0


def test_other_currency_needs_a_rate_and_states_the_fx_gap():
    usd_order = side("o", 100.0, currency="USD")
    cny = side(1, 721.0, minutes=30, currency="CNY")
    assert rank(usd_order, [cny]) == []
    found = rank(usd_order, [cny], rates={("USD", "CNY"): 7.2})
    assert found
    reasons = found[0].as_dict()["reasons"]
    assert any(r.startswith("converted from CNY at 0.138889, FX gap 0.14 USD") for r in reasons)


def test_a_candidate_with_its_rate_of_the_day_says_the_rule_tolerance():
    usd_order = side("o", 100.0, currency="USD")
    # 1 CNY = 0.14 USD on the payment's day; the ranking's rates would say otherwise
    cny = side(1, 715.50, minutes=3, currency="CNY", rate=0.14, rate_date="2024-03-01")
    found = rank(usd_order, [cny], rates={("USD", "CNY"): 7.0}, fx_tolerance=0.01)
    assert found and found[0].features[FEATURES.index("fx")] == 1.0
    reasons = found[0].as_dict()["reasons"]
    assert (
        "CNY 715.50 = USD 100.17 at the rate of 2024-03-01; FX gap USD 0.17 within the rule's 1%"
    ) in reasons
    # without the tolerance the plain FX reason is given
    plain = rank(usd_order, [cny])[0].as_dict()["reasons"]
    assert any(r.startswith("converted from CNY at 0.14, FX gap 0.17 USD") for r in plain)


def test_a_rate_of_the_day_is_ignored_for_the_target_currency():
    order = side("o", 100.0)
    assert rank(order, [side(1, 100.0, rate=2.0)])[0].features[FEATURES.index("exact")] == 1.0


def test_two_pieces_of_another_currency_each_at_its_day():
    usd_refund = side("r", 100.0, currency="USD")
    pieces = [
        side(1, 357.0, minutes=5, currency="CNY", rate=0.14, rate_date="2024-03-01"),
        side(2, 362.0, minutes=60 * 25, currency="CNY", rate=0.138, rate_date="2024-03-02"),
    ]
    found = rank(usd_refund, pieces, top=5)
    pair = [s for s in found if s.keys == (1, 2)]
    # 357 x 0.14 + 362 x 0.138 = 99.936 (at one rate of 0.14 it would be 100.66)
    assert pair and abs(pair[0].features[FEATURES.index("amount")] - (1 - 0.00064 / 0.02)) < 1e-6


def test_custom_texts_translate_reasons():
    found = rank(ORDER, [side(1, 100.0)])
    texts = {"amount_exact": "金额相同 (%(amount)s)"}
    assert "金额相同 (100.00)" in found[0].as_dict(texts)["reasons"]


def test_model_version_is_a_hash_of_the_weights():
    assert DEFAULT_MODEL.version == Model().version
    assert DEFAULT_MODEL.version.startswith("sg1-")
    other = Model({**suggest.DEFAULT_WEIGHTS, "time": 2.5})
    assert other.version != DEFAULT_MODEL.version


def test_fee_rate_is_the_median():
    assert suggest.fee_rate_of([(100, 0.6), (200, 1.2), (50, 10)]) == pytest.approx(0.006)
    assert suggest.fee_rate_of([]) == 0.0


def test_fit_learns_what_people_accept():
    # people accept far-apart payments of the same buyer, reject near ones of another buyer
    accepted = (1.0, 1.0, 0.0, 0.05, 1.0, 0.0, 0.0, 0.0)
    rejected = (1.0, 1.0, 0.0, 0.9, -1.0, 0.0, 0.0, 0.0)
    model = fit([(accepted, 1)] * 20 + [(rejected, 0)] * 20)
    assert model.weight("buyer") > DEFAULT_MODEL.weight("buyer")
    assert model.score(accepted) > 0.5 > model.score(rejected)
    assert model.version != DEFAULT_MODEL.version


def test_fit_without_examples_is_the_prior_and_l2_holds_it_back():
    assert fit([]).version == DEFAULT_MODEL.version
    one = [((1.0,) + (0.0,) * 7, 0)]
    weak, strong = fit(one, l2=100.0), fit(one, l2=0.1)
    assert abs(weak.weight("amount") - 3.0) < abs(strong.weight("amount") - 3.0)


def test_decision_examples():
    shown = ["a", "b", "c"]
    assert suggest.decision_examples(shown, accepted_index=1) == [("b", 1), ("a", 0)]
    assert suggest.decision_examples(shown, rejected=(0, 2)) == [("a", 0), ("c", 0)]


# ----------------------------------------------------------------------
# Properties
# ----------------------------------------------------------------------

amounts = st.floats(min_value=0.01, max_value=1e6, allow_nan=False)
sides = st.builds(
    lambda key, amount, minutes, buyer, skus, currency: side(key, amount, minutes, currency, buyer, skus),
    key=st.integers(0, 10_000),
    amount=amounts,
    minutes=st.integers(-10_000, 10_000),
    buyer=st.sampled_from([None, "b1", "b2"]),
    skus=st.sets(st.sampled_from("ABCD"), max_size=3),
    currency=st.sampled_from(["CNY", "CNY", "USD"]),
)
pools = st.lists(sides, max_size=12, unique_by=lambda s: s.key)
weights = st.fixed_dictionaries(
    {name: st.floats(-20, 20, allow_nan=False) for name in ("bias", *FEATURES)}
).map(Model)


@settings(max_examples=150, deadline=None)
@given(target=sides, pool=pools, model=weights, fee=st.sampled_from([0.0, 0.006, 0.05]))
def test_confidences_in_0_1_best_first(target, pool, model, fee):
    found = rank(target, pool, model, fee_rate=fee, rates={("USD", "CNY"): 7.2}, top=10)
    assert all(0.0 <= s.confidence <= 1.0 for s in found)
    assert [s.confidence for s in found] == sorted((s.confidence for s in found), reverse=True)
    for s in found:
        assert all(isinstance(r, str) for r in s.as_dict()["reasons"])


@settings(max_examples=100, deadline=None)
@given(target=sides, pool=pools, data=st.data())
def test_order_of_the_candidates_does_not_matter(target, pool, data):
    shuffled = data.draw(st.permutations(pool))
    assert rank(target, pool, top=5) == rank(target, shuffled, top=5)


@settings(max_examples=50, deadline=None)
@given(
    rows=st.lists(
        st.tuples(st.tuples(*[st.floats(-1, 1, allow_nan=False)] * len(FEATURES)), st.integers(0, 1)),
        max_size=30,
    ),
    data=st.data(),
)
def test_fit_is_deterministic_whatever_the_order(rows, data):
    shuffled = data.draw(st.permutations(rows))
    assert fit(rows).version == fit(shuffled).version
    model = fit(rows)
    assert all(math_finite(model.weight(name)) for name in ("bias", *FEATURES))


def math_finite(value):
    return value == value and abs(value) < 1e9
