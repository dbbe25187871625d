package store

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/aula-school/aula/courses"
	"github.com/jmoiron/sqlx"
)

// ErrQuestionChanged says a question was saved by someone else since the version an edit started from.
var ErrQuestionChanged = fmt.Errorf("question changed meanwhile: %w", courses.ErrConflict)

// ErrCategoryInUse says a category still holds questions or is drawn from by a quiz.
var ErrCategoryInUse = fmt.Errorf("category in use: %w", courses.ErrConflict)

// Categories lists a course's question categories by name, with how many questions each holds.
func (s *Store) Categories(ctx context.Context, courseID int64) ([]courses.QuestionCategory, error) {
	var rows []struct {
		ID        int64  `db:"id"`
		Name      string `db:"name"`
		Questions int    `db:"questions"`
	}
	err := s.db.SelectContext(ctx, &rows, `
		SELECT c.id, c.name, count(q.id) AS questions
		FROM question_categories c LEFT JOIN questions q ON q.category_id = c.id AND q.deleted_at IS NULL
		WHERE c.course_id = $1 GROUP BY c.id ORDER BY c.name`, courseID)
	if err != nil {
		return nil, fmt.Errorf("store: categories of course %d: %w", courseID, err)
	}
	out := make([]courses.QuestionCategory, len(rows))
	for i, r := range rows {
		out[i] = courses.QuestionCategory{ID: r.ID, CourseID: courseID, Name: r.Name, Questions: r.Questions}
	}
	return out, nil
}

// CreateCategory adds a category to a course's bank, or returns the one of that name.
func (s *Store) CreateCategory(ctx context.Context, courseID int64, name string) (int64, error) {
	var id int64
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		var err error
		id, err = ensureCategory(ctx, tx, courseID, name)
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("store: create category: %w", err)
	}
	return id, nil
}

func ensureCategory(ctx context.Context, tx *sqlx.Tx, courseID int64, name string) (int64, error) {
	name = strings.TrimSpace(name)
	if name == "" || len([]rune(name)) > courses.MaxTitleLength || !courses.ValidLine(name) {
		return 0, fmt.Errorf("category name %q: %w", name, courses.ErrInvalid)
	}
	var id int64
	err := tx.GetContext(ctx, &id, `
		INSERT INTO question_categories (course_id, name) VALUES ($1, $2)
		-- The no-op update returns the row another transaction committed meanwhile, which a
		-- SELECT in the same statement could not see.
		ON CONFLICT (course_id, name) DO UPDATE SET name = EXCLUDED.name RETURNING id`, courseID, name)
	return id, err
}

// DeleteCategory removes an empty category that no quiz draws from.
func (s *Store) DeleteCategory(ctx context.Context, courseID, categoryID int64) error {
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		var used bool
		if err := tx.GetContext(ctx, &used, `SELECT EXISTS (SELECT 1 FROM questions WHERE category_id = $1 AND deleted_at IS NULL)
			OR EXISTS (SELECT 1 FROM quiz_items WHERE category_id = $1)`, categoryID); err != nil {
			return err
		}
		if used {
			return ErrCategoryInUse
		}
		// Deleted questions keep their category for the attempts that used them: move them to
		// no category is impossible (NOT NULL), so a category with deleted questions stays.
		res, err := tx.ExecContext(ctx, `DELETE FROM question_categories c WHERE c.id = $1 AND c.course_id = $2
			AND NOT EXISTS (SELECT 1 FROM questions q WHERE q.category_id = c.id)`, categoryID, courseID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return ErrCategoryInUse
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("store: delete category %d: %w", categoryID, err)
	}
	return nil
}

type bankRow struct {
	ID         int64  `db:"id"`
	CourseID   int64  `db:"course_id"`
	CategoryID int64  `db:"category_id"`
	Category   string `db:"category"`
	Version    int    `db:"version"`
	Body       []byte `db:"body"`
}

