package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"sync"
	"time"

	"github.com/aula-school/aula/courses"
	"github.com/lib/pq"
)

// CoursePage is what the course and lesson pages show, read in one statement, so in one
// snapshot: a lesson moved or deleted meanwhile is either where it was or where it went.
type CoursePage struct {
	// Course has every course text, its modules' titles, and its lessons' titles in the
	// reader's language and the course's default only (as courses.Localize picks them), with
	// no lesson bodies. Its Modules and Texts are shared with other pages of the course: read
	// them only.
	Course      courses.Course
	Instructors []courses.User    // owner first; ID and FullName only
	Enrolment   courses.Enrolment // the reader's live enrolment, when Enrolled
	Enrolled    bool
	// Cohorts, for the course page only (no lesson asked for), without their keys, and counting
	// only what the page shows: the active trainees of a cohort with a capacity.
	// A waiting reader's place in line is in Enrolment for the course page only, too.
	Cohorts    []courses.CohortSummary
	Done       map[int64]bool    // the lessons of the course the reader has finished
	Passed     map[int64]bool    // the quizzes of the course the reader has passed
	LessonHTML map[string]string // the lesson asked for, by language: its stored, sanitised HTML
}

// textsColumn is a course's titles and summaries in every language as one text array: its
// languages, then their titles, then their summaries, in one order (PostgreSQL's arrays cost a
// fraction of JSON to read).
const (
	textsOf = `(SELECT coalesce(array_agg(t.language ORDER BY t.language) || array_agg(t.title ORDER BY t.language)
	|| array_agg(t.summary ORDER BY t.language), '{}') FROM course_texts t WHERE t.course_id = c.id)`
	textsColumn = textsOf + ` AS texts`
)

func decodeTexts(texts pq.StringArray, c *courses.Course) error {
	if len(texts)%3 != 0 {
		return fmt.Errorf("store: course %d texts: %d values", c.ID, len(texts))
	}
	n := len(texts) / 3
	for i := range n {
		c.Texts[texts[i]] = courses.CourseText{Title: texts[n+i], Summary: texts[2*n+i]}
	}
	return nil
}

// readerTexts (readerTextsOf + an SQL expression naming a lesson + readerTextsEnd) is that
// lesson's texts in the reader's language ($2) and the course's default, or, for a lesson that
// has neither (the default changed after it was written), in every language it has, as
// courses.Pick falls back: rank 1 is every wanted language the lesson has, or all of them when
// it has none. Only that lesson's rows are read. aula_course_outline (migration 00010) picks
// the outline's titles by the same rule.
const (
	readerTextsOf = `(SELECT t.language, t.title, t.html, t.html_version, t.body,
		rank() OVER (ORDER BY t.language IN ($2, c.default_language) DESC) AS wanted
		FROM lesson_texts t WHERE t.lesson_id = `
	readerTextsEnd = `) lt`
)

// The course page's and the lesson page's statements share their columns; each computes only
// what its page shows, since PostgreSQL starts up every subquery of a plan on each execution,
// whether it runs or not (so the outline, needed only for a version the instance does not
// keep, is a function's). version is the parameter holding the course's version whose
// outline and texts the caller has (they then come back NULL).
func coursePageColumns(version, lesson, cohorts, position, instructors, passed string) string {
	return `SELECT ` + courseColumns + `,
			CASE WHEN v.version = ` + version + ` THEN NULL ELSE ` + textsOf + ` END AS texts,
			(SELECT coalesce(array_agg(i.user_id ORDER BY i.user_id), '{}') FROM course_instructors i WHERE i.course_id = c.id) AS instructor_ids,
			` + instructors + ` AS instructors,
			coalesce(v.version, 0) AS version,
			CASE WHEN v.version = ` + version + ` THEN NULL ELSE aula_course_outline(c.id, $2, c.default_language) END AS outline,
			` + lesson + ` AS lesson,
			(SELECT coalesce(array_agg(lc.lesson_id), '{}') FROM lesson_completions lc WHERE lc.user_id = $3 AND lc.course_id = c.id) AS done,
			` + passed + ` AS passed,
			` + cohorts + ` AS cohorts,
			e.id AS enrolment_id, e.cohort_id, e.status AS enrolment_status, e.last_lesson_id, e.last_activity_at, e.completed_at,
			` + position + ` AS position
		FROM courses c
		LEFT JOIN course_versions v ON v.course_id = c.id
		LEFT JOIN enrolments e ON e.course_id = c.id AND e.user_id = $3 AND e.status IN ('active', 'waiting', 'pending')
		WHERE c.slug = $1`
}

