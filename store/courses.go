package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strconv"

	"github.com/aula-school/aula/courses"
	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
)

// ErrLessonCompleted says a lesson cannot go: trainees have completed it.
var ErrLessonCompleted = fmt.Errorf("lesson completed by trainees: %w", courses.ErrConflict)

type courseRow struct {
	ID              int64          `db:"id"`
	Slug            string         `db:"slug"`
	Audiences       pq.StringArray `db:"audiences"`
	Level           string         `db:"level"`
	Hours           int            `db:"hours"`
	DefaultLanguage string         `db:"default_language"`
	Status          string         `db:"status"`
	MinAttendance   int            `db:"min_attendance"`
	OwnerID         int64          `db:"owner_id"`
}

const courseColumns = `c.id, c.slug, c.audiences, c.level, c.hours, c.default_language, c.status, c.min_attendance, c.owner_id`

func (r courseRow) course() courses.Course {
	c := courses.Course{ID: r.ID, Slug: r.Slug, Level: courses.Level(r.Level), Hours: r.Hours,
		DefaultLanguage: r.DefaultLanguage, Status: courses.Status(r.Status), MinAttendance: r.MinAttendance, OwnerID: r.OwnerID,
		Texts: map[string]courses.CourseText{}}
	for _, a := range r.Audiences {
		c.Audiences = append(c.Audiences, courses.Audience(a))
	}
	return c
}

func stringArray(list []string) pq.StringArray { return pq.StringArray(list) }

func audienceArray(list []courses.Audience) pq.StringArray {
	out := make(pq.StringArray, len(list))
	for i, a := range list {
		out[i] = string(a)
	}
	return out
}

// CreateCourse starts a draft course owned by ownerID, with its text in the default language.
func (s *Store) CreateCourse(ctx context.Context, ownerID int64, c courses.Course) (int64, error) {
	var id int64
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		err := tx.GetContext(ctx, &id, `
			INSERT INTO courses (slug, audiences, level, hours, default_language, min_attendance, owner_id)
			VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`,
			c.Slug, audienceArray(c.Audiences), string(c.Level), c.Hours, c.DefaultLanguage, c.MinAttendance, ownerID)
		if err != nil {
			return err
		}
		for lang, t := range c.Texts {
			if err := setCourseText(ctx, tx, id, lang, t); err != nil {
				return err
			}
		}
		if err := ensureDefaultCohort(ctx, tx, id); err != nil {
			return err
		}
		return refreshSearch(ctx, tx, id)
	})
	if isUniqueViolation(err) {
		return 0, fmt.Errorf("store: course %s: %w", c.Slug, courses.ErrConflict)
	}
	if err != nil {
		return 0, fmt.Errorf("store: create course: %w", err)
	}
	return id, nil
}

func setCourseText(ctx context.Context, tx *sqlx.Tx, courseID int64, lang string, t courses.CourseText) error {
	_, err := tx.ExecContext(ctx, `
		INSERT INTO course_texts (course_id, language, title, summary) VALUES ($1, $2, $3, $4)
		ON CONFLICT (course_id, language) DO UPDATE SET title = EXCLUDED.title, summary = EXCLUDED.summary`,
		courseID, lang, t.Title, t.Summary)
	return err
}

// refreshSearch rewrites the text the catalog searches: every title and summary in every language.
func refreshSearch(ctx context.Context, tx *sqlx.Tx, courseID int64) error {
	_, err := tx.ExecContext(ctx, `
		UPDATE courses c SET updated_at = now(), search_text = concat_ws(' ',
			c.slug,
			(SELECT string_agg(t.title || ' ' || t.summary, ' ') FROM course_texts t WHERE t.course_id = c.id),
			(SELECT string_agg(v.value, ' ') FROM modules m, jsonb_each_text(m.titles) v WHERE m.course_id = c.id),
			(SELECT string_agg(lt.title, ' ') FROM lesson_texts lt
				JOIN lessons l ON l.id = lt.lesson_id JOIN modules m ON m.id = l.module_id WHERE m.course_id = c.id))
		WHERE c.id = $1`, courseID)
	return err
}

// Course returns a course with its texts, instructors, modules and lessons, in five queries.
func (s *Store) Course(ctx context.Context, id int64) (courses.Course, error) {
	return s.loadCourse(ctx, s.db, `c.id = $1`, id)
}

