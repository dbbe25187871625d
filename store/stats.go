package store

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/aula-school/aula/courses"
	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
)

// The school's figures (see courses.ReportFigures for what each counts) are counted from
// copies made for them (migration 00012): report_enrolments, report_certificates and
// report_activity, each row with the trainee's country, sector, gender, language and
// institution (as their profile says) and the course's audiences beside it. Counting the live
// tables joined 300,000 enrolments to 100,000 users for every figure; the copies are scanned
// alone, the three side by side. The filter becomes a WHERE of bind parameters only, the
// breakdown a GROUP BY, with the total of the same filter counted in the same scan.

// ReportsFreshness is how often a River job refreshes the reports' copies: the figures are
// at most this old (and the time of the last refresh, which the pages show).
const ReportsFreshness = 5 * time.Minute

// RefreshReports makes the reports' copies anew, while they are read (CONCURRENTLY), and
// records when.
func (s *Store) RefreshReports(ctx context.Context, now time.Time) error {
	for _, view := range []string{"report_enrolments", "report_certificates", "report_activity"} {
		if _, err := s.db.ExecContext(ctx, `REFRESH MATERIALIZED VIEW CONCURRENTLY `+view); err != nil {
			return fmt.Errorf("store: refresh %s: %w", view, err)
		}
	}
	if _, err := s.db.ExecContext(ctx, `UPDATE report_refreshes SET at = $1`, now); err != nil {
		return fmt.Errorf("store: refresh reports: %w", err)
	}
	return nil
}

// ReportsRefreshedAt is when the reports' copies were last made.
func (s *Store) ReportsRefreshedAt(ctx context.Context) (time.Time, error) {
	var at time.Time
	err := s.onReplica(ctx, func(db *sqlx.DB) error { return db.GetContext(ctx, &at, `SELECT at FROM report_refreshes`) })
	if err != nil {
		return at, fmt.Errorf("store: reports refreshed: %w", err)
	}
	return at, nil
}

// reportSQL builds one statement over a copy x: its bind parameters, and the WHERE of the
// filter's dimensions (the period is each figure's own).
type reportSQL struct {
	args []any
}

func (q *reportSQL) arg(v any) string {
	q.args = append(q.args, v)
	return "$" + strconv.Itoa(len(q.args))
}

// dims is the filter's WHERE on x, without the period ("true" when it has none).
func (q *reportSQL) dims(f courses.ReportFilter) string {
	var conds []string
	for _, c := range []struct{ col, v string }{{"x.country", f.Country}, {"x.sector", string(f.Sector)},
		{"x.gender", string(f.Gender)}, {"x.language", f.Language}} {
		if c.v != "" {
			conds = append(conds, c.col+" = "+q.arg(c.v))
		}
	}
	if f.Institution != "" {
		conds = append(conds, "lower(x.institution) = lower("+q.arg(f.Institution)+")")
	}
	if f.CourseID > 0 {
		conds = append(conds, "x.course_id = "+q.arg(f.CourseID))
	}
	if f.CohortID > 0 {
		conds = append(conds, "x.cohort_id = "+q.arg(f.CohortID))
	}
	if f.Audience != "" {
		conds = append(conds, q.arg(string(f.Audience))+" = ANY (x.audiences)")
	}
	if len(conds) == 0 {
		return "true"
	}
	return strings.Join(conds, " AND ")
}

// period is "col lies in the filter's period" ("true" when it is open).
func (q *reportSQL) period(f courses.ReportFilter, col string) string {
	var conds []string
	if !f.From.IsZero() {
		conds = append(conds, col+" >= "+q.arg(f.From))
	}
	if !f.To.IsZero() {
		conds = append(conds, col+" < "+q.arg(f.To))
	}
	if len(conds) == 0 {
		return "true"
	}
	return "(" + strings.Join(conds, " AND ") + ")"
}

// reportKey is f.By's value in x, with the FROM's lateral join it needs, and whether the
// groups add up to the total, which the same scan counts.
//
// A course for two audiences counts in both, so the audiences' groups do not add up: their scan
// has each row once per audience of its course, numbered (aud.n), and the total counts a row
// only at its first (see counted); a count of distinct trainees is the same either way.
func reportKey(by courses.ReportDimension) (key, lateral string, additive bool) {
	switch by {
	case "":
		return "''", "", false
	case courses.ByAudience:
		return "aud.audience", " CROSS JOIN LATERAL unnest(x.audiences) WITH ORDINALITY AS aud (audience, n)", false
	case courses.ByCourse:
		return "x.course_id::text", "", true
	case courses.ByCohort:
		return "x.cohort_id::text", "", true
	case courses.ByCountry, courses.BySector, courses.ByGender, courses.ByInstitution, courses.ByLanguage:
		return "x." + string(by), "", true // columns of the copies
	}
	// Never a column named by whoever called: an unknown dimension breaks nothing down.
	return "''", "", false
}

