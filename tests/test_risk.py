# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

"""Risk scores: hand-computed cases of each feature, the caps, the levels and the edges."""

import pytest

from ecomfin import risk

SHOP = risk.History(
    orders=20,
    amount_median=100.0,
    amount_mad=10.0,
    days=30,
    refund_mean=0.04,
    refund_std=0.02,
    payouts=12,
    delay_median=24.0,
    delay_p90=30.0,
)


def test_nothing_unusual_scores_zero():
    found = risk.score(risk.Features(amount=110.0, refund_rate=0.05, payout_delay=26.0), SHOP)
    assert (found.score, found.level, found.reasons, found.unjudged) == (0, "low", (), ())


def test_amount_outlier():
    # z = 100 / (1.4826 x 10) = 6.745; 50 x (6.745 - 3) / 5 = 37.45
    found = risk.score(risk.Features(amount=200.0), SHOP)
    assert (found.score, found.level) == (37, "low")
    assert found.texts() == ["amount 200.00 is 6.7 robust deviations above the shop's median of 100.00"]


def test_a_small_amount_says_nothing():
    assert risk.score(risk.Features(amount=1.0), SHOP).score == 0


def test_zero_mad_measured_against_a_share_of_the_median():
    # every order at 100: the scale is 5% of the median, 120 is z = 4, 50 x 1 / 5 = 10
    flat = risk.History(orders=20, amount_median=100.0, amount_mad=0.0)
    found = risk.score(risk.Features(amount=120.0), flat)
    assert found.score == 10
    assert risk.score(risk.Features(amount=100.0), flat).score == 0


def test_no_history_leaves_amount_and_delay_unjudged():
    found = risk.score(risk.Features(amount=1e6, payout_delay=1e3), risk.History())
    assert (found.score, found.unjudged) == (0, ("amount", "payout_delay"))


def test_refund_rate_against_the_shops_usual():
    # z = (0.18 - 0.04) / 0.02 = 7: past 6, the cap
    found = risk.score(risk.Features(refund_rate=0.18), SHOP)
    assert found.score == 50
    assert found.texts() == ["refund rate 18% against the shop's usual 4%"]


def test_refund_rate_without_history_against_the_prior():
    # prior 5% +- 5%: 25% is z = 4, 50 x (4 - 2) / 4 = 25
    found = risk.score(risk.Features(refund_rate=0.25), risk.History())
    assert found.score == 25
    assert found.texts() == ["refund rate 25% against the shop's usual 5%"]


def test_refund_std_floor_for_a_shop_without_refunds():
    # mean 0, std 0: floored at 2 points; 10% is z = 5, 50 x 3 / 4 = 37.5 -> 38
    quiet = risk.History(days=30, refund_mean=0.0, refund_std=0.0)
    assert risk.score(risk.Features(refund_rate=0.10), quiet).score == 38


def test_duplicates_per_payment_capped():
    assert risk.score(risk.Features(duplicates=1), risk.History()).score == 30
    assert risk.score(risk.Features(duplicates=5), risk.History()).score == 60


def test_payout_later_than_the_channels_usual():
    # p90 30 h, scale max(30 - 24, 24) = 24 h: 42 h is half way, 20 points; 80 h the cap
    found = risk.score(risk.Features(payout_delay=42.0), SHOP)
    assert found.score == 20
    assert found.texts() == [
        "payout 42 hours after settlement against the channel's usual 24 (90% within 30)"
    ]
    assert risk.score(risk.Features(payout_delay=80.0), SHOP).score == 40
    assert risk.score(risk.Features(payout_delay=30.0), SHOP).score == 0


def test_two_signals_make_a_high_score_reasons_by_weight():
    found = risk.score(risk.Features(amount=250.0, duplicates=1), SHOP)
    assert (found.score, found.level) == (80, "high")
    assert [code for code, _params, _points in found.reasons] == ["amount", "duplicates"]
    assert [points for _code, _params, points in found.reasons] == [50, 30]


def test_capped_at_100():
    found = risk.score(risk.Features(amount=1e4, refund_rate=1.0, duplicates=3, payout_delay=500.0), SHOP)
    assert (found.score, found.level) == (100, "high")
    assert len(found.reasons) == 4


@pytest.mark.parametrize(
    ("value", "level"), [(0, "low"), (39, "low"), (40, "medium"), (69, "medium"), (70, "high")]
)
def test_levels(value, level):
    assert risk.level_of(value) == level


def test_deterministic():
    features = risk.Features(amount=180.0, refund_rate=0.12, duplicates=1, payout_delay=50.0)
    assert risk.score(features, SHOP) == risk.score(features, SHOP)


def test_statistics_helpers():
    assert risk.median([]) is None
    assert risk.median([3, 1, 2]) == 2
    assert risk.median([4, 1, 2, 3]) == 2.5
    assert risk.percentile([1, 2, 3, 4, 5], 0.9) == pytest.approx(4.6)
    assert risk.refund_stats([]) == (0, None, None)
    assert risk.refund_stats([0.0, 0.1]) == (2, 0.05, 0.05)


def test_translated_texts_keep_their_placeholders():
    found = risk.score(risk.Features(duplicates=2), risk.History())
    assert found.texts({"duplicates": "%(count)s 笔疑似重复付款"}) == ["2 笔疑似重复付款"]
