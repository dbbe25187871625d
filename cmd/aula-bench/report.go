package main

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"runtime"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"
)

const (
	beginMark = "<!-- aula-bench:begin (written by `make bench`; edit outside these marks) -->"
	endMark   = "<!-- aula-bench:end -->"
)

type report struct {
	results []result
	machine string
	cfg     config
	bulk    time.Duration // the bulk issue of bulkSize certificates; 0: not measured
	reports reportBench   // the reports on the large school; empty: not measured
}

func newReport(ctx context.Context, sch *school, results []result, cfg config) report {
	var pg, fsync, syncCommit string
	_ = sch.db.GetContext(ctx, &pg, `SHOW server_version`)
	_ = sch.db.GetContext(ctx, &fsync, `SHOW fsync`)
	_ = sch.db.GetContext(ctx, &syncCommit, `SHOW synchronous_commit`)
	machine := fmt.Sprintf("%s UTC · %s, %d CPUs seen by Go · %s %s/%s · PostgreSQL %s (fsync %s, synchronous_commit %s) · "+
		"%s per scenario and concurrency in %d slices, each after a slice of its floor; load generator in the same process",
		time.Now().UTC().Format("2006-01-02 15:04"), cpuModel(), runtime.NumCPU(), runtime.Version(), runtime.GOOS, runtime.GOARCH,
		pg, fsync, syncCommit, cfg.duration, cfg.slices)
	return report{results: results, machine: machine, cfg: cfg}
}

func cpuModel() string {
	f, err := os.Open("/proc/cpuinfo")
	if err != nil {
		return "unknown CPU"
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if name, ok := strings.CutPrefix(sc.Text(), "model name"); ok {
			return strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(name), ":"))
		}
	}
	return "unknown CPU"
}

// ratio is a scenario's req/s over its floor's, measured in the slices between its own.
func (r report) ratio(x result) (float64, bool) {
	if x.sc.floor == "" || x.floorRate == 0 {
		return 0, false
	}
	return x.rate / x.floorRate, true
}

func ms(d time.Duration) string { return fmt.Sprintf("%.1f ms", float64(d.Microseconds())/1000) }

func (r report) table() string {
	var b strings.Builder
	b.WriteString("| scenario | clients | req/s | p50 | p99 | errors | ratio (floor's req/s beside it) | HTML bytes | gzip bytes | DB statements/req |\n")
	b.WriteString("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n")
	for _, x := range r.results {
		ratio := "floor"
		if q, ok := r.ratio(x); ok {
			ratio = fmt.Sprintf("%.2f × %s (%.0f)", q, x.sc.floor, x.floorRate)
		}
		fmt.Fprintf(&b, "| %s | %d | %.0f | %s | %s | %d of %d | %s | %d | %d | %.2f |\n", x.sc.name, x.clients, x.rate,
			ms(x.p50), ms(x.p99), x.errors, x.requests, ratio, x.sc.htmlBytes, x.sc.gzipBytes, x.statements)
	}
	if t := r.reports.table(); t != "" {
		b.WriteString("\n" + t)
	}
	return b.String()
}

// verdicts checks the targets of issue 7: a share of S at every concurrency, and p99 at the
// most clients.
func (r report) verdicts() string {
	var b strings.Builder
	most := 0
	for _, c := range r.cfg.clients {
		most = max(most, c)
	}
	for _, x := range r.results {
		if x.sc.minRatio > 0 {
			q, _ := r.ratio(x)
			fmt.Fprintf(&b, "- %s %s at %d clients: %.3f × %s, target ≥ %.2f × %s\n", pass(q >= x.sc.minRatio && x.errors == 0), x.sc.name, x.clients, q, x.sc.floor, x.sc.minRatio, x.sc.floor)
		}
		if x.sc.p99Target && x.clients == most {
			fmt.Fprintf(&b, "- %s %s p99 at %d clients: %s, target ≤ %s\n", pass(x.p99 <= maxP99 && x.errors == 0), x.sc.name, x.clients, ms(x.p99), ms(maxP99))
		}
	}
	if r.bulk > 0 {
		fmt.Fprintf(&b, "- %s bulk issue of %d certificates (one batch, worked by River, %d a transaction): %.1f s, target ≤ %.0f s\n",
			pass(r.bulk <= bulkTarget), bulkSize, batchStep, r.bulk.Seconds(), bulkTarget.Seconds())
	}
	b.WriteString(r.reports.verdicts())
	return b.String()
}

func pass(ok bool) string {
	if ok {
		return "PASS"
	}
	return "FAIL"
}

// write puts the machine, the table and the verdicts between the marks of file, keeping
// everything else as it is; a file without them gets them at its end.
func (r report) write(file string) error {
	section := beginMark + "\n" + r.machine + "\n\n" + r.table() + "\n" + r.verdicts() + endMark
	old, err := os.ReadFile(file)
	if err != nil && !os.IsNotExist(err) {
		return err
	}
	text := string(old)
	i, j := strings.Index(text, beginMark), strings.Index(text, endMark)
	if i >= 0 && j > i {
		text = text[:i] + section + text[j+len(endMark):]
	} else {
		if text == "" {
			text = "# Benchmarks\n"
		}
		text = strings.TrimRight(text, "\n") + "\n\n" + section + "\n"
	}
	return os.WriteFile(file, []byte(text), 0o644)
}

// deleteKeys removes what the bench put in Redis.
func deleteKeys(ctx context.Context, rdb redis.UniversalClient, prefix string) {
	for _, pattern := range []string{prefix + "*", "rate:" + prefix + "*"} {
		iter := rdb.Scan(ctx, 0, pattern, 500).Iterator()
		for iter.Next(ctx) {
			rdb.Del(ctx, iter.Val())
		}
	}
}
