package store_test

import (
	"context"
	"errors"
	"io/fs"
	"testing"
	"time"

	"github.com/aula-school/aula/courses"
	"github.com/aula-school/aula/courses/catalog"
	"github.com/aula-school/aula/store"
	"github.com/aula-school/aula/store/storetest"
	"github.com/jmoiron/sqlx"
)

// curriculum imports and publishes every course of the bundled curriculum, as `aula demo` does.
func curriculum(t *testing.T, st *store.Store) {
	t.Helper()
	ctx := context.Background()
	owner := instructor(t, st, "owner@example.org")
	entries, err := fs.ReadDir(catalog.FS, ".")
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if !e.IsDir() {
			continue
		}
		id, _, err := st.ImportBundle(ctx, owner.ID, catalogCourse(t, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		if err := st.SetCourseStatus(ctx, id, courses.StatusPublished); err != nil {
			t.Fatal(err)
		}
	}
}

func TestGeneratedSchoolHasItsSizeSpreadsAndSignedCertificates(t *testing.T) {
	ctx := context.Background()
	st, url := storetest.DBAt(t)
	db, err := sqlx.Open("postgres", url)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	curriculum(t, st)
	if _, err := st.CreateUser(ctx, profile("admin@example.org"), "a long password", courses.RoleAdmin); err != nil {
		t.Fatal(err)
	}
	now := time.Date(2027, 6, 15, 12, 0, 0, 0, time.UTC)
	spec := store.LargeSchool{Users: 500, Enrolments: 1500, Certificates: 250, Seed: 7}
	if err := st.GenerateLargeSchool(ctx, spec, now); err != nil {
		t.Fatal(err)
	}
	count := func(query string) int {
		t.Helper()
		var n int
		if err := db.GetContext(ctx, &n, query); err != nil {
			t.Fatalf("%s: %v", query, err)
		}
		return n
	}
	const mine = `u.email LIKE '%@large.aula.example'`
	for query, want := range map[string]int{
		`SELECT count(*) FROM users u WHERE ` + mine:                                                                    spec.Users,
		`SELECT count(*) FROM enrolments e JOIN users u ON u.id = e.user_id WHERE ` + mine:                              spec.Enrolments,
		`SELECT count(*) FROM enrolments e JOIN users u ON u.id = e.user_id WHERE completed_at IS NOT NULL AND ` + mine: spec.Certificates,
		`SELECT count(*) FROM certificates c JOIN users u ON u.id = c.user_id WHERE ` + mine:                            spec.Certificates,
		// Everyone joined in the 30 months before now, and no one did anything after it.
		`SELECT count(*) FROM users u WHERE ` + mine + ` AND (created_at < '2024-12-15' OR created_at > '2027-06-15 12:00Z')`: 0,
		`SELECT count(*) FROM lesson_completions WHERE completed_at > '2027-06-15 12:00Z'`:                                    0,
		`SELECT count(*) FROM certificates WHERE issued_at > '2027-06-15 12:00Z' OR revoked_at > '2027-06-15 12:00Z'`:         0,
		// A completion has every lesson of its course read, and its certificate.
		`SELECT count(*) FROM enrolments e WHERE e.completed_at IS NOT NULL AND (
			(SELECT count(*) FROM lessons l JOIN modules m ON m.id = l.module_id WHERE m.course_id = e.course_id) <>
			(SELECT count(*) FROM lesson_completions lc JOIN lessons l ON l.id = lc.lesson_id JOIN modules m ON m.id = l.module_id
				WHERE m.course_id = e.course_id AND lc.user_id = e.user_id)
			OR NOT EXISTS (SELECT 1 FROM certificates c WHERE c.enrolment_id = e.id))`: 0,
	} {
		if got := count(query); got != want {
			t.Errorf("%s: %d, want %d", query, got, want)
		}
	}
	for query, atLeast := range map[string]int{
		`SELECT count(DISTINCT country) FROM users u WHERE ` + mine:                                        8,
		`SELECT count(DISTINCT sector) FROM users u WHERE ` + mine:                                         5,
		`SELECT count(DISTINCT language) FROM users u WHERE ` + mine:                                       3,
		`SELECT count(*) FROM users u WHERE gender = 'woman' AND ` + mine:                                  spec.Users / 3,
		`SELECT count(*) FROM users u WHERE gender = 'man' AND ` + mine:                                    spec.Users / 3,
		`SELECT count(*) FROM users u WHERE gender = '' AND ` + mine:                                       1,
		`SELECT count(DISTINCT institution) FROM users u WHERE ` + mine:                                    50,
		`SELECT count(DISTINCT e.status) FROM enrolments e JOIN users u ON u.id = e.user_id WHERE ` + mine: 3,
		`SELECT count(DISTINCT date_trunc('month', issued_at)) FROM certificates`:                          18,
		`SELECT count(DISTINCT cohort_id) FROM certificates`:                                               20,
		`SELECT count(*) FROM certificates WHERE revoked_at IS NOT NULL`:                                   1,
		`SELECT count(*) FROM attendance`:                                                                  1,
		// Active in the last 30 days: what the dashboard counts.
		`SELECT count(DISTINCT user_id) FROM lesson_completions WHERE completed_at > '2027-05-16 12:00Z'`: 10,
	} {
		if got := count(query); got < atLeast {
			t.Errorf("%s: %d, want at least %d", query, got, atLeast)
		}
	}
	rep, err := st.AuditCertificates(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Problems) > 0 || rep.Certificates != spec.Certificates || rep.Entries < spec.Certificates {
		t.Fatalf("audit: %d certificates, %d entries, problems %v", rep.Certificates, rep.Entries, rep.Problems[:min(3, len(rep.Problems))])
	}
	var code string
	if err := db.GetContext(ctx, &code, `SELECT code FROM certificates ORDER BY id LIMIT 1`); err != nil {
		t.Fatal(err)
	}
	c, err := st.CertificateByCode(ctx, code)
	if err != nil {
		t.Fatal(err)
	}
	if !c.SignatureHolds(st.PublicKey(c.KeyID)) {
		t.Fatalf("certificate %s does not verify", code)
	}
	if err := st.GenerateLargeSchool(ctx, spec, now); !errors.Is(err, store.ErrSchoolGenerated) {
		t.Fatalf("a second run: %v", err)
	}
	// The demo's history sits beside it, and the log still audits clean.
	if err := st.GenerateDemoHistory(ctx, store.LargeSchool{Users: 50, Enrolments: 100, Certificates: 20, Seed: 1}, now); err != nil {
		t.Fatal(err)
	}
	if rep, err := st.AuditCertificates(ctx); err != nil || len(rep.Problems) > 0 || rep.Certificates != spec.Certificates+20 {
		t.Fatalf("audit after the history: %+v, %v", rep, err)
	}
}

func TestGeneratedSchoolIsTheSameForTheSameSeed(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2027, 6, 15, 12, 0, 0, 0, time.UTC)
	var got [2][]string
	for i := range got {
		st, url := storetest.DBAt(t)
		curriculum(t, st)
		if err := st.GenerateLargeSchool(ctx, store.LargeSchool{Users: 60, Enrolments: 150, Certificates: 30, Seed: 3}, now); err != nil {
			t.Fatal(err)
		}
		db, err := sqlx.Open("postgres", url)
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		if err := db.SelectContext(ctx, &got[i], `SELECT concat_ws(' ', u.email, u.full_name, u.country, u.sector, u.gender, u.created_at,
			co.slug, e.status, e.completed_at, c.code) FROM users u JOIN enrolments e ON e.user_id = u.id JOIN courses co ON co.id = e.course_id
			LEFT JOIN certificates c ON c.enrolment_id = e.id WHERE u.email LIKE '%@large.aula.example' ORDER BY u.email, co.slug`); err != nil {
			t.Fatal(err)
		}
	}
	if len(got[0]) != 150 {
		t.Fatalf("%d enrolments", len(got[0]))
	}
	for i := range got[0] {
		if got[0][i] != got[1][i] {
			t.Fatalf("seed 3 made %q, then %q", got[0][i], got[1][i])
		}
	}
}