// The course page's instructors by name, and its quizzes passed. The lesson page shows
// neither.
const (
	pageInstructors = `-- = ANY (ARRAY(…)), not IN (…): the plan kept for any course read every user's row.
			(SELECT coalesce(json_agg(json_build_object('id', u.id, 'name', u.full_name) ORDER BY u.id = c.owner_id DESC, lower(u.full_name)), '[]')
				FROM users u WHERE u.id = ANY (ARRAY(SELECT c.owner_id UNION SELECT i.user_id FROM course_instructors i WHERE i.course_id = c.id)))`
	pagePassed = `-- Passed as completion counts it (store/learning.go): the last finished attempt, or any;
			-- quizzes never attempted are left out first, by the attempts' index.
			(SELECT coalesce(array_agg(z.id), '{}') FROM quizzes z JOIN modules m ON m.id = z.module_id
				WHERE m.course_id = c.id AND EXISTS (SELECT 1 FROM quiz_attempts a WHERE a.quiz_id = z.id AND a.user_id = $3)
					AND coalesce(CASE z.settings->>'grade_method'
					WHEN 'last' THEN (SELECT a.passed FROM quiz_attempts a WHERE a.quiz_id = z.id AND a.user_id = $3
						AND a.finished_at IS NOT NULL ORDER BY a.finished_at DESC, a.id DESC LIMIT 1)
					ELSE EXISTS (SELECT 1 FROM quiz_attempts a WHERE a.quiz_id = z.id AND a.user_id = $3 AND a.passed) END, false))`
)

// coursePageQuery is the course page's statement: $1 slug, $2 language, $3 reader, $4 the
// course's version the caller has. Cohorts without their keys, counting only what the page
// shows: the active trainees of a cohort with a capacity; a waiting trainee's place in line.
var coursePageQuery = coursePageColumns("$4", `'{}'::text[]`,
	`(SELECT coalesce(json_agg(json_build_object('id', ch.id, 'name', ch.name,
		'starts_on', ch.starts_on, 'ends_on', ch.ends_on, 'capacity', ch.capacity, 'mode', ch.mode, 'location', ch.location,
		'policy', ch.policy, 'is_default', ch.is_default, 'active', CASE WHEN ch.capacity > 0 THEN
			(SELECT count(*) FROM enrolments x WHERE x.cohort_id = ch.id AND x.status = 'active') ELSE 0 END)
		ORDER BY ch.is_default DESC, ch.starts_on NULLS LAST, ch.id), '[]')
	FROM cohorts ch WHERE ch.course_id = c.id)`,
	`CASE WHEN e.status = 'waiting' THEN (SELECT count(*) FROM enrolments w WHERE w.cohort_id = e.cohort_id
		AND w.status = 'waiting' AND (w.queued_at, w.id) <= (e.queued_at, e.id)) ELSE 0 END`,
	pageInstructors, pagePassed)

