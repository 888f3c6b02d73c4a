"""Playing a scenario: numbering, hidden choices, effects, endings and the all-hidden rule."""

from pathlib import Path

import pytest

from eduapp.engine import (
    Choice,
    ChoiceUnavailable,
    Node,
    Scenario,
    State,
    Variable,
    is_finished,
    offered_choices,
    parse_condition,
    parse_effects,
    parse_scenario,
    reachable_endings,
    search_endings,
    start_state,
    take_choice,
)

FIXTURE = parse_scenario((Path(__file__).parent / "fixtures" / "minimal.md").read_text())


def numbers(state: State) -> list[int]:
    return [offered.number for offered in offered_choices(FIXTURE, state)]


def test_start_state():
    state = start_state(FIXTURE)
    assert state == State("ward-round", {"trust": 1, "asked": False}, 0)
    assert state.variables["trust"] == 1
    assert dict(state.variables) == {"asked": False, "trust": 1}
    assert numbers(state) == [1, 2]


def test_take_choice_applies_effects_and_counts_steps():
    state = take_choice(FIXTURE, start_state(FIXTURE), 1)
    assert state == State("answer", {"trust": 2, "asked": False}, 1)
    state = take_choice(FIXTURE, state, 1)
    assert state.variables == {"trust": 2, "asked": True}
    assert state.step == 2


def test_a_hidden_choice_keeps_the_numbers_of_the_others():
    state = State("explain", {"trust": 2, "asked": False}, 3)
    assert numbers(state) == [2]
    with pytest.raises(ChoiceUnavailable, match="Choice 1 is not offered"):
        take_choice(FIXTURE, state, 1)
    assert take_choice(FIXTURE, state, 2).node_id == "unheard"
    assert numbers(State("explain", {"trust": 3, "asked": False}, 3)) == [1, 2]


def test_unknown_numbers_and_endings_are_refused():
    with pytest.raises(ChoiceUnavailable):
        take_choice(FIXTURE, start_state(FIXTURE), 3)
    with pytest.raises(ChoiceUnavailable):
        take_choice(FIXTURE, start_state(FIXTURE), 0)
    ending = State("unheard", {"trust": 1, "asked": False}, 2)
    assert is_finished(FIXTURE, ending)
    assert offered_choices(FIXTURE, ending) == []
    with pytest.raises(ChoiceUnavailable, match="ending"):
        take_choice(FIXTURE, ending, 1)
    assert isinstance(ChoiceUnavailable("x"), ValueError)


def test_states_are_immutable_and_hashable():
    state = start_state(FIXTURE)
    assert hash(state) == hash(State("ward-round", {"asked": False, "trust": 1}))
    with pytest.raises(TypeError):
        state.variables["trust"] = 5  # type: ignore[index]


def test_all_hidden_choices_are_all_offered():
    never = parse_condition("false")
    scenario = Scenario(
        "all-hidden", "T", "S", ("other",), (), "L", (), "a",
        (
            Node("a", "A", choices=(Choice("One", "z", never), Choice("Two", "z", never))),
            Node("z", "Z", ending="End", debrief="D"),
        ),
    )  # fmt: skip
    assert [o.number for o in offered_choices(scenario, start_state(scenario))] == [1, 2]
    assert reachable_endings(scenario) == {"z": [1]}


def test_reachable_endings_gives_a_shortest_path_per_ending():
    assert reachable_endings(FIXTURE) == {"unheard": [2, 2], "partner": [1, 1, 1, 1]}


def test_ending_search_reports_when_it_stops_early():
    counting = Scenario(
        "counting", "T", "S", ("other",), (), "L", (Variable("n", 0),), "a",
        (
            Node("a", "A", choices=(
                Choice("Again", "a", effects=parse_effects("n += 1")),
                Choice("Out", "z", parse_condition("n > 1000")),
            )),
            Node("z", "Z", ending="End", debrief="D"),
        ),
    )  # fmt: skip
    search = search_endings(counting, max_states=50)
    assert search.paths == {}
    assert not search.complete
    assert reachable_endings(counting, max_states=2000) == {"z": [1] * 1001 + [2]}
