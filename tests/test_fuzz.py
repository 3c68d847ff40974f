"""Bounded fuzz: mutated sources through the real commands never end in a traceback, exit
with 0 or 1, leave the site as it was when they fail and never touch the sources.
bench/fuzz.py runs the same cases by the thousand."""

from __future__ import annotations

import pytest
from fuzzing import OPS, PAYLOADS, TARGETS, Case, FuzzShow, Op
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from toolkit import transcript

OPERATIONS = st.builds(
    Op,
    st.sampled_from(OPS),
    st.floats(0, 1, exclude_max=True),
    st.integers(0, len(PAYLOADS) - 1),
    st.integers(1, 20),
)


@st.composite
def cases(draw: st.DrawFn) -> Case:
    target = draw(st.sampled_from(sorted(TARGETS)))
    command = draw(st.sampled_from(TARGETS[target]))
    return Case(target, command, tuple(draw(st.lists(OPERATIONS, min_size=1, max_size=3))))


@pytest.fixture(scope="module")
def fuzz_show(tmp_path_factory: pytest.TempPathFactory) -> FuzzShow:
    return FuzzShow(tmp_path_factory.mktemp("fuzz"))


@settings(
    max_examples=300,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(case=cases())
def test_mutated_inputs_never_end_in_a_traceback(fuzz_show: FuzzShow, case: Case) -> None:
    outcome = fuzz_show.run(case)
    assert not outcome.failures, "\n".join(outcome.failures) + "\n" + outcome.output


def test_the_fuzz_cases_start_from_valid_inputs(fuzz_show: FuzzShow) -> None:
    """Each target's unmutated input passes its commands, so a mutation is what fails."""
    for target, commands in TARGETS.items():
        for command in commands:
            outcome = fuzz_show.run(Case(target, command, ()))
            assert outcome.exit_code == 0, (target, command, outcome.output)


def test_the_fuzz_harness_reports_a_traceback(
    fuzz_show: FuzzShow, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: object) -> None:
        raise RuntimeError("a bug")

    monkeypatch.setattr(transcript, "read", broken)
    outcome = fuzz_show.run(Case("transcript.vtt", "convert", ()))
    assert outcome.failures[0].startswith("Traceback")
    assert "RuntimeError: a bug" in outcome.failures[0]
