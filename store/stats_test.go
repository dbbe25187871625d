package store_test

import (
	"context"
	"fmt"
	"net/url"
	"testing"
	"time"

	"github.com/aula-school/aula/courses"
	"github.com/aula-school/aula/store"
	"github.com/aula-school/aula/store/storetest"
	"github.com/jmoiron/sqlx"
)

// statsSchool is a small school with known counts, made with plain inserts so that every
// date is the one the test says:
//
//	trainee  country sector            gender  language  enrolments (created → completed, certificate)
//	ana      HN      local_government  woman   es        A 2027-01-10 → 2027-03-05 cert · B withdrawn 2027-02-15
//	bruno    HN      local_government  man     es        A 2027-02-01, open (last read 2027-12-01); quiz attempt 2028-02-25
//	carla    HN      police            woman   es        A 2026-11-20 → 2027-01-15 cert revoked · B 2028-01-05 → 2028-02-01 cert (read 2028-02-20)
//	dora     CR      local_government  woman   en        A 2027-04-01 → 2027-05-01 cert, reissued 2027-05-10
//	eli      BR      media             —       pt        B 2027-06-01 → 2027-06-20 cert
//	fidel    CR      police            man     es        B waiting 2027-03-01 · A rejected 2027-01-01; present at a B session 2028-02-10
//
// Course A is for police and local government, course B for media; C is a draft.
type statsSchool struct {
	db                *sqlx.DB
	st                *store.Store
	now               time.Time
	courseA, courseB  int64
	cohortA, cohortB  int64
	ana, bruno, carla int64
	dora, eli, fidel  int64
}

func day(s string) time.Time {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return t.Add(12 * time.Hour)
}

