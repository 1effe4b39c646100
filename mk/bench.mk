# The benchmark of issues 6 and 13: SealDrop with its default limits against the same
# with limits off, and against the bare libfcgi ceilings, on the same nginx set-up and
# MariaDB (see bench/run.sh for every setting, bench/README.md for what runs).
#
#   make bench           release build, private stack in .run/bench, all scenarios,
#                        writes bench/results/latest.{md,json,png}; stops what it started
#   make bench-profile   the same stack, perf profile of /send -> bench/results/profile-send.txt
#
# Settings pass through the environment or the make command line, e.g.
#   make bench BENCH_DURATION=2 BENCH_RUNS=1 BENCH_LONG_REQUESTS=20000
# Not part of `make test`: it needs minutes and an otherwise quiet machine.

.PHONY: bench bench-profile

bench:
	bench/run.sh

bench-profile:
	bench/run.sh profile
