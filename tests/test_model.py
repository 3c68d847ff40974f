"""The model's frozen dataclasses share one equality, hash, repr and frozenness
(`model.FrozenValue`), and get their ``__init__`` when first used (`model.value`): each must give
what the methods `dataclass` generates would give, for every class."""

from __future__ import annotations

import inspect
import os
import re
import subprocess
import sys
import threading
from dataclasses import (
    MISSING,
    FrozenInstanceError,
    dataclass,
    field,
    fields,
    is_dataclass,
    make_dataclass,
    replace,
)
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from toolkit import audio, config, errors, model, one_episode

MODEL = [v for v in vars(model).values() if is_dataclass(v) and isinstance(v, type)]
AUDIO = [v for v in vars(audio).values() if is_dataclass(v) and v.__module__ == audio.__name__]
CLASSES = (
    MODEL + AUDIO + [errors.Problem, config._Read, one_episode.Tagged, one_episode.TaggedFiles]
)
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


# Prints the values whose __init__ importing the modules that hold them compiled.
COMPILED = """
from toolkit import audio, config, errors, model, one_episode
modules = (model, audio, config, errors, one_episode)
values = [v for m in modules for v in vars(m).values() if isinstance(v, type)]
print([v for v in values if "__init__" in vars(v) and issubclass(v, model.FrozenValue)
       and not isinstance(vars(v)["__init__"], model._Init)])
"""


def test_every_model_class_is_a_value_whose_init_is_compiled_when_used() -> None:
    assert len(MODEL) == 25 and len(CLASSES) == 35
    assert all(issubclass(cls, model.FrozenValue) for cls in CLASSES)
    done = subprocess.run(
        [sys.executable, "-c", COMPILED], capture_output=True, text=True, check=True
    )
    assert done.stdout == "[]\n"  # none yet: a fresh process, nothing made


@cache
def generated_init(cls: type) -> type:
    """The same fields, defaults and default factories, in a class `@dataclass(frozen=True)`
    makes with its own ``__init__``."""
    namespace = {"__annotations__": {f.name: f.type for f in fields(cls)}}
    for f in fields(cls):
        if f.default is not MISSING or f.default_factory is not MISSING:
            namespace[f.name] = field(default=f.default, default_factory=f.default_factory)
    return dataclass(frozen=True)(type(cls.__name__, (), namespace))


@pytest.mark.parametrize("cls", CLASSES, ids=lambda cls: cls.__name__)
def test_the_init_takes_what_the_generated_one_takes(cls: type) -> None:
    ours = inspect.signature(cls)  # compiles the __init__, put in the class for good
    assert not isinstance(cls.__dict__["__init__"], model._Init)
    twin = inspect.signature(generated_init(cls))
    assert list(ours.parameters) == list(twin.parameters)
    for name, parameter in ours.parameters.items():
        expected = twin.parameters[name]
        assert parameter.kind == expected.kind and parameter.annotation == expected.annotation
        if expected.default is inspect.Parameter.empty:
            assert parameter.default is expected.default
        else:  # a factory's default shows as "<factory>" in both
            assert repr(parameter.default) == repr(expected.default)


@pytest.mark.parametrize("cls", CLASSES, ids=lambda cls: cls.__name__)
@settings(max_examples=20, deadline=None)
@given(data=st.data())
def test_an_instance_is_made_and_frozen_as_generated(cls: type, data: st.DataObject) -> None:
    one = data.draw(st.from_type(cls))
    values = [getattr(one, f.name) for f in fields(cls)]
    again, twin = cls(*values), generated_init(cls)(*values)
    assert again == one and vars(again) == vars(one) == vars(twin)
    required = [v for f, v in zip(fields(cls), values, strict=True) if _required(f)]
    assert vars(cls(*required)) == vars(generated_init(cls)(*required))  # defaults, factories
    name = fields(cls)[0].name
    for change in (lambda o: setattr(o, name, None), lambda o: delattr(o, name)):
        with pytest.raises(FrozenInstanceError) as ours:
            change(one)
        with pytest.raises(FrozenInstanceError) as generated_error:
            change(twin)
        assert str(ours.value) == str(generated_error.value)
    assert vars(one) == vars(again)


def test_a_problem_checks_its_level_once_made() -> None:
    with pytest.raises(ValueError, match="a problem's level is 'error' or 'warning', not 'bad'"):
        errors.Problem("show.toml", None, "fix it", "bad")  # type: ignore[arg-type]


