package store

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/aula-school/aula/courses"
	"github.com/jmoiron/sqlx"
)

// ErrQuizHasAttempts says a quiz someone has attempted cannot be deleted: their results would go.
var ErrQuizHasAttempts = fmt.Errorf("quiz has attempts: %w", courses.ErrConflict)

type quizRow struct {
	ID       int64  `db:"id"`
	ModuleID int64  `db:"module_id"`
	Key      string `db:"key"`
	Position int    `db:"position"`
	Titles   []byte `db:"titles"`
	Settings []byte `db:"settings"`
	Items    []byte `db:"items"`
}

const quizSelect = `
	SELECT z.id, z.module_id, z.key, z.position, z.titles, z.settings,
		(SELECT coalesce(json_agg(json_build_object('question_id', coalesce(i.question_id, 0), 'category_id', coalesce(i.category_id, 0),
			'count', i.count) ORDER BY i.position), '[]') FROM quiz_items i WHERE i.quiz_id = z.id) AS items
	FROM quizzes z JOIN modules m ON m.id = z.module_id`

func (r quizRow) quiz() (courses.Quiz, error) {
	q := courses.Quiz{ID: r.ID, ModuleID: r.ModuleID, Key: r.Key, Position: r.Position}
	if err := json.Unmarshal(r.Titles, &q.Titles); err != nil {
		return q, fmt.Errorf("quiz %d titles: %w", r.ID, err)
	}
	if err := json.Unmarshal(r.Settings, &q.Settings); err != nil {
		return q, fmt.Errorf("quiz %d settings: %w", r.ID, err)
	}
	if err := json.Unmarshal(r.Items, &q.Items); err != nil {
		return q, fmt.Errorf("quiz %d items: %w", r.ID, err)
	}
	for i, it := range q.Items {
		if it.QuestionID != 0 {
			q.Items[i].Count = 0 // a fixed question is one question
		}
	}
	return q, nil
}

// Quizzes lists a course's quizzes in the course's order.
func (s *Store) Quizzes(ctx context.Context, courseID int64) ([]courses.Quiz, error) {
	var rows []quizRow
	if err := s.db.SelectContext(ctx, &rows, quizSelect+` WHERE m.course_id = $1 ORDER BY m.position, z.position, z.id`, courseID); err != nil {
		return nil, fmt.Errorf("store: quizzes of course %d: %w", courseID, err)
	}
	out := make([]courses.Quiz, 0, len(rows))
	for _, r := range rows {
		q, err := r.quiz()
		if err != nil {
			return nil, fmt.Errorf("store: %w", err)
		}
		out = append(out, q)
	}
	return out, nil
}

// Quiz is one quiz of a course.
func (s *Store) Quiz(ctx context.Context, courseID, quizID int64) (courses.Quiz, error) {
	var r quizRow
	err := s.db.GetContext(ctx, &r, quizSelect+` WHERE z.id = $1 AND m.course_id = $2`, quizID, courseID)
	if notFound(err) {
		return courses.Quiz{}, fmt.Errorf("store: quiz %d: %w", quizID, courses.ErrNotFound)
	}
	if err != nil {
		return courses.Quiz{}, fmt.Errorf("store: quiz %d: %w", quizID, err)
	}
	q, err := r.quiz()
	if err != nil {
		return q, fmt.Errorf("store: %w", err)
	}
	return q, nil
}

// SaveQuiz creates a quiz (ID 0) in a module of courseID or changes one: its titles,
// settings, place and items. Attempts already started keep what they drew and their
// deadline; the new settings apply to attempts started from now on.
func (s *Store) SaveQuiz(ctx context.Context, courseID int64, q courses.Quiz) (int64, error) {
	var id int64
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		var err error
		id, err = saveQuiz(ctx, tx, courseID, q)
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("store: save quiz: %w", err)
	}
	return id, nil
}

func saveQuiz(ctx context.Context, tx *sqlx.Tx, courseID int64, q courses.Quiz) (int64, error) {
	if errs := q.Settings.Validate(); len(errs) > 0 {
		return 0, fmt.Errorf("settings %v: %w", errs, courses.ErrInvalid)
	}
	if len(q.Items) > courses.MaxQuizItems {
		return 0, fmt.Errorf("%d items: %w", len(q.Items), courses.ErrInvalid)
	}
	var module int64
	if err := tx.GetContext(ctx, &module, `SELECT id FROM modules WHERE id = $1 AND course_id = $2 FOR UPDATE`, q.ModuleID, courseID); notFound(err) {
		return 0, fmt.Errorf("module %d: %w", q.ModuleID, courses.ErrNotFound)
	} else if err != nil {
		return 0, err
	}
	titles, err := json.Marshal(q.Titles)
	if err != nil {
		return 0, err
	}
	settings, err := json.Marshal(q.Settings)
	if err != nil {
		return 0, err
	}
	if q.Position < 0 {
		q.Position = 0
	}
	id := q.ID
	if id == 0 {
		err = tx.GetContext(ctx, &id, `INSERT INTO quizzes (module_id, key, position, titles, settings) VALUES ($1, $2, $3, $4, $5) RETURNING id`,
			module, q.Key, q.Position, titles, settings)
	} else {
		err = tx.GetContext(ctx, &id, `UPDATE quizzes z SET module_id = $3, position = $4, titles = $5, settings = $6
			FROM modules m WHERE z.id = $1 AND m.id = z.module_id AND m.course_id = $2 RETURNING z.id`, id, courseID, module, q.Position, titles, settings)
		if notFound(err) {
			return 0, fmt.Errorf("quiz %d: %w", q.ID, courses.ErrNotFound)
		}
	}
	if err != nil {
		return 0, err
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM quiz_items WHERE quiz_id = $1`, id); err != nil {
		return 0, err
	}
	for i, it := range q.Items {
		var ok bool
		switch {
		case it.QuestionID != 0:
			err = tx.GetContext(ctx, &ok, `SELECT EXISTS (SELECT 1 FROM questions WHERE id = $1 AND course_id = $2 AND deleted_at IS NULL)`, it.QuestionID, courseID)
		default:
			err = tx.GetContext(ctx, &ok, `SELECT EXISTS (SELECT 1 FROM question_categories WHERE id = $1 AND course_id = $2)`, it.CategoryID, courseID)
		}
		if err != nil {
			return 0, err
		}
		if !ok {
			return 0, fmt.Errorf("item %d names a question or category of another course: %w", i+1, courses.ErrNotFound)
		}
		count := max(it.Count, 1)
		if _, err := tx.ExecContext(ctx, `INSERT INTO quiz_items (quiz_id, position, question_id, category_id, count) VALUES ($1, $2, $3, $4, $5)`,
			id, i, nullID(it.QuestionID), nullID(it.CategoryID), count); err != nil {
			return 0, err
		}
	}
	return id, nil
}

// DeleteQuiz removes a quiz nobody has attempted.
func (s *Store) DeleteQuiz(ctx context.Context, courseID, quizID int64) error {
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		var attempted bool
		if err := tx.GetContext(ctx, &attempted, `SELECT EXISTS (SELECT 1 FROM quiz_attempts WHERE quiz_id = $1)`, quizID); err != nil {
			return err
		}
		if attempted {
			return ErrQuizHasAttempts
		}
		res, err := tx.ExecContext(ctx, `DELETE FROM quizzes z USING modules m WHERE z.id = $1 AND m.id = z.module_id AND m.course_id = $2`, quizID, courseID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return courses.ErrNotFound
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("store: delete quiz %d: %w", quizID, err)
	}
	return nil
}
