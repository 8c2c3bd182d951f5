"""Free-text barrier questions matched by meaning (issue 14).

The ten questions in ``EVERYDAY_QUESTIONS`` and their acceptable barrier ids
were written and committed before the matcher was run on them; they must land
on a right barrier at least 9 times out of 10.
"""

from __future__ import annotations

EVERYDAY_QUESTIONS: list[tuple[str, set[str]]] = [
    (
        "we never have enough hours in the day to do this on top of our jobs",
        {"b_time_capacity", "b_burnout_volunteer"},
    ),
    (
        "there's no money to pay for it",
        {"b_funding_budgets", "b_short_term_funding", "b_inflexible_funding"},
    ),
    ("people are scared of getting it wrong and being blamed", {"b_risk_aversion_blame"}),
    ("the other organisations don't trust us", {"b_trust", "b_inter_organisational"}),
    ("our computer systems can't talk to each other", {"b_it_systems"}),
    ("staff keep leaving and we lose what they knew", {"b_staff_turnover", "b_knowledge_loss"}),
    (
        "the grant only lasts a year so we can't plan ahead",
        {"b_short_term_funding", "b_funding_budgets"},
    ),
    ("nobody knows who is in charge of the project", {"b_unclear_ownership"}),
    (
        "the council always gets its way and the small charities have no say",
        {"b_power_imbalance", "b_tokenistic_involvement"},
    ),
    (
        "we spend more time filling in forms for funders than doing the work",
        {"b_reporting_burden", "b_inflexible_process"},
    ),
]
