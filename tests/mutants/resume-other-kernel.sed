# file: run-all.sh
# test: tests/host/run-all.sh
# quick: yes
# what: run-all.sh --resume continues a run made on another kernel
s/\[ -z "\$ran" \] || \[ "\$ran" = "\$(uname -r)" \] ||/true ||/
