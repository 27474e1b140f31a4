# concviz — build, set-up and test.  `make help` lists the targets.
#
# Layout (docs/design.md): bpf/ probes, user/ in layers (common, model,
# record, output, source, live, cli), tui/ ncurses views, examples/ bundled
# example programs, tests/ unit + e2e, bench/ benchmarks.  Everything built
# goes under build/.  tests/layers.sh checks the include direction.

PREFIX  ?= /usr/local
BUILD   := build
CC      ?= cc
CLANG   ?= clang
BPFTOOL ?= bpftool
LLVM_STRIP ?= llvm-strip

ifeq ($(V),1)
Q :=
msg = @true
else
Q := @
msg = @printf '  %-8s %s\n' $(1) $(2)
endif

ARCH := $(shell uname -m | sed -e 's/x86_64/x86/' -e 's/aarch64/arm64/')

NCURSES_CFLAGS := $(shell pkg-config --cflags ncursesw 2>/dev/null)
NCURSES_LIBS   := $(shell pkg-config --libs ncursesw 2>/dev/null || echo -lncursesw -ltinfo)

CFLAGS  ?= -O2 -g
WARN    := -Wall -Wextra -Werror
CPPFLAGS_ALL := -std=c11 -D_GNU_SOURCE -I. -Iuser -I$(BUILD) $(NCURSES_CFLAGS)
LDLIBS_CV := -lbpf -lelf -lz $(NCURSES_LIBS) -lm -lpthread
BPF_CFLAGS := -g -O2 -target bpf -D__TARGET_ARCH_$(ARCH) -I$(BUILD) -Ibpf -Wall -Wextra -Werror \
	-Wno-unused-parameter -Wno-missing-field-initializers

