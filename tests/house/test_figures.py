"""One set of figures: what README's performance table says, RESULTS.md holds (issue 31).

Each figure is measured once, by a benchmark that writes it to ``benchmarks/RESULTS.md``; the
README quotes it. A figure typed into the README by hand drifts from the measured one (the
first run was "about a minute", 35 s, 81.6 s and 24 s in four places), so every time, size and
ratio in the table must be found in RESULTS.md as written there.
"""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

#: A figure with its unit: "0.39 s", "1.1 GB", "15×", "1,400x" (RESULTS.md writes ratios both
#: ways), "8 ms", "98.89%"; not a size such as "616 × 616".
_FIGURE = re.compile(r"(?<![\w.])(\d[\d,]*(?:\.\d+)?)\s?(ms|s|MB|GB|GiB|×|x|%)(?!\w)(?!\s\d)")


def _figures(text: str) -> set[str]:
    # thousands separators and the space before the unit are spelling, not the figure
    return {
        f"{number.replace(',', '')}{unit.replace('x', '×')}"
        for number, unit in _FIGURE.findall(text)
    }


def _performance_table(readme: str) -> str:
    section = readme.split("\n## Performance\n", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("|")]
    assert len(rows) > 5, "README's performance table is gone"
    return "\n".join(rows)


def test_the_figures_extracted_are_the_ones_written():
    assert _figures(
        "0.39 s warm, 1.6 s first; ~1,400× slower; 2.2 MB; 8 ms; 98.89% of 7; 616 × 616; 10.9x"
    ) == {
        "0.39s",
        "1.6s",
        "1400×",
        "2.2MB",
        "8ms",
        "98.89%",
        "10.9×",
    }


def test_every_figure_of_the_readme_performance_table_is_in_results():
    table = _performance_table((ROOT / "README.md").read_text(encoding="utf-8"))
    results = _figures((ROOT / "benchmarks" / "RESULTS.md").read_text(encoding="utf-8"))
    quoted = _figures(table)
    assert len(quoted) >= 15, quoted
    missing = sorted(quoted - results)
    assert not missing, (
        f"README's performance table quotes {missing}, which benchmarks/RESULTS.md does not "
        "hold: quote the figure as RESULTS.md writes it (or rerun the benchmark)"
    )
