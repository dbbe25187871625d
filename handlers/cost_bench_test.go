package handlers_test

import (
	"bytes"
	"context"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/aula-school/aula/courses"
	"github.com/jmoiron/sqlx"
)

// The CPU a page costs, one request at a time: Go's (this process, the test's client
// included) and PostgreSQL's (every backend of the server), per request. On a machine shared
// with other work these move far less than req/s does. Run:
//
//	go test ./handlers -run '^$' -bench 'Cost' -benchtime 2000x

// cpuMeter reads this process's CPU time and that of PostgreSQL's backends.
type cpuMeter struct {
	postmaster string // its pid, from postmaster.pid in the data directory
}

func newCPUMeter(b *testing.B) cpuMeter {
	db, err := sqlx.Connect("postgres", os.Getenv("DATABASE_URL"))
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	var dir string
	if err := db.Get(&dir, `SHOW data_directory`); err != nil {
		b.Fatal(err)
	}
	pid, err := os.ReadFile(filepath.Join(dir, "postmaster.pid"))
	if err != nil {
		b.Skipf("PostgreSQL's processes are not readable here: %v", err)
	}
	return cpuMeter{postmaster: strings.SplitN(string(pid), "\n", 2)[0]}
}

// read is Go's and PostgreSQL's CPU so far.
func (m cpuMeter) read() (goCPU, pgCPU time.Duration) {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	goCPU = time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
	procs, _ := filepath.Glob("/proc/[0-9]*/stat")
	for _, p := range procs {
		b, err := os.ReadFile(p)
		if err != nil {
			continue
		}
		// After the command's ")": state ppid … utime (14th field) stime (15th).
		f := strings.Fields(string(b[bytes.LastIndexByte(b, ')')+1:]))
		if len(f) < 13 || f[1] != m.postmaster {
			continue
		}
		ut, _ := strconv.ParseInt(f[11], 10, 64)
		st, _ := strconv.ParseInt(f[12], 10, 64)
		pgCPU += time.Duration(ut+st) * 10 * time.Millisecond // USER_HZ is 100 on Linux
	}
	return goCPU, pgCPU
}

// measure runs request b.N times and reports the CPU of each.
func measure(b *testing.B, request func(i int)) {
	m := newCPUMeter(b)
	for i := range 50 {
		request(i) // connections, prepared statements, caches
	}
	go0, pg0 := m.read()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		request(i)
	}
	b.StopTimer()
	go1, pg1 := m.read()
	b.ReportMetric(float64((go1-go0).Microseconds())/float64(b.N), "go-µs/op")
	b.ReportMetric(float64((pg1-pg0).Microseconds())/float64(b.N), "pg-µs/op")
}

func BenchmarkCostOfAQuizPageTurn(b *testing.B) {
	app := newTestApp(b)
	owner := app.user("owner@example.org", courses.RoleInstructor)
	co := app.importFixture(owner.ID, true)
	qs := everyType()
	quizID := quizOf(b, app, co, courses.DefaultQuizSettings(), qs[0], qs[0], qs[0], qs[0])
	c := app.enrolledClient("ana@example.org", co.ID, "es")
	res := c.post("/courses/"+co.Slug+"/quizzes/"+strconv.FormatInt(quizID, 10)+"/attempts", nil)
	attempt := res.Location
	var options [][]string
	for p := 1; p <= 4; p++ {
		options = append(options, optionIDs(c.get(attempt+"?page="+strconv.Itoa(p)).Body, p-1))
	}
	measure(b, func(i int) {
		page := i % 4
		k := strconv.Itoa(page)
		form := url.Values{"page": {k}, "q" + k: {options[page][i%len(options[page])]}, "q" + k + "-shown": {"1"}, "action": {"next"}}
		if page == 3 {
			form.Set("action", "1")
		}
		res := c.post(attempt, form)
		if res.Status != http.StatusSeeOther {
			b.Fatalf("submit: %d", res.Status)
		}
		if r := c.get(res.Location); r.Status != http.StatusOK {
			b.Fatalf("next page: %d", r.Status)
		}
	})
}

