# hrbridge — one GNU Makefile for the server, the simulator, tests and tools.
#
#   make               debug build (-O0 -g3) of build/hrbridge and build/hrsim
#   make RELEASE=1     optimised build
#   make SANITIZE=1    clang with AddressSanitizer + UndefinedBehaviorSanitizer
#                      (debug and sanitizer builds compile in failpoints, core/failpoint.h)
#   make test          unit, e2e and SDK tests; last line "N passed, N failed"
#   make demo          simulator + server + a demo integration
#   make format / check-format / lint / clean

BUILD    ?= build
PKGS     := libmicrohttpd libcurl jansson sqlite3 libpq libsodium
WARN     := -std=c11 -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
            -Wformat=2 -Wvla
CPPFLAGS += -D_GNU_SOURCE -Isrc
DEPFLAGS := -MMD -MP

ifeq ($(SANITIZE),1)
CC       := clang
OPT      := -O1 -g3 -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer \
            -DHB_FAILPOINTS
LDOPT    := -fsanitize=address,undefined
else ifeq ($(RELEASE),1)
OPT      := -O2 -g -D_FORTIFY_SOURCE=2 -DNDEBUG_LOG
else
OPT      := -O0 -g3 -DHB_FAILPOINTS
endif

PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null)
CFLAGS   += $(WARN) $(OPT) $(PKG_CFLAGS)
LDLIBS   += $(PKG_LIBS) -lpthread -lm
LDFLAGS  += $(LDOPT)

# Rebuild everything when the flags change (debug <-> release <-> sanitize).
FLAGS_STAMP := $(BUILD)/.flags
$(shell mkdir -p $(BUILD); echo '$(CC) $(CFLAGS) $(LDFLAGS)' | cmp -s - $(FLAGS_STAMP) || \
        echo '$(CC) $(CFLAGS) $(LDFLAGS)' > $(FLAGS_STAMP))

SRC      := $(shell find src -name '*.c' | sort)
LIB_SRC  := $(filter-out src/main.c,$(SRC))
SIM_SRC  := $(shell find sim -name '*.c' 2>/dev/null | sort)
SIMLIB_SRC := $(filter-out sim/main.c,$(SIM_SRC))

obj = $(patsubst %.c,$(BUILD)/obj/%.o,$(1))

# The SQL migration index is generated from src/store/schema/<dialect>/*.sql.
DIALECTS := sqlite postgres
GEN_SRC  := $(patsubst %,$(BUILD)/gen/migrations_%.c,$(DIALECTS))
GEN_OBJ  := $(GEN_SRC:.c=.o)
# Generated sources stay (another make, e.g. the fuzz build, may use them).
.SECONDARY: $(GEN_SRC)

LIB      := $(BUILD)/libhrbridge.a
SIMLIB   := $(BUILD)/libhrsim.a

UNIT_SRC := $(shell find tests/unit -name 'test_*.c' 2>/dev/null | sort)
UNIT_BIN := $(patsubst tests/unit/%.c,$(BUILD)/tests/unit/%,$(UNIT_SRC))
E2E_SRC  := $(shell find tests/e2e -maxdepth 1 -name 'test_*.c' 2>/dev/null | sort)
E2E_BIN  := $(patsubst tests/e2e/%.c,$(BUILD)/tests/e2e/%,$(E2E_SRC))
HARNESS  := $(call obj,tests/e2e/harness.c)

.SECONDEXPANSION:
.PHONY: all test unit e2e sdk demo deps format check-format lint clean bench headers
all: $(BUILD)/hrbridge $(if $(wildcard sim/main.c),$(BUILD)/hrsim)

# V=1 shows the full commands.
Q := $(if $(V),,@)

$(BUILD)/obj/%.o: %.c $(FLAGS_STAMP)
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(DEPFLAGS) $(CPPFLAGS) $(CFLAGS) -c $< -o $@

$(BUILD)/gen/migrations_%.c: scripts/gen-migrations.sh $$(wildcard src/store/schema/%/*.sql)
	@mkdir -p $(dir $@)
	$(Q)sh scripts/gen-migrations.sh $* $(sort $(wildcard src/store/schema/$*/*.sql)) > $@

$(BUILD)/gen/%.o: $(BUILD)/gen/%.c $(FLAGS_STAMP)
	$(Q)$(CC) $(DEPFLAGS) $(CPPFLAGS) $(CFLAGS) -c $< -o $@

$(LIB): $(call obj,$(LIB_SRC)) $(GEN_OBJ)
	@rm -f $@
	$(Q)$(AR) rcs $@ $^

$(SIMLIB): $(call obj,$(SIMLIB_SRC))
	@rm -f $@
	$(Q)$(AR) rcs $@ $^

$(BUILD)/hrbridge: $(call obj,src/main.c) $(LIB)
	@$(if $(Q),echo "  LINK    $@")
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/hrsim: $(call obj,sim/main.c) $(SIMLIB)
	@$(if $(Q),echo "  LINK    $@")
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

# Unit tests may #include the .c they test (to reach static functions); the
# archives then only supply what the test object does not define itself.
$(BUILD)/tests/unit/sim/%: $(call obj,tests/unit/sim/%.c) $(SIMLIB)
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  LINK    $@")
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS) -lcmocka

$(BUILD)/tests/unit/%: $(call obj,tests/unit/%.c) $(LIB)
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  LINK    $@")
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS) -lcmocka

$(BUILD)/tests/e2e/%: $(call obj,tests/e2e/%.c) $(HARNESS) $(LIB)
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  LINK    $@")
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS) -lcmocka

$(BUILD)/obj/tests/%.o: CPPFLAGS += -iquote tests -iquote sim

deps:
	@sh scripts/install-deps.sh

# Every header must compile on its own (style.md §2).
headers:
	@for h in $(shell find src -name '*.h' | sort); do \
	    echo "#include \"$${h#src/}\"" | $(CC) $(CPPFLAGS) $(CFLAGS) -x c -fsyntax-only - || \
	    { echo "header $$h does not stand alone"; exit 1; }; \
	done

test: deps
	@$(MAKE) --no-print-directory all headers $(UNIT_BIN) $(E2E_BIN)
	@sh scripts/run-tests.sh $(UNIT_BIN) -- $(E2E_BIN)

unit: all $(UNIT_BIN)
	@sh scripts/run-tests.sh $(UNIT_BIN) --

e2e: all $(E2E_BIN)
	@sh scripts/run-tests.sh -- $(E2E_BIN)

demo: deps
	@$(MAKE) --no-print-directory all
	@$(BUILD)/hrbridge demo --listen 127.0.0.1:$${HB_DEMO_PORT:-8080}

# What jansson alone costs on a sync's responses (bench/run.sh).
$(BUILD)/parse_floor: $(call obj,bench/parse_floor.c) $(LIB)
	@$(if $(Q),echo "  LINK    $@")
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

bench:
	@sh scripts/install-deps.sh bench
	@sh bench/run.sh

FORMAT_FILES = $(shell find src sim tests bench -name '*.[ch]' 2>/dev/null)
format:
	clang-format -i $(FORMAT_FILES)

check-format:
	clang-format --dry-run -Werror $(FORMAT_FILES)

BANNED := strcpy|strcat|sprintf|vsprintf|strtok|atoi|atol|gets
lint:
	@! grep -nE '\b($(BANNED))\(' $(FORMAT_FILES) || (echo "lint: banned function"; exit 1)

clean:
	rm -rf $(BUILD)

-include fuzz/fuzz.mk

-include $(shell find $(BUILD)/obj -name '*.d' 2>/dev/null)
