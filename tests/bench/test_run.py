"""The benchmark harness's own rules (its timings are never asserted anywhere)."""

from datetime import date
from pathlib import Path

from bench import run


def test_a_report_never_overwrites_an_earlier_one_of_the_same_day(tmp_path: Path) -> None:
    first = run.report_path(tmp_path, 100_000)
    assert first.name == f"{date.today().isoformat()}-100000.md"
    first.write_text("the morning's run")
    second = run.report_path(tmp_path, 100_000)
    assert second.name == f"{date.today().isoformat()}-100000-2.md"
    second.write_text("the afternoon's")
    assert run.report_path(tmp_path, 100_000).name.endswith("-100000-3.md")
    assert first.read_text() == "the morning's run"