// lessonPageQuery is the lesson page's statement: $1 slug, $2 language, $3 reader, $4 lesson, $5
// the current policy version, $6 the course's version the caller has, $7 now, when the reader's
// place is to be recorded (NULL: not). The lesson's texts: its languages, then their HTML, then
// the Markdown of those rendered under another policy (NULL for the others), in one order.
//
// The place is written in the same statement (one round trip, not two), under the rules of
// the page: an active enrolment, a lesson of the course, a course the reader may read, and not
// when the place is already this lesson, recorded less than a minute before (a reload, or a
// step back and forth, writes nothing). The page reads the enrolment as it was before.
var lessonPageQuery = `WITH visit AS (
		UPDATE enrolments e SET last_lesson_id = $4, last_activity_at = $7
		FROM courses c
		WHERE $7::timestamptz IS NOT NULL AND c.slug = $1 AND e.course_id = c.id AND e.user_id = $3 AND e.status = 'active'
			AND NOT coalesce(e.last_lesson_id = $4 AND e.last_activity_at > $7::timestamptz - interval '1 minute', false)
			AND EXISTS (SELECT 1 FROM lessons l JOIN modules m ON m.id = l.module_id WHERE l.id = $4 AND m.course_id = c.id)
			AND (c.status = 'published' OR EXISTS (SELECT 1 FROM users u WHERE u.id = $3 AND u.active AND (u.role = 'admin'
				OR (u.role = 'instructor' AND (u.id = c.owner_id
					OR EXISTS (SELECT 1 FROM course_instructors i WHERE i.course_id = c.id AND i.user_id = u.id)))))))
	` + coursePageColumns("$6",
	`(SELECT coalesce(array_agg(lt.language) || array_agg(lt.html) || array_agg(CASE WHEN lt.html_version = $5 THEN NULL ELSE lt.body END),
			'{}')
		FROM `+readerTextsOf+`$4`+readerTextsEnd+`
		WHERE lt.wanted = 1 AND EXISTS (SELECT 1 FROM lessons l JOIN modules m ON m.id = l.module_id
			WHERE l.id = $4 AND m.course_id = c.id))`,
	`'[]'::json`, `0`, `'[]'::json`, `'{}'::bigint[]`)

// CoursePage reads the course named slug as userID (0: anonymous) reads it in lang, and the
// HTML of lessonID (0: none, for the course page). A lesson whose stored HTML was rendered
// under another policy version (or another slug) is rendered again now and saved.
func (s *Store) CoursePage(ctx context.Context, slug, lang string, userID, lessonID int64) (CoursePage, error) {
	return s.coursePage(ctx, slug, lang, userID, lessonID, time.Time{})
}

// LessonPage is CoursePage for a trainee who opens lessonID at now: in the same statement, it
// records the lesson as their place in the course, so "My learning" resumes there (see
// lessonPageQuery for when it does). The write commits without waiting for the disk (see Open).
func (s *Store) LessonPage(ctx context.Context, slug, lang string, userID, lessonID int64, now time.Time) (CoursePage, error) {
	return s.coursePage(ctx, slug, lang, userID, lessonID, now)
}

