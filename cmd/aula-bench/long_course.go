package main

import (
	"context"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strings"
	"testing/fstest"
	"time"

	"github.com/aula-school/aula/courses"
	"github.com/aula-school/aula/courses/catalog"
)

// The generated school of issue 12: a course of 65 lessons (the size of the Moodle course it is
// compared with), read by a class of 1,000 signed-in trainees.
const (
	longModules      = 5
	lessonsPerModule = 13 // 65 lessons
	longSlug         = "curso-nacional-policia"
	classSize        = 1000
)

// longCourseBundle is a course of longModules × lessonsPerModule lessons in es, en and pt, made
// of the bundled curriculum's lessons in turn (real text of real length, so that the page's size
// is a real one), each under a key and number of its own.
func longCourseBundle() (courses.Bundle, error) {
	type lesson struct{ dir, key string } // a catalog lesson: its folder and its file name without .lang.md
	var sources []lesson
	err := fs.WalkDir(catalog.FS, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if name, ok := strings.CutSuffix(d.Name(), ".es.md"); ok {
			sources = append(sources, lesson{path.Dir(p), name})
		}
		return nil
	})
	if err != nil {
		return courses.Bundle{}, err
	}
	if len(sources) == 0 {
		return courses.Bundle{}, fmt.Errorf("the curriculum has no lesson")
	}
	sort.Slice(sources, func(i, j int) bool { return sources[i].dir+sources[i].key < sources[j].dir+sources[j].key })
	files := fstest.MapFS{}
	var yaml strings.Builder
	yaml.WriteString(`slug: ` + longSlug + `
default_language: es
audiences: [police, local_government]
level: intermediate
hours: 60
translations:
  es:
    title: "Curso nacional de policía comunitaria y seguridad ciudadana"
    summary: "El curso que toda la policía nacional completa antes de su examen final: sesenta y cinco lecciones sobre seguridad ciudadana, prevención, derechos humanos y trabajo con la comunidad."
  en:
    title: "National course on community policing and citizen security"
    summary: "The course every officer of the national police completes before the final exam: sixty-five lessons on citizen security, prevention, human rights and work with the community."
  pt:
    title: "Curso nacional de policiamento comunitário e segurança cidadã"
    summary: "O curso que toda a polícia nacional conclui antes do exame final: sessenta e cinco lições sobre segurança cidadã, prevenção, direitos humanos e trabalho com a comunidade."
modules:
`)
	n := 0
	for m := 1; m <= longModules; m++ {
		folder := fmt.Sprintf("%02d-unidad-%d", m, m)
		fmt.Fprintf(&yaml, "  - folder: %s\n    titles:\n      es: \"Unidad %d\"\n      en: \"Unit %d\"\n      pt: \"Unidade %d\"\n", folder, m, m, m)
		for l := 1; l <= lessonsPerModule; l++ {
			src := sources[n%len(sources)]
			n++
			for _, lang := range []string{"es", "en", "pt"} {
				body, err := fs.ReadFile(catalog.FS, path.Join(src.dir, src.key+"."+lang+".md"))
				if err != nil {
					continue // a lesson not translated: the course shows it in Spanish
				}
				files[fmt.Sprintf("%s/%02d-leccion-%d.%s.md", folder, l, n, lang)] = &fstest.MapFile{Data: body}
			}
		}
	}
	files["course.yaml"] = &fstest.MapFile{Data: []byte(yaml.String())}
	bundle, problems := courses.ReadBundle(files)
	if len(problems) > 0 {
		return courses.Bundle{}, fmt.Errorf("the 65-lesson course: %v", problems)
	}
	return bundle, nil
}

// buildLongCourse imports the 65-lesson course, published, and enrols the bench trainee in it.
func (s *school) buildLongCourse(ctx context.Context) (courses.Course, error) {
	bundle, err := longCourseBundle()
	if err != nil {
		return courses.Course{}, err
	}
	id, _, err := s.st.ImportBundle(ctx, s.owner.ID, bundle)
	if err != nil {
		return courses.Course{}, err
	}
	if err := s.st.SetCourseStatus(ctx, courses.Actor{UserID: s.owner.ID}, id, courses.StatusPublished); err != nil {
		return courses.Course{}, err
	}
	cohorts, err := s.st.Cohorts(ctx, id)
	if err != nil {
		return courses.Course{}, err
	}
	if _, err := s.st.Enrol(ctx, s.trainee.ID, cohorts[0].ID, "", time.Now()); err != nil {
		return courses.Course{}, err
	}
	co, err := s.st.Course(ctx, id)
	if err != nil {
		return courses.Course{}, err
	}
	lessons := 0
	for _, m := range co.Modules {
		lessons += len(m.Lessons)
	}
	if lessons != longModules*lessonsPerModule {
		return courses.Course{}, fmt.Errorf("the long course has %d lessons, want %d", lessons, longModules*lessonsPerModule)
	}
	return co, nil
}

// buildClass enrols classSize trainees in co, in a cohort of their own, written in one
// statement with one password hash (the bench trainee's: they sign in with benchPassword).
// Their sign-ins are made in Redis by the bench (run), as a sign-in would.
func (s *school) buildClass(ctx context.Context, co courses.Course, name, emailPrefix string, size int) ([]int64, error) {
	cohortID, err := s.st.SaveCohort(ctx, courses.Actor{}, courses.Cohort{CourseID: co.ID, Name: name, Mode: courses.ModeOnline,
		Policy: courses.PolicyApproval})
	if err != nil {
		return nil, err
	}
	var ids []int64
	err = s.db.SelectContext(ctx, &ids, `
		WITH people AS (
			INSERT INTO users (email, full_name, password_hash, country, institution, sector, language)
			SELECT $1 || i || '@bench.example', 'Agente ' || i, (SELECT password_hash FROM users WHERE id = $2),
				'GT', 'Policía Nacional Civil', 'police', 'es'
			FROM generate_series(1, $3::int) AS i
			RETURNING id),
		enrolled AS (
			INSERT INTO enrolments (cohort_id, course_id, user_id, status) SELECT $4, $5, id, 'active' FROM people)
		SELECT id FROM people ORDER BY id`,
		emailPrefix, s.trainee.ID, size, cohortID, co.ID)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return ids, nil
}
