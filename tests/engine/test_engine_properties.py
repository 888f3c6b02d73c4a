"""Properties over generated valid content: round trips and play that always finishes."""

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from eduapp.engine import (
    dump_module,
    dump_scenario,
    is_finished,
    offered_choices,
    parse_condition,
    parse_module,
    parse_scenario,
    reachable_endings,
    start_state,
    take_choice,
    validate_scenario,
)
from tests.engine.strategies import conditions, modules, scenarios
from tests.support.profiles import examples

_settings = settings(
    max_examples=examples(60), deadline=None, suppress_health_check=[HealthCheck.too_slow]
)


@_settings
@given(scenarios())
def test_generated_scenarios_are_valid(scenario):
    assert validate_scenario(scenario, "gen.md") == []


@_settings
@given(scenarios())
def test_scenario_round_trip(scenario):
    text = dump_scenario(scenario)
    parsed = parse_scenario(text, "gen.md")
    assert parsed == scenario
    assert _value_types(parsed) == _value_types(scenario)  # == alone cannot tell 1 from True
    assert dump_scenario(parsed) == text


def _value_types(scenario):
    effects = [e for node in scenario.nodes for c in node.choices for e in c.effects]
    return [type(v.initial) for v in scenario.variables] + [type(e.value) for e in effects]


@_settings
@given(scenarios(), st.data())
def test_random_play_always_finishes(scenario, data):
    """Random choices for a while, then forward choices: an ending within 3 x nodes steps."""
    position = {node.id: index for index, node in enumerate(scenario.nodes)}
    state = start_state(scenario)
    bound = 3 * len(scenario.nodes)
    while not is_finished(scenario, state):
        offered = offered_choices(scenario, state)
        assert offered
        if state.step < 2 * len(scenario.nodes):
            number = data.draw(st.sampled_from([o.number for o in offered]))
        else:
            number = next(
                o.number
                for o in offered
                if o.choice.condition is None
                and position[o.choice.target] > position[state.node_id]
            )
        state = take_choice(scenario, state, number)
        assert state.step <= bound


@_settings
@given(scenarios())
def test_every_generated_ending_is_reachable_in_play(scenario):
    paths = reachable_endings(scenario, max_states=20_000)
    endings = {node.id for node in scenario.nodes if node.is_ending}
    assert set(paths) == endings
    for ending, numbers in paths.items():
        state = start_state(scenario)
        for number in numbers:
            state = take_choice(scenario, state, number)
        assert state.node_id == ending
        assert len(numbers) < len(scenario.nodes)


@_settings
@given(modules)
def test_module_round_trip(module):
    text = dump_module(module)
    parsed = parse_module(text, "gen.md")
    assert parsed == module
    assert dump_module(parsed) == text


@_settings
@given(st.data())
def test_condition_source_form_parses_back(data):
    condition = data.draw(conditions(["a", "b"], ["flag", "done"]))
    assert parse_condition(str(condition)) == condition
