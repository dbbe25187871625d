package handlers_test

import (
	"context"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/aula-school/aula/courses"
	"github.com/aula-school/aula/courses/catalog"
	"github.com/aula-school/aula/store"
	"github.com/aula-school/aula/store/storetest"
	vegeta "github.com/tsenart/vegeta/v12/lib"
)

// BenchmarkSignedInPage measures a signed-in page (profile) through the whole router:
// session in Redis, user from PostgreSQL, template rendered, gzip negotiated.
func BenchmarkSignedInPage(b *testing.B) {
	app := newTestApp(b)
	app.user("ana@example.org", courses.RoleTrainee)
	c := app.client("es")
	c.mustLogin("ana@example.org")
	req, _ := http.NewRequest(http.MethodGet, app.URL+"/profile", nil)
	b.ResetTimer()
	for b.Loop() {
		if r := c.do(req.Clone(context.Background())); r.Status != http.StatusOK {
			b.Fatal(r.Status)
		}
	}
}

// BenchmarkBareHandler is the floor to compare with: the same Redis and PostgreSQL round
// trips (session, then user) in a bare net/http handler that writes a few bytes.
func BenchmarkBareHandler(b *testing.B) {
	st := storetest.DB(b)
	rdb, prefix := storetest.Redis(b)
	signIns := store.NewSignIns(rdb, prefix, 3600e9, 3600e9, nil)
	ctx := context.Background()
	u, err := st.CreateUser(ctx, courses.Profile{FullName: "Ana", Email: "ana@example.org", Country: "CR",
		Institution: "X", Sector: "police", Language: "es"}, "a long enough password", courses.RoleTrainee)
	if err != nil {
		b.Fatal(err)
	}
	token, _ := signIns.Create(ctx, u.ID)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sess, err := signIns.Get(r.Context(), token)
		if err != nil {
			http.Error(w, err.Error(), 500)
			return
		}
		if _, err := st.User(r.Context(), sess.UserID); err != nil {
			http.Error(w, err.Error(), 500)
			return
		}
		w.Write([]byte("ok"))
	}))
	defer srv.Close()
	b.ResetTimer()
	for b.Loop() {
		res, err := http.Get(srv.URL)
		if err != nil || res.StatusCode != 200 {
			b.Fatal(err)
		}
		res.Body.Close()
	}
}

// BenchmarkCatalogUnderLoad sends the public catalog a steady 100 requests a second for three
// seconds over loopback (vegeta), half of them searching, with the school's eight courses
// loaded, and reports latency percentiles: what a visitor on a busy day would wait.
func BenchmarkCatalogUnderLoad(b *testing.B) {
	app := newTestApp(b)
	owner := app.user("owner@example.org", courses.RoleInstructor)
	ctx := context.Background()
	entries, _ := fs.ReadDir(catalog.FS, ".")
	for _, e := range entries {
		if !e.IsDir() {
			continue
		}
		sub, _ := fs.Sub(catalog.FS, e.Name())
		bundle, problems := courses.ReadBundle(sub)
		if len(problems) > 0 {
			b.Fatal(problems)
		}
		id, _, err := app.Store.ImportBundle(ctx, owner.ID, bundle)
		if err != nil {
			b.Fatal(err)
		}
		_ = app.Store.SetCourseStatus(ctx, id, courses.StatusPublished)
	}
	targeter := vegeta.NewStaticTargeter(
		vegeta.Target{Method: http.MethodGet, URL: app.URL + "/courses"},
		vegeta.Target{Method: http.MethodGet, URL: app.URL + "/courses?q=policia&language=es"},
	)
	b.ResetTimer()
	var m vegeta.Metrics
	for res := range vegeta.NewAttacker().Attack(targeter, vegeta.Rate{Freq: 100, Per: time.Second}, 3*time.Second, "catalog") {
		m.Add(res)
	}
	m.Close()
	b.StopTimer()
	if m.Success < 1 {
		b.Fatalf("success %.2f, status codes %v, errors %v", m.Success, m.StatusCodes, m.Errors)
	}
	b.ReportMetric(float64(m.Latencies.P50.Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(m.Latencies.P99.Microseconds())/1000, "p99-ms")
	b.ReportMetric(m.Throughput, "req/s")
}
