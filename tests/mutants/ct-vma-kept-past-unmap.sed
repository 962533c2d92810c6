# file: bpf/cowtrace.bpf.c
# test: tests/bpf/cowtrace-attrib.sh
# what: tracepoint mode uses the VMA it found last after the mm's map changed (no mmap_lock sequence check)
s/mm_seq(mm, &seq) == 0 && seq == w->vc_seq/(seq = 1)/g
