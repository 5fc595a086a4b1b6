"""What importing each reports module pulls in."""

import subprocess
import sys


def test_metrics_need_no_matplotlib_and_plots_need_no_pyplot():
    # The CLI's `evaluate` imports metrics without the plotting extra; plots never touch pyplot's
    # global state (so no display is needed and threads do not share figures).
    code = (
        "import sys\n"
        "import neurona.reports.metrics, neurona.reports.history_csv, neurona.reports.html\n"
        "assert 'matplotlib' not in sys.modules, 'metrics imported matplotlib'\n"
        "import neurona.reports.plots\n"
        "assert 'matplotlib.pyplot' not in sys.modules, 'plots imported pyplot'\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
