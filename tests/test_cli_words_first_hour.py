"""Words a newcomer tripped on (stop 29): a refused review action says who may verify, a
cell's problem names the cell when said first, and lists count in a sentence."""

from __future__ import annotations

import pytest

from greenfolio.domain.errors import ValidationError
from greenfolio.domain.exchange import ProblemGroup, Severity
from greenfolio.domain.results import ReviewState, next_state
from greenfolio.refdata.catalogue import catalogue


def test_submitting_again_says_verify_is_for_another_reviewer() -> None:
    with pytest.raises(ValidationError) as refused:
        next_state(ReviewState.SUBMITTED, "submit", 64)
    said = str(refused.value)
    assert "cannot submit result 64: it is submitted" in said
    assert "verify (by a reviewer other than whoever entered or submitted it)" in said
    assert "allowed now" not in said


def test_a_cells_problem_said_first_names_the_cell() -> None:
    group = ProblemGroup(Severity.ERROR, "is 'tons', not a unit", 2, ("row 5", "row 6"))
    assert str(group).startswith("2 × the cell is 'tons', not a unit")
    other = ProblemGroup(Severity.ERROR, "unknown indicator 'x'", 1, ("row 5",))
    assert str(other) == "unknown indicator 'x' (row 5)"


@pytest.mark.parametrize("lang", ["es", "fr"])
def test_the_count_of_a_list_reads_for_one(lang: str) -> None:
    """ "1 encontrados" (Spanish) and "1 trouvés": the count is said as a label instead."""
    text = catalogue(lang)["found_n"].format(n=1)
    assert not text.startswith("1 ")
