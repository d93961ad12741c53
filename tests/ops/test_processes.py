"""`chamado serve` and `chamado worker` keep their children running: a non-essential one that
ends is started again, an essential one that ends stops everything with its exit code."""

import subprocess
import sys
import textwrap
from pathlib import Path


def test_ended_helper_is_restarted_and_essential_exit_stops_all(tmp_path: Path) -> None:
    starts = tmp_path / "starts"
    script = textwrap.dedent(
        f"""
        import sys
        from chamado.ops.processes import Child, supervise
        helper = [sys.executable, "-c", "open({str(starts)!r}, 'a').write('x')"]
        essential = [sys.executable, "-c", "import time, sys; time.sleep(3); sys.exit(7)"]
        sys.exit(supervise([Child(essential), Child(helper, essential=False)], restart_delay=0.2))
        """
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=30
    )
    assert result.returncode == 7
    assert len(starts.read_text()) >= 3  # the helper ended at once and was started again
    assert "restarting it shortly" in result.stdout
