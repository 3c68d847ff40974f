"""The model's frozen dataclasses share one equality, hash and repr (`model._Value`): each
must give what the methods `dataclass` generates would give, for every class."""

from __future__ import annotations

from dataclasses import field, fields, is_dataclass, make_dataclass, replace
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from toolkit import model

CLASSES = [v for v in vars(model).values() if is_dataclass(v) and isinstance(v, type)]
st.register_type_strategy(Path, st.text(max_size=5).map(Path))


@cache
def generated(cls: type) -> type:
    """The same class as `@dataclass(frozen=True)` alone would make it."""
    own = [
        (f.name, f.type, field(compare=f.compare, repr=f.repr, hash=f.hash)) for f in fields(cls)
    ]
    twin = make_dataclass(cls.__name__, own, frozen=True)
    twin.__qualname__ = cls.__qualname__
    return twin


def as_generated(value: Any) -> Any:
    cls = generated(type(value))
    return cls(**{f.name: getattr(value, f.name) for f in fields(value)})


def test_every_model_class_is_a_frozen_value() -> None:
    assert len(CLASSES) == 24
    for cls in CLASSES:
        assert issubclass(cls, model._Value) and cls.__dataclass_params__.frozen  # type: ignore[attr-defined]


@pytest.mark.parametrize("cls", CLASSES, ids=lambda cls: cls.__name__)
@settings(max_examples=30, deadline=None)
@given(data=st.data())
def test_equality_hash_and_repr_are_those_dataclass_generates(
    cls: type, data: st.DataObject
) -> None:
    one, other = data.draw(st.from_type(cls)), data.draw(st.from_type(cls))
    twin_one, twin_other = as_generated(one), as_generated(other)
    assert repr(one) == repr(twin_one)
    assert (one == other) == (twin_one == twin_other)
    assert (one != other) == (twin_one != twin_other)
    copy = replace(one)
    assert copy is not one and copy == one and hash(copy) == hash(one)
    assert hash(one) == hash(twin_one)
    assert one != twin_one and one != object()  # another class: never equal, as generated
