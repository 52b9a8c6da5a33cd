# fuzz.mk — libFuzzer targets (fuzz/README.md). Included by the Makefile.
#
#   make fuzz                      builds every target and runs each for FUZZ_SECONDS (10)
#   make fuzz FUZZ_SECONDS=600     longer runs
#   make fuzz FUZZ_TARGETS=cursor  only some targets
#   make fuzz-build                only builds them, into $(BUILD)/fuzz/
#   make fuzz-seeds                records the connectors' seed pages from hrsim
#
# The library is compiled a second time with clang and -fsanitize=fuzzer-no-link
# (objects under $(BUILD)/fuzz/obj), so the ordinary build never needs clang.
# Every target links with --wrap=fetch_do: the connectors' HTTP requests are
# answered from the input by fuzz/connectors.c instead of libcurl.

FUZZ_CC      ?= clang
FUZZ_SECONDS ?= 10
FUZZ_NAMES   := cursor query body personio bamboohr hibob factorial
FUZZ_TARGETS ?= $(FUZZ_NAMES)
FUZZ_SRC     := fuzz/targets.c fuzz/fixture.c fuzz/cursor.c fuzz/query.c fuzz/body.c \
                fuzz/scope_body.c fuzz/connectors.c
FUZZ_DIR     := $(BUILD)/fuzz
FUZZ_OBJDIR  := $(FUZZ_DIR)/obj
FUZZ_SAN     := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
FUZZ_CFLAGS  := $(WARN) -O1 -g $(FUZZ_SAN) -fsanitize=fuzzer-no-link $(PKG_CFLAGS)
FUZZ_WRAP    := -Wl,--wrap=fetch_do
FUZZ_BINS    := $(patsubst %,$(FUZZ_DIR)/%,$(FUZZ_NAMES))
# Per run: a working corpus in build/ (the committed seeds stay as they are),
# crash inputs in build/fuzz/artifacts, an input taking over 10 s is a hang.
FUZZ_FLAGS   ?= -timeout=10 -print_final_stats=1

fobj = $(patsubst %.c,$(FUZZ_OBJDIR)/%.o,$(1))

.PHONY: fuzz fuzz-build fuzz-seeds

$(FUZZ_OBJDIR)/%.o: %.c fuzz/fuzz.mk
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  FUZZCC  $<")
	$(Q)$(FUZZ_CC) $(DEPFLAGS) $(CPPFLAGS) -iquote . $(FUZZ_CFLAGS) -c $< -o $@

$(FUZZ_OBJDIR)/gen/%.o: $(BUILD)/gen/%.c fuzz/fuzz.mk
	@mkdir -p $(dir $@)
	$(Q)$(FUZZ_CC) $(DEPFLAGS) $(CPPFLAGS) $(FUZZ_CFLAGS) -c $< -o $@

$(FUZZ_DIR)/libhrbridge.a: $(call fobj,$(LIB_SRC)) $(patsubst %,$(FUZZ_OBJDIR)/gen/migrations_%.o,$(DIALECTS))
	@rm -f $@
	$(Q)$(AR) rcs $@ $^

$(FUZZ_OBJDIR)/entry_%.o: fuzz/entry.c fuzz/targets.h fuzz/fuzz.mk
	@mkdir -p $(dir $@)
	$(Q)$(FUZZ_CC) $(CPPFLAGS) -iquote . $(FUZZ_CFLAGS) -DFUZZ_TARGET=fuzz_$* -c $< -o $@

$(FUZZ_BINS): $(FUZZ_DIR)/%: $(FUZZ_OBJDIR)/entry_%.o $(call fobj,$(FUZZ_SRC)) $(FUZZ_DIR)/libhrbridge.a
	@$(if $(Q),echo "  LINK    $@")
	$(Q)$(FUZZ_CC) -fsanitize=fuzzer,address,undefined $(FUZZ_WRAP) -o $@ $^ $(LDLIBS)

fuzz-build: $(FUZZ_BINS)

# Each target for FUZZ_SECONDS; the first finding stops the run and fails.
fuzz: fuzz-build
	@for t in $(FUZZ_TARGETS); do \
	    mkdir -p $(FUZZ_DIR)/corpus/$$t $(FUZZ_DIR)/artifacts; \
	    dict=; [ -f fuzz/dict/$$t.dict ] && dict=-dict=fuzz/dict/$$t.dict; \
	    echo "fuzz: $$t for $(FUZZ_SECONDS) s"; \
	    $(FUZZ_DIR)/$$t $(FUZZ_FLAGS) $$dict -max_total_time=$(FUZZ_SECONDS) \
	        -artifact_prefix=$(FUZZ_DIR)/artifacts/$$t- \
	        $(FUZZ_DIR)/corpus/$$t fuzz/corpus/$$t 2>$(FUZZ_DIR)/$$t.log || \
	        { tail -n 60 $(FUZZ_DIR)/$$t.log; echo "fuzz: $$t found a problem" \
	          "(input in $(FUZZ_DIR)/artifacts/)"; exit 1; }; \
	    grep -E 'DONE' $(FUZZ_DIR)/$$t.log | tail -n 1; \
	done

# The replay of every corpus and regression input runs in the unit tests,
# built like the other unit tests plus the target sources and the same wrap.
$(BUILD)/tests/unit/fuzz/test_fuzz_replay: $(call obj,tests/unit/fuzz/test_fuzz_replay.c) \
                                           $(call obj,$(FUZZ_SRC)) $(LIB)
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  LINK    $@")
	$(Q)$(CC) $(LDFLAGS) $(FUZZ_WRAP) -o $@ $^ $(LDLIBS) -lcmocka

$(BUILD)/obj/fuzz/%.o $(BUILD)/obj/tests/unit/fuzz/%.o: CPPFLAGS += -iquote .

FORMAT_FILES += $(shell find fuzz -name '*.[ch]' 2>/dev/null)

-include $(shell find $(FUZZ_OBJDIR) -name '*.d' -not -path '*/gen/*' 2>/dev/null)

# Seeds of the connector targets, recorded from hrsim (a few employees, so
# each seed stays small): a FULL and a DELTA sync per connector.
FUZZ_SEED_PORT ?= 18391
$(FUZZ_DIR)/record: $(call obj,fuzz/record.c) $(LIB)
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(LDFLAGS) $(FUZZ_WRAP) -o $@ $^ $(LDLIBS)

fuzz-seeds: $(FUZZ_DIR)/record $(BUILD)/hrsim
	@$(BUILD)/hrsim --listen 127.0.0.1:$(FUZZ_SEED_PORT) --employees 3 --custom-fields 3 \
	    2>/dev/null & pid=$$!; sleep 1; \
	for t in personio bamboohr hibob factorial; do \
	    mkdir -p fuzz/corpus/$$t; \
	    $(FUZZ_DIR)/record $$t http://127.0.0.1:$(FUZZ_SEED_PORT)/$$t > fuzz/corpus/$$t/sim-full; \
	    $(FUZZ_DIR)/record $$t http://127.0.0.1:$(FUZZ_SEED_PORT)/$$t delta \
	        > fuzz/corpus/$$t/sim-delta; \
	done; kill $$pid
