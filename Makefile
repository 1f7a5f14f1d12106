# relintel: PGXS build of the extension, plus the project's entry points.
EXTENSION  = relintel
EXTVERSION = 0.1.0

MODULE_big = relintel
OBJS = src/relintel.o src/address.o src/decay.o src/enums.o src/state_io.o src/alerts.o \
       src/health.o src/tie.o src/trend.o src/interaction_check.o

# The install script is generated from the commented sections in src/sql/.
SQL_SECTIONS = $(sort $(wildcard src/sql/*.sql))
DATA_built   = relintel--$(EXTVERSION).sql

# One pg_regress file per C concept and per SQL feature.
REGRESS = address health tie trend state_io parallel schema scenario views kpis who_knows intro invariance security response maintained_reads triggers copy alerts stored_settings
REGRESS_OPTS = --inputdir=. --load-extension=relintel

PG_CFLAGS = -Wall -Wextra -Werror -Wno-unused-parameter -Wno-missing-field-initializers
EXTRA_CLEAN = $(DATA_built)

PG_CONFIG ?= pg_config
PGXS := $(shell $(PG_CONFIG) --pgxs 2>/dev/null)

# The two commands of the README work on a machine without any of the above.
.PHONY: test demo dashboard
test:
	bash .ci/test.sh
demo:
	bash demo/run.sh
dashboard:
	bash dashboard/serve.sh

ifneq ($(PGXS),)
include $(PGXS)
.DEFAULT_GOAL := all

# The loader (relintel-load) is a separate program with its own Makefile.
all: loader
install: loader-install
clean: loader-clean
.PHONY: loader loader-install loader-clean
loader:
	$(MAKE) -C loader
loader-install:
	$(MAKE) -C loader install
loader-clean:
	$(MAKE) -C loader clean
endif

relintel--$(EXTVERSION).sql: $(SQL_SECTIONS)
	cat $^ > $@
