package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/aula-school/aula/courses"
	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
)

// AddModule appends a module titled title (in lang) to the course.
func (s *Store) AddModule(ctx context.Context, courseID int64, lang, title string) (int64, error) {
	var id int64
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		if err := lockCourse(ctx, tx, courseID); err != nil {
			return err
		}
		var keys []string
		if err := tx.SelectContext(ctx, &keys, `SELECT key FROM modules WHERE course_id = $1`, courseID); err != nil {
			return err
		}
		key := uniqueKey(courses.Slugify(title), setOf(keys))
		titles, _ := json.Marshal(map[string]string{lang: title})
		err := tx.GetContext(ctx, &id, `
			INSERT INTO modules (course_id, key, position, titles)
			VALUES ($1, $2, (SELECT coalesce(max(position), 0) + 1 FROM modules WHERE course_id = $1), $3)
			RETURNING id`, courseID, key, titles)
		if err != nil {
			return err
		}
		return refreshSearch(ctx, tx, courseID)
	})
	if err != nil {
		return 0, fmt.Errorf("store: add module: %w", err)
	}
	return id, nil
}

// lockCourse takes the course's row lock, so that changes to its outline happen one at a time.
func lockCourse(ctx context.Context, tx *sqlx.Tx, courseID int64) error {
	var id int64
	err := tx.GetContext(ctx, &id, `SELECT id FROM courses WHERE id = $1 FOR UPDATE`, courseID)
	if notFound(err) {
		return fmt.Errorf("course %d: %w", courseID, courses.ErrNotFound)
	}
	return err
}

func setOf(list []string) map[string]bool {
	m := make(map[string]bool, len(list))
	for _, k := range list {
		m[k] = true
	}
	return m
}

// SetModuleTitle names a module in one language.
func (s *Store) SetModuleTitle(ctx context.Context, courseID, moduleID int64, lang, title string) error {
	return s.inTx(ctx, func(tx *sqlx.Tx) error {
		if err := setModuleTitle(ctx, tx, courseID, moduleID, lang, title); err != nil {
			return err
		}
		return refreshSearch(ctx, tx, courseID)
	})
}

func setModuleTitle(ctx context.Context, tx *sqlx.Tx, courseID, moduleID int64, lang, title string) error {
	res, err := tx.ExecContext(ctx, `UPDATE modules SET titles = titles || jsonb_build_object($3::text, $4::text)
		WHERE id = $2 AND course_id = $1`, courseID, moduleID, lang, title)
	if err != nil {
		return fmt.Errorf("store: module title: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("store: module %d: %w", moduleID, courses.ErrNotFound)
	}
	return nil
}

// MoveModule swaps a module with its neighbour: delta -1 moves it up, +1 down.
func (s *Store) MoveModule(ctx context.Context, courseID, moduleID int64, delta int) error {
	return s.inTx(ctx, func(tx *sqlx.Tx) error {
		if err := lockCourse(ctx, tx, courseID); err != nil {
			return err
		}
		return swap(ctx, tx, "modules", "course_id", courseID, moduleID, delta)
	})
}

// swap exchanges the positions of row id and its neighbour in direction delta, within parent.
// Moving the first up or the last down does nothing.
func swap(ctx context.Context, tx *sqlx.Tx, table, parentColumn string, parentID, id int64, delta int) error {
	var pos int
	err := tx.GetContext(ctx, &pos, `SELECT position FROM `+table+` WHERE id = $1 AND `+parentColumn+` = $2`, id, parentID)
	if notFound(err) {
		return fmt.Errorf("store: %s %d: %w", table, id, courses.ErrNotFound)
	}
	if err != nil {
		return err
	}
	var other struct {
		ID       int64 `db:"id"`
		Position int   `db:"position"`
	}
	order := "DESC"
	cmp := "<"
	if delta > 0 {
		order, cmp = "ASC", ">"
	}
	err = tx.GetContext(ctx, &other, `SELECT id, position FROM `+table+` WHERE `+parentColumn+` = $1 AND position `+cmp+` $2
		ORDER BY position `+order+` LIMIT 1`, parentID, pos)
	if notFound(err) {
		return nil
	}
	if err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `UPDATE `+table+` SET position = $2 WHERE id = $1`, id, other.Position); err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, `UPDATE `+table+` SET position = $2 WHERE id = $1`, other.ID, pos)
	return err
}