def _required(f: Any) -> bool:
    return f.default is MISSING and f.default_factory is MISSING


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
    assert copy is not one and copy == one
    if any(isinstance(getattr(one, f.name), list) for f in fields(cls)):
        for value in (one, twin_one):  # unhashable, as generated
            with pytest.raises(TypeError, match="unhashable type: 'list'"):
                hash(value)
    else:
        assert hash(copy) == hash(one) == hash(twin_one)
    assert one != twin_one and one != object()  # another class: never equal, as generated


@pytest.mark.parametrize("cls", CLASSES, ids=lambda cls: cls.__name__)
@settings(max_examples=20, deadline=None)
@given(data=st.data())
def test_replace_gives_what_dataclasses_replace_gives(cls: type, data: st.DataObject) -> None:
    one = data.draw(st.from_type(cls))
    names = [f.name for f in fields(cls)]
    changed = data.draw(st.lists(st.sampled_from(names), unique=True)) if names else []
    other = data.draw(st.from_type(cls))
    changes = {name: getattr(other, name) for name in changed}
    ours, theirs = model.replace(one, **changes), replace(one, **changes)
    assert type(ours) is cls and vars(ours) == vars(theirs)
    with pytest.raises(TypeError, match="unexpected keyword argument 'not_a_field'"):
        model.replace(one, not_a_field=1)


def test_the_fields_are_those_dataclass_finds() -> None:
    for cls in CLASSES:
        ours = [(f.name, f.type, f.default, f.default_factory) for f in model.value_fields(cls)]
        theirs = [
            (f.name, f.type, model.MISSING if f.default is MISSING else f.default,
             model.MISSING if f.default_factory is MISSING else f.default_factory)
            for f in fields(cls)
        ]  # fmt: skip
        assert ours == theirs
        assert cls.__match_args__ == tuple(f.name for f in fields(cls))
        for f in fields(cls):  # a default stays a class attribute, a factory does not
            assert vars(cls).get(f.name, MISSING) == f.default


# Imports every module that holds values, makes and compares values, then reads their fields
# through `dataclasses`: prints whether dataclasses was imported before, and what it found.
WITHOUT_DATACLASSES = """
import sys
import threading
from pathlib import Path
from toolkit import audio, config, errors, model, one_episode
show = model.Show(Path("."), "T", "D", "fr", "https://e.org/", "A", "O", "o@e.org", Path("c"),
                  (), False, "episodic", "C", "g", False, "podcast", "Europe/Paris")
assert model.replace(show, title="U") != show and repr(show).startswith("Show(directory=")
before = "dataclasses" in sys.modules or "inspect" in sys.modules
import dataclasses
print(before, dataclasses.is_dataclass(show), [f.name for f in dataclasses.fields(model.Show)][-2:],
      dataclasses.replace(show, title="U") == model.replace(show, title="U"))
"""


def test_values_are_made_without_importing_dataclasses_which_still_knows_them() -> None:
    done = subprocess.run(
        [sys.executable, "-c", WITHOUT_DATACLASSES], capture_output=True, text=True, check=True
    )
    assert done.stdout == "False True ['extras', 'episodes'] True\n"


def _class_body(annotations: dict[str, str], **defaults: Any) -> dict[str, Any]:
    return {"__annotations__": annotations, "__module__": __name__, **defaults}


@pytest.mark.parametrize(
    ("annotations", "defaults"),
    [
        ({"a": "int", "b": "str"}, {"a": 1}),  # a field without a default after one with
        ({"a": "list[int]"}, {"a": []}),  # a mutable default
        ({"a": "dict[str, int]"}, {"a": {}}),
    ],
)
def test_a_bad_class_body_is_refused_as_dataclass_refuses_it(
    annotations: dict[str, str], defaults: dict[str, Any]
) -> None:
    with pytest.raises((TypeError, ValueError)) as theirs:
        dataclass(frozen=True)(type("Twin", (), _class_body(annotations, **defaults)))
    with pytest.raises(theirs.type, match=re.escape(str(theirs.value))):
        model.value(type("Value", (model.FrozenValue,), _class_body(annotations, **defaults)))


def test_a_value_class_takes_no_class_variable() -> None:
    body = _class_body({"a": "ClassVar[int]"}, a=1)
    with pytest.raises(TypeError, match=r"Value\.a: a value class takes only fields"):
        model.value(type("Value", (model.FrozenValue,), body))


