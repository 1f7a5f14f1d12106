# relintel: PGXS build of the extension, plus the project's entry points.
EXTENSION  = relintel
EXTVERSION = 0.2.0

MODULE_big = relintel
OBJS = src/relintel.o src/settings.o src/id_set.o src/address.o src/decay.o src/enums.o src/state_io.o src/alerts.o \
       src/health.o src/tie.o src/trend.o src/interaction_check.o src/drop_guard.o

# The install script is generated from the commented sections in src/sql/;
# the upgrade script from 0.1.0 (as released, kept in src/upgrade/) from
# the same code sections (see src/upgrade/README.md).
SQL_SECTIONS  = $(sort $(wildcard src/sql/*.sql))
DATA_SECTIONS = src/sql/00_header.sql src/sql/10_core.sql src/sql/20_schema.sql src/sql/24_settings.sql
CODE_SECTIONS = $(filter-out $(DATA_SECTIONS),$(SQL_SECTIONS))
DATA_built    = relintel--$(EXTVERSION).sql relintel--0.1.0--0.2.0.sql
DATA          = src/upgrade/relintel--0.1.0.sql

# One pg_regress file per C concept and per SQL feature.
REGRESS = address health tie trend state_io parallel schema scenario views kpis who_knows intro invariance security response maintained_reads triggers copy alerts stored_settings rollup hostile_states
REGRESS_OPTS = --inputdir=. --load-extension=relintel

PG_CFLAGS = -Wall -Wextra -Werror -Wno-unused-parameter -Wno-missing-field-initializers
EXTRA_CLEAN = $(DATA_built)

PG_CONFIG ?= pg_config
PGXS := $(shell $(PG_CONFIG) --pgxs 2>/dev/null)

# The two commands of the README work on a machine without any of the above.
.PHONY: test demo dashboard test-pg18
test:
	bash .ci/test.sh
# PostgreSQL 18 (Debian forky, in a debootstrap chroot; as root): build + pg_regress.
test-pg18:
	bash .ci/pg18.sh
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

relintel--0.1.0--0.2.0.sql: src/upgrade/0.1.0--0.2.0.sql src/sql/24_settings.sql $(CODE_SECTIONS) \
                            src/upgrade/0.1.0--0.2.0-finish.sql
	cat $^ > $@