const bankSelect = `
	SELECT q.id, q.course_id, q.category_id, c.name AS category, q.version, v.body
	FROM questions q JOIN question_categories c ON c.id = q.category_id
	JOIN question_versions v ON v.question_id = q.id AND v.version = q.version`

func (r bankRow) question() (courses.BankQuestion, error) {
	b := courses.BankQuestion{ID: r.ID, CourseID: r.CourseID, CategoryID: r.CategoryID, Category: r.Category, Version: r.Version}
	if err := json.Unmarshal(r.Body, &b.Question); err != nil {
		return b, fmt.Errorf("question %d version %d is not a question: %w", r.ID, r.Version, err)
	}
	return b, nil
}

// Questions lists a course's bank at current versions: one category's, or every one (0),
// in the order they were made.
func (s *Store) Questions(ctx context.Context, courseID, categoryID int64) ([]courses.BankQuestion, error) {
	var rows []bankRow
	err := s.db.SelectContext(ctx, &rows, bankSelect+`
		WHERE q.course_id = $1 AND q.deleted_at IS NULL AND ($2 = 0 OR q.category_id = $2) ORDER BY c.name, q.id`, courseID, categoryID)
	if err != nil {
		return nil, fmt.Errorf("store: questions of course %d: %w", courseID, err)
	}
	out := make([]courses.BankQuestion, 0, len(rows))
	for _, r := range rows {
		q, err := r.question()
		if err != nil {
			return nil, fmt.Errorf("store: %w", err)
		}
		out = append(out, q)
	}
	return out, nil
}

// BankQuestion is one question of a course's bank at its current version.
func (s *Store) BankQuestion(ctx context.Context, courseID, questionID int64) (courses.BankQuestion, error) {
	var r bankRow
	err := s.db.GetContext(ctx, &r, bankSelect+` WHERE q.id = $1 AND q.course_id = $2 AND q.deleted_at IS NULL`, questionID, courseID)
	if notFound(err) {
		return courses.BankQuestion{}, fmt.Errorf("store: question %d: %w", questionID, courses.ErrNotFound)
	}
	if err != nil {
		return courses.BankQuestion{}, fmt.Errorf("store: question %d: %w", questionID, err)
	}
	q, err := r.question()
	if err != nil {
		return q, fmt.Errorf("store: %w", err)
	}
	return q, nil
}

// SaveQuestion creates a question (ID 0) or gives an existing one a new version: the versions
// attempts point at are never changed. The category is CategoryID, or the one named
// Category (made when missing). It returns the question's id.
func (s *Store) SaveQuestion(ctx context.Context, q courses.BankQuestion, by int64) (int64, error) {
	var id int64
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		var err error
		id, err = saveQuestion(ctx, tx, q, by)
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("store: save question: %w", err)
	}
	return id, nil
}

