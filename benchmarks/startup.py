"""Time `skill-load --framework python --task auth` as whole processes against two baselines.

    python benchmarks/startup.py [--runs 30]

Baselines: `python -c pass` (interpreter start-up) and a process that only imports the loader's dependencies
(click, PyYAML, python-frontmatter, markdown-it-py). The last ratio says how much the loader's own work adds on
top of what its dependencies cost to import; keep it close to 1.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

DEPENDENCY_IMPORTS = "import click, yaml, frontmatter, frontmatter.default_handlers, markdown_it"


def median_seconds(command: list[str], runs: int) -> float:
    subprocess.run(command, check=True, capture_output=True)  # warm the file cache
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run(command, check=True, capture_output=True)
        samples.append(time.perf_counter() - started)
    return statistics.median(samples)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=30)
    arguments = parser.parse_args()
    script = shutil.which("skill-load", path=str(Path(sys.executable).parent)) or shutil.which("skill-load")
    if script is None:
        print("skill-load is not installed: pip install .", file=sys.stderr)
        return 1
    commands = {
        "python -c pass": [sys.executable, "-c", "pass"],
        "import dependencies": [sys.executable, "-c", DEPENDENCY_IMPORTS],
        "skill-load -f python -t auth": [script, "--framework", "python", "--task", "auth"],
    }
    timings = {name: median_seconds(command, arguments.runs) for name, command in commands.items()}
    for name, seconds in timings.items():
        print(f"{name:32} {seconds * 1000:8.1f} ms (median of {arguments.runs})")
    bare, dependencies, loader = timings.values()
    print(f"skill-load / python -c pass      {loader / bare:8.2f}x")
    print(f"skill-load / import dependencies {loader / dependencies:8.2f}x")
    print(f"loader's own work                {(loader - dependencies) * 1000:8.1f} ms")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
