# file: run-all.sh
# test: tests/host/run-all.sh
# what: run-all.sh --resume takes a --config of its own
s/\[ -z "\$config" \] || die "--resume runs/true || die "--resume runs/
