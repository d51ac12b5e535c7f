"""A state's C constant and back, and a feature's macro and back: decided once, on the model."""

from __future__ import annotations

from migspec.model import Machine, constant_of_state, state_of_constant


def _machine(prefix: str) -> Machine:
    return Machine(name="m", title="M", doc="", enum="e", prefix=prefix, header="h.h")


def test_constant_and_state_name_round_trip() -> None:
    m = _machine("VFIO_DEVICE_STATE_")
    assert m.constant("RUNNING") == "VFIO_DEVICE_STATE_RUNNING"
    assert m.state_name("VFIO_DEVICE_STATE_RUNNING") == "RUNNING"
    for name in ("STOP", "PRE_COPY_P2P", "ERROR"):
        assert m.state_name(m.constant(name)) == name


def test_a_constant_of_another_machine_names_no_state() -> None:
    m = _machine("VFIO_DEVICE_STATE_")
    assert m.state_name("IOMMUFD_STATE_RUNNING") is None
    assert m.state_name("RUNNING") is None
    # The bare prefix spells no state: the name would be empty.
    assert m.state_name("VFIO_DEVICE_STATE_") is None
    # Messages show such a constant whole, and a state's constant by its name.
    assert m.short_name("IOMMUFD_STATE_RUNNING") == "IOMMUFD_STATE_RUNNING"
    assert m.short_name("VFIO_DEVICE_STATE_STOP") == "STOP"


def test_the_empty_prefix_maps_names_to_themselves() -> None:
    m = _machine("")
    assert m.constant("RUNNING") == "RUNNING"
    assert m.state_name("RUNNING") == "RUNNING"
    assert m.state_name("") is None
    assert m.short_name("RUNNING") == "RUNNING"


def test_the_machine_applies_the_module_decision() -> None:
    m = _machine("S_")
    assert m.constant("A") == constant_of_state("S_", "A")
    assert m.state_name("S_A") == state_of_constant("S_", "S_A") == "A"
    assert state_of_constant("S_", "T_A") is None


def test_features_and_their_macros_both_ways() -> None:
    from migspec.load.spec import load_spec

    from .conftest import BUNDLED_SPEC

    loaded = load_spec(BUNDLED_SPEC)
    assert loaded.spec is not None
    spec = loaded.spec
    for f in spec.features:
        assert spec.feature_by_macro[f.macro] is f
        assert spec.macros_of([f.name]) == {f.macro}
    assert spec.macros_of(["NO_SUCH_FEATURE"]) == frozenset()
    assert spec.macros_of(spec.all_features) == set(spec.feature_by_macro)
