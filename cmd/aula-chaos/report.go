package main

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"runtime"
	"sort"
	"strings"
	"time"

	"github.com/aula-school/aula/store/storetest"
	"github.com/jmoiron/sqlx"
)

const (
	beginMark = "<!-- aula-chaos:begin (written by `make chaos`; edit outside these marks) -->"
	endMark   = "<!-- aula-chaos:end -->"
	// minFaults is the target's number of faults for a run to count.
	minFaults = 100
)

// result is one run's counts.
type result struct {
	cfg        config
	tally      storetest.Tally
	faults     faultCounts
	statuses   map[int]int // the answers' statuses, retries included; 0: no answer at all
	requests   map[int]int // every request's status (sign-ins, starts, pages, saves, finishes, reviews)
	unfinished int         // attempts that could not be finished at the end
	// examinees who stopped before the exam's end (an error the examinee could not get past):
	// a run where they stop early would pass while measuring little
	stoppedEarly int
	elapsed      time.Duration
	machine      string
}

func (r result) failures() []string {
	var out []string
	if r.tally.Lost > 0 {
		out = append(out, fmt.Sprintf("%d acknowledged answers lost", r.tally.Lost))
	}
	if r.tally.GradedTwice > 0 {
		out = append(out, fmt.Sprintf("%d attempts graded twice", r.tally.GradedTwice))
	}
	if r.tally.IssuedTwice > 0 {
		out = append(out, fmt.Sprintf("%d certificates issued twice", r.tally.IssuedTwice))
	}
	if r.tally.NoCertificate > 0 {
		out = append(out, fmt.Sprintf("%d completions without their certificate", r.tally.NoCertificate))
	}
	if n := r.requests[500]; n > 0 {
		out = append(out, fmt.Sprintf("%d requests answered 500", n))
	}
	if r.unfinished > 0 {
		out = append(out, fmt.Sprintf("%d attempts could not be finished with every server up", r.unfinished))
	}
	if r.stoppedEarly > 0 {
		out = append(out, fmt.Sprintf("%d examinees stopped before the exam's end", r.stoppedEarly))
	}
	if len(r.faults.failed) > 0 {
		out = append(out, fmt.Sprintf("%d faults could not be injected (%s)", len(r.faults.failed), r.faults.failed[0]))
	}
	return out
}

func (r result) pass() bool { return len(r.failures()) == 0 }

// verdict is PASS, FAIL, or PASS with fewer faults than the target asks (a shortened run).
func (r result) verdict() string {
	switch {
	case !r.pass():
		return "FAIL"
	case r.faults.total() < minFaults:
		return fmt.Sprintf("PASS, over %d faults (the target asks for at least %d: run the full 10 minutes)", r.faults.total(), minFaults)
	}
	return "PASS"
}

func statusLine(statuses map[int]int) string {
	var keys []int
	for k := range statuses {
		keys = append(keys, k)
	}
	sort.Ints(keys)
	var parts []string
	for _, k := range keys {
		name := fmt.Sprint(k)
		if k == 0 {
			name = "no answer"
		}
		parts = append(parts, fmt.Sprintf("%s: %d", name, statuses[k]))
	}
	return strings.Join(parts, ", ")
}

// text is the counts as a Markdown table with the run's facts around it.
func (r result) text() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d examinees, two instances, %s of answering with a fault every %s (quiz of %d questions, %s time limit)\n\n",
		r.cfg.examinees, r.cfg.duration, r.cfg.every, storetest.ExamQuestions, r.cfg.timeLimit)
	fmt.Fprintf(&b, "| count | result | target |\n|---|---:|---:|\n")
	row := func(name string, n any, target string) { fmt.Fprintf(&b, "| %s | %v | %s |\n", name, n, target) }
	row("faults injected", r.faults.total(), fmt.Sprintf("≥ %d", minFaults))
	for _, k := range faultKinds {
		row("&nbsp;&nbsp;"+k, r.faults.byKind[k], "")
	}
	row("attempts started", r.tally.Started, "")
	row("answers acknowledged (the newest of each question of each attempt)", r.tally.Acknowledged, "")
	row("**acknowledged answers lost**", r.tally.Lost, "0")
	row("attempts finished (the others were in progress when the run ended)", r.tally.Finished, "")
	row("**attempts graded twice** (a grade other than the one shown, or than the saved answers earn)", r.tally.GradedTwice, "0")
	row("certificates issued", r.tally.Certificates, "")
	row("**certificates issued twice**", r.tally.IssuedTwice, "0")
	row("completions without their certificate", r.tally.NoCertificate, "0")
	row("requests answered 500 (of every kind)", r.requests[500], "0")
	row("examinees who stopped before the end", r.stoppedEarly, "0")
	fmt.Fprintf(&b, "\nAnswer saves, retries included, by status: %s; every request (sign-ins, starts, pages, finishes, reviews): %s. "+
		"A save answered 303 was sent to the sign-in page (Redis restarted empty); a start or a finish is a 303 when it works. "+
		"A request that fails while a fault is on is sent again, as the page's JavaScript does; only an acknowledged answer "+
		"missing or different in PostgreSQL is a loss.\n\n",
		statusLine(r.statuses), statusLine(r.requests))
	fmt.Fprintf(&b, "**%s**\n", r.verdict())
	return b.String()
}

// write puts the machine and the counts between the marks of file, keeping everything else.
func (r result) write(file string) error {
	section := beginMark + "\n## Chaos: examinees while servers fall (`make chaos`)\n\n" + r.machine + "\n\n" + r.text() + endMark
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

// machine says where and when the run was made.
func machine(ctx context.Context, exam *storetest.Exam) string {
	pg := "?"
	if db, err := sqlx.Open("postgres", exam.DatabaseURL); err == nil {
		_ = db.GetContext(ctx, &pg, `SHOW server_version`)
		db.Close()
	}
	return fmt.Sprintf("%s UTC · %s, %d CPUs seen by Go, %s of memory · %s %s/%s · PostgreSQL %s (fsync off, synchronous_commit on), "+
		"Redis without persistence, both private to the run · examinees in the same process as the fault injector",
		time.Now().UTC().Format("2006-01-02 15:04"), cpuModel(), runtime.NumCPU(), memTotal(), runtime.Version(), runtime.GOOS, runtime.GOARCH, pg)
}

func cpuModel() string {
	return procField("/proc/cpuinfo", "model name", "unknown CPU")
}

func memTotal() string {
	v := procField("/proc/meminfo", "MemTotal", "")
	var kb int64
	if _, err := fmt.Sscanf(v, "%d kB", &kb); err != nil || kb == 0 {
		return "unknown"
	}
	return fmt.Sprintf("%.0f GB", float64(kb)/1024/1024)
}

// procField is the value of the first "name: value" line of a /proc file.
func procField(path, name, fallback string) string {
	f, err := os.Open(path)
	if err != nil {
		return fallback
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), name); ok {
			return strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(rest), ":"))
		}
	}
	return fallback
}
