# Quality targets (issue 4), included by the Makefile (`-include mk/*.mk`).
#
#   make schemathesis          build, start a stack with the flood limits off, run
#                              scripts/schemathesis.sh against it (openapi.yaml, all
#                              checks, SCHEMATHESIS_MAX_EXAMPLES per operation), stop it
#   make fuzz FUZZ_SECONDS=N   libFuzzer on the request path for N seconds (Fuzz/fuzz.sh);
#                              FUZZ_TARGET=fields fuzzes the endpoints' field conversions;
#                              crashes land in Tests/SealDropTests/Regressions/
#   make test-sanitize         the whole test suite (and the responder it tests) built
#                              with AddressSanitizer, then with ThreadSanitizer; fails on
#                              any failed test or sanitizer report
#
# Variables: QUALITY_SCRATCH (.build-quality), SCHEMATHESIS_PORT (18095),
# SCHEMATHESIS_MAX_EXAMPLES (30), FUZZ_SECONDS (60), FUZZ_TARGET (requests), SANITIZERS (address thread),
# ASAN_PORT (18097), TSAN_PORT (18098).

QUALITY_SCRATCH ?= .build-quality
SCHEMATHESIS_PORT ?= 18095
SCHEMATHESIS_RUN_DIR ?= $(CURDIR)/.run/schemathesis
SCHEMATHESIS_MAX_EXAMPLES ?= 30
FUZZ_SECONDS ?= 60
FUZZ_TARGET ?= requests
SANITIZERS ?= address thread
ASAN_PORT ?= 18097
TSAN_PORT ?= 18098

# Flood limits off for the schemathesis stack: every request comes from 127.0.0.1.
QUALITY_UNLIMITED := SEALDROP_ADDRESS_REQUESTS_PER_MINUTE=0 SEALDROP_ADDRESS_REGISTRATIONS_PER_HOUR=0 \
	SEALDROP_LINK_SENDS_PER_MINUTE=0

.PHONY: schemathesis fuzz test-sanitize

schemathesis: deps check-swift
	swift build --scratch-path $(QUALITY_SCRATCH) -Xswiftc -warnings-as-errors --product sealdrop
	@bin=$$(swift build --scratch-path $(QUALITY_SCRATCH) -Xswiftc -warnings-as-errors --show-bin-path)/sealdrop; \
	stack() { RUN_DIR=$(SCHEMATHESIS_RUN_DIR) HTTP_PORT=$(SCHEMATHESIS_PORT) SEALDROP_BIN=$$bin \
	          $(QUALITY_UNLIMITED) scripts/stack.sh "$$@"; }; \
	stack stop >/dev/null; \
	trap 'stack stop >/dev/null' EXIT; \
	stack start; \
	SCHEMATHESIS_MAX_EXAMPLES=$(SCHEMATHESIS_MAX_EXAMPLES) scripts/schemathesis.sh http://127.0.0.1:$(SCHEMATHESIS_PORT)

fuzz: check-swift
	Fuzz/fuzz.sh run $(FUZZ_SECONDS) $(FUZZ_TARGET)

# Each sanitizer gets its own scratch path, test stack and port. The responder the
# end-to-end tests talk to is the sanitized build too (scripts/test.sh starts
# $(SCRATCH)/debug/sealdrop), and every process writes its sanitizer reports to
# .run/sanitize-<name>/reports/, which must stay empty. Leaks are checked too, except
# those of XCTest's own runner (it never frees its suite objects).
test-sanitize: deps check-swift
	@status=0; \
	for sanitizer in $(SANITIZERS); do \
	  case $$sanitizer in address) short=asan; port=$(ASAN_PORT);; thread) short=tsan; port=$(TSAN_PORT);; \
	    *) echo "test-sanitize: unknown sanitizer $$sanitizer" >&2; exit 2;; esac; \
	  reports=$(CURDIR)/.run/sanitize-$$short/reports; rm -rf "$$reports"; mkdir -p "$$reports"; \
	  echo "==== test-sanitize: $$sanitizer (scratch .build-$$short)"; \
	  swift build --build-tests --scratch-path .build-$$short -Xswiftc -warnings-as-errors \
	    -Xswiftc -sanitize=$$sanitizer || { status=1; continue; }; \
	  printf 'leak:libXCTest.so\n' >"$$reports/../lsan.supp"; \
	  ASAN_OPTIONS="log_path=$$reports/asan:detect_leaks=1" \
	  LSAN_OPTIONS="suppressions=$$reports/../lsan.supp:print_suppressions=0" \
	  TSAN_OPTIONS="log_path=$$reports/tsan" \
	  SCRATCH=.build-$$short TEST_HTTP_PORT=$$port TEST_RUN_DIR=$(CURDIR)/.run/sanitize-$$short/stack \
	    scripts/test.sh || { echo "test-sanitize: $$sanitizer: tests FAILED" >&2; status=1; }; \
	  if [ -n "$$(ls -A "$$reports")" ]; then \
	    echo "test-sanitize: $$sanitizer reported problems:" >&2; head -n 60 "$$reports"/* >&2; status=1; \
	  else echo "test-sanitize: $$sanitizer: no sanitizer reports"; fi; \
	done; \
	exit $$status
