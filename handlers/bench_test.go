package handlers_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/aula-school/aula/courses"
	"github.com/aula-school/aula/store"
	"github.com/aula-school/aula/store/storetest"
)

// Load at a fixed concurrency for a fixed time, against the floors S and W, is `make bench`
// (cmd/aula-bench): a benchmark here runs b.N times, as go test -bench expects.

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
