package main

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"time"
)

// The faults, as an operator, a crash or a stalled machine makes them.
const (
	faultKill        = "instance killed (kill -9) and started again"
	faultPGRestart   = "PostgreSQL restarted (fast)"
	faultPGCrash     = "PostgreSQL crashed and restarted (immediate)"
	faultPGPause     = "PostgreSQL frozen (SIGSTOP)"
	faultRedisReboot = "Redis restarted empty"
)

var faultKinds = []string{faultKill, faultPGRestart, faultPGCrash, faultPGPause, faultRedisReboot}

// faultCounts counts the faults injected, by kind, and those that could not be injected.
type faultCounts struct {
	byKind map[string]int
	failed []string
}

func (f faultCounts) total() int {
	n := 0
	for _, c := range f.byKind {
		n += c
	}
	return n
}

func (f faultCounts) String() string {
	var parts []string
	for _, k := range faultKinds {
		if f.byKind[k] > 0 {
			parts = append(parts, fmt.Sprintf("%d × %s", f.byKind[k], k))
		}
	}
	return strings.Join(parts, ", ")
}

// injectFaults injects one fault chosen at random every cfg.every until cfg.duration has
// passed (or ctx ends), each over before the next: an instance killed is started again, a
// frozen PostgreSQL thawed. The n-th fault is due at n × every from the start, so that one
// that takes long delays the next without dropping any. It returns the counts.
func injectFaults(ctx context.Context, s *servers, cfg config, rng *rand.Rand, say func(string, ...any)) faultCounts {
	counts := faultCounts{byKind: map[string]int{}}
	start := time.Now()
	for n := 1; ; n++ {
		due := start.Add(time.Duration(n) * cfg.every)
		if due.After(start.Add(cfg.duration)) {
			return counts
		}
		select {
		case <-ctx.Done():
			return counts
		case <-time.After(time.Until(due)):
		}
		kind := faultKinds[rng.IntN(len(faultKinds))]
		fctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
		began := time.Now()
		what, err := inject(fctx, s, kind, cfg, rng)
		cancel()
		if err != nil {
			counts.failed = append(counts.failed, fmt.Sprintf("%s: %v", what, err))
			say("fault %s: %v", what, err)
			continue
		}
		counts.byKind[kind]++
		say("fault %d: %s (%s)", counts.total(), what, time.Since(began).Round(10*time.Millisecond))
	}
}

func inject(ctx context.Context, s *servers, kind string, cfg config, rng *rand.Rand) (string, error) {
	switch kind {
	case faultKill:
		a := s.apps[rng.IntN(len(s.apps))]
		a.Kill()
		return fmt.Sprintf("%s on port %d", kind, a.Port), a.Start(ctx)
	case faultPGRestart, faultPGCrash:
		return kind, s.pg.Restart(ctx, kind == faultPGCrash)
	case faultPGPause:
		if err := s.pg.Pause(cfg.pause); err != nil {
			return kind, err
		}
		select {
		case <-ctx.Done():
		case <-time.After(cfg.pause):
		}
		s.pg.Resume()
		return fmt.Sprintf("%s for %s", kind, cfg.pause), nil
	case faultRedisReboot:
		return kind, s.redis.Restart(ctx)
	}
	return kind, fmt.Errorf("unknown fault")
}
