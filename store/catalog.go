package store

import (
	"context"
	"fmt"
	"strings"
	"unicode"

	"github.com/aula-school/aula/courses"
	"github.com/lib/pq"
)

// CatalogFilter narrows the public catalog. Empty fields do not filter.
type CatalogFilter struct {
	Audience courses.Audience
	Language string // courses that can be read in this language
	Level    courses.Level
	Query    string // words, matched ignoring accents and case, as prefixes
	Viewer   string // the reader's language, for ordering by title
	Offset   int
	Limit    int
}

// searchWords splits what a visitor typed into at most eight words of letters and digits.
// The query quotes each one as a lexeme after unaccent, which can turn letters such as ʼ
// into punctuation, so nothing typed can break the tsquery.
func searchWords(q string) pq.StringArray {
	words := pq.StringArray{}
	for _, w := range strings.FieldsFunc(strings.ToLower(q), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r)
	}) {
		words = append(words, w)
		if len(words) == 8 {
			break
		}
	}
	return words
}

// Catalog returns a page of published courses matching f, with their texts, and how many
// match in all, in one statement.
func (s *Store) Catalog(ctx context.Context, f CatalogFilter) ([]courses.Course, int, error) {
	if f.Limit <= 0 {
		f.Limit = 12
	}
	var rows []struct {
		courseRow
		Texts pq.StringArray `db:"texts"`
		Total int            `db:"total"`
	}
	err := s.hotSelect(ctx, &rows, `
		SELECT `+courseColumns+`, `+textsColumn+`, count(*) OVER () AS total
		FROM courses c
		LEFT JOIN course_texts vt ON vt.course_id = c.id AND vt.language = $5
		LEFT JOIN course_texts dt ON dt.course_id = c.id AND dt.language = c.default_language
		WHERE c.status = 'published'
		  AND ($1 = '' OR $1 = ANY (c.audiences))
		  AND ($2 = '' OR EXISTS (SELECT 1 FROM course_texts t WHERE t.course_id = c.id AND t.language = $2))
		  AND ($3 = '' OR c.level = $3)
		  AND (cardinality($4::text[]) = 0 OR c.search_vector @@ to_tsquery('simple',
			(SELECT string_agg(quote_literal(aula_unaccent(w)) || ':*', ' & ') FROM unnest($4::text[]) AS w)))
		ORDER BY coalesce(vt.sort_title, dt.sort_title), c.id
		OFFSET $6 LIMIT $7`,
		string(f.Audience), f.Language, string(f.Level), searchWords(f.Query), f.Viewer, f.Offset, f.Limit)
	if err != nil {
		return nil, 0, fmt.Errorf("store: catalog: %w", err)
	}
	list := make([]courses.Course, len(rows))
	total := 0
	for i, r := range rows {
		list[i] = r.course()
		total = r.Total
		if err := decodeTexts(r.Texts, &list[i]); err != nil {
			return nil, 0, err
		}
	}
	return list, total, nil
}

// attachTexts fills in the titles and summaries of a list of courses, in one query.
func (s *Store) attachTexts(ctx context.Context, list []courses.Course) error {
	if len(list) == 0 {
		return nil
	}
	ids := make(pq.Int64Array, len(list))
	index := map[int64]int{}
	for i, c := range list {
		ids[i] = c.ID
		index[c.ID] = i
	}
	var texts []struct {
		CourseID int64  `db:"course_id"`
		Language string `db:"language"`
		Title    string `db:"title"`
		Summary  string `db:"summary"`
	}
	if err := s.db.SelectContext(ctx, &texts, `SELECT course_id, language, title, summary FROM course_texts WHERE course_id = ANY ($1)`, ids); err != nil {
		return fmt.Errorf("store: course texts: %w", err)
	}
	for _, t := range texts {
		list[index[t.CourseID]].Texts[t.Language] = courses.CourseText{Title: t.Title, Summary: t.Summary}
	}
	return nil
}

// TaughtCourses lists the courses userID owns or co-teaches (all courses for admins), any status.
func (s *Store) TaughtCourses(ctx context.Context, userID int64, all bool) ([]courses.Course, error) {
	var rows []courseRow
	err := s.db.SelectContext(ctx, &rows, `
		SELECT `+courseColumns+` FROM courses c
		WHERE $2 OR c.owner_id = $1 OR EXISTS (SELECT 1 FROM course_instructors i WHERE i.course_id = c.id AND i.user_id = $1)
		ORDER BY c.updated_at DESC, c.id`, userID, all)
	if err != nil {
		return nil, fmt.Errorf("store: taught courses: %w", err)
	}
	list := make([]courses.Course, len(rows))
	for i, r := range rows {
		list[i] = r.course()
	}
	return list, s.attachTexts(ctx, list)
}

// Instructors returns the names of the people who teach a course, owner first.
func (s *Store) Instructors(ctx context.Context, c courses.Course) ([]courses.User, error) {
	ids := append(pq.Int64Array{c.OwnerID}, c.InstructorIDs...)
	var rows []userRow
	err := s.db.SelectContext(ctx, &rows, `SELECT `+userColumns+` FROM users WHERE id = ANY ($1)
		ORDER BY id = $2 DESC, lower(full_name)`, ids, c.OwnerID)
	if err != nil {
		return nil, fmt.Errorf("store: instructors: %w", err)
	}
	users := make([]courses.User, len(rows))
	for i, r := range rows {
		users[i] = r.user()
	}
	return users, nil
}