// CourseBySlug returns the course named slug, whole.
func (s *Store) CourseBySlug(ctx context.Context, slug string) (courses.Course, error) {
	return s.loadCourse(ctx, s.db, `c.slug = $1`, slug)
}

func (s *Store) loadCourse(ctx context.Context, q sqlx.QueryerContext, where string, arg any) (courses.Course, error) {
	var row courseRow
	err := sqlx.GetContext(ctx, q, &row, `SELECT `+courseColumns+` FROM courses c WHERE `+where, arg)
	if notFound(err) {
		return courses.Course{}, fmt.Errorf("store: course %v: %w", arg, courses.ErrNotFound)
	}
	if err != nil {
		return courses.Course{}, fmt.Errorf("store: course %v: %w", arg, err)
	}
	c := row.course()
	var texts []struct {
		Language string `db:"language"`
		Title    string `db:"title"`
		Summary  string `db:"summary"`
	}
	if err := sqlx.SelectContext(ctx, q, &texts, `SELECT language, title, summary FROM course_texts WHERE course_id = $1`, c.ID); err != nil {
		return c, fmt.Errorf("store: course texts: %w", err)
	}
	for _, t := range texts {
		c.Texts[t.Language] = courses.CourseText{Title: t.Title, Summary: t.Summary}
	}
	if err := sqlx.SelectContext(ctx, q, &c.InstructorIDs, `SELECT user_id FROM course_instructors WHERE course_id = $1 ORDER BY user_id`, c.ID); err != nil {
		return c, fmt.Errorf("store: course instructors: %w", err)
	}
	var modules []struct {
		ID     int64  `db:"id"`
		Key    string `db:"key"`
		Titles []byte `db:"titles"`
	}
	if err := sqlx.SelectContext(ctx, q, &modules, `SELECT id, key, titles FROM modules WHERE course_id = $1 ORDER BY position`, c.ID); err != nil {
		return c, fmt.Errorf("store: modules: %w", err)
	}
	index := map[int64]int{}
	for i, m := range modules {
		mod := courses.Module{ID: m.ID, Key: m.Key, Titles: map[string]string{}}
		if err := json.Unmarshal(m.Titles, &mod.Titles); err != nil {
			return c, fmt.Errorf("store: module %d titles: %w", m.ID, err)
		}
		c.Modules = append(c.Modules, mod)
		index[m.ID] = i
	}
	var lessons []struct {
		ID       int64          `db:"id"`
		ModuleID int64          `db:"module_id"`
		Key      string         `db:"key"`
		Language sql.NullString `db:"language"`
		Title    sql.NullString `db:"title"`
		Body     sql.NullString `db:"body"`
	}
	err = sqlx.SelectContext(ctx, q, &lessons, `
		SELECT l.id, l.module_id, l.key, t.language, t.title, t.body
		FROM lessons l JOIN modules m ON m.id = l.module_id
		LEFT JOIN lesson_texts t ON t.lesson_id = l.id
		WHERE m.course_id = $1 ORDER BY m.position, l.position, t.language`, c.ID)
	if err != nil {
		return c, fmt.Errorf("store: lessons: %w", err)
	}
	for _, l := range lessons {
		mod := &c.Modules[index[l.ModuleID]]
		if n := len(mod.Lessons); n == 0 || mod.Lessons[n-1].ID != l.ID {
			mod.Lessons = append(mod.Lessons, courses.Lesson{ID: l.ID, Key: l.Key, Texts: map[string]courses.LessonText{}})
		}
		if l.Language.Valid {
			mod.Lessons[len(mod.Lessons)-1].Texts[l.Language.String] = courses.LessonText{Title: l.Title.String, Body: l.Body.String}
		}
	}
	return c, nil
}