def test_a_value_class_inherits_the_fields_of_another_as_a_dataclass_does() -> None:
    base = model.value(type("Base", (model.FrozenValue,), _class_body({"a": "int"})))
    body = _class_body({"b": "str", "c": "int"}, c=model.field(default_factory=int))
    child = model.value(type("Child", (base,), body))
    assert [f.name for f in model.value_fields(child)] == ["a", "b", "c"]
    made = child(1, "x")
    assert (made.a, made.b, made.c) == (1, "x", 0) and "c" not in vars(child)
    assert [f.name for f in fields(child)] == ["a", "b", "c"]
    assert repr(made) == "Child(a=1, b='x', c=0)"


def test_a_value_class_is_told_without_making_its_dataclass_fields() -> None:
    made = model.value(type("Fresh", (model.FrozenValue,), _class_body({"a": "int"})))
    assert model.is_value_class(made)
    assert isinstance(vars(made)["__dataclass_fields__"], model._AsDataclass)  # still to make
    assert not model.is_value_class(made(1)) and not model.is_value_class(model.FrozenValue)
    assert [v for v in vars(model).values() if model.is_value_class(v)] == MODEL


def test_a_subclass_without_the_decorator_is_a_value_of_its_base_s_fields() -> None:
    # As a subclass of a dataclass that is not itself decorated: same fields, same methods.
    base = model.value(
        type("Base", (model.FrozenValue,), _class_body({"a": "int", "b": "int"}, b=2))
    )
    child = type("Child", (base,), {"__module__": __name__})
    made = child(1)
    assert made == child(1) != child(2) and hash(made) == hash(child(1))
    assert repr(made) == "Child(a=1, b=2)" and made != base(1)
    assert model.replace(made, b=3) == child(1, 3) and type(model.replace(made, b=3)) is child
    assert [f.name for f in model.value_fields(child)] == ["a", "b"]
    assert [f.name for f in fields(child)] == ["a", "b"] == [f.name for f in fields(base)]
    assert replace(made, a=5) == child(5)


def test_a_frozen_dataclass_may_derive_from_a_value_class() -> None:
    # `dataclass` refuses a frozen class derived from one it sees as not frozen.
    base = model.value(type("Base", (model.FrozenValue,), _class_body({"a": "int"})))
    child = dataclass(frozen=True)(type("Child", (base,), _class_body({"b": "int"}, b=0)))
    made = child(1, 2)
    assert (made.a, made.b) == (1, 2) and made == child(1, 2) and hash(made) == hash(child(1, 2))
    assert fields(base)[0].name == "a" and base.__dataclass_params__.frozen  # type: ignore[attr-defined]
    with pytest.raises(FrozenInstanceError):
        made.a = 3  # type: ignore[misc]
    with pytest.raises(FrozenInstanceError):
        base(1).a = 3  # type: ignore[misc]


MISUSED_REPLACE = """
from toolkit import model
person = model.Person("Ada")
model.replace(person, nmae="Grace")
model.replace(person, name=3)
"""


def test_mypy_checks_the_changes_given_to_replace(tmp_path: Path) -> None:
    # As it checks those given to `dataclasses.replace`: a wrong name, a wrong type.
    (tmp_path / "misuse.py").write_text(MISUSED_REPLACE)
    done = subprocess.run(
        [sys.executable, "-m", "mypy", "--no-incremental", "--cache-dir", os.devnull,
         "--follow-imports=silent", "--no-error-summary", "misuse.py"],
        capture_output=True, text=True, cwd=tmp_path, check=False,
        env={**os.environ, "MYPYPATH": str(Path(model.__file__).parents[1])},
    )  # fmt: skip
    lines = done.stdout.splitlines()
    errors = sorted(line.split(": error: ")[0] for line in lines if ": error: " in line)
    assert errors == ["misuse.py:4", "misuse.py:5"], done.stdout + done.stderr


def test_threads_that_first_ask_dataclasses_about_a_value_class_all_see_a_dataclass() -> None:
    # The first one makes its dataclass fields; the others must not see it half made.
    classes = [
        model.value(type(f"V{n}", (model.FrozenValue,), _class_body({"a": "int", "b": "str"})))
        for n in range(30)
    ]
    wrong: list[str] = []
    start = threading.Barrier(6)

    def ask() -> None:
        start.wait()
        for cls in classes:
            try:
                if not is_dataclass(cls) or [f.name for f in fields(cls)] != ["a", "b"]:
                    wrong.append(f"{cls.__name__}: not a dataclass")
            except Exception as error:  # what fields() raises for a class it does not know
                wrong.append(f"{cls.__name__}: {error!r}")

    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # threads take turns as often as they can
    try:
        threads = [threading.Thread(target=ask) for _ in range(6)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        sys.setswitchinterval(interval)
    assert wrong == []
