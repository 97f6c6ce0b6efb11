"""max_length and column_name read a model's fields, and refuse by name what is absent."""

from __future__ import annotations

import pytest

from convivencia.core.bulk import column_name
from convivencia.core.fields import max_length
from convivencia.territories.models import Territory


def test_a_text_field_gives_its_maximum_length() -> None:
    assert max_length(Territory, "name") == 200


def test_a_field_without_a_maximum_length_is_refused_by_name() -> None:
    with pytest.raises(TypeError, match=r"territories\.Territory\.level has no maximum length"):
        max_length(Territory, "level")


def test_a_foreign_key_is_written_to_its_id_column() -> None:
    assert column_name(Territory, "parent") == "parent_id"


def test_a_reverse_relation_is_refused_as_no_column() -> None:
    with pytest.raises(ValueError, match=r"Territory\.children is not a column of its table"):
        column_name(Territory, "children")
