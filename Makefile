# Thin wrapper over CMake/CTest so that a fresh Debian 12 machine needs two
# commands: `make demo` and `make test`. Both install missing packages first.
JOBS ?= $(shell nproc)
DEMO ?= samples/demo.pcapng
DEMO_PROBLEMS ?= samples/problems.pcapng

.PHONY: all deps build build-asan demo test test-release test-asan clean

all: build

deps:
	@bash scripts/install-deps.sh

build: deps
	@cmake -S . -B build -DCMAKE_BUILD_TYPE=Release >/dev/null
	@cmake --build build -j $(JOBS)

build-asan: deps
	@cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DNT_SANITIZE=ON >/dev/null
	@cmake --build build-asan -j $(JOBS)

# diagnose exits 1 when it finds problems, which is what the sample is for
demo: build
	@./build/nettracer diagnose $(DEMO_PROBLEMS); test $$? -le 1

test-release: build
	ctest --test-dir build --output-on-failure -j $(JOBS)

test-asan: build-asan
	ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
	  ctest --test-dir build-asan --output-on-failure -j $(JOBS)

# the two builds' tests share tshark's answers (tests/lib/tshark.sh)
export NT_TSHARK_CACHE ?= $(CURDIR)/build/tshark-cache

test:
	rm -rf $(NT_TSHARK_CACHE)
	$(MAKE) test-release
	$(MAKE) test-asan

clean:
	rm -rf build build-asan