# user/ is layered, lowest first; each folder is one object list.  The pure
# layers (no libbpf, no ncurses, no /proc) are what unit tests link.
LAYERS     := common model record output source live cli
layer_objs  = $(patsubst %.c,$(BUILD)/%.o,$(wildcard user/$(1)/*.c))
$(foreach l,$(LAYERS),$(eval $(l)_OBJS := $(call layer_objs,$(l))))
PURE_OBJS  := $(common_OBJS) $(model_OBJS) $(record_OBJS) $(output_OBJS) $(source_OBJS)
# live/symbols, live/procscan, live/cpython* and live/fdinfo read ELF files
# and /proc but need no skeleton; live/placement and live/event_order are pure logic
UNIT_OBJS  := $(PURE_OBJS) $(BUILD)/user/live/symbols.o $(BUILD)/user/live/procscan.o \
	$(BUILD)/user/live/cpython.o $(BUILD)/user/live/cpython_table.o $(BUILD)/user/live/fdinfo.o \
	$(BUILD)/user/live/placement.o $(BUILD)/user/live/event_order.o
TUI_OBJS   := $(patsubst %.c,$(BUILD)/%.o,$(wildcard tui/*.c))
USER_OBJS  := $(foreach l,$(LAYERS),$($(l)_OBJS))

BPF_SRCS   := $(wildcard bpf/*.bpf.c)
BPF_OBJS   := $(BPF_SRCS:bpf/%.bpf.c=$(BUILD)/%.bpf.o)
SKELS      := $(BPF_SRCS:bpf/%.bpf.c=$(BUILD)/%.skel.h)

EX_COMMON  := examples/common.c
EX_SRCS    := $(filter-out $(EX_COMMON),$(wildcard examples/*.c))
EX_BINS    := $(EX_SRCS:examples/%.c=$(BUILD)/examples/%)

# helper programs of the e2e tests (tests/e2e/*.c), built by `make`
E2E_SRCS   := $(wildcard tests/e2e/*.c)
E2E_BINS   := $(E2E_SRCS:tests/e2e/%.c=$(BUILD)/tests/e2e/%)
# CPython 3.11 through libpython3.11.so (Debian's libpython3.11-dev): the
# embedder of tests/e2e/python.bats and the interpreter-table unit test
PY_EMBED_CFLAGS := $(shell pkg-config --cflags python-3.11-embed 2>/dev/null)
PY_EMBED_LIBS   := $(shell pkg-config --libs python-3.11-embed 2>/dev/null || echo -lpython3.11)
PY_EMBED_BIN    := $(BUILD)/tests/python/embed

# load programs of bench/run.sh (bench/*.c), built by `make`
BENCH_SRCS := $(wildcard bench/*.c)
BENCH_BINS := $(BENCH_SRCS:bench/%.c=$(BUILD)/bench/%)

UNIT_SRCS  := $(wildcard tests/unit/test_*.c)
UNIT_BINS  := $(UNIT_SRCS:tests/unit/%.c=$(BUILD)/tests/%)

DEPS_PKGS := clang llvm libbpf-dev bpftool libelf-dev zlib1g-dev libncurses-dev \
	liburing-dev pkg-config make gcc bats tmux jq python3 python3.11 libpython3.11-dev strace

.PHONY: all deps run test unit layers bench fuzz install uninstall clean help examples check-arm64
all: $(BUILD)/concviz examples $(E2E_BINS) $(PY_EMBED_BIN) $(BENCH_BINS)

help:
	@echo "make deps     install Debian packages needed to build, run and test (root)"
	@echo "make          build concviz, the BPF probes and the examples (V=1 verbose)"
	@echo "make run      deps + build + TUI on the default example (root)"
	@echo "make test     deps + build + unit and end-to-end tests (root)"
	@echo "make bench    overhead/throughput benchmark (root)"
	@echo "make fuzz     run the recording-reader fuzzer for a bounded time"
	@echo "make check-arm64  user/ and tui/ compile for arm64 (needs libc6-dev-arm64-cross)"
	@echo "make install  install to PREFIX=$(PREFIX)"

# Install only what is missing; a machine with everything does nothing.
deps:
	@missing=$$(for p in $(DEPS_PKGS); do \
		dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q 'ok installed' || echo $$p; done); \
	if [ -n "$$missing" ]; then \
		echo "  DEPS     installing:" $$missing; \
		if [ "$$(id -u)" != 0 ]; then echo "make deps: need root to install:" $$missing >&2; exit 1; fi; \
		DEBIAN_FRONTEND=noninteractive apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	fi

examples: $(EX_BINS)

$(BUILD)/vmlinux.h:
	$(call msg,GEN,$@)
	$(Q)mkdir -p $(@D)
	$(Q)if [ -r /sys/kernel/btf/vmlinux ]; then \
		$(BPFTOOL) btf dump file /sys/kernel/btf/vmlinux format c > $@.tmp && mv $@.tmp $@; \
	else echo "no /sys/kernel/btf/vmlinux: this kernel has no BTF; concviz needs CONFIG_DEBUG_INFO_BTF=y" >&2; exit 1; fi

$(BUILD)/%.bpf.o: bpf/%.bpf.c bpf/events.h $(wildcard bpf/*.h bpf/probe/*.h) $(BUILD)/vmlinux.h
	$(call msg,BPF,$@)
	$(Q)$(CLANG) $(BPF_CFLAGS) -c $< -o $@
	$(Q)$(LLVM_STRIP) -g $@

$(BUILD)/%.skel.h: $(BUILD)/%.bpf.o
	$(call msg,SKEL,$@)
	$(Q)$(BPFTOOL) gen skeleton $< > $@.tmp && mv $@.tmp $@

$(live_OBJS) $(cli_OBJS): $(SKELS)
$(USER_OBJS) $(TUI_OBJS): $(BUILD)/%.o: %.c
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(CPPFLAGS_ALL) $(CFLAGS) $(WARN) -MMD -MP -c $< -o $@

$(BUILD)/concviz: $(USER_OBJS) $(TUI_OBJS)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(CFLAGS) -o $@ $^ $(LDLIBS_CV)

$(BUILD)/examples/%: examples/%.c $(EX_COMMON) examples/common.h
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) -std=c11 -D_GNU_SOURCE $(CFLAGS) $(WARN) -o $@ $< $(EX_COMMON) -lpthread -luring

# sig_calls' uring modes put reads on an io_uring
$(BUILD)/tests/e2e/sig_calls: E2E_LIBS := -luring
$(BUILD)/tests/e2e/%: tests/e2e/%.c
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) -std=c11 -D_GNU_SOURCE $(CFLAGS) $(WARN) -o $@ $< $(E2E_LIBS)

$(BUILD)/bench/%: bench/%.c
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) -std=c11 -D_GNU_SOURCE $(CFLAGS) $(WARN) -o $@ $< -lpthread

$(PY_EMBED_BIN): tests/python/embed.c
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) -std=c11 -D_GNU_SOURCE $(CFLAGS) $(WARN) $(PY_EMBED_CFLAGS) -o $@ $< $(PY_EMBED_LIBS)

# test_cpython compiles offsetof() against CPython's internal headers and
# is itself a libpython process
$(BUILD)/tests/test_cpython: UNIT_EXTRA_CFLAGS := $(PY_EMBED_CFLAGS)
$(BUILD)/tests/test_cpython: UNIT_EXTRA_LIBS := $(PY_EMBED_LIBS)
$(BUILD)/tests/%: tests/unit/%.c tests/unit/check.h $(UNIT_OBJS)
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(CPPFLAGS_ALL) $(CFLAGS) $(WARN) $(UNIT_EXTRA_CFLAGS) -Itests/unit -o $@ $< $(UNIT_EXTRA) $(UNIT_OBJS) -lelf -lz -lm $(UNIT_EXTRA_LIBS)

# the allocator settled before tracing
$(BUILD)/tests/test_heap: UNIT_EXTRA := $(BUILD)/user/live/heap.o
$(BUILD)/tests/test_heap: UNIT_EXTRA_LIBS := -lpthread
$(BUILD)/tests/test_heap: $(BUILD)/user/live/heap.o

# the TUI's pure logic: its frame statistics
$(BUILD)/tests/test_frames: $(BUILD)/tui/frames.o
$(BUILD)/tests/test_frames: UNIT_EXTRA := $(BUILD)/tui/frames.o
# and the queue between curses and the terminal
$(BUILD)/tests/test_term_writer: $(BUILD)/tui/term_writer.o
$(BUILD)/tests/test_term_writer: UNIT_EXTRA := $(BUILD)/tui/term_writer.o

unit: $(UNIT_BINS)

# The README's test command.  Ends with one line "N passed, N failed[, N skipped]"
# counting test cases (tests/run.sh).
# After deps, a fresh make: its flags (pkg-config) see the installed packages.
test: deps
	$(Q)$(MAKE) --no-print-directory all unit
	$(Q)tests/run.sh

# The include direction of the layers (docs/design.md); make test runs it
# through tests/e2e/layers.bats.
layers:
	$(Q)tests/layers.sh

bench: deps
	$(Q)$(MAKE) --no-print-directory all
	$(Q)bench/run.sh

fuzz: deps
	$(Q)$(MAKE) --no-print-directory -f tests/fuzz/fuzz.mk

# user/, tui/ and the syscall table's compile-time test (tests/unit/
# test_syscalls.c checks bpf/syscalls.h against the C library's numbers)
# compile for arm64: syntax only, with Debian's arm64 C library headers
# (libc6-dev-arm64-cross linux-libc-dev-arm64-cross, not in make deps) and
# the host's architecture-independent ones (libbpf, libelf, ncurses) after them.
ARM64_SYSROOT ?= /usr/aarch64-linux-gnu
check-arm64: $(SKELS)
	$(Q)[ -d $(ARM64_SYSROOT)/include ] || { echo "check-arm64: no $(ARM64_SYSROOT)/include;" \
		"apt-get install libc6-dev-arm64-cross linux-libc-dev-arm64-cross" >&2; exit 1; }
	$(Q)for f in $(wildcard user/*/*.c tui/*.c) tests/unit/test_syscalls.c; do \
		$(CLANG) -target aarch64-linux-gnu --sysroot=$(ARM64_SYSROOT) -fsyntax-only \
			$(CPPFLAGS_ALL) -Itests/unit -idirafter /usr/include $(WARN) $$f || exit 1; \
	done
	@echo "check-arm64: ok"

run: deps
	$(Q)$(MAKE) --no-print-directory all
	$(Q)$(BUILD)/concviz run

install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/libexec/concviz/examples
	install -m 755 $(BUILD)/concviz $(DESTDIR)$(PREFIX)/bin/concviz
	install -m 755 $(EX_BINS) $(DESTDIR)$(PREFIX)/libexec/concviz/examples/

uninstall:
	rm -f $(DESTDIR)$(PREFIX)/bin/concviz
	rm -rf $(DESTDIR)$(PREFIX)/libexec/concviz

clean:
	rm -rf $(BUILD)

.SECONDARY:
# a recipe that fails leaves no half-written target behind
.DELETE_ON_ERROR:

-include $(wildcard $(BUILD)/user/*/*.d $(BUILD)/tui/*.d)
