package store

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/aula-school/aula/courses"
	"github.com/jmoiron/sqlx"
)

// ImportBundle writes a course read from files, in one transaction: a new slug creates a
// draft course owned by ownerID; a known slug is updated in place, matching modules and
// lessons by key, so that trainees' progress on lessons that stay is kept. Each module's
// quiz goes in with its questions, into the course's question bank (see importQuiz).
// Removing a lesson that trainees completed fails the whole import with ErrLessonCompleted,
// removing a quiz they attempted with ErrQuizHasAttempts. A known
// slug of a course ownerID may not edit is ErrForbidden, checked under the course's lock.
func (s *Store) ImportBundle(ctx context.Context, ownerID int64, b courses.Bundle) (id int64, created bool, err error) {
	c := b.Course
	err = s.inTx(ctx, func(tx *sqlx.Tx) error {
		err := tx.GetContext(ctx, &id, `SELECT id FROM courses WHERE slug = $1 FOR UPDATE`, c.Slug)
		switch {
		case notFound(err):
			created = true
			err = tx.GetContext(ctx, &id, `
				INSERT INTO courses (slug, audiences, level, hours, default_language, owner_id)
				VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`,
				c.Slug, audienceArray(c.Audiences), string(c.Level), c.Hours, c.DefaultLanguage, ownerID)
		case err == nil:
			var may bool
			if err := tx.GetContext(ctx, &may, `SELECT EXISTS (SELECT 1 FROM users u WHERE u.id = $2 AND u.active AND (u.role = 'admin'
				OR (u.role = 'instructor' AND (EXISTS (SELECT 1 FROM courses c WHERE c.id = $1 AND c.owner_id = u.id)
				OR EXISTS (SELECT 1 FROM course_instructors i WHERE i.course_id = $1 AND i.user_id = u.id)))))`, id, ownerID); err != nil {
				return err
			}
			if !may {
				return fmt.Errorf("course %s: %w", c.Slug, courses.ErrForbidden)
			}
			_, err = tx.ExecContext(ctx, `UPDATE courses SET audiences = $2, level = $3, hours = $4, default_language = $5
				WHERE id = $1`, id, audienceArray(c.Audiences), string(c.Level), c.Hours, c.DefaultLanguage)
		}
		if err != nil {
			return err
		}
		if err := ensureDefaultCohort(ctx, tx, id); err != nil {
			return err
		}
		// A bundle without a certificate: block leaves the rules set on the web as they are.
		if b.Certificate != nil {
			if err := saveCertificateSettings(ctx, tx, id, *b.Certificate); err != nil {
				return err
			}
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM course_texts WHERE course_id = $1`, id); err != nil {
			return err
		}
		for lang, t := range c.Texts {
			if err := setCourseText(ctx, tx, id, lang, t); err != nil {
				return err
			}
		}
		if err := importModules(ctx, tx, id, c.Slug, c.Modules, b.Questions, ownerID); err != nil {
			return err
		}
		keep := []string{} // never nil: NULL in the query below would keep every image
		for _, img := range b.Images {
			if err := saveImage(ctx, tx, id, img.Name, img.ContentType, img.Data); err != nil {
				return err
			}
			keep = append(keep, img.Name)
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM course_images WHERE course_id = $1 AND NOT (name = ANY ($2))`, id, stringArray(keep)); err != nil {
			return err
		}
		return refreshSearch(ctx, tx, id)
	})
	if err != nil {
		return 0, false, fmt.Errorf("store: import %s: %w", c.Slug, err)
	}
	return id, created, nil
}

func importModules(ctx context.Context, tx *sqlx.Tx, courseID int64, slug string, modules []courses.Module,
	questions map[string][]courses.BankQuestion, by int64) error {
	existing := map[string]int64{}
	var rows []struct {
		ID  int64  `db:"id"`
		Key string `db:"key"`
	}
	if err := tx.SelectContext(ctx, &rows, `SELECT id, key FROM modules WHERE course_id = $1`, courseID); err != nil {
		return err
	}
	for _, r := range rows {
		existing[r.Key] = r.ID
	}
	kept := map[int64]bool{}
	for i, m := range modules {
		titles, _ := json.Marshal(m.Titles)
		id, ok := existing[m.Key]
		var err error
		if ok {
			_, err = tx.ExecContext(ctx, `UPDATE modules SET position = $2, titles = $3 WHERE id = $1`, id, i+1, titles)
		} else {
			err = tx.GetContext(ctx, &id, `INSERT INTO modules (course_id, key, position, titles) VALUES ($1, $2, $3, $4) RETURNING id`,
				courseID, m.Key, i+1, titles)
		}
		if err != nil {
			return err
		}
		kept[id] = true
		if err := importLessons(ctx, tx, slug, id, m.Lessons); err != nil {
			return err
		}
		if err := importQuiz(ctx, tx, courseID, id, m, questions[m.Key], by); err != nil {
			return err
		}
	}
	for _, r := range rows {
		if kept[r.ID] {
			continue
		}
		if err := deleteModuleQuizzes(ctx, tx, r.ID, r.Key); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `DELETE FROM modules WHERE id = $1`, r.ID)
		if isRestrictViolation(err) {
			return fmt.Errorf("module %s: %w", r.Key, ErrLessonCompleted)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

func importLessons(ctx context.Context, tx *sqlx.Tx, slug string, moduleID int64, lessons []courses.Lesson) error {
	existing := map[string]int64{}
	var rows []struct {
		ID  int64  `db:"id"`
		Key string `db:"key"`
	}
	if err := tx.SelectContext(ctx, &rows, `SELECT id, key FROM lessons WHERE module_id = $1`, moduleID); err != nil {
		return err
	}
	for _, r := range rows {
		existing[r.Key] = r.ID
	}
	kept := map[int64]bool{}
	for i, l := range lessons {
		id, ok := existing[l.Key]
		var err error
		if ok {
			_, err = tx.ExecContext(ctx, `UPDATE lessons SET position = $2 WHERE id = $1`, id, i+1)
		} else {
			err = tx.GetContext(ctx, &id, `INSERT INTO lessons (module_id, key, position) VALUES ($1, $2, $3) RETURNING id`, moduleID, l.Key, i+1)
		}
		if err != nil {
			return err
		}
		kept[id] = true
		if _, err := tx.ExecContext(ctx, `DELETE FROM lesson_texts WHERE lesson_id = $1`, id); err != nil {
			return err
		}
		for lang, t := range l.Texts {
			if _, err := tx.ExecContext(ctx, `INSERT INTO lesson_texts (lesson_id, language, title, body, html, html_version)
				VALUES ($1, $2, $3, $4, $5, $6)`,
				id, lang, t.Title, t.Body, courses.RenderLesson(t.Body, slug), courses.MarkdownPolicyVersion); err != nil {
				return err
			}
		}
	}
	for _, r := range rows {
		if kept[r.ID] {
			continue
		}
		_, err := tx.ExecContext(ctx, `DELETE FROM lessons WHERE id = $1`, r.ID)
		if isRestrictViolation(err) {
			return fmt.Errorf("lesson %s: %w", r.Key, ErrLessonCompleted)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// ImagesWithData returns every image of a course with its bytes, for export.
func (s *Store) ImagesWithData(ctx context.Context, courseID int64) ([]courses.Image, error) {
	var list []courses.Image
	err := s.db.SelectContext(ctx, &list, `SELECT name AS "name", content_type AS "contenttype", data AS "data"
		FROM course_images WHERE course_id = $1 ORDER BY name`, courseID)
	if err != nil {
		return nil, fmt.Errorf("store: images: %w", err)
	}
	return list, nil
}
