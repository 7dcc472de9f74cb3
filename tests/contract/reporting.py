"""Print what the contract tests and the fault matrix ran, in pytest's terminal summary.

A module registers a :class:`Report` once (``report_for(config, title)``) and
adds lines or counts to it; the report prints itself in the
``pytest_terminal_summary`` phase, so the numbers show without ``-s``.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

import pytest

__all__ = ["Report", "report_for"]


class Report:
    """Counters and table rows of one test module, printed at the end of the session."""

    def __init__(self, title: str) -> None:
        self.title = title
        self.counts: Counter[str] = Counter()
        self.rows: list[tuple[str, ...]] = []
        self.header: tuple[str, ...] = ()
        #: A pivot table: (row, column) -> text, shown with ``header`` = (row title, *columns).
        self.cells: dict[tuple[str, str], str] = {}
        self.row_order: list[str] = []

    def count(self, key: str, n: int = 1) -> None:
        self.counts[key] += n

    def row(self, *cells: str) -> None:
        self.rows.append(cells)

    def cell(self, row: str, column: str, text: str) -> None:
        if row not in self.row_order:
            self.row_order.append(row)
        self.cells[row, column] = text

    def _pivot(self) -> list[tuple[str, ...]]:
        columns = self.header[1:]
        return [(row, *(self.cells.get((row, column), "-") for column in columns)) for row in self.row_order]

    def lines(self) -> Iterable[str]:
        if self.counts:
            width = max(len(key) for key in self.counts)
            for key in sorted(self.counts):
                yield f"  {key:<{width}}  {self.counts[key]:>6}"
        rows = self._pivot() if self.cells else sorted(self.rows)
        if rows:
            table = [self.header, *rows] if self.header else rows
            widths = [max(len(row[i]) for row in table if i < len(row)) for i in range(len(table[0]))]
            for index, row in enumerate(table):
                yield "  " + "  ".join(cell.ljust(widths[i]) for i, cell in enumerate(row)).rstrip()
                if index == 0 and self.header:
                    yield "  " + "  ".join("-" * w for w in widths)

    @pytest.hookimpl(trylast=True)
    def pytest_terminal_summary(self, terminalreporter: pytest.TerminalReporter) -> None:
        if not self.counts and not self.rows and not self.cells:
            return
        terminalreporter.section(self.title, sep="-")
        for line in self.lines():
            terminalreporter.write_line(line)


def report_for(config: pytest.Config, title: str) -> Report:
    """The report named ``title`` of this session (created and registered on first use)."""
    name = f"cliq-report:{title}"
    plugin = config.pluginmanager.get_plugin(name)
    if plugin is None:
        plugin = Report(title)
        config.pluginmanager.register(plugin, name)
    assert isinstance(plugin, Report)
    return plugin
