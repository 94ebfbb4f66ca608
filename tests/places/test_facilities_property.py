"""Property: any generated facility table loads or raises a clear PlannerInputError, never anything else."""

from __future__ import annotations

import csv
import io
import tempfile
import warnings
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from planner.errors import PlannerInputError
from planner.places.facilities import load_facilities
from planner.places.facility_schema import LEVELS

_cell_text = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), max_size=12
)
_number_text = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.floats(-200, 200).map(lambda v: f"{v:.5f}"),
    st.floats(-200, 200).map(lambda v: f"{v:.3f}".replace(".", ",")),
    _cell_text,
    st.just(""),
)
_row = st.fixed_dictionaries(
    {
        "facility_id": st.one_of(st.sampled_from(["a", "b", "c", ""]), _cell_text),
        "name": st.one_of(st.just("Trạm y tế xã Tản Lĩnh"), _cell_text),
        "level": st.one_of(st.sampled_from([*LEVELS, "Commune ", "hospital", ""]), _cell_text),
        "lat": st.one_of(st.floats(20.6, 21.4).map(str), _number_text),
        "lon": st.one_of(st.floats(105.3, 106.0).map(str), _number_text),
        "population": st.one_of(st.integers(-5, 10**6).map(str), _number_text),
    }
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    rows=st.lists(_row, max_size=6),
    delimiter=st.sampled_from([",", ";", "\t"]),
    drop=st.sets(st.sampled_from(["facility_id", "name", "level", "lat", "lon"]), max_size=1),
)
def test_generated_tables_load_or_raise_a_clear_error(rows, delimiter, drop):
    columns = [
        c for c in ("facility_id", "name", "level", "lat", "lon", "population") if c not in drop
    ]
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=columns, delimiter=delimiter, extrasaction="ignore")
    writer.writeheader()
    writer.writerows(rows)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "units.csv"
        path.write_text(buffer.getvalue(), encoding="utf-8")
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                gdf = load_facilities(path)
        except PlannerInputError as error:
            assert error.file == str(path)
            if error.row is not None:  # a row problem names a real data row ...
                assert 1 <= error.row <= max(len(rows), 1)
                # ... and its field, unless the whole line is unreadable (text or separators).
                whole_line = "text" in error.problem or "fields" in error.problem
                assert error.field is not None or whole_line
            return
    # All or nothing: a result has every row, each valid.
    assert len(gdf) == len(rows)
    assert gdf["facility_id"].is_unique and (gdf["facility_id"] != "").all()
    assert gdf["level"].isin(LEVELS).all()
    assert gdf["lat"].between(-90, 90).all() and gdf["lon"].between(-180, 180).all()
