"""Summarise py-spy raw profiles (`bench/checkout.py --profile DIR`): where the samples went.

    python bench/profile_summary.py DIR [--match 32-clients-api] [--top 40]

For the files whose name contains `--match`: the share of samples by the package of the frame
that was running (self), and the functions with the largest inclusive and self shares. Idle
samples (the event loop waiting in select/epoll) are counted apart, so the shares are of the
CPU the processes used. Not a test.
"""

from __future__ import annotations

import argparse
import re
from collections import Counter
from pathlib import Path

IDLE = ("select (selectors.py", "poll (selectors.py", "_run_once (asyncio/base_events.py:1")
FRAME = re.compile(r"^(?P<function>.*) \((?P<file>[^:()]+)(?::\d+)?\)$")


def package(frame: str) -> str:
    found = FRAME.match(frame)
    path = found.group("file") if found else frame
    head = path.split("/")[0]
    return head.removesuffix(".py") if "/" in path else f"authorhub ({path})"


def function(frame: str) -> str:
    """A frame without its line number: one entry per function."""
    return re.sub(r":\d+\)$", ")", frame)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("--match", default="")
    parser.add_argument("--top", type=int, default=40)
    args = parser.parse_args()
    by_package: Counter[str] = Counter()
    inclusive: Counter[str] = Counter()
    own: Counter[str] = Counter()
    busy = idle = 0
    for path in sorted(args.folder.glob("*.txt")):
        if args.match not in path.name:
            continue
        for line in path.read_text().splitlines():
            stack, _, count_text = line.rpartition(" ")
            if not stack:
                continue
            count = int(count_text)
            frames = stack.split(";")
            if any(frames[-1].startswith(mark) for mark in IDLE):
                idle += count
                continue
            busy += count
            by_package[package(frames[-1])] += count
            own[function(frames[-1])] += count
            for name in {function(frame) for frame in frames}:
                inclusive[name] += count
    print(f"busy samples {busy}, idle {idle}")
    print("\n-- self, by package")
    for name, count in by_package.most_common(args.top):
        print(f"{100 * count / busy:5.1f}%  {name}")
    print("\n-- inclusive, by function")
    for name, count in inclusive.most_common(args.top):
        print(f"{100 * count / busy:5.1f}%  {name}")
    print("\n-- self, by function")
    for name, count in own.most_common(args.top):
        print(f"{100 * count / busy:5.1f}%  {name}")


if __name__ == "__main__":
    main()