func saveQuestion(ctx context.Context, tx *sqlx.Tx, q courses.BankQuestion, by int64) (int64, error) {
	if err := q.Question.Validate(); err != nil {
		return 0, fmt.Errorf("%v: %w", err, courses.ErrInvalid)
	}
	body, err := json.Marshal(q.Question)
	if err != nil {
		return 0, err
	}
	category := q.CategoryID
	if category == 0 {
		if category, err = ensureCategory(ctx, tx, q.CourseID, q.Category); err != nil {
			return 0, err
		}
	} else if err := tx.GetContext(ctx, &category, `SELECT id FROM question_categories WHERE id = $1 AND course_id = $2`, category, q.CourseID); notFound(err) {
		return 0, fmt.Errorf("category %d: %w", q.CategoryID, courses.ErrNotFound)
	} else if err != nil {
		return 0, err
	}
	id, version := q.ID, 1
	if id == 0 {
		err = tx.GetContext(ctx, &id, `INSERT INTO questions (course_id, category_id) VALUES ($1, $2) RETURNING id`, q.CourseID, category)
	} else {
		// q.Version, when set, is the version the edit started from: a save by someone else
		// meanwhile is not overwritten.
		err = tx.GetContext(ctx, &version, `UPDATE questions SET version = version + 1, category_id = $3
			WHERE id = $1 AND course_id = $2 AND deleted_at IS NULL AND ($4 = 0 OR version = $4) RETURNING version`,
			id, q.CourseID, category, q.Version)
		if notFound(err) && q.Version != 0 {
			var exists bool
			if err := tx.GetContext(ctx, &exists, `SELECT EXISTS (SELECT 1 FROM questions WHERE id = $1 AND course_id = $2 AND deleted_at IS NULL)`,
				id, q.CourseID); err != nil {
				return 0, err
			}
			if exists {
				return 0, ErrQuestionChanged
			}
		}
		if notFound(err) {
			return 0, fmt.Errorf("question %d: %w", id, courses.ErrNotFound)
		}
	}
	if err != nil {
		return 0, err
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO question_versions (question_id, version, body, created_by) VALUES ($1, $2, $3, $4)`,
		id, version, body, nullID(by))
	return id, err
}

func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

// DuplicateQuestion copies a question, at its current version, into a new question of the same category.
func (s *Store) DuplicateQuestion(ctx context.Context, courseID, questionID, by int64) (int64, error) {
	q, err := s.BankQuestion(ctx, courseID, questionID)
	if err != nil {
		return 0, err
	}
	q.ID = 0
	return s.SaveQuestion(ctx, q, by)
}

// MoveQuestion puts a question in another category of the same course. Moving is not an
// edit: the version stays.
func (s *Store) MoveQuestion(ctx context.Context, courseID, questionID, categoryID int64) error {
	res, err := s.db.ExecContext(ctx, `UPDATE questions q SET category_id = c.id FROM question_categories c
		WHERE q.id = $1 AND q.course_id = $2 AND q.deleted_at IS NULL AND c.id = $3 AND c.course_id = $2`, questionID, courseID, categoryID)
	if err != nil {
		return fmt.Errorf("store: move question %d: %w", questionID, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("store: move question %d: %w", questionID, courses.ErrNotFound)
	}
	return nil
}

// DeleteQuestion takes a question out of the bank and out of every quiz that names it. Its
// versions stay, for the attempts that showed them.
func (s *Store) DeleteQuestion(ctx context.Context, courseID, questionID int64) error {
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE questions SET deleted_at = now() WHERE id = $1 AND course_id = $2 AND deleted_at IS NULL`, questionID, courseID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return courses.ErrNotFound
		}
		_, err = tx.ExecContext(ctx, `DELETE FROM quiz_items WHERE question_id = $1`, questionID)
		return err
	})
	if err != nil {
		return fmt.Errorf("store: delete question %d: %w", questionID, err)
	}
	return nil
}

// ImportQuestions adds questions to a course's bank, each in the category it names, all or
// nothing. It returns the new questions' ids in order.
func (s *Store) ImportQuestions(ctx context.Context, courseID int64, qs []courses.BankQuestion, by int64) ([]int64, error) {
	var ids []int64
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		var err error
		ids, err = importQuestions(ctx, tx, courseID, qs, by)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("store: import questions: %w", err)
	}
	return ids, nil
}

func importQuestions(ctx context.Context, tx *sqlx.Tx, courseID int64, qs []courses.BankQuestion, by int64) ([]int64, error) {
	ids := make([]int64, 0, len(qs))
	for i, q := range qs {
		q.ID, q.CourseID, q.CategoryID = 0, courseID, 0
		if strings.TrimSpace(q.Category) == "" {
			q.Category = courses.DefaultCategory
		}
		id, err := saveQuestion(ctx, tx, q, by)
		if err != nil {
			return nil, fmt.Errorf("question %d: %w", i+1, err)
		}
		ids = append(ids, id)
	}
	return ids, nil
}
