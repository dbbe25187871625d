# Two commands on a fresh Debian machine, as root: `make run` and `make test`.
SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
GO ?= go
# The set-up prints the environment to use; a set-up that fails stops the target with its reason.
ENV = env="$$(scripts/dev.sh setup $(1))" && eval "$$env"

.PHONY: run test bench chaos stop build vet

run: ## install what is missing, start private PostgreSQL + Redis, migrate, load the demo school, serve (two-factor sign-in not required)
	@$(call ENV,run) && export AULA_TWO_FACTOR_REQUIRED="$${AULA_TWO_FACTOR_REQUIRED:-none}" && $(GO) run ./cmd/aula migrate && $(GO) run ./cmd/aula demo && exec $(GO) run ./cmd/aula serve

# GOMEMLIMIT: under the race detector the handlers' tests, left to GOGC alone, let their heap
# (and the detector's shadow of it) grow past 20 GB on a 24 GB machine; a soft limit makes the
# collector keep it near 8 GB.
test: ## the same set-up, then every test (browser tests included) with the race detector
	@$(call ENV,test) && $(GO) vet ./... && GOMEMLIMIT=4GiB $(GO) test -race -count=1 -timeout 20m ./...

bench: ## Aula's pages under load against the floors S and W, in ratios, into BENCHMARKS.md (BENCH_FLAGS=-duration=10s …)
	@$(call ENV,run) && $(GO) run ./cmd/aula-bench $(BENCH_FLAGS)

chaos: ## 300 examinees take a timed quiz for 10 minutes against two instances on private servers while a fault is injected every 5 s; the counts into BENCHMARKS.md (CHAOS_FLAGS=-duration=1m …)
	@$(call ENV,run) && $(GO) run ./cmd/aula-chaos $(CHAOS_FLAGS)

build:
	$(GO) build -o bin/aula ./cmd/aula

stop: ## stop the private PostgreSQL clusters and Redis
	@scripts/dev.sh stop
