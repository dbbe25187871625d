package store

import (
	"context"
	"fmt"

	"github.com/aula-school/aula/courses"
)

// Resume finds where userID left off: the lesson last read in the course they worked on
// most recently (else its first lesson not done), among the courses they are taking and
// have not completed. No such course is ErrNotFound. Titles are in lang where the course
// has them, else in its default language.
func (s *Store) Resume(ctx context.Context, userID int64, lang string) (courses.Resume, error) {
	var r struct {
		CourseSlug  string `db:"course_slug"`
		CourseTitle string `db:"course_title"`
		LessonID    int64  `db:"lesson_id"`
		LessonTitle string `db:"lesson_title"`
	}
	err := s.db.GetContext(ctx, &r, `
		SELECT c.slug AS course_slug, COALESCE(ct.title, ctd.title) AS course_title,
			l.id AS lesson_id, COALESCE(lt.title, ltd.title) AS lesson_title
		FROM enrolments e
		JOIN courses c ON c.id = e.course_id AND c.status = 'published'
		JOIN LATERAL (
			SELECT l.id FROM lessons l JOIN modules m ON m.id = l.module_id
			WHERE m.course_id = e.course_id AND (l.id = e.last_lesson_id OR (e.last_lesson_id IS NULL
				AND NOT EXISTS (SELECT 1 FROM lesson_completions lc WHERE lc.lesson_id = l.id AND lc.user_id = e.user_id)))
			ORDER BY m.position, l.position LIMIT 1) l ON true
		JOIN course_texts ctd ON ctd.course_id = c.id AND ctd.language = c.default_language
		LEFT JOIN course_texts ct ON ct.course_id = c.id AND ct.language = $2
		JOIN lesson_texts ltd ON ltd.lesson_id = l.id AND ltd.language = c.default_language
		LEFT JOIN lesson_texts lt ON lt.lesson_id = l.id AND lt.language = $2
		WHERE e.user_id = $1 AND e.status = 'active' AND e.completed_at IS NULL
		ORDER BY e.last_activity_at DESC NULLS LAST, e.id DESC
		LIMIT 1`, userID, lang)
	if notFound(err) {
		return courses.Resume{}, fmt.Errorf("store: resume for %d: %w", userID, courses.ErrNotFound)
	}
	if err != nil {
		return courses.Resume{}, fmt.Errorf("store: resume for %d: %w", userID, err)
	}
	return courses.Resume(r), nil
}
