package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/aula-school/aula/courses"
	"github.com/aula-school/aula/handlers"
	"github.com/aula-school/aula/store"
	"github.com/redis/go-redis/v9"
)

// Issue 10's target: the dashboard and any breakdown answer within reportTarget on a school of
// store.DefaultLargeSchool's size (100,000 trainees, 300,000 enrolments, 50,000 certificates).
// These are single requests one after another, each timed whole (the page or the CSV
// written), not a load: an administrator opens a report, and waits for it.
const (
	reportTarget = 300 * time.Millisecond
	reportRuns   = 7 // each timed; the median is judged, the slowest shown
)

// reportPage is one report the bench opens on the large school.
type reportPage struct {
	name, path string
}

func reportPages() []reportPage {
	return []reportPage{
		{"dashboard", "/admin/reports"},
		{"dashboard-year", "/admin/reports?from=" + lastYear() + "-01-01&to=" + lastYear() + "-12-31&by=sector"},
		{"women-localgov-HN", "/admin/reports?from=" + lastYear() + "-01-01&to=" + lastYear() + "-12-31&country=HN&sector=local_government&gender=woman&by=course"},
		{"by-institution", "/admin/reports?by=institution"},
		{"by-cohort", "/admin/reports?by=cohort"},
		{"by-audience", "/admin/reports?by=audience&gender=woman"},
		{"csv-by-country", "/admin/reports.csv?by=country"},
		{"impact", "/impact"},
	}
}

func lastYear() string { return fmt.Sprint(time.Now().Year() - 1) }

// reportTiming is how long one report took.
type reportTiming struct {
	name, path      string
	median, slowest time.Duration
	err             error
}

// reportBench is the large school's build and the reports' timings.
type reportBench struct {
	generated time.Duration
	refreshed time.Duration // one refresh of the reports' copies (store.RefreshReports)
	timings   []reportTiming
}

// measureReports builds the large school in a database of its own (name), and opens each
// report reportRuns times as an administrator.
func measureReports(ctx context.Context, base, name string, rdb redis.UniversalClient, prefix string, stdout io.Writer) (reportBench, error) {
	var rb reportBench
	fmt.Fprintf(stdout, "building the large school (%d trainees, %d enrolments, %d certificates) in database %s …\n",
		store.DefaultLargeSchool.Users, store.DefaultLargeSchool.Enrolments, store.DefaultLargeSchool.Certificates, name)
	sch, err := buildSchool(ctx, base, name)
	if err != nil {
		return rb, fmt.Errorf("large school: %w", err)
	}
	defer sch.Close()
	start := time.Now()
	if err := sch.st.GenerateLargeSchool(ctx, store.DefaultLargeSchool, time.Now()); err != nil {
		return rb, fmt.Errorf("large school: %w", err)
	}
	rb.generated = time.Since(start)
	start = time.Now()
	if err := sch.st.RefreshReports(ctx, time.Now()); err != nil {
		return rb, err
	}
	rb.refreshed = time.Since(start)
	if _, err := sch.db.ExecContext(ctx, `ANALYZE`); err != nil {
		return rb, err
	}
	admin, err := sch.st.CreateUser(ctx, courses.Profile{FullName: "Admin Bench", Email: "admin@bench.example", Country: "CR",
		Institution: "Aula", Sector: "other", Language: "es"}, benchPassword, courses.RoleAdmin)
	if err != nil {
		return rb, err
	}
	signIns := store.NewSignIns(rdb, prefix, time.Hour, 12*time.Hour, time.Now)
	app, err := handlers.New(handlers.Deps{Store: sch.st, Redis: rdb, SignIns: signIns,
		Limiter: store.NewLimiter(rdb, prefix, store.LoginLimits{PerAccount: 1 << 30, PerIP: 1 << 30, VerifyPerIP: 1 << 30, Period: time.Minute}),
		Uploads: store.NewUploads(rdb, prefix), Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		return rb, err
	}
	srv, err := listen(app.Handler())
	if err != nil {
		return rb, err
	}
	defer srv.Close()
	token, err := signIns.Create(ctx, admin.ID)
	if err != nil {
		return rb, err
	}
	client := &http.Client{Timeout: 30 * time.Second}
	open := func(path string) (time.Duration, error) {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, srv.URL+path, nil)
		req.Header.Set("Cookie", "aula_signin="+token)
		req.Header.Set("Accept-Encoding", "gzip")
		t0 := time.Now()
		res, err := client.Do(req)
		if err != nil {
			return 0, err
		}
		_, err = io.Copy(io.Discard, res.Body)
		res.Body.Close()
		if err == nil && res.StatusCode != http.StatusOK {
			err = fmt.Errorf("status %d", res.StatusCode)
		}
		return time.Since(t0), err
	}
	for _, p := range reportPages() {
		tm := reportTiming{name: p.name, path: p.path}
		var runs []time.Duration
		// One unmeasured opening first: the pools connect and PostgreSQL reads the tables into
		// its cache, as on a server that has been up for a while.
		if _, tm.err = open(p.path); tm.err == nil {
			for range reportRuns {
				d, err := open(p.path)
				if err != nil {
					tm.err = err
					break
				}
				runs = append(runs, d)
				if p.name == "impact" {
					app.ForgetImpact() // the impact page keeps its figures: time the counting, not the copy
				}
			}
		}
		if len(runs) > 0 {
			slices.Sort(runs)
			tm.median, tm.slowest = runs[len(runs)/2], runs[len(runs)-1]
		}
		fmt.Fprintf(stdout, "  %-20s median %v, slowest %v\n", tm.name, tm.median.Round(100*time.Microsecond), tm.slowest.Round(100*time.Microsecond))
		rb.timings = append(rb.timings, tm)
	}
	return rb, nil
}

// table is the reports' rows for BENCHMARKS.md.
func (rb reportBench) table() string {
	if len(rb.timings) == 0 {
		return ""
	}
	var b strings.Builder
	fmt.Fprintf(&b, "Reports on the large school (%d trainees, %d enrolments, %d certificates, generated in %.0f s; its reports' copies refreshed in %.1f s, "+
		"as the River job does every %v); each opened %d times in turn by one administrator:\n\n",
		store.DefaultLargeSchool.Users, store.DefaultLargeSchool.Enrolments, store.DefaultLargeSchool.Certificates, rb.generated.Seconds(),
		rb.refreshed.Seconds(), store.ReportsFreshness, reportRuns)
	b.WriteString("| report | address | median | slowest |\n|---|---|---:|---:|\n")
	for _, t := range rb.timings {
		fmt.Fprintf(&b, "| %s | `%s` | %s | %s |\n", t.name, t.path, ms(t.median), ms(t.slowest))
	}
	return b.String()
}

func (rb reportBench) verdicts() string {
	var b strings.Builder
	for _, t := range rb.timings {
		if t.err != nil {
			fmt.Fprintf(&b, "- FAIL report %s: %v\n", t.name, t.err)
			continue
		}
		fmt.Fprintf(&b, "- %s report %s median: %s, target ≤ %s\n", pass(t.median <= reportTarget), t.name, ms(t.median), ms(reportTarget))
	}
	return b.String()
}
