package store_test

import (
	"context"
	"encoding/json"
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
		if err := st.SetCourseStatus(ctx, courses.Actor{}, id, courses.StatusPublished); err != nil {
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
	admin, err := st.CreateUser(ctx, profile("admin@example.org"), "a long password", courses.RoleAdmin)
	if err != nil {
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
		`SELECT count(*) FROM attendance WHERE recorded_at > '2027-06-15 12:00Z'`:                                             0,
		`SELECT count(*) FROM quiz_attempts WHERE finished_at > '2027-06-15 12:00Z'`:                                          0,
		// Every enrolment in a cohort of the school's terms was made while it took enrolments, as
		// Enrol allows: up to its last day (and from its announcement, three weeks before it
		// starts); in a blended one, before its last session.
		`SELECT count(*) FROM enrolments e JOIN cohorts ch ON ch.id = e.cohort_id JOIN users u ON u.id = e.user_id
			WHERE ` + mine + ` AND NOT ch.is_default AND ((e.created_at AT TIME ZONE 'UTC')::date > ch.ends_on
				OR e.created_at < ch.starts_on - interval '21 days'
				OR e.created_at >= (SELECT max(s.starts_at) FROM cohort_sessions s WHERE s.cohort_id = ch.id))`: 0,
		// A blended completion comes after the cohort's last session and its attendance.
		`SELECT count(*) FROM enrolments e JOIN cohort_sessions s ON s.cohort_id = e.cohort_id
			WHERE e.completed_at IS NOT NULL AND s.starts_at > e.completed_at`: 0,
		`SELECT count(*) FROM enrolments e JOIN attendance a ON a.user_id = e.user_id
			JOIN cohort_sessions s ON s.id = a.session_id AND s.cohort_id = e.cohort_id
			WHERE e.completed_at IS NOT NULL AND a.recorded_at > e.completed_at`: 0,
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
		`SELECT count(*) FROM enrolments e JOIN cohorts ch ON ch.id = e.cohort_id
			WHERE e.completed_at IS NOT NULL AND ch.mode = 'blended'`: 1,
		`SELECT count(*) FROM quiz_attempts WHERE NOT passed`: 10,
		`SELECT count(*) FROM quiz_attempts a WHERE passed AND NOT EXISTS (SELECT 1 FROM enrolments e JOIN modules m ON m.course_id = e.course_id
			JOIN quizzes z ON z.module_id = m.id WHERE z.id = a.quiz_id AND e.user_id = a.user_id AND e.completed_at IS NOT NULL)`: 1,
		// Active in the last 30 days: what the dashboard counts.
		`SELECT count(DISTINCT user_id) FROM lesson_completions WHERE completed_at > '2027-05-16 12:00Z'`: 10,
	} {
		if got := count(query); got < atLeast {
			t.Errorf("%s: %d, want at least %d", query, got, atLeast)
		}
	}
	completionsKeepTheRules(t, db)
	for _, slug := range []string{"citizen-security-human-development", "community-policing-human-rights"} {
		co, err := st.CourseBySlug(ctx, slug)
		if err != nil {
			t.Fatal(err)
		}
		r, err := st.CourseReport(ctx, co.ID, 0, now)
		if err != nil {
			t.Fatal(err)
		}
		// Every completer passed every quiz, and some of the others failed one.
		failed := 0
		for _, q := range r.Quizzes {
			if q.Passed < r.Completed || q.Graded < q.Passed || q.Attempts < q.Graded || q.Mean <= 0 || q.Mean > 100 {
				t.Errorf("%s: %d completed; quiz %d: %+v", slug, r.Completed, q.QuizID, q)
			}
			failed += q.Graded - q.Passed
		}
		if r.Completed == 0 || failed == 0 || len(r.Quizzes) == 0 {
			t.Errorf("%s: %d completed, %d quizzes, %d counted attempts failed", slug, r.Completed, len(r.Quizzes), failed)
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
	// A revocation today, then the demo's history beside the school: its older revocations
	// come later in the log, and the revocation list still changed today. The log audits clean.
	revokedAt := now.Add(-time.Minute).Truncate(time.Microsecond)
	if err := st.RevokeCertificate(ctx, courses.Actor{UserID: admin.ID}, code, "Fraude en la evaluación", revokedAt); err != nil {
		t.Fatal(err)
	}
	if err := st.GenerateDemoHistory(ctx, store.LargeSchool{Users: 50, Enrolments: 100, Certificates: 20, Seed: 1}, now); err != nil {
		t.Fatal(err)
	}
	if rep, err := st.AuditCertificates(ctx); err != nil || len(rep.Problems) > 0 || rep.Certificates != spec.Certificates+20 {
		t.Fatalf("audit after the history: %+v, %v", rep, err)
	}
	if _, _, changed, err := st.RevocationList(ctx); err != nil || !changed.Equal(revokedAt) {
		t.Fatalf("the revocation list changed at %v, want %v (%v)", changed, revokedAt, err)
	}
}

// completionsKeepTheRules checks every recorded completion against courses.Completion, fed
// what the store's completion check reads as it stood at that moment: the lessons done, the
// required quizzes passed (by their grade method) and the sessions attended by then.
func completionsKeepTheRules(t *testing.T, db *sqlx.DB) {
	t.Helper()
	var rows []struct {
		ID            int64     `db:"id"`
		Mode          string    `db:"mode"`
		MinAttendance int       `db:"min_attendance"`
		CompletedAt   time.Time `db:"completed_at"`
		Total         int       `db:"total"`
		Done          int       `db:"done"`
		Sessions      []byte    `db:"sessions"`
		Required      int       `db:"required"`
		Passed        int       `db:"passed"`
	}
	if err := db.Select(&rows, `
		SELECT e.id, ch.mode, co.min_attendance, e.completed_at,
			(SELECT count(*) FROM lessons l JOIN modules m ON m.id = l.module_id WHERE m.course_id = e.course_id) AS total,
			(SELECT count(*) FROM lesson_completions lc JOIN lessons l ON l.id = lc.lesson_id JOIN modules m ON m.id = l.module_id
				WHERE m.course_id = e.course_id AND lc.user_id = e.user_id AND lc.completed_at <= e.completed_at) AS done,
			(SELECT coalesce(json_agg(json_build_object('starts_at', s.starts_at, 'status', coalesce(a.status, '')) ORDER BY s.starts_at), '[]')
				FROM cohort_sessions s LEFT JOIN attendance a ON a.session_id = s.id AND a.user_id = e.user_id AND a.recorded_at <= e.completed_at
				WHERE s.cohort_id = e.cohort_id) AS sessions,
			(SELECT count(*) FROM quizzes z JOIN modules m ON m.id = z.module_id
				WHERE m.course_id = e.course_id AND (z.settings->>'required')::boolean) AS required,
			(SELECT count(*) FROM quizzes z JOIN modules m ON m.id = z.module_id
				WHERE m.course_id = e.course_id AND (z.settings->>'required')::boolean AND coalesce(CASE z.settings->>'grade_method'
					WHEN 'last' THEN (SELECT a.passed FROM quiz_attempts a WHERE a.quiz_id = z.id AND a.user_id = e.user_id
						AND a.finished_at <= e.completed_at ORDER BY a.finished_at DESC, a.id DESC LIMIT 1)
					ELSE EXISTS (SELECT 1 FROM quiz_attempts a WHERE a.quiz_id = z.id AND a.user_id = e.user_id AND a.passed
						AND a.finished_at <= e.completed_at) END, false)) AS passed
		FROM enrolments e JOIN cohorts ch ON ch.id = e.cohort_id JOIN courses co ON co.id = e.course_id
		WHERE e.completed_at IS NOT NULL`); err != nil {
		t.Fatal(err)
	}
	if len(rows) == 0 {
		t.Fatal("no completion")
	}
	broken := 0
	for _, r := range rows {
		p := courses.Progress{LessonsTotal: r.Total, LessonsDone: r.Done, QuizzesRequired: r.Required, QuizzesPassed: r.Passed}
		var sessions []struct {
			StartsAt time.Time `json:"starts_at"`
			Status   string    `json:"status"`
		}
		if err := json.Unmarshal(r.Sessions, &sessions); err != nil {
			t.Fatal(err)
		}
		for _, s := range sessions {
			p.Sessions = append(p.Sessions, courses.SessionAttendance{StartsAt: s.StartsAt, Status: courses.AttendanceStatus(s.Status)})
		}
		if r.Required == 0 {
			t.Fatalf("enrolment %d: its course requires no quiz", r.ID)
		}
		if !courses.Completion(courses.CohortMode(r.Mode), courses.CompletionRules{MinAttendance: r.MinAttendance}, p, r.CompletedAt) {
			if broken++; broken <= 3 {
				t.Errorf("enrolment %d (%s) completed at %v: %+v", r.ID, r.Mode, r.CompletedAt, p)
			}
		}
	}
	if broken > 0 {
		t.Errorf("%d of %d completions break the rules", broken, len(rows))
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
