"""The registry's scales as the commands name them: instrument:scale."""

import pytest

from safeschool.instruments.registry import TARGET_LABELS, TARGETS, InstrumentError, registry, scale_items


def test_scale_items_gives_items_reverse_keyed_and_range():
    pssm = registry()["pssm"]
    items, reverse, minimum, maximum = scale_items("pssm:belonging")
    assert items == list(pssm.items) and reverse == list(pssm.reverse) and (minimum, maximum) == (1, 5)
    items, reverse, _, _ = scale_items("strs_sf:conflict")
    assert items == list(registry()["strs_sf"].scale("conflict").items) and reverse == []


@pytest.mark.parametrize(("spec", "message"), [
    ("nope:x", "no instrument 'nope' \\(registry: .*pssm"),
    ("pssm:nope", "pssm has no scale 'nope' \\(it has: belonging\\)"),
])
def test_unknown_instrument_or_scale_is_named(spec, message):
    with pytest.raises(InstrumentError, match=message):
        scale_items(spec)


def test_every_target_a_scale_may_fill_has_a_label():
    assert set(TARGET_LABELS) == set(TARGETS)
