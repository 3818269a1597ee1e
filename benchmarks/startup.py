"""Time `skill-load --framework python --task auth` as whole processes against two baselines.

    python benchmarks/startup.py [--runs 30] [--instructions]

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


def time_commands(commands: dict[str, list[str]], runs: int) -> dict[str, list[float]]:
    """Wall-clock seconds per run; the commands take turns so background noise spreads over all of them."""
    for command in commands.values():
        subprocess.run(command, check=True, capture_output=True)  # warm the file cache
    samples: dict[str, list[float]] = {name: [] for name in commands}
    for _ in range(runs):
        for name, command in commands.items():
            started = time.perf_counter()
            subprocess.run(command, check=True, capture_output=True)
            samples[name].append(time.perf_counter() - started)
    return samples


def instructions(command: list[str]) -> int:
    """Instructions executed, counted by valgrind's callgrind: the same for the same binary and inputs, however
    busy the machine is (wall-clock times on a shared VM vary by ±30 %)."""
    result = subprocess.run(
        ["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null", *command],
        capture_output=True,
        text=True,
        check=True,
    )
    for line in result.stderr.splitlines():
        if "Collected :" in line:
            return int(line.rsplit(":", 1)[1])
    raise RuntimeError("callgrind printed no instruction count")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--instructions", action="store_true", help="Also count instructions with valgrind.")
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
    samples = time_commands(commands, arguments.runs)
    medians = {name: statistics.median(values) for name, values in samples.items()}
    minimums = {name: min(values) for name, values in samples.items()}
    for name in commands:
        print(
            f"{name:32} median {medians[name] * 1000:7.1f} ms   min {minimums[name] * 1000:7.1f} ms   ({arguments.runs} runs)"
        )
    for label, figures in (("median", medians), ("min", minimums)):
        bare, dependencies, loader = figures.values()
        print(
            f"{label:6} skill-load / python -c pass {loader / bare:6.2f}x   skill-load / dependencies {loader / dependencies:5.2f}x"
            f"   loader's own work {(loader - dependencies) * 1000:5.1f} ms"
        )
    if arguments.instructions:
        counts = {name: instructions(command) for name, command in commands.items()}
        for name, count in counts.items():
            print(f"{name:32} {count / 1e6:8.1f} M instructions")
        bare, dependencies, loader = counts.values()
        print(
            f"instr  skill-load / python -c pass {loader / bare:6.2f}x   skill-load / dependencies {loader / dependencies:5.2f}x"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