// grouped is the GROUP BY of a breakdown: by key, and the whole (marked total).
func grouped(key string) (total, groupBy string) {
	if key == "''" {
		return "true", ""
	}
	return "grouping(" + key + ") = 1", " GROUP BY GROUPING SETS ((" + key + "), ())"
}

// counted counts the rows where cond holds: in the total of a breakdown that is not
// additive, each row at its first group only.
func counted(key string, additive bool, cond string) string {
	if key == "''" || additive {
		return "count(*) FILTER (WHERE " + cond + ")"
	}
	return "CASE WHEN grouping(" + key + ") = 1 THEN count(*) FILTER (WHERE " + cond + " AND aud.n = 1) ELSE count(*) FILTER (WHERE " + cond + ") END"
}

type figuresRow struct {
	Key   *string `db:"key"`
	Total bool    `db:"total"`
	A, B  int
	C     int
}

// ReportBreakdown counts the figures under f, one group per value of f.By (no groups
// without one), groups with the most enrolments first, and the figures of the whole filter.
// Courses and cohorts are named in lang (or the course's own language).
func (s *Store) ReportBreakdown(ctx context.Context, f courses.ReportFilter, lang string, now time.Time) ([]courses.ReportGroup, courses.ReportFigures, error) {
	var total courses.ReportFigures
	key, lateral, additive := reportKey(f.By)
	tot, groupBy := grouped(key)
	count := func(cond string) string { return counted(key, additive, cond) }
	type part struct {
		query string
		args  []any
		set   func(g *courses.ReportFigures, r figuresRow)
	}
	var e, c, a reportSQL
	inEnrolment := e.period(f, "x.created_at")
	inCompletion := "x.completed_at IS NOT NULL AND " + e.period(f, "x.completed_at")
	enrolments := `SELECT ` + key + ` AS key, ` + tot + ` AS total,
		` + count(`x.accepted AND `+inEnrolment) + ` AS a,
		` + count(`x.accepted AND `+inEnrolment+` AND x.completed_at IS NOT NULL`) + ` AS b,
		` + count(inCompletion) + ` AS c
		FROM report_enrolments x` + lateral + ` WHERE ` + e.dims(f) + ` AND (` + inEnrolment + ` OR (` + inCompletion + `))` + groupBy
	certificates := `SELECT ` + key + ` AS key, ` + tot + ` AS total, ` + count("true") + ` AS a, count(DISTINCT x.user_id) AS b, 0 AS c
		FROM report_certificates x` + lateral + ` WHERE ` + c.dims(f) + ` AND ` + c.period(f, "x.issued_at") + groupBy
	active := `SELECT ` + key + ` AS key, ` + tot + ` AS total, count(DISTINCT x.user_id) AS a, 0 AS b, 0 AS c
		FROM report_activity x` + lateral + ` WHERE ` + a.dims(f) + ` AND x.active_at >= ` + a.arg(now.Add(-courses.ActiveWindow)) +
		` AND x.active_at <= ` + a.arg(now) + groupBy
	parts := []part{
		{enrolments, e.args, func(g *courses.ReportFigures, r figuresRow) {
			g.Enrolments, g.EnrolmentsCompleted, g.Completions = r.A, r.B, r.C
		}},
		{certificates, c.args, func(g *courses.ReportFigures, r figuresRow) { g.Certificates, g.Holders = r.A, r.B }},
		{active, a.args, func(g *courses.ReportFigures, r figuresRow) { g.Active = r.A }},
	}
	var results [][]figuresRow
	err := s.onReplica(ctx, func(db *sqlx.DB) error {
		results = make([][]figuresRow, len(parts))
		return s.parallel(ctx, len(parts), func(ctx context.Context, i int) error {
			return db.SelectContext(ctx, &results[i], parts[i].query, parts[i].args...)
		})
	})
	if err != nil {
		return nil, total, fmt.Errorf("store: report: %w", err)
	}
	by := map[string]*courses.ReportGroup{}
	var groups []*courses.ReportGroup
	for i, rows := range results {
		for _, r := range rows {
			if r.Total {
				parts[i].set(&total, r)
				continue
			}
			k := ""
			if r.Key != nil {
				k = *r.Key
			}
			g := by[k]
			if g == nil {
				g = &courses.ReportGroup{Key: k}
				by[k] = g
				groups = append(groups, g)
			}
			parts[i].set(&g.ReportFigures, r)
		}
	}
	sort.Slice(groups, func(i, j int) bool {
		a, b := groups[i], groups[j]
		if a.Enrolments != b.Enrolments {
			return a.Enrolments > b.Enrolments
		}
		if a.Holders != b.Holders {
			return a.Holders > b.Holders
		}
		return a.Key < b.Key
	})
	out := make([]courses.ReportGroup, len(groups))
	for i, g := range groups {
		out[i] = *g
	}
	if f.By == courses.ByCourse || f.By == courses.ByCohort {
		if err := s.reportLabels(ctx, f.By, out, lang); err != nil {
			return nil, total, err
		}
	}
	return out, total, nil
}

