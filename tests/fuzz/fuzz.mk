# tests/fuzz/fuzz.mk — libFuzzer over the recording reader (make fuzz).
#
#   make fuzz                      build, seed, fuzz for FUZZ_SECONDS (60)
#   make fuzz FUZZ_SECONDS=600     longer
#   make -f tests/fuzz/fuzz.mk build   only build
#
# Needs clang with the libFuzzer runtime (Debian: clang + libclang-rt-14-dev).
# Crashes are written to build/fuzz/crash-*; reproduce with
#   build/fuzz/fuzz_recfile build/fuzz/crash-…
# New interesting inputs accumulate in build/fuzz/corpus (kept across runs).

CLANG        ?= clang
CC           ?= cc
FUZZ_SECONDS ?= 60
FUZZ_DIR     := build/fuzz
FUZZ_SRCS    := user/record/recfile.c user/record/recfile_codec.c user/record/writeq.c \
	user/common/outfile.c user/common/err.c
FUZZ_HDRS    := user/record/recfile.h user/record/writeq.h user/common/varint.h user/common/outfile.h \
	user/common/err.h user/common/version.h bpf/events.h
FUZZ_CFLAGS  := -std=c11 -D_GNU_SOURCE -g -O1 -I. -Iuser \
	-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
	-fno-omit-frame-pointer

.PHONY: run build seeds check-runtime
run: build seeds
	@mkdir -p $(FUZZ_DIR)/corpus
	@echo "  FUZZ     $(FUZZ_SECONDS)s over the recording reader (corpus $(FUZZ_DIR)/corpus)"
	@UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
	$(FUZZ_DIR)/fuzz_recfile -max_total_time=$(FUZZ_SECONDS) -max_len=16384 -timeout=10 \
		-rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix=$(FUZZ_DIR)/ \
		$(FUZZ_DIR)/corpus $(FUZZ_DIR)/seeds 2> $(FUZZ_DIR)/fuzz.log; \
	rc=$$?; tail -n 12 $(FUZZ_DIR)/fuzz.log; \
	if [ $$rc != 0 ]; then echo "fuzz: FAILED (exit $$rc), see $(FUZZ_DIR)/fuzz.log and $(FUZZ_DIR)/crash-*" >&2; exit 1; fi; \
	echo "fuzz: ok, no crash in $(FUZZ_SECONDS)s"

build: check-runtime $(FUZZ_DIR)/fuzz_recfile

check-runtime:
	@mkdir -p $(FUZZ_DIR)
	@printf 'int LLVMFuzzerTestOneInput(const char *d, unsigned long n){(void)d;(void)n;return 0;}\n' \
		> $(FUZZ_DIR)/probe.c
	@$(CLANG) -fsanitize=fuzzer $(FUZZ_DIR)/probe.c -o $(FUZZ_DIR)/probe 2>/dev/null || { \
		echo "fuzz: $(CLANG) cannot link -fsanitize=fuzzer: the libFuzzer runtime is missing" >&2; \
		echo "fuzz: install it (Debian 12: apt-get install clang libclang-rt-14-dev) and retry" >&2; \
		exit 1; }

$(FUZZ_DIR)/fuzz_recfile: tests/fuzz/fuzz_recfile.c $(FUZZ_SRCS) $(FUZZ_HDRS)
	@echo "  CLANG    $@"
	@$(CLANG) $(FUZZ_CFLAGS) -o $@ tests/fuzz/fuzz_recfile.c $(FUZZ_SRCS) -lz

$(FUZZ_DIR)/gen_seeds: tests/fuzz/gen_seeds.c $(FUZZ_SRCS) $(FUZZ_HDRS)
	@echo "  CC       $@"
	@$(CC) -std=c11 -D_GNU_SOURCE -O1 -g -Wall -Wextra -Werror -I. -Iuser -o $@ \
		tests/fuzz/gen_seeds.c $(FUZZ_SRCS) -lz

seeds: $(FUZZ_DIR)/gen_seeds
	@rm -rf $(FUZZ_DIR)/seeds && mkdir -p $(FUZZ_DIR)/seeds
	@$(FUZZ_DIR)/gen_seeds $(FUZZ_DIR)/seeds