// DeleteModule removes a module, its lessons and its quizzes, unless trainees completed one
// of its lessons (ErrLessonCompleted) or attempted one of its quizzes (ErrQuizHasAttempts).
func (s *Store) DeleteModule(ctx context.Context, courseID, moduleID int64) error {
	return s.inTx(ctx, func(tx *sqlx.Tx) error {
		if err := lockCourse(ctx, tx, courseID); err != nil {
			return err
		}
		var key string
		if err := tx.GetContext(ctx, &key, `SELECT key FROM modules WHERE id = $1 AND course_id = $2`, moduleID, courseID); notFound(err) {
			return fmt.Errorf("store: module %d: %w", moduleID, courses.ErrNotFound)
		} else if err != nil {
			return err
		}
		if err := deleteModuleQuizzes(ctx, tx, moduleID, key); err != nil {
			return fmt.Errorf("store: module %d: %w", moduleID, err)
		}
		res, err := tx.ExecContext(ctx, `DELETE FROM modules WHERE id = $1 AND course_id = $2`, moduleID, courseID)
		if isRestrictViolation(err) {
			return fmt.Errorf("store: module %d: %w", moduleID, ErrLessonCompleted)
		}
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return fmt.Errorf("store: module %d: %w", moduleID, courses.ErrNotFound)
		}
		return refreshSearch(ctx, tx, courseID)
	})
}

func isRestrictViolation(err error) bool {
	var pqErr *pq.Error
	return errors.As(err, &pqErr) && (pqErr.Code == "23503" || pqErr.Code == "23001")
}