func newStatsSchool(t *testing.T) statsSchool {
	t.Helper()
	st, dbURL := storetest.DBAt(t)
	db, err := sqlx.Open("postgres", dbURL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	s := statsSchool{db: db, st: st, now: day("2028-03-01")}
	one := func(dest *int64, q string, args ...any) {
		t.Helper()
		if err := db.QueryRowx(q, args...).Scan(dest); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	exec := func(q string, args ...any) {
		t.Helper()
		if _, err := db.Exec(q, args...); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	user := func(name, country, sector, gender, lang, institution string) int64 {
		var id int64
		one(&id, `INSERT INTO users (email, full_name, password_hash, country, institution, sector, gender, language)
			VALUES ($1, $2, 'x', $3, $4, $5, $6, $7) RETURNING id`, name+"@example.org", name, country, institution, sector, gender, lang)
		return id
	}
	var owner int64
	one(&owner, `INSERT INTO users (email, full_name, password_hash, role) VALUES ('owner@example.org', 'Owner', 'x', 'instructor') RETURNING id`)
	course := func(slug, status string, audiences string) (int64, int64) {
		var id, cohort int64
		one(&id, `INSERT INTO courses (slug, audiences, level, hours, default_language, status, owner_id)
			VALUES ($1, $2::text[], 'introductory', 10, 'es', $3, $4) RETURNING id`, slug, audiences, status, owner)
		exec(`INSERT INTO course_texts (course_id, language, title) VALUES ($1, 'es', $2), ($1, 'en', $3)`, id, "Curso "+slug, "Course "+slug)
		one(&cohort, `INSERT INTO cohorts (course_id, name, mode, policy, is_default) VALUES ($1, 'default', 'online', 'open', true) RETURNING id`, id)
		return id, cohort
	}
	s.courseA, s.cohortA = course("a", "published", "{police,local_government}")
	s.courseB, s.cohortB = course("b", "published", "{media}")
	course("c", "draft", "{media}")
	s.ana = user("ana", "HN", "local_government", "woman", "es", "Alcaldía de Tegucigalpa")
	s.bruno = user("bruno", "HN", "local_government", "man", "es", "Alcaldía de Tegucigalpa")
	s.carla = user("carla", "HN", "police", "woman", "es", "Policía Nacional")
	s.dora = user("dora", "CR", "local_government", "woman", "en", "Municipalidad de Escazú")
	s.eli = user("eli", "BR", "media", "", "pt", "Folha")
	s.fidel = user("fidel", "CR", "police", "man", "es", "Fuerza Pública")
	enrol := func(userID, courseID, cohortID int64, status, created, completed, lastRead string) int64 {
		var id int64
		var done, read *time.Time
		if completed != "" {
			d := day(completed)
			done = &d
		}
		if lastRead != "" {
			d := day(lastRead)
			read = &d
		}
		one(&id, `INSERT INTO enrolments (cohort_id, course_id, user_id, status, created_at, completed_at, last_activity_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`, cohortID, courseID, userID, status, day(created), done, read)
		return id
	}
	var key string
	if err := db.Get(&key, `SELECT id FROM signing_keys LIMIT 1`); err != nil {
		t.Fatal(err)
	}
	certID := int64(1000)
	certificate := func(enrolment, userID, courseID, cohortID int64, issued string, revoked bool, replacedBy int64) int64 {
		certID++
		var rev *time.Time
		if revoked {
			r := day(issued).Add(24 * time.Hour)
			rev = &r
		}
		var repl *int64
		if replacedBy != 0 {
			repl = &replacedBy
		}
		exec(`INSERT INTO certificates (id, code, credential_id, enrolment_id, user_id, course_id, cohort_id, holder_name, holder_email,
			language, school, course_slug, course_title, cohort_name, hours, completed_on, issued_at, signatories, key_id, signature,
			revoked_at, replaced_by)
			VALUES ($1::bigint, lpad($1::bigint::text, 28, '0'), gen_random_uuid(), $2, $3, $4, $5, 'n', 'e', 'es', 'Aula', 's', 't', 'c', 10, $6::timestamptz::date, $6::timestamptz,
			'[]', $7, '\x00', $8, $9)`, certID, enrolment, userID, courseID, cohortID, day(issued), key, rev, repl)
		return certID
	}
	e := enrol(s.ana, s.courseA, s.cohortA, "active", "2027-01-10", "2027-03-05", "")
	certificate(e, s.ana, s.courseA, s.cohortA, "2027-03-05", false, 0)
	enrol(s.ana, s.courseB, s.cohortB, "withdrawn", "2027-02-15", "", "")
	enrol(s.bruno, s.courseA, s.cohortA, "active", "2027-02-01", "", "2027-12-01")
	e = enrol(s.carla, s.courseA, s.cohortA, "active", "2026-11-20", "2027-01-15", "")
	certificate(e, s.carla, s.courseA, s.cohortA, "2027-01-16", true, 0)
	e = enrol(s.carla, s.courseB, s.cohortB, "active", "2028-01-05", "2028-02-01", "2028-02-20")
	certificate(e, s.carla, s.courseB, s.cohortB, "2028-02-02", false, 0)
	e = enrol(s.dora, s.courseA, s.cohortA, "active", "2027-04-01", "2027-05-01", "")
	// A reissue: the old certificate points at the new one, checked at commit.
	tx := db.MustBegin()
	for _, q := range []struct {
		id, replacedBy int64
		issued         string
	}{{2000, 2001, "2027-05-01"}, {2001, 0, "2027-05-10"}} {
		var repl *int64
		if q.replacedBy != 0 {
			repl = &q.replacedBy
		}
		if _, err := tx.Exec(`INSERT INTO certificates (id, code, credential_id, enrolment_id, user_id, course_id, cohort_id, holder_name,
			holder_email, language, school, course_slug, course_title, cohort_name, hours, completed_on, issued_at, signatories, key_id,
			signature, replaced_by)
			VALUES ($1::bigint, lpad($1::bigint::text, 28, '0'), gen_random_uuid(), $2, $3, $4, $5, 'n', 'e', 'es', 'Aula', 's', 't', 'c', 10, $6::timestamptz::date, $6::timestamptz,
			'[]', $7, '\x00', $8)`, q.id, e, s.dora, s.courseA, s.cohortA, day(q.issued), key, repl); err != nil {
			t.Fatal(err)
		}
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	e = enrol(s.eli, s.courseB, s.cohortB, "active", "2027-06-01", "2027-06-20", "")
	certificate(e, s.eli, s.courseB, s.cohortB, "2027-06-21", false, 0)
	enrol(s.fidel, s.courseB, s.cohortB, "waiting", "2027-03-01", "", "")
	enrol(s.fidel, s.courseA, s.cohortA, "rejected", "2027-01-01", "", "")
	var module, quiz, session int64
	one(&module, `INSERT INTO modules (course_id, key, position) VALUES ($1, 'm', 1) RETURNING id`, s.courseA)
	one(&quiz, `INSERT INTO quizzes (module_id, key, position, settings) VALUES ($1, 'q', 0, '{}') RETURNING id`, module)
	exec(`INSERT INTO quiz_attempts (quiz_id, user_id, number, language, started_at, navigation, per_page)
		VALUES ($1, $2, 1, 'es', $3, 'free', 0)`, quiz, s.bruno, day("2028-02-25"))
	one(&session, `INSERT INTO cohort_sessions (cohort_id, starts_at, minutes, place) VALUES ($1, $2, 60, 'Sala') RETURNING id`,
		s.cohortB, day("2028-02-10"))
	exec(`INSERT INTO attendance (session_id, user_id, status) VALUES ($1, $2, 'present')`, session, s.fidel)
	if err := st.RefreshReports(context.Background(), s.now); err != nil {
		t.Fatal(err)
	}
	return s
}

func filterOf(t *testing.T, query string) courses.ReportFilter {
	t.Helper()
	q, err := url.ParseQuery(query)
	if err != nil {
		t.Fatal(err)
	}
	f, errs := courses.ParseReportFilter(q)
	if len(errs) > 0 {
		t.Fatalf("%s: %v", query, errs)
	}
	return f
}

// TestReportFiguresCountTheHandMadeSchool checks every figure, filtered by each dimension
// and by several at once (they combine: all must hold), against counts made by hand.
func TestReportFiguresCountTheHandMadeSchool(t *testing.T) {
	t.Parallel()
	s := newStatsSchool(t)
	ctx := context.Background()
	type figs = courses.ReportFigures
	tests := []struct {
		query string
		want  figs
	}{
		// 2027: enrolments ana A, ana B (withdrawn), bruno, dora, eli; of these ana A, dora and eli
		// completed; completions in 2027 ana, carla, dora, eli; current certificates ana, dora's
		// reissue, eli (carla's revoked, dora's first replaced). Active: carla (read), bruno
		// (attempt), fidel (attendance), whatever the period.
		{"from=2027-01-01&to=2027-12-31", figs{Certificates: 3, Holders: 3, Enrolments: 5, EnrolmentsCompleted: 3, Completions: 4, Active: 3}},
		// All time: carla's 2026 and 2028 enrolments, her 2028 certificate and completion too.
		{"", figs{Certificates: 4, Holders: 4, Enrolments: 7, EnrolmentsCompleted: 5, Completions: 5, Active: 3}},
		{"from=2027-01-01&to=2027-12-31&country=HN", figs{Certificates: 1, Holders: 1, Enrolments: 3, EnrolmentsCompleted: 1, Completions: 2, Active: 2}},
		{"from=2027-01-01&to=2027-12-31&country=hn&sector=local_government&gender=woman",
			figs{Certificates: 1, Holders: 1, Enrolments: 2, EnrolmentsCompleted: 1, Completions: 1}},
		{"from=2027-01-01&to=2027-12-31&country=HN&gender=man", figs{Enrolments: 1, Active: 1}},
		{"from=2027-01-01&to=2027-12-31&sector=police", figs{Completions: 1, Active: 2}},
		{"from=2027-01-01&to=2027-12-31&audience=media", figs{Certificates: 1, Holders: 1, Enrolments: 2, EnrolmentsCompleted: 1, Completions: 1, Active: 2}},
		{"from=2027-01-01&to=2027-12-31&audience=police", figs{Certificates: 2, Holders: 2, Enrolments: 3, EnrolmentsCompleted: 2, Completions: 3, Active: 1}},
		{"from=2027-01-01&to=2027-12-31&language=en", figs{Certificates: 1, Holders: 1, Enrolments: 1, EnrolmentsCompleted: 1, Completions: 1}},
		{"institution=alcaldía+de+tegucigalpa", figs{Certificates: 1, Holders: 1, Enrolments: 3, EnrolmentsCompleted: 1, Completions: 1, Active: 1}},
		{fmt.Sprintf("course=%d&from=2027-01-01&to=2027-12-31", s.courseB), figs{Certificates: 1, Holders: 1, Enrolments: 2, EnrolmentsCompleted: 1, Completions: 1, Active: 2}},
		{fmt.Sprintf("cohort=%d", s.cohortA), figs{Certificates: 2, Holders: 2, Enrolments: 4, EnrolmentsCompleted: 3, Completions: 3, Active: 1}},
		{"from=2027-03-01&to=2027-03-31", figs{Certificates: 1, Holders: 1, Completions: 1, Active: 3}},
		{"country=BR&gender=man", figs{}},
	}
	for _, tt := range tests {
		got, err := s.st.ReportFiguresOf(ctx, filterOf(t, tt.query), s.now)
		if err != nil {
			t.Fatal(err)
		}
		if got != tt.want {
			t.Errorf("%q:\n got %+v\nwant %+v", tt.query, got, tt.want)
		}
	}
	f := filterOf(t, "from=2027-01-01&to=2027-12-31")
	if got, _ := s.st.ReportFiguresOf(ctx, f, s.now); got.CompletionPercent() != 60 {
		t.Errorf("completion rate %d %%, want 60 (3 of 5)", got.CompletionPercent())
	}
}

// TestReportBreakdownGroupsEveryDimension breaks 2027 down by each dimension.
func TestReportBreakdownGroupsEveryDimension(t *testing.T) {
	t.Parallel()
	s := newStatsSchool(t)
	ctx := context.Background()
	type row struct {
		key                                        string
		holders, enrolments, completed, completion int
		active                                     int
	}
	id := func(n int64) string { return fmt.Sprint(n) }
	tests := []struct {
		by   string
		want []row // most enrolments first
	}{
		{"country", []row{{"HN", 1, 3, 1, 2, 2}, {"BR", 1, 1, 1, 1, 0}, {"CR", 1, 1, 1, 1, 1}}},
		{"sector", []row{{"local_government", 2, 4, 2, 2, 1}, {"media", 1, 1, 1, 1, 0}, {"police", 0, 0, 0, 1, 2}}},
		{"gender", []row{{"woman", 2, 3, 2, 3, 1}, {"", 1, 1, 1, 1, 0}, {"man", 0, 1, 0, 0, 2}}},
		{"language", []row{{"es", 1, 3, 1, 2, 3}, {"en", 1, 1, 1, 1, 0}, {"pt", 1, 1, 1, 1, 0}}},
		{"audience", []row{{"local_government", 2, 3, 2, 3, 1}, {"police", 2, 3, 2, 3, 1}, {"media", 1, 2, 1, 1, 2}}},
		{"course", []row{{id(s.courseA), 2, 3, 2, 3, 1}, {id(s.courseB), 1, 2, 1, 1, 2}}},
		{"institution", []row{{"Alcaldía de Tegucigalpa", 1, 3, 1, 1, 1}, {"Folha", 1, 1, 1, 1, 0},
			{"Municipalidad de Escazú", 1, 1, 1, 1, 0}, {"Fuerza Pública", 0, 0, 0, 0, 1}, {"Policía Nacional", 0, 0, 0, 1, 1}}},
	}
	for _, tt := range tests {
		groups, total, err := s.st.ReportBreakdown(ctx, filterOf(t, "from=2027-01-01&to=2027-12-31&by="+tt.by), "en", s.now)
		if err != nil {
			t.Fatal(err)
		}
		// The whole, counted beside the groups, is the filter's own figures whatever the breakdown.
		if want := (courses.ReportFigures{Certificates: 3, Holders: 3, Enrolments: 5, EnrolmentsCompleted: 3, Completions: 4, Active: 3}); total != want {
			t.Errorf("by %s: total %+v, want %+v", tt.by, total, want)
		}
		var got []row
		for _, g := range groups {
			got = append(got, row{g.Key, g.Holders, g.Enrolments, g.EnrolmentsCompleted, g.Completions, g.Active})
		}
		if fmt.Sprint(got) != fmt.Sprint(tt.want) {
			t.Errorf("by %s:\n got %v\nwant %v", tt.by, got, tt.want)
		}
	}
	groups, _, err := s.st.ReportBreakdown(ctx, filterOf(t, "by=cohort"), "en", s.now)
	if err != nil {
		t.Fatal(err)
	}
	if len(groups) != 2 || groups[0].Label != "Course a" || groups[0].Detail != "" || groups[0].Key != id(s.cohortA) {
		t.Errorf("by cohort: %+v, want course a's self-paced cohort first, named in English", groups)
	}
}

// TestReportByMonthCountsEachEventInItsMonth lists 2027's months with their events.
func TestReportByMonthCountsEachEventInItsMonth(t *testing.T) {
	t.Parallel()
	s := newStatsSchool(t)
	months, err := s.st.ReportByMonth(context.Background(), filterOf(t, "from=2027-01-01&to=2027-12-31&country=HN"), s.now)
	if err != nil {
		t.Fatal(err)
	}
	if len(months) != 12 {
		t.Fatalf("%d months, want 12", len(months))
	}
	// HN in 2027: enrolments ana (Jan), bruno and ana's withdrawn one (Feb); completions carla
	// (Jan), ana (Mar); certificate ana (Mar).
	want := map[time.Month][3]int{time.January: {0, 1, 1}, time.February: {0, 2, 0}, time.March: {1, 0, 1}}
	for _, m := range months {
		if got := [3]int{m.Certificates, m.Enrolments, m.Completions}; got != want[m.Month.Month()] {
			t.Errorf("%s: certificates, enrolments, completions %v, want %v", m.Month.Format("2006-01"), got, want[m.Month.Month()])
		}
	}
	all, err := s.st.ReportByMonth(context.Background(), courses.ReportFilter{}, s.now)
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != 17 || all[0].Month.Format("2006-01") != "2026-11" || all[16].Month.Format("2006-01") != "2028-03" {
		t.Errorf("all time: %d months from %v, want 2026-11 to 2028-03", len(all), all)
	}
}

// TestReportsCountTheCopiesAsLastRefreshed: a certificate issued after the last refresh
// counts from the next one, and the pages can say when that was.
func TestReportsCountTheCopiesAsLastRefreshed(t *testing.T) {
	t.Parallel()
	s := newStatsSchool(t)
	ctx := context.Background()
	at, err := s.st.ReportsRefreshedAt(ctx)
	if err != nil || !at.Equal(s.now) {
		t.Fatalf("refreshed at %v, %v; want %v", at, err, s.now)
	}
	db := s.db
	if _, err := db.Exec(`UPDATE certificates SET revoked_at = now() WHERE user_id = $1`, s.eli); err != nil {
		t.Fatal(err)
	}
	f := filterOf(t, "country=BR")
	if got, _ := s.st.ReportFiguresOf(ctx, f, s.now); got.Holders != 1 {
		t.Errorf("before the refresh: %d holders, want the copy's 1", got.Holders)
	}
	if err := s.st.RefreshReports(ctx, s.now.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.st.ReportFiguresOf(ctx, f, s.now); got.Holders != 0 {
		t.Errorf("after the refresh: %d holders, want 0 (revoked)", got.Holders)
	}
}

// TestImpactCountsPeopleTrainedOnce counts the public page's figures.
func TestImpactCountsPeopleTrainedOnce(t *testing.T) {
	t.Parallel()
	s := newStatsSchool(t)
	im, err := s.st.Impact(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	// ana, carla (2028, her 2027 certificate revoked), dora (once, reissued), eli.
	if im.Trained != 4 || im.Women != 3 || im.Courses != 2 || im.Programmes != 2 || im.Countries != 3 {
		t.Errorf("impact %+v, want 4 trained, 3 women, 2 courses, 2 programmes, 3 countries", im)
	}
	if got := fmt.Sprint(im.ByYear); got != "[{2027 3} {2028 1}]" {
		t.Errorf("by year %s", got)
	}
	if got := fmt.Sprint(im.ByCountry); got != "[{HN 2} {BR 1} {CR 1}]" {
		t.Errorf("by country %s", got)
	}
	if got := fmt.Sprint(im.BySector); got != "[{local_government 2} {media 1} {police 1}]" {
		t.Errorf("by sector %s", got)
	}
}
