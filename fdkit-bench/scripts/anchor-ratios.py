#!/usr/bin/env python3
"""Java/C ratios: 'fdkit bench' table output against the TSV rows of the C anchors' run script (close, list, spawn; see docs/BENCHMARKS.md).

Usage: anchor-ratios.py BENCH_OUTPUT.txt ANCHOR.tsv...
Prints, for each pair of a Java method and its C counterpart at the same N, both medians and Java/C; then the
Java/C targets computed from the same numbers. Pairs whose N or method is missing on either side are skipped.
"""
import re
import sys

ROW = re.compile(r"^\s*(\d+)  (.+?)\s+(\d+\.\d)\s+(\d+\.\d)\s+(\d+\.\d\d)(?:\s+\d+)?$")

# (suite, Java method, C method)
PAIRS = [
    ("close", "close_range", "close_range"),
    ("close", "close_range-cloexec", "close_range-cloexec"),
    ("close", "getdents64+close", "getdents64+close"),
    ("close", "brute-force-to-rlimit", "brute-force-to-rlimit"),
    ("close", "Files.list+close", "readdir+close"),
    ("list", "poll-nval", "poll-nval"),
    ("list", "fcntl-probe", "fcntl-probe"),
    ("list", "procfs-getdents64", "procfs-getdents64"),
    ("list", "Files.list(/proc/self/fd)", "procfs-getdents64"),
    ("spawn", "fdkit clone", "shared-table+close_range-unshare"),
    ("spawn", "fdkit posix-spawn", "posix_spawn+closefrom_np"),
    ("spawn", "ProcessBuilder", "shared-table+close_range-unshare"),
    ("spawn", "NuProcess 3.0.0", "shared-table+close_range-unshare"),
]
C_SUITE = {
    "close_range": "close", "close_range-cloexec": "close", "getdents64+close": "close",
    "brute-force-to-rlimit": "close", "readdir+close": "close",
    "poll-nval": "list", "fcntl-probe": "list", "procfs-getdents64": "list",
    "shared-table+close_range-unshare": "spawn", "posix_spawn+closefrom_np": "spawn", "vfork+close_range": "spawn",
}


def java_rows(path):
    rows, suite = {}, None
    for line in open(path, encoding="utf-8"):
        line = line.rstrip("\n")
        if line.startswith("== "):
            suite = line[3:line.index(":")]
        m = ROW.match(line)
        if suite and m:
            rows[(suite, m.group(2).strip(), int(m.group(1)))] = float(m.group(3))
    return rows


def c_rows(paths):
    rows = {}
    for path in paths:
        for line in open(path, encoding="utf-8"):
            f = line.rstrip("\n").split("\t")
            if len(f) == 4 and f[1].isdigit():
                rows[(C_SUITE.get(f[0], "?"), f[0], int(f[1]))] = float(f[2])
    return rows


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    java, c = java_rows(sys.argv[1]), c_rows(sys.argv[2:])
    print(f"{'suite':6} {'N':>6}  {'Java method':26} {'Java_us':>10}  {'C method':33} {'C_us':>10}  {'Java/C':>7}")
    for suite, jm, cm in PAIRS:
        for n in sorted({k[2] for k in c if k[0] == suite and k[1] == cm}):
            if (suite, jm, n) in java and (suite, cm, n) in c:
                j, cv = java[(suite, jm, n)], c[(suite, cm, n)]
                print(f"{suite:6} {n:>6}  {jm:26} {j:>10.1f}  {cm:33} {cv:>10.1f}  {j / cv:>7.2f}")

    def check(label, value, target, ok):
        print(f"{label}: {value:.2f} (target {target}) {'met' if ok else 'NOT met'}")

    print()
    g = java.get
    if g(("close", "close_range", 1000)) and c.get(("close", "close_range", 1000)):
        r = g(("close", "close_range", 1000)) / c[("close", "close_range", 1000)]
        check("close_range N=1000, Java/C", r, "<= 1.10", r <= 1.10)
    best_list = min((v for k, v in java.items() if k[0] == "list" and k[2] == 16000
                     and k[1] in ("poll-nval", "fcntl-probe", "procfs-getdents64")), default=None)
    if best_list and c.get(("list", "procfs-getdents64", 16000)):
        r = best_list / c[("list", "procfs-getdents64", 16000)]
        check("list N=16000, fastest fdkit / C procfs-getdents64", r, "<= 1.30", r <= 1.30)
        fl = g(("list", "Files.list(/proc/self/fd)", 16000))
        if fl:
            check("list N=16000, Files.list / fastest fdkit", fl / best_list, ">= 5", fl / best_list >= 5)
    floor = c.get(("spawn", "shared-table+close_range-unshare", 16000))
    clone16, clone10 = g(("spawn", "fdkit clone", 16000)), g(("spawn", "fdkit clone", 10))
    pb16, pb10 = g(("spawn", "ProcessBuilder", 16000)), g(("spawn", "ProcessBuilder", 10))
    if clone16 and floor:
        check("spawn N=16000, fdkit clone / C shared-table floor", clone16 / floor, "<= 1.15", clone16 / floor <= 1.15)
    if clone16 and clone10:
        check("spawn fdkit clone, N=16000 / N=10", clone16 / clone10, "<= 1.10", clone16 / clone10 <= 1.10)
    floor10 = c.get(("spawn", "shared-table+close_range-unshare", 10))
    if floor and floor10:
        # No target: the C floor does not grow with N either, so this shows how far the machine drifted meanwhile.
        print(f"spawn C shared-table floor, N=16000 / N=10: {floor / floor10:.2f} (reference: the machine's drift)")
    if clone16 and pb16:
        check("spawn N=16000, ProcessBuilder / fdkit clone", pb16 / clone16, ">= 50", pb16 / clone16 >= 50)
    if clone10 and pb10:
        check("spawn N=10, fdkit clone / ProcessBuilder", clone10 / pb10, "<= 1.00", clone10 / pb10 <= 1.0)


if __name__ == "__main__":
    main()
