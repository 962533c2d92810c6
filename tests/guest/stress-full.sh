#!/bin/sh
# The full forms of the stress and integrity tests (make vm-stress), run in
# the guest as a command, not by guest-init (this file is not executable):
#   sh tests/guest/stress-full.sh SECONDS TREES
# SECONDS of stress-ng per phase (stress-ng-storm.sh), TREES process trees
# per mode and heap (stress-integrity.sh), then eager fork under global and
# memcg memory pressure (stress-enomem-pressure.sh, forkmode-enomem.sh).
# Prints every test's lines; FIGURE keys get "-full" and their words say
# which run; exit 1 if a test failed.
dir=$(cd "$(dirname "$0")" && pwd)
export FORKLAB_STRESS_SECONDS="${1:-600}" FORKLAB_INTEGRITY_TREES="${2:-200}"
export FORKLAB_STRESS_KEY=stress-seconds-full FORKLAB_INTEGRITY_KEY=integrity-checks-full
export FORKLAB_PRESSURE_LEAVE_MB=0
# The figures table (docs/testing.md) shows these words, not the keys.
if [ -f /proc/lockdep_stats ]; then
	export FORKLAB_FIGURE_NOTE="make vm-stress, kernel with lockdep and DEBUG_VM"
else
	export FORKLAB_FIGURE_NOTE="make vm-stress"
fi
st=0
for t in stress-ng-storm stress-integrity stress-enomem-pressure forkmode-enomem; do
	echo "== guest/$t.sh"
	t0=$(date +%s)
	sh "$dir/$t.sh" >/tmp/stress-full.log 2>&1
	rc=$?
	cat /tmp/stress-full.log
	if grep -q '^FAIL:' /tmp/stress-full.log || { [ $rc != 0 ] && [ $rc != 77 ]; }; then
		echo "FAIL: guest/$t.sh: exit status $rc"
		st=1
	fi
	echo "   ($(($(date +%s) - t0))s)"
done
exit $st
