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
	"github.com/lib/pq"
)

// The school's figures (see courses.ReportFigures for what each counts). Each figure is one
// aggregate over its own events, joined to the trainee (country, sector, gender, institution,
// language: as their profile says now) and, for the audience, to the course. The filter
// becomes a WHERE of bind parameters only; the breakdown a GROUP BY. The statements of one
// report run side by side, on connections of their own.

// Each source names its events x(user_id, course_id, cohort_id, at, …).
const (
	certificateEvents = `(SELECT user_id, course_id, cohort_id, issued_at AS at FROM certificates
		WHERE replaced_by IS NULL AND revoked_at IS NULL) x`
	enrolmentEvents = `(SELECT user_id, course_id, cohort_id, created_at AS at, completed_at IS NOT NULL AS done FROM enrolments
		WHERE status IN ('active', 'withdrawn')) x`
	completionEvents = `(SELECT user_id, course_id, cohort_id, completed_at AS at FROM enrolments
		WHERE completed_at IS NOT NULL) x`
	// activityEvents takes since ($1) and now ($2): lessons read (an enrolment's last
	// activity), quiz attempts started, in-person sessions attended.
	activityEvents = `(SELECT e.user_id, e.course_id, e.cohort_id FROM enrolments e
			WHERE e.last_activity_at >= $1 AND e.last_activity_at <= $2
		UNION ALL
		SELECT a.user_id, e.course_id, e.cohort_id FROM quiz_attempts a JOIN quizzes q ON q.id = a.quiz_id
			JOIN modules m ON m.id = q.module_id JOIN enrolments e ON e.course_id = m.course_id AND e.user_id = a.user_id
			WHERE a.started_at >= $1 AND a.started_at <= $2
		UNION ALL
		SELECT t.user_id, ch.course_id, ch.id FROM attendance t JOIN cohort_sessions s ON s.id = t.session_id
			JOIN cohorts ch ON ch.id = s.cohort_id
			WHERE t.status = 'present' AND s.starts_at >= $1 AND s.starts_at <= $2) x`
)

// reportQuery is one aggregate of source under f: "SELECT key, aggs … GROUP BY key", the key
// f.By's value (empty without a breakdown), or with month the month of the event instead. args
// are the source's own parameters, which come first.
func reportQuery(f courses.ReportFilter, source, aggs string, dated, month bool, args ...any) (string, []any) {
	arg := func(v any) string { args = append(args, v); return "$" + strconv.Itoa(len(args)) }
	var conds []string
	if dated && !f.From.IsZero() {
		conds = append(conds, "x.at >= "+arg(f.From))
	}
	if dated && !f.To.IsZero() {
		conds = append(conds, "x.at < "+arg(f.To))
	}
	for col, v := range map[string]string{"u.country": f.Country, "u.sector": string(f.Sector), "u.gender": string(f.Gender),
		"u.language": f.Language} {
		if v != "" {
			conds = append(conds, col+" = "+arg(v))
		}
	}
	if f.Institution != "" {
		conds = append(conds, "lower(u.institution) = lower("+arg(f.Institution)+")")
	}
	if f.CourseID > 0 {
		conds = append(conds, "x.course_id = "+arg(f.CourseID))
	}
	if f.CohortID > 0 {
		conds = append(conds, "x.cohort_id = "+arg(f.CohortID))
	}
	joins := " JOIN users u ON u.id = x.user_id"
	if f.Audience != "" || (f.By == courses.ByAudience && !month) {
		joins += " JOIN courses c ON c.id = x.course_id"
	}
	if f.Audience != "" {
		conds = append(conds, arg(string(f.Audience))+" = ANY (c.audiences)")
	}
	key := "''"
	switch {
	case month:
		key = "date_trunc('month', x.at AT TIME ZONE 'UTC') AT TIME ZONE 'UTC'"
	case f.By == courses.ByAudience:
		joins += " CROSS JOIN LATERAL unnest(c.audiences) AS aud (audience)"
		key = "aud.audience"
	case f.By == courses.ByCourse:
		key = "x.course_id::text"
	case f.By == courses.ByCohort:
		key = "x.cohort_id::text"
	case f.By != "":
		key = "u." + string(f.By) // country, sector, gender, institution, language: columns of users
	}
	sort.Strings(conds) // the same filter, the same statement
	where := ""
	if len(conds) > 0 {
		where = " WHERE " + strings.Join(conds, " AND ")
	}
	return "SELECT " + key + " AS key, " + aggs + " FROM " + source + joins + where + " GROUP BY 1", args
}

type figuresRow struct {
	Key  string `db:"key"`
	A, B int
}

