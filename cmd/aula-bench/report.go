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
	// Issue 12's single-request targets and the exam day.
	courseServer time.Duration // the course page of 65 lessons, in the process, unloaded; 0: not measured
	visits       []visit
	hash         hashTiming
	flood        *flood
	exam         examResult
	took         time.Duration // the whole run
}

func newReport(ctx context.Context, sch *school, cfg config) report {
	var pg, fsync, syncCommit string
	_ = sch.db.GetContext(ctx, &pg, `SHOW server_version`)
	_ = sch.db.GetContext(ctx, &fsync, `SHOW fsync`)
	_ = sch.db.GetContext(ctx, &syncCommit, `SHOW synchronous_commit`)
	machine := fmt.Sprintf("%s UTC · %s, %d CPUs seen by Go · %s %s/%s · PostgreSQL %s (fsync %s, synchronous_commit %s) · "+
		"%s per scenario and concurrency in %d slices, each after a slice of its floor; load generator in the same process",
		time.Now().UTC().Format("2006-01-02 15:04"), cpuModel(), runtime.NumCPU(), runtime.Version(), runtime.GOOS, runtime.GOARCH,
		pg, fsync, syncCommit, cfg.duration, cfg.slices)
	if b, err := os.ReadFile("/proc/loadavg"); err == nil {
		if f := strings.Fields(string(b)); len(f) >= 3 {
			machine += fmt.Sprintf(" · load average as it began %s %s %s", f[0], f[1], f[2])
		}
	}
	return report{machine: machine, cfg: cfg}
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
	if len(r.visits) > 0 {
		b.WriteString("\nFirst visit to each page, with an empty cache (the page and every file it references, each gzipped, headers included):\n\n")
		b.WriteString("| page | files | bytes transferred | third-party references |\n|---|---:|---:|---:|\n")
		for _, v := range r.visits {
			fmt.Fprintf(&b, "| %s | %d | %d | %d |\n", v.name, v.files, v.bytes, len(v.thirdParty))
		}
	}
	if t := r.exam.table(); t != "" {
		b.WriteString("\n" + t)
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
	// Round trips: the most statements a view of the page sent at any concurrency.
	worst, order := map[string]float64{}, []string{}
	for _, x := range r.results {
		if x.sc.views == 0 || x.requests == 0 {
			continue
		}
		if _, ok := worst[x.sc.name]; !ok {
			order = append(order, x.sc.name)
		}
		worst[x.sc.name] = max(worst[x.sc.name], x.statements/float64(x.sc.views))
	}
	for _, name := range order {
		fmt.Fprintf(&b, "- %s %s database round trips per page view: %.2f, target ≤ %d\n", pass(worst[name] <= maxRoundTrips+0.005), name, worst[name], maxRoundTrips)
	}
	for _, x := range r.results {
		if x.sc.name == "course" && x.sc.htmlBytes > 0 {
			fmt.Fprintf(&b, "- %s course page HTML for %d lessons: %d bytes, target ≤ %d\n", pass(x.sc.htmlBytes <= courseHTMLTarget),
				longModules*lessonsPerModule, x.sc.htmlBytes, courseHTMLTarget)
			break
		}
	}
	if r.courseServer > 0 {
		fmt.Fprintf(&b, "- %s course page of %d lessons, server time unloaded (median of %d in turn, timed around ServeHTTP): %.2f ms, target ≤ %s\n",
			pass(r.courseServer <= courseServerTarget), longModules*lessonsPerModule, courseServerRuns, float64(r.courseServer.Microseconds())/1000, ms(courseServerTarget))
	}
	for _, v := range r.visits {
		switch {
		case v.err != nil:
			fmt.Fprintf(&b, "- FAIL %s first visit: %v\n", v.name, v.err)
		default:
			third := ""
			if len(v.thirdParty) > 0 {
				third = " (" + strings.Join(v.thirdParty, ", ") + ")"
			}
			fmt.Fprintf(&b, "- %s %s first visit (gzip): %d bytes in %d files, %d third-party requests%s, target ≤ %d bytes and none\n",
				pass(v.bytes <= firstVisitTarget && len(v.thirdParty) == 0), v.name, v.bytes, v.files, len(v.thirdParty), third, firstVisitTarget)
		}
	}
	if r.hash.hash > 0 {
		fmt.Fprintf(&b, "- %s sign-in: one Argon2id hash (%s) %.1f ms, a check %.1f ms (median of %d, unloaded), target about 50 ms (%s to %s)\n",
			pass(r.hash.check >= hashLow && r.hash.check <= hashHigh), r.hash.params, float64(r.hash.hash.Microseconds())/1000, float64(r.hash.check.Microseconds())/1000,
			hashRuns, ms(hashLow), ms(hashHigh))
	}
	if r.flood != nil {
		ok, text := r.flood.verdict()
		fmt.Fprintf(&b, "- %s sign-in throttling under load: %s\n", pass(ok), text)
	}
	b.WriteString(r.exam.verdicts())
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
	section := beginMark + "\n" + r.machine + fmt.Sprintf(" · the whole run took %.1f min", r.took.Minutes()) + loadAverage() + "\n\n" + r.table() + "\n" + r.verdicts() + endMark
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

// loadAverage is the machine's load average as the run ends, from /proc/loadavg.
func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return ""
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return ""
	}
	return fmt.Sprintf(" · load average at its end %s %s %s (1, 5, 15 min)", f[0], f[1], f[2])
}