// UpdateCourse saves a course's details (not its modules); the texts given are added or replaced.
func (s *Store) UpdateCourse(ctx context.Context, c courses.Course) error {
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		// A new slug moves the course's image folder, which stored lesson HTML names: mark it
		// stale, to be rendered again when next read (before the update, while c.slug is the old one).
		if _, err := tx.ExecContext(ctx, `UPDATE lesson_texts t SET html_version = 0
			FROM lessons l JOIN modules m ON m.id = l.module_id JOIN courses c ON c.id = m.course_id
			WHERE t.lesson_id = l.id AND c.id = $1 AND c.slug <> $2`, c.ID, c.Slug); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `
			UPDATE courses SET slug = $2, audiences = $3, level = $4, hours = $5, default_language = $6, min_attendance = $7,
				updated_at = now()
			WHERE id = $1`, c.ID, c.Slug, audienceArray(c.Audiences), string(c.Level), c.Hours, c.DefaultLanguage, c.MinAttendance)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return fmt.Errorf("store: course %d: %w", c.ID, courses.ErrNotFound)
		}
		for lang, t := range c.Texts {
			if err := setCourseText(ctx, tx, c.ID, lang, t); err != nil {
				return err
			}
		}
		return refreshSearch(ctx, tx, c.ID)
	})
	if isUniqueViolation(err) {
		return fmt.Errorf("store: course slug %s: %w", c.Slug, courses.ErrConflict)
	}
	return err
}

// SetCourseStatus publishes, unpublishes (back to draft) or archives a course, recorded in
// the audit trail as by's, with the old and new status, when the status is another.
func (s *Store) SetCourseStatus(ctx context.Context, by courses.Actor, id int64, status courses.Status) error {
	if !status.Valid() {
		return fmt.Errorf("store: status %q: %w", status, courses.ErrInvalid)
	}
	return s.inTx(ctx, func(tx *sqlx.Tx) error {
		var old string
		err := tx.GetContext(ctx, &old, `SELECT status FROM courses WHERE id = $1 FOR UPDATE`, id)
		if notFound(err) {
			return fmt.Errorf("store: course %d: %w", id, courses.ErrNotFound)
		}
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE courses SET status = $2, updated_at = now() WHERE id = $1`, id, string(status)); err != nil {
			return err
		}
		if old == string(status) {
			return nil
		}
		return recordAudit(ctx, tx, by, courses.AuditEntry{Action: courses.AuditCourseStatus, CourseID: id,
			Detail: map[string]string{"from": old, "to": string(status)}})
	})
}

// AddInstructor makes the user with email a co-instructor of the course; by's doing, in the
// audit trail, when they were not one already.
func (s *Store) AddInstructor(ctx context.Context, by courses.Actor, courseID int64, email string) error {
	return s.inTx(ctx, func(tx *sqlx.Tx) error {
		var userID int64
		err := tx.GetContext(ctx, &userID, `SELECT id FROM users WHERE lower(email) = $1 AND role IN ('instructor', 'admin') AND active`,
			courses.NormalizeEmail(email))
		if notFound(err) {
			return fmt.Errorf("store: instructor %s: %w", email, courses.ErrNotFound)
		}
		if err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `INSERT INTO course_instructors (course_id, user_id)
			SELECT $1, $2 WHERE NOT EXISTS (SELECT 1 FROM courses WHERE id = $1 AND owner_id = $2)
			ON CONFLICT DO NOTHING`, courseID, userID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return nil
		}
		return recordAudit(ctx, tx, by, courses.AuditEntry{Action: courses.AuditInstructorAdded, UserID: userID, CourseID: courseID})
	})
}

// RemoveInstructor stops a co-instructor from editing the course; by's doing, in the audit trail.
func (s *Store) RemoveInstructor(ctx context.Context, by courses.Actor, courseID, userID int64) error {
	return s.inTx(ctx, func(tx *sqlx.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM course_instructors WHERE course_id = $1 AND user_id = $2`, courseID, userID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return nil
		}
		return recordAudit(ctx, tx, by, courses.AuditEntry{Action: courses.AuditInstructorRemoved, UserID: userID, CourseID: courseID})
	})
}

// uniqueKey returns base, or base-2, base-3 … whichever is not taken.
func uniqueKey(base string, taken map[string]bool) string {
	if base == "" {
		base = "untitled"
	}
	key := base
	for i := 2; taken[key]; i++ {
		key = base + "-" + strconv.Itoa(i)
	}
	return key
}

// ensureDefaultCohort gives a course its open, self-paced cohort, once.
func ensureDefaultCohort(ctx context.Context, tx *sqlx.Tx, courseID int64) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO cohorts (course_id, name, mode, policy, is_default)
		VALUES ($1, 'default', 'online', 'open', true) ON CONFLICT (course_id) WHERE is_default DO NOTHING`, courseID)
	return err
}