func (s *Store) coursePage(ctx context.Context, slug, lang string, userID, lessonID int64, visit time.Time) (CoursePage, error) {
	var row struct {
		courseRow
		Texts         pq.StringArray `db:"texts"`
		InstructorIDs pq.Int64Array  `db:"instructor_ids"`
		Instructors   []byte         `db:"instructors"`
		Version       int64          `db:"version"`
		Outline       []byte         `db:"outline"`
		Lesson        nullStrings    `db:"lesson"`
		Cohorts       []byte         `db:"cohorts"`
		Done          pq.Int64Array  `db:"done"`
		Passed        pq.Int64Array  `db:"passed"`
		EnrolmentID   sql.NullInt64  `db:"enrolment_id"`
		CohortID      sql.NullInt64  `db:"cohort_id"`
		Status        sql.NullString `db:"enrolment_status"`
		LastLessonID  sql.NullInt64  `db:"last_lesson_id"`
		LastActivity  sql.NullTime   `db:"last_activity_at"`
		CompletedAt   sql.NullTime   `db:"completed_at"`
		Position      sql.NullInt64  `db:"position"`
	}
	kept, haveKept := s.outlines.get(slug, lang)
	var err error
	if lessonID == 0 {
		err = s.hotGet(ctx, &row, coursePageQuery, slug, lang, userID, kept.version)
	} else {
		at := sql.NullTime{Time: visit, Valid: !visit.IsZero() && userID != 0}
		err = s.hotGet(ctx, &row, lessonPageQuery, slug, lang, userID, lessonID, courses.MarkdownPolicyVersion, kept.version, at)
	}
	if notFound(err) {
		return CoursePage{}, fmt.Errorf("store: course %s: %w", slug, courses.ErrNotFound)
	}
	if err != nil {
		return CoursePage{}, fmt.Errorf("store: course page %s: %w", slug, err)
	}
	p := CoursePage{Course: row.course(), Done: make(map[int64]bool, len(row.Done)), LessonHTML: map[string]string{}}
	p.Course.InstructorIDs = row.InstructorIDs
	var instructors []struct {
		ID   int64  `json:"id"`
		Name string `json:"name"`
	}
	if err := json.Unmarshal(row.Instructors, &instructors); err != nil {
		return p, fmt.Errorf("store: course %s instructors: %w", slug, err)
	}
	for _, u := range instructors {
		p.Instructors = append(p.Instructors, courses.User{ID: u.ID, FullName: u.Name})
	}
	switch {
	case row.Outline == nil && haveKept && row.Version == kept.version:
		p.Course.Modules, p.Course.Texts = kept.modules, kept.texts
	case row.Outline == nil:
		// Only a version asked for comes back without its outline.
		return p, fmt.Errorf("store: course %s: no outline for version %d", slug, row.Version)
	default:
		if err := decodeTexts(row.Texts, &p.Course); err != nil {
			return p, err
		}
		if p.Course.Modules, err = decodeOutline(row.Outline); err != nil {
			return p, fmt.Errorf("store: course %s outline: %w", slug, err)
		}
		s.outlines.put(slug, lang, row.Version, p.Course.Modules, p.Course.Texts)
	}
	if err := decodeCohorts(row.Cohorts, p.Course.ID, &p.Cohorts); err != nil {
		return p, err
	}
	for _, id := range row.Done {
		p.Done[id] = true
	}
	p.Passed = make(map[int64]bool, len(row.Passed))
	for _, id := range row.Passed {
		p.Passed[id] = true
	}
	if row.EnrolmentID.Valid {
		p.Enrolled = true
		p.Enrolment = enrolmentRow{ID: row.EnrolmentID.Int64, CohortID: row.CohortID.Int64, CourseID: p.Course.ID, UserID: userID,
			Status: courses.EnrolmentStatus(row.Status.String), LastLessonID: row.LastLessonID, LastActivityAt: row.LastActivity,
			CompletedAt: row.CompletedAt, Position: int(row.Position.Int64)}.enrolment()
	}
	// The lesson: its languages, then their HTML, then the Markdown of those rendered under
	// another policy (NULL for the others), in one order.
	if len(row.Lesson)%3 != 0 {
		return p, fmt.Errorf("store: lesson %d: %d values", lessonID, len(row.Lesson))
	}
	n := len(row.Lesson) / 3
	for i := range n {
		lang, html, stale := row.Lesson[i].String, row.Lesson[n+i].String, row.Lesson[2*n+i]
		if stale.Valid {
			html = courses.RenderLesson(stale.String, p.Course.Slug)
			if err := s.saveLessonHTML(ctx, lessonID, lang, stale.String, html); err != nil {
				return p, err
			}
		}
		p.LessonHTML[lang] = html
	}
	return p, nil
}

func decodeOutline(raw []byte) ([]courses.Module, error) {
	var outline []struct {
		ID      int64             `json:"id"`
		Key     string            `json:"key"`
		Titles  map[string]string `json:"titles"`
		Lessons []struct {
			ID     int64             `json:"id"`
			Key    string            `json:"key"`
			Titles map[string]string `json:"titles"`
		} `json:"lessons"`
		Quizzes []struct {
			ID       int64                `json:"id"`
			Key      string               `json:"key"`
			Position int                  `json:"position"`
			Titles   map[string]string    `json:"titles"`
			Settings courses.QuizSettings `json:"settings"`
		} `json:"quizzes"`
	}
	if err := json.Unmarshal(raw, &outline); err != nil {
		return nil, err
	}
	var modules []courses.Module
	for _, m := range outline {
		mod := courses.Module{ID: m.ID, Key: m.Key, Titles: m.Titles}
		for _, l := range m.Lessons {
			lesson := courses.Lesson{ID: l.ID, Key: l.Key, Texts: make(map[string]courses.LessonText, len(l.Titles))}
			for lang, title := range l.Titles {
				lesson.Texts[lang] = courses.LessonText{Title: title}
			}
			mod.Lessons = append(mod.Lessons, lesson)
		}
		for _, q := range m.Quizzes {
			mod.Quizzes = append(mod.Quizzes, courses.Quiz{ID: q.ID, Key: q.Key, ModuleID: m.ID, Position: q.Position, Titles: q.Titles,
				Settings: q.Settings})
		}
		modules = append(modules, mod)
	}
	return modules, nil
}

