package store

import (
	"context"
	"fmt"

	"github.com/aula-school/aula/courses"
	"github.com/jmoiron/sqlx"
)

// imageRow is a course_images row as read.
type imageRow struct {
	Name        string `db:"name"`
	ContentType string `db:"content_type"`
	Data        []byte `db:"data"`
	Size        int    `db:"size"`
}

func (r imageRow) image() courses.Image {
	return courses.Image{Name: r.Name, ContentType: r.ContentType, Data: r.Data, Size: r.Size}
}

// SaveImage stores (or replaces) a course image. The caller has checked its content.
func (s *Store) SaveImage(ctx context.Context, courseID int64, name, contentType string, data []byte) error {
	return s.inTx(ctx, func(tx *sqlx.Tx) error {
		return saveImage(ctx, tx, courseID, name, contentType, data)
	})
}

func saveImage(ctx context.Context, tx *sqlx.Tx, courseID int64, name, contentType string, data []byte) error {
	_, err := tx.ExecContext(ctx, `
		INSERT INTO course_images (course_id, name, content_type, data) VALUES ($1, $2, $3, $4)
		ON CONFLICT (course_id, name) DO UPDATE SET content_type = EXCLUDED.content_type, data = EXCLUDED.data, created_at = now()`,
		courseID, name, contentType, data)
	if err != nil {
		return fmt.Errorf("store: save image %s: %w", name, err)
	}
	return nil
}

// CourseImage returns the image called name of the course named slug, if viewerID (0:
// anonymous) may see the course: published, or edited by them. One statement, without
// loading the course; an image of a course the viewer may not see is not found.
func (s *Store) CourseImage(ctx context.Context, slug, name string, viewerID int64) (courses.Image, error) {
	var img imageRow
	err := s.hotGet(ctx, &img, `
		SELECT i.name, i.content_type, i.data, length(i.data) AS size
		FROM course_images i JOIN courses c ON c.id = i.course_id
		WHERE c.slug = $1 AND i.name = $2 AND (c.status = 'published' OR EXISTS (SELECT 1 FROM users u
			WHERE u.id = $3 AND u.active AND (u.role = 'admin' OR (u.role = 'instructor' AND (c.owner_id = u.id
				OR EXISTS (SELECT 1 FROM course_instructors ci WHERE ci.course_id = c.id AND ci.user_id = u.id))))))`,
		slug, name, viewerID)
	if notFound(err) {
		return courses.Image{}, fmt.Errorf("store: image %s of %s: %w", name, slug, courses.ErrNotFound)
	}
	if err != nil {
		return courses.Image{}, fmt.Errorf("store: image %s of %s: %w", name, slug, err)
	}
	return img.image(), nil
}

// Images lists a course's images, without their data.
func (s *Store) Images(ctx context.Context, courseID int64) ([]courses.Image, error) {
	var rows []imageRow
	err := s.db.SelectContext(ctx, &rows, `SELECT name, content_type, ''::bytea AS data, length(data) AS size
		FROM course_images WHERE course_id = $1 ORDER BY name`, courseID)
	if err != nil {
		return nil, fmt.Errorf("store: images: %w", err)
	}
	list := make([]courses.Image, len(rows))
	for i, r := range rows {
		list[i] = r.image()
	}
	return list, nil
}

// DeleteImage removes a course image.
func (s *Store) DeleteImage(ctx context.Context, courseID int64, name string) error {
	return s.inTx(ctx, func(tx *sqlx.Tx) error {
		_, err := tx.ExecContext(ctx, `DELETE FROM course_images WHERE course_id = $1 AND name = $2`, courseID, name)
		return err
	})
}