func BenchmarkCostOfALessonPage(b *testing.B) {
	app := newTestApp(b)
	owner := app.user("owner@example.org", courses.RoleInstructor)
	co := app.importFixture(owner.ID, true)
	c := app.enrolledClient("ana@example.org", co.ID, "es")
	var paths []string
	for _, m := range co.Modules {
		for _, l := range m.Lessons {
			paths = append(paths, "/courses/"+co.Slug+"/lessons/"+strconv.FormatInt(l.ID, 10))
		}
	}
	measure(b, func(i int) {
		if r := c.get(paths[i%len(paths)]); r.Status != http.StatusOK {
			b.Fatalf("lesson: %d", r.Status)
		}
	})
}

func BenchmarkCostOfMyLearning(b *testing.B) {
	app := newTestApp(b)
	owner := app.user("owner@example.org", courses.RoleInstructor)
	co := app.importFixture(owner.ID, true)
	c := app.enrolledClient("ana@example.org", co.ID, "es")
	measure(b, func(int) {
		if r := c.get("/learning"); r.Status != http.StatusOK {
			b.Fatalf("my learning: %d", r.Status)
		}
	})
}

// BenchmarkCostOfAnExamStart is the start of a timed quiz (the POST) and the first page of
// the attempt it leads to: ten questions drawn at random from a category of twenty, options
// shuffled, as on the exam day of issue 12. Each attempt is deleted after its page, so that
// every start is a trainee's first; the delete is in the figures, the same before and after.
func BenchmarkCostOfAnExamStart(b *testing.B) {
	app := newTestApp(b)
	ctx := context.Background()
	owner := app.user("owner@example.org", courses.RoleInstructor)
	co := app.importFixture(owner.ID, true)
	cat, err := app.Store.CreateCategory(ctx, co.ID, "Examen")
	if err != nil {
		b.Fatal(err)
	}
	qs := everyType()
	for i := range 20 {
		q := qs[i%2]
		if _, err := app.Store.SaveQuestion(ctx, courses.BankQuestion{CourseID: co.ID, CategoryID: cat, Question: q}, owner.ID); err != nil {
			b.Fatal(err)
		}
	}
	settings := courses.DefaultQuizSettings()
	settings.TimeLimit, settings.ShuffleOptions, settings.PerPage = 30*time.Minute, true, 1
	quizID, err := app.Store.SaveQuiz(ctx, co.ID, courses.Quiz{ModuleID: co.Modules[0].ID, Key: "examen", Position: len(co.Modules[0].Lessons),
		Titles: map[string]string{"es": "Examen"}, Settings: settings, Items: []courses.QuizItem{{CategoryID: cat, Count: 10}}})
	if err != nil {
		b.Fatal(err)
	}
	db, err := sqlx.Connect("postgres", app.DBURL)
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	c := app.enrolledClient("ana@example.org", co.ID, "es")
	startURL := "/courses/" + co.Slug + "/quizzes/" + strconv.FormatInt(quizID, 10) + "/attempts"
	var statements, starts int64
	measure(b, func(int) {
		before := app.Store.Statements()
		res := c.post(startURL, nil)
		if res.Status != http.StatusSeeOther || !strings.Contains(res.Location, "/attempts/") {
			b.Fatalf("start: %d to %q", res.Status, res.Location)
		}
		if r := c.get(res.Location); r.Status != http.StatusOK {
			b.Fatalf("attempt page: %d", r.Status)
		}
		statements += app.Store.Statements() - before
		starts++
		id := res.Location[strings.LastIndexByte(res.Location, '/')+1:]
		if _, err := db.Exec(`DELETE FROM quiz_attempts WHERE id = $1`, id); err != nil {
			b.Fatal(err)
		}
	})
	b.ReportMetric(float64(statements)/float64(starts), "statements/op") // the user's row kept with the sign-in after the first
}