// outlineCache keeps the outlines (and the course's texts) CoursePage has read, by slug and reading language, each under
// the course's version it was read with (see migration 00008): the page's statement sends that
// version and gets the outline again only when the course's is another. So an edit is seen by
// the next page read on every instance, as without it, and an instance keeps only what its own
// readers asked for. Bounded: past maxOutlines, an entry goes for each one kept.
type outlineCache struct {
	mu      sync.Mutex
	entries map[outlineKey]keptOutline
}

type outlineKey struct{ slug, lang string }

type keptOutline struct {
	version int64
	modules []courses.Module // shared by every page that reads it: never changed
	texts   map[string]courses.CourseText
}

// maxOutlines is about 30,000 lesson titles at 30 lessons an outline: a few megabytes.
const maxOutlines = 1024

func (c *outlineCache) get(slug, lang string) (keptOutline, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	k, ok := c.entries[outlineKey{slug, lang}]
	return k, ok
}

func (c *outlineCache) put(slug, lang string, version int64, modules []courses.Module, texts map[string]courses.CourseText) {
	if version == 0 {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.entries == nil {
		c.entries = map[outlineKey]keptOutline{}
	}
	key := outlineKey{slug, lang}
	if _, ok := c.entries[key]; !ok && len(c.entries) >= maxOutlines {
		for k := range c.entries {
			delete(c.entries, k)
			break
		}
	}
	c.entries[key] = keptOutline{version: version, modules: modules, texts: texts}
}

// saveLessonHTML stores a lesson's HTML rendered again under the current policy, unless the
// lesson was edited meanwhile (its own save rendered it then).
func (s *Store) saveLessonHTML(ctx context.Context, lessonID int64, lang, body, html string) error {
	_, err := s.db.ExecContext(ctx, `UPDATE lesson_texts SET html = $4, html_version = $5
		WHERE lesson_id = $1 AND language = $2 AND body = $3 AND html_version <> $5`,
		lessonID, lang, body, html, courses.MarkdownPolicyVersion)
	if err != nil {
		return fmt.Errorf("store: lesson %d html: %w", lessonID, err)
	}
	return nil
}

// decodeCohorts reads the course page's cohorts, in the order Cohorts lists them.
func decodeCohorts(raw []byte, courseID int64, list *[]courses.CohortSummary) error {
	var cohorts []struct {
		ID        int64   `json:"id"`
		Name      string  `json:"name"`
		StartsOn  *string `json:"starts_on"`
		EndsOn    *string `json:"ends_on"`
		Capacity  int     `json:"capacity"`
		Mode      string  `json:"mode"`
		Location  string  `json:"location"`
		Policy    string  `json:"policy"`
		IsDefault bool    `json:"is_default"`
		Active    int     `json:"active"`
	}
	if err := json.Unmarshal(raw, &cohorts); err != nil {
		return fmt.Errorf("store: cohorts of %d: %w", courseID, err)
	}
	day := func(s *string) (sql.NullTime, error) {
		if s == nil {
			return sql.NullTime{}, nil
		}
		t, err := time.Parse(time.DateOnly, *s)
		return sql.NullTime{Time: t, Valid: true}, err
	}
	for _, ch := range cohorts {
		r := cohortRow{ID: ch.ID, CourseID: courseID, Name: ch.Name, Capacity: ch.Capacity, Mode: ch.Mode, Location: ch.Location,
			Policy: ch.Policy, IsDefault: ch.IsDefault}
		var err error
		if r.StartsOn, err = day(ch.StartsOn); err != nil {
			return fmt.Errorf("store: cohort %d: %w", ch.ID, err)
		}
		if r.EndsOn, err = day(ch.EndsOn); err != nil {
			return fmt.Errorf("store: cohort %d: %w", ch.ID, err)
		}
		*list = append(*list, courses.CohortSummary{Cohort: r.cohort(), Active: ch.Active})
	}
	return nil
}

// nullStrings is a text array whose elements may be NULL.
type nullStrings []sql.NullString

func (a *nullStrings) Scan(src any) error { return pq.Array((*[]sql.NullString)(a)).Scan(src) }