// ReportBreakdown counts the figures under f, one group per value of f.By (a single group
// with key "" without one), groups with the most enrolments first. Courses and cohorts are
// named in lang (or the course's own language).
func (s *Store) ReportBreakdown(ctx context.Context, f courses.ReportFilter, lang string, now time.Time) ([]courses.ReportGroup, error) {
	type part struct {
		source, aggs string
		dated        bool
		args         []any
		set          func(g *courses.ReportFigures, a, b int)
	}
	parts := []part{
		{certificateEvents, "count(*) AS a, count(DISTINCT x.user_id) AS b", true, nil,
			func(g *courses.ReportFigures, a, b int) { g.Certificates, g.Holders = a, b }},
		{enrolmentEvents, "count(*) AS a, count(*) FILTER (WHERE x.done) AS b", true, nil,
			func(g *courses.ReportFigures, a, b int) { g.Enrolments, g.EnrolmentsCompleted = a, b }},
		{completionEvents, "count(*) AS a, 0 AS b", true, nil,
			func(g *courses.ReportFigures, a, _ int) { g.Completions = a }},
		{activityEvents, "count(DISTINCT x.user_id) AS a, 0 AS b", false, []any{now.Add(-courses.ActiveWindow), now},
			func(g *courses.ReportFigures, a, _ int) { g.Active = a }},
	}
	results := make([][]figuresRow, len(parts))
	err := s.parallel(ctx, len(parts), func(ctx context.Context, i int) error {
		q, args := reportQuery(f, parts[i].source, parts[i].aggs, parts[i].dated, false, parts[i].args...)
		return s.db.SelectContext(ctx, &results[i], q, args...)
	})
	if err != nil {
		return nil, fmt.Errorf("store: report: %w", err)
	}
	by := map[string]*courses.ReportGroup{}
	var groups []*courses.ReportGroup
	for i, rows := range results {
		for _, r := range rows {
			g := by[r.Key]
			if g == nil {
				g = &courses.ReportGroup{Key: r.Key}
				by[r.Key] = g
				groups = append(groups, g)
			}
			parts[i].set(&g.ReportFigures, r.A, r.B)
		}
	}
	if f.By == "" && len(groups) == 0 {
		groups = append(groups, &courses.ReportGroup{})
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
			return nil, err
		}
	}
	return out, nil
}

// ReportFiguresOf is the school's figures under f, with no breakdown.
func (s *Store) ReportFiguresOf(ctx context.Context, f courses.ReportFilter, now time.Time) (courses.ReportFigures, error) {
	f.By = ""
	groups, err := s.ReportBreakdown(ctx, f, "", now)
	if err != nil {
		return courses.ReportFigures{}, err
	}
	return groups[0].ReportFigures, nil
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
	if err := s.db.SelectContext(ctx, &rows, q, pq.Array(ids), lang); err != nil {
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
// month under f (the breakdown ignored), over courses.ReportMonths.
func (s *Store) ReportByMonth(ctx context.Context, f courses.ReportFilter, now time.Time) ([]courses.MonthFigures, error) {
	var first time.Time
	if f.From.IsZero() {
		var at *time.Time
		if err := s.db.GetContext(ctx, &at, `SELECT min(created_at) FROM enrolments WHERE status IN ('active', 'withdrawn')`); err != nil {
			return nil, fmt.Errorf("store: report months: %w", err)
		}
		if at != nil {
			first = *at
		}
	}
	months := courses.ReportMonths(f, first, now)
	if len(months) == 0 {
		return nil, nil
	}
	if f.From.IsZero() || f.From.Before(months[0]) {
		f.From = months[0]
	}
	sources := []string{certificateEvents, enrolmentEvents, completionEvents}
	results := make([][]struct {
		Month time.Time `db:"key"`
		N     int       `db:"n"`
	}, len(sources))
	err := s.parallel(ctx, len(sources), func(ctx context.Context, i int) error {
		q, args := reportQuery(f, sources[i], "count(*) AS n", true, true)
		return s.db.SelectContext(ctx, &results[i], q, args...)
	})
	if err != nil {
		return nil, fmt.Errorf("store: report months: %w", err)
	}
	by := map[time.Time]courses.MonthFigures{}
	for i, rows := range results {
		for _, r := range rows {
			m := by[r.Month.UTC()]
			m.Month = r.Month.UTC()
			switch i {
			case 0:
				m.Certificates = r.N
			case 1:
				m.Enrolments = r.N
			default:
				m.Completions = r.N
			}
			by[m.Month] = m
		}
	}
	got := make([]courses.MonthFigures, 0, len(by))
	for _, m := range by {
		got = append(got, m)
	}
	return courses.FillMonths(months, got), nil
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
		if err != nil && (first == nil || errors.Is(first, context.Canceled)) {
			first = err // the cause rather than a statement it cancelled
		}
	}
	return first
}

// holdersOf is every person holding a current certificate, with the day of their first.
const holdersOf = `(SELECT user_id, min(issued_at) AS first FROM certificates
	WHERE replaced_by IS NULL AND revoked_at IS NULL GROUP BY user_id) h JOIN users u ON u.id = h.user_id`

// Impact counts the public impact page's figures (see courses.Impact).
func (s *Store) Impact(ctx context.Context) (courses.Impact, error) {
	var im courses.Impact
	lists := []*[]courses.ImpactCount{&im.ByYear, &im.ByCountry, &im.BySector}
	queries := []string{
		`SELECT extract(year FROM h.first AT TIME ZONE 'UTC')::int::text AS key, count(*) AS n FROM ` + holdersOf + ` GROUP BY 1 ORDER BY 1`,
		`SELECT u.country AS key, count(*) AS n FROM ` + holdersOf + ` GROUP BY 1 ORDER BY 2 DESC, 1`,
		`SELECT u.sector AS key, count(*) AS n FROM ` + holdersOf + ` GROUP BY 1 ORDER BY 2 DESC, 1`,
	}
	err := s.parallel(ctx, len(queries)+1, func(ctx context.Context, i int) error {
		if i < len(queries) {
			return s.db.SelectContext(ctx, lists[i], queries[i])
		}
		return s.db.QueryRowxContext(ctx, `SELECT count(*), count(*) FILTER (WHERE u.gender = 'woman'),
			(SELECT count(*) FROM courses WHERE status = 'published'),
			(SELECT count(DISTINCT cohort_id) FROM certificates WHERE replaced_by IS NULL AND revoked_at IS NULL)
			FROM `+holdersOf).
			Scan(&im.Trained, &im.Women, &im.Courses, &im.Programmes)
	})
	if err != nil {
		return courses.Impact{}, fmt.Errorf("store: impact: %w", err)
	}
	for _, c := range im.ByCountry {
		if c.Key != "" {
			im.Countries++
		}
	}
	return im, nil
}
