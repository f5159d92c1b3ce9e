#!/usr/bin/env python3
"""Times two commands pair-wise in one run: each round runs A then B (warm-up rounds first; the
order alternates from round to round), stdout to /dev/null. Prints the median wall time of each
in seconds and the median of the per-round ratios A/B: "A B RATIO". The ratio of each round
compares two runs a moment apart, so a slow phase of a shared VM weighs on both sides of it.

usage: pair.py ROUNDS COMMAND-A -- COMMAND-B
"""
import os
import statistics
import sys
import time


def main():
    rounds = int(sys.argv[1])
    rest = sys.argv[2:]
    cut = rest.index("--")
    cmds = [rest[:cut], rest[cut + 1:]]
    null = os.open(os.devnull, os.O_WRONLY)
    times = [[], []]
    for r in range(rounds + 3):
        for k in (0, 1) if r % 2 == 0 else (1, 0):
            cmd = cmds[k]
            t = time.perf_counter()
            pid = os.posix_spawnp(cmd[0], cmd, os.environ,
                                  file_actions=[(os.POSIX_SPAWN_DUP2, null, 1),
                                                (os.POSIX_SPAWN_DUP2, null, 2)])
            os.waitpid(pid, 0)
            if r >= 3:
                times[k].append(time.perf_counter() - t)
    ratios = [a / b for a, b in zip(times[0], times[1])]
    print(statistics.median(times[0]), statistics.median(times[1]), statistics.median(ratios))


main()
