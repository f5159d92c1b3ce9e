#!/usr/bin/env python3
"""Times two commands pair-wise in one run: each round runs A then B (warm-up rounds first),
stdout to /dev/null. Prints the median wall time of each in seconds: "A B". Medians of
interleaved rounds, so that a slow moment of a shared VM weighs on both alike.

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
        for k, cmd in enumerate(cmds):
            t = time.perf_counter()
            pid = os.posix_spawnp(cmd[0], cmd, os.environ,
                                  file_actions=[(os.POSIX_SPAWN_DUP2, null, 1),
                                                (os.POSIX_SPAWN_DUP2, null, 2)])
            os.waitpid(pid, 0)
            if r >= 3:
                times[k].append(time.perf_counter() - t)
    print(statistics.median(times[0]), statistics.median(times[1]))


main()