// AddLesson appends a lesson titled title (in lang) to a module of the course.
func (s *Store) AddLesson(ctx context.Context, courseID, moduleID int64, lang, title string) (int64, error) {
	var id int64
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		if err := lockCourse(ctx, tx, courseID); err != nil {
			return err
		}
		var keys []string
		if err := tx.SelectContext(ctx, &keys, `SELECT l.key FROM lessons l JOIN modules m ON m.id = l.module_id
			WHERE m.id = $1 AND m.course_id = $2`, moduleID, courseID); err != nil {
			return err
		}
		var ok bool
		if err := tx.GetContext(ctx, &ok, `SELECT EXISTS (SELECT 1 FROM modules WHERE id = $1 AND course_id = $2)`, moduleID, courseID); err != nil {
			return err
		}
		if !ok {
			return fmt.Errorf("module %d: %w", moduleID, courses.ErrNotFound)
		}
		key := uniqueKey(courses.Slugify(title), setOf(keys))
		err := tx.GetContext(ctx, &id, `
			INSERT INTO lessons (module_id, key, position)
			VALUES ($1, $2, (SELECT coalesce(max(position), 0) + 1 FROM lessons WHERE module_id = $1))
			RETURNING id`, moduleID, key)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO lesson_texts (lesson_id, language, title, html_version) VALUES ($1, $2, $3, $4)`,
			id, lang, title, courses.MarkdownPolicyVersion); err != nil {
			return err
		}
		return refreshSearch(ctx, tx, courseID)
	})
	if err != nil {
		return 0, fmt.Errorf("store: add lesson: %w", err)
	}
	return id, nil
}

// lessonInCourse checks that lessonID belongs to courseID: ids in URLs are never trusted alone.
func lessonInCourse(ctx context.Context, tx *sqlx.Tx, courseID, lessonID int64) (moduleID int64, err error) {
	err = tx.GetContext(ctx, &moduleID, `SELECT l.module_id FROM lessons l JOIN modules m ON m.id = l.module_id
		WHERE l.id = $1 AND m.course_id = $2`, lessonID, courseID)
	if notFound(err) {
		return 0, fmt.Errorf("store: lesson %d: %w", lessonID, courses.ErrNotFound)
	}
	return moduleID, err
}

// SaveLessonText writes a lesson in one language, with its HTML rendered and sanitised now,
// so that reading it never renders it again.
func (s *Store) SaveLessonText(ctx context.Context, courseID, lessonID int64, lang string, t courses.LessonText) error {
	return s.inTx(ctx, func(tx *sqlx.Tx) error {
		var slug string
		err := tx.GetContext(ctx, &slug, `SELECT c.slug FROM lessons l JOIN modules m ON m.id = l.module_id
			JOIN courses c ON c.id = m.course_id WHERE l.id = $1 AND m.course_id = $2`, lessonID, courseID)
		if notFound(err) {
			return fmt.Errorf("store: lesson %d: %w", lessonID, courses.ErrNotFound)
		}
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `
			INSERT INTO lesson_texts (lesson_id, language, title, body, html, html_version) VALUES ($1, $2, $3, $4, $5, $6)
			ON CONFLICT (lesson_id, language) DO UPDATE SET title = EXCLUDED.title, body = EXCLUDED.body,
				html = EXCLUDED.html, html_version = EXCLUDED.html_version`,
			lessonID, lang, t.Title, t.Body, courses.RenderLesson(t.Body, slug), courses.MarkdownPolicyVersion)
		if err != nil {
			return fmt.Errorf("store: save lesson: %w", err)
		}
		return refreshSearch(ctx, tx, courseID)
	})
}

// MoveLesson swaps a lesson with its neighbour in its module: delta -1 up, +1 down.
func (s *Store) MoveLesson(ctx context.Context, courseID, lessonID int64, delta int) error {
	return s.inTx(ctx, func(tx *sqlx.Tx) error {
		if err := lockCourse(ctx, tx, courseID); err != nil {
			return err
		}
		moduleID, err := lessonInCourse(ctx, tx, courseID, lessonID)
		if err != nil {
			return err
		}
		return swap(ctx, tx, "lessons", "module_id", moduleID, lessonID, delta)
	})
}

// DeleteLesson removes a lesson, unless a trainee has completed it (ErrLessonCompleted).
func (s *Store) DeleteLesson(ctx context.Context, courseID, lessonID int64) error {
	return s.inTx(ctx, func(tx *sqlx.Tx) error {
		if err := lockCourse(ctx, tx, courseID); err != nil {
			return err
		}
		if _, err := lessonInCourse(ctx, tx, courseID, lessonID); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `DELETE FROM lessons WHERE id = $1`, lessonID)
		if isRestrictViolation(err) {
			return fmt.Errorf("store: lesson %d: %w", lessonID, ErrLessonCompleted)
		}
		if err != nil {
			return err
		}
		return refreshSearch(ctx, tx, courseID)
	})
}

// SaveTranslation writes a course's title and summary and its module titles in lang, at once.
func (s *Store) SaveTranslation(ctx context.Context, courseID int64, lang string, text courses.CourseText, moduleTitles map[int64]string) error {
	return s.inTx(ctx, func(tx *sqlx.Tx) error {
		if err := lockCourse(ctx, tx, courseID); err != nil {
			return err
		}
		if err := setCourseText(ctx, tx, courseID, lang, text); err != nil {
			return fmt.Errorf("store: translation: %w", err)
		}
		for id, title := range moduleTitles {
			if err := setModuleTitle(ctx, tx, courseID, id, lang, title); err != nil {
				return err
			}
		}
		return refreshSearch(ctx, tx, courseID)
	})
}