// ReportFiguresOf is the school's figures under f, with no breakdown.
func (s *Store) ReportFiguresOf(ctx context.Context, f courses.ReportFilter, now time.Time) (courses.ReportFigures, error) {
	f.By = ""
	_, total, err := s.ReportBreakdown(ctx, f, "", now)
	return total, err
}

// reportLabels names the courses (their title) or cohorts (the course's title, and the
// cohort's name in Detail: "" for a course's self-paced cohort) the groups' keys are.
func (s *Store) reportLabels(ctx context.Context, by courses.ReportDimension, groups []courses.ReportGroup, lang string) error {
	ids := make([]int64, 0, len(groups))
	for _, g := range groups {
		if id, err := strconv.ParseInt(g.Key, 10, 64); err == nil {
			ids = append(ids, id)
		}
	}
	var rows []struct {
		Key    string `db:"key"`
		Title  string `db:"title"`
		Detail string `db:"detail"`
	}
	q := `SELECT c.id::text AS key, t.title, '' AS detail FROM courses c
		JOIN LATERAL (SELECT title FROM course_texts WHERE course_id = c.id
			ORDER BY language = $2 DESC, language = c.default_language DESC, language LIMIT 1) t ON true
		WHERE c.id = ANY ($1)`
	if by == courses.ByCohort {
		q = `SELECT ch.id::text AS key, t.title, CASE WHEN ch.is_default THEN '' ELSE ch.name END AS detail
			FROM cohorts ch JOIN courses c ON c.id = ch.course_id
			JOIN LATERAL (SELECT title FROM course_texts WHERE course_id = c.id
				ORDER BY language = $2 DESC, language = c.default_language DESC, language LIMIT 1) t ON true
			WHERE ch.id = ANY ($1)`
	}
	err := s.onReplica(ctx, func(db *sqlx.DB) error {
		rows = nil
		return db.SelectContext(ctx, &rows, q, pq.Array(ids), lang)
	})
	if err != nil {
		return fmt.Errorf("store: report labels: %w", err)
	}
	names := make(map[string][2]string, len(rows))
	for _, r := range rows {
		names[r.Key] = [2]string{r.Title, r.Detail}
	}
	for i := range groups {
		n := names[groups[i].Key]
		groups[i].Label, groups[i].Detail = n[0], n[1]
	}
	return nil
}

// ReportByMonth counts certificates issued, enrolments made and completions reached in each
// month under f (the breakdown ignored), over courses.ReportMonths: without a first day, from
// the first month with any.
func (s *Store) ReportByMonth(ctx context.Context, f courses.ReportFilter, now time.Time) ([]courses.MonthFigures, error) {
	var e, c reportSQL
	inEnrolment, inCompletion := e.period(f, "x.created_at"), "x.completed_at IS NOT NULL AND "+e.period(f, "x.completed_at")
	// grouping() tells the two sets apart: 1 is by the month of enrolment, 2 of completion.
	enrolments := `SELECT grouping(x.created_month, x.completed_month) AS g,
		CASE grouping(x.created_month, x.completed_month) WHEN 1 THEN x.created_month ELSE x.completed_month END AS month,
		count(*) FILTER (WHERE x.accepted AND ` + inEnrolment + `) AS e, count(*) FILTER (WHERE ` + inCompletion + `) AS c
		FROM report_enrolments x WHERE ` + e.dims(f) + ` AND (` + inEnrolment + ` OR (` + inCompletion + `))
		GROUP BY GROUPING SETS ((x.created_month), (x.completed_month))`
	certificates := `SELECT 0 AS g, x.issued_month AS month, count(*) AS e, 0 AS c FROM report_certificates x
		WHERE ` + c.dims(f) + ` AND ` + c.period(f, "x.issued_at") + ` GROUP BY x.issued_month`
	type monthRow struct {
		G     int        `db:"g"`
		Month *time.Time `db:"month"`
		E, C  int
	}
	var results [][]monthRow
	err := s.onReplica(ctx, func(db *sqlx.DB) error {
		results = make([][]monthRow, 2)
		return s.parallel(ctx, 2, func(ctx context.Context, i int) error {
			if i == 0 {
				return db.SelectContext(ctx, &results[0], enrolments, e.args...)
			}
			return db.SelectContext(ctx, &results[1], certificates, c.args...)
		})
	})
	if err != nil {
		return nil, fmt.Errorf("store: report months: %w", err)
	}
	by := map[time.Time]courses.MonthFigures{}
	var first time.Time
	for _, rows := range results {
		for _, r := range rows {
			if r.Month == nil {
				continue
			}
			month := time.Date(r.Month.Year(), r.Month.Month(), 1, 0, 0, 0, 0, time.UTC)
			m := by[month]
			m.Month = month
			switch r.G {
			case 0:
				m.Certificates = r.E
			case 1:
				m.Enrolments = r.E
			default:
				m.Completions = r.C
			}
			if m.Certificates+m.Enrolments+m.Completions == 0 {
				continue
			}
			by[month] = m
			if first.IsZero() || month.Before(first) {
				first = month
			}
		}
	}
	got := make([]courses.MonthFigures, 0, len(by))
	for _, m := range by {
		got = append(got, m)
	}
	return courses.FillMonths(courses.ReportMonths(f, first, now), got), nil
}

