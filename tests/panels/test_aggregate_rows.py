"""The aggregate rows as written: their JSON counts read back as the counts they were."""

import json

from hypothesis import given
from hypothesis import strategies as st

from convivencia.panels import aggregates

codes = st.integers(min_value=-5, max_value=10_000).map(str)


@given(st.dictionaries(codes, st.integers(min_value=0, max_value=10**9), max_size=30))
def test_counts_are_written_as_json_dumps_writes_them(counts):
    assert aggregates._json(counts) == json.dumps(counts)


@given(st.dictionaries(st.text(max_size=8), st.integers() | st.floats(allow_nan=False),
                       max_size=8))
def test_any_other_counts_still_read_back_as_themselves(counts):
    assert json.loads(aggregates._json(counts)) == counts
