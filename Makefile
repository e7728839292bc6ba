# matview_scheduler: PGXS build. `make && make install` with pg_config on the PATH.
EXTENSION = matview_scheduler
MODULE_big = matview_scheduler
DATA = $(wildcard matview_scheduler--*.sql)

CORE_SRCS = $(wildcard src/core/*.cpp)
PG_SRCS = $(wildcard src/pg/*.cpp src/pg/*/*.cpp)
OBJS = $(CORE_SRCS:.cpp=.o) $(PG_SRCS:.cpp=.o)
# autodepend keeps each object's dependencies in .deps/<file name>.Po, one folder for all.
ifneq ($(words $(sort $(notdir $(OBJS)))),$(words $(OBJS)))
$(error two source files share a name: rename one (autodepend names its .deps files by it))
endif

# pg_regress: the SQL API, on a throwaway instance that preloads the library.
REGRESS = schedule_api schedule_language refresh_control bad_input dependencies only_if_changed on_change
REGRESS_OPTS = --temp-instance=tmp_check_regress --temp-config=test/regress.conf

PROVE_TESTS = test/t/*.pl

# Set before PGXS is included, which reads it there.
EXTRA_CLEAN = test/unit/unit_tests tmp_check_regress test/fuzz/schedule_fuzzer test/fuzz/fuzz.log \
	test/fuzz/artifacts bench/bench_next_run

# No LLVM bitcode for the JIT: it would need a matching clang and gains nothing here.
override with_llvm = no

# Objects are rebuilt when a header they include changes.
override autodepend = yes

PG_CONFIG ?= pg_config
PGXS := $(shell $(PG_CONFIG) --pgxs)
include $(PGXS)

# The server headers are not ours to make warning-free: read them as system headers.
override CXXFLAGS += -std=c++17 -Wall -Wextra -isystem $(includedir_server) $(EXTRA_CXXFLAGS)
override CPPFLAGS := -Isrc $(CPPFLAGS)
SHLIB_LINK += -lstdc++

.PHONY: unit tapcheck regresscheck upgradecheck fuzz bench-core

# GoogleTest for src/core (no PostgreSQL needed).
UNIT_SRCS = $(wildcard test/unit/*.cpp)
test/unit/unit_tests: $(UNIT_SRCS) $(CORE_SRCS) $(wildcard src/core/*.hpp)
	$(CXX) -std=c++17 -Wall -Wextra -O1 -g -Isrc $(EXTRA_CXXFLAGS) -o $@ $(UNIT_SRCS) $(CORE_SRCS) -lgtest_main -lgtest -pthread

unit: test/unit/unit_tests
	test/unit/unit_tests

# pg_regress on its own temporary instance; run as a user that may run initdb.
regresscheck:
	$(pg_regress_installcheck) $(REGRESS_OPTS) $(REGRESS)

# TAP tests (PostgreSQL::Test::Cluster) against the installed extension.
tapcheck:
	$(prove_installcheck)

# pg_upgrade into this installation from an older one: OLD_PG_INSTALL names it (bin/ and lib/,
# matview_scheduler installed), OLD_PG_LIBS optionally a directory of libraries its binaries need.
upgradecheck:
	$(MAKE) tapcheck PROVE_TESTS='test/upgrade/*.pl'

# libFuzzer on the schedule parser and the due-time arithmetic, with ASan and UBSan (clang-14,
# libclang-rt-14-dev). Runs FUZZ_SECONDS; a crash, a failed check or a hang (> 5 s) fails.
FUZZ_CXX ?= clang++-14
FUZZ_SECONDS ?= 30
FUZZ_FLAGS = -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all
test/fuzz/schedule_fuzzer: test/fuzz/schedule_fuzzer.cpp $(CORE_SRCS) $(wildcard src/core/*.hpp)
	$(FUZZ_CXX) -std=c++17 -Wall -Wextra -O1 -g $(FUZZ_FLAGS) -Isrc $(EXTRA_CXXFLAGS) -o $@ test/fuzz/schedule_fuzzer.cpp $(CORE_SRCS)

fuzz: test/fuzz/schedule_fuzzer
	test/fuzz/run_fuzzer.sh test/fuzz/schedule_fuzzer $(FUZZ_SECONDS)

# Google Benchmark of the next-run arithmetic, optimized as the extension is (-O2). Prints the
# median of 9 repetitions per case, and fails when a cron next-run takes 1 us or more.
BENCH_CXX ?= $(CXX)
BENCH_ARGS ?=
bench/bench_next_run: bench/next_run_bench.cpp $(CORE_SRCS) $(wildcard src/core/*.hpp)
	$(BENCH_CXX) -std=c++17 -Wall -Wextra -O2 -g -Isrc $(EXTRA_CXXFLAGS) -o $@ bench/next_run_bench.cpp $(CORE_SRCS) -lbenchmark -lpthread

bench-core: bench/bench_next_run
	bench/bench_next_run $(BENCH_ARGS)

# matview_scheduler and pg_cron side by side on throwaway clusters (as root; about ten minutes).
.PHONY: bench
bench:
	bash bench/run.sh

# Debian packages, one per PostgreSQL major (debian/, pg_buildext; the majors are those of
# debian/pgversions this system supports, or PG_SUPPORTED_VERSIONS): built by dpkg-buildpackage in
# a copy of this tree, DEB_DIR/src, so that the tree is not cleaned; the .deb files land in DEB_DIR.
DEB_DIR ?= build/deb
.PHONY: deb
deb:
	rm -rf $(DEB_DIR)/src $(DEB_DIR)/*.deb $(DEB_DIR)/*.ddeb $(DEB_DIR)/*.buildinfo $(DEB_DIR)/*.changes
	mkdir -p $(DEB_DIR)/src
	tar --exclude=./.git --exclude=./build --exclude=./tmp_check --exclude='./tmp_check_*' \
		--exclude=./results -cf - . | tar -C $(DEB_DIR)/src -xf -
	# Nothing of this make (PG_CONFIG given to it, say) reaches the package's own makes.
	cd $(DEB_DIR)/src && env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL -u PG_CONFIG PG_UPDATECONTROL=yes \
		dpkg-buildpackage -us -uc -b
	rm -rf $(DEB_DIR)/src
	ls -1 $(DEB_DIR)/*.deb

# The PGXN release: a zip of HEAD, named by META.json's version (which test-package.sh checks
# against the control file's default_version), in DIST_DIR.
DIST_DIR ?= .
DIST_VERSION = $(shell /usr/bin/python3 -c 'import json; print(json.load(open("META.json"))["version"])')
.PHONY: dist
dist:
	git archive --format zip --prefix=$(EXTENSION)-$(DIST_VERSION)/ \
		-o $(DIST_DIR)/$(EXTENSION)-$(DIST_VERSION).zip HEAD
	@echo $(DIST_DIR)/$(EXTENSION)-$(DIST_VERSION).zip
