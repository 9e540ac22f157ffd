#!/bin/sh
# Runs what make gpu-bundle built, on a GPU machine, and writes a report
# (report-<host>-<time>.txt beside this script): the machine, the GPUs and
# libraries found, every test of package cuda (-test.v), the bandwidth
# benchmarks. Exit status: the tests'. Extra arguments go to the test
# binary (e.g. -test.run GPU).
cd "$(dirname "$0")" || exit 2
report="report-$(hostname)-$(date -u +%Y%m%dT%H%M%SZ).txt"
status=0
{
	echo "# blockwork GPU bundle report"
	echo "commit: $(cat COMMIT 2>/dev/null)"
	echo "date: $(date -u)"
	uname -a
	nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv 2>&1 || echo "nvidia-smi: not found"
	echo "## blockwork gpu"
	./blockwork gpu 2>&1
	echo "## tests"
	./cuda.test -test.v -test.count=1 -test.timeout 20m "$@" 2>&1
	echo "tests exit status: $?"
	echo "## benchmarks"
	./cuda.test -test.run '^$' -test.bench GPU -test.benchtime 20x 2>&1
} >"$report" 2>&1
grep -q '^tests exit status: 0$' "$report" || status=1
echo "report: $(pwd)/$report (tests $([ $status = 0 ] && echo passed || echo FAILED))"
tail -n 30 "$report"
exit $status