// parallel runs n statements at once and returns the first error; the others are cancelled.
func (s *Store) parallel(ctx context.Context, n int, run func(ctx context.Context, i int) error) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if errs[i] = run(ctx, i); errs[i] != nil {
				cancel()
			}
		}()
	}
	wg.Wait()
	var first error
	for _, err := range errs {
		if err != nil && (first == nil || cancelled(first)) {
			first = err // the cause rather than a statement it cancelled
		}
	}
	return first
}

// cancelled says whether err is a statement's cancellation, as the context gives it or as
// PostgreSQL reports a statement lib/pq cancelled for it (57014).
func cancelled(err error) bool {
	var pqErr *pq.Error
	return errors.Is(err, context.Canceled) || (errors.As(err, &pqErr) && pqErr.Code == "57014")
}

// Impact counts the public impact page's figures (see courses.Impact) from the reports'
// copy of the current certificates: one scan, the holders grouped by year of their first
// certificate, by country, by sector and as a whole (grouping() says which).
func (s *Store) Impact(ctx context.Context) (courses.Impact, error) {
	var im courses.Impact
	var rows []struct {
		G     int    `db:"g"`
		Key   string `db:"key"`
		N     int    `db:"n"`
		Women int    `db:"women"`
	}
	err := s.onReplica(ctx, func(db *sqlx.DB) error {
		rows = nil
		return s.parallel(ctx, 2, func(ctx context.Context, i int) error {
			if i == 1 {
				return db.QueryRowxContext(ctx, `SELECT (SELECT count(*) FROM courses WHERE status = 'published'),
				(SELECT count(DISTINCT cohort_id) FROM report_certificates), (SELECT at FROM report_refreshes)`).
					Scan(&im.Courses, &im.Programmes, &im.CountedAt)
			}
			return db.SelectContext(ctx, &rows, `SELECT grouping(h.year, h.country, h.sector) AS g,
			coalesce(h.year, h.country, h.sector, '') AS key, count(*) AS n, count(*) FILTER (WHERE h.gender = 'woman') AS women
			FROM (SELECT extract(year FROM min(x.issued_at) AT TIME ZONE 'UTC')::int::text AS year,
				min(x.country) AS country, min(x.sector) AS sector, min(x.gender) AS gender
				FROM report_certificates x GROUP BY x.user_id) h
			GROUP BY GROUPING SETS ((h.year), (h.country), (h.sector), ())
			ORDER BY g, n DESC, key`)
		})
	})
	if err != nil {
		return courses.Impact{}, fmt.Errorf("store: impact: %w", err)
	}
	for _, r := range rows {
		c := courses.ImpactCount{Key: r.Key, N: r.N}
		switch r.G {
		case 3: // by year (the others not grouped: bits 011)
			im.ByYear = append(im.ByYear, c)
		case 5:
			im.ByCountry = append(im.ByCountry, c)
			if r.Key != "" {
				im.Countries++
			}
		case 6:
			im.BySector = append(im.BySector, c)
		case 7:
			im.Trained, im.Women = r.N, r.Women
		}
	}
	sort.Slice(im.ByYear, func(i, j int) bool { return im.ByYear[i].Key < im.ByYear[j].Key })
	return im, nil
}
