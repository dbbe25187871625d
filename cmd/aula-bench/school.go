package main

import (
	"context"
	"fmt"
	"io/fs"
	"net/url"
	"time"

	"github.com/aula-school/aula/courses"
	"github.com/aula-school/aula/courses/catalog"
	"github.com/aula-school/aula/store"
	"github.com/jmoiron/sqlx"
)

const (
	benchPassword = "a long enough bench password"
	rosterSize    = 500
)

// school is what the bench reads and signs in as, in a database of its own.
type school struct {
	st          *store.Store
	db          *sqlx.DB // the same database, for W and for rows no store method makes quickly
	url         string   // the database's URL
	trainee     courses.User
	owner       courses.User
	courseSlug  string
	lessonIDs   []int64 // the lessons of courseSlug, in order
	rosterPath  string  // the session roster of a cohort of rosterSize trainees
	takers      []taker // trainees of the roster in the middle of an attempt at the bench's quiz
	class       []int64 // classSize trainees of courseSlug, each signed in (classTokens, made by run)
	classTokens []string
	secret      []byte // the key that seals the signing keys, for the exam's separate Aula
	// the trainee's certificate of the course, for verification, "My certificates" and the PDF
	certificateCode string
	certificateID   int64
	first           courses.Course
}

// taker is a trainee with an attempt in progress: its page and the option ids of each question.
type taker struct {
	userID  int64
	token   string // a sign-in, made by the bench's app
	attempt string // the attempt's path
	options [][]string
}

const (
	quizQuestions = 10 // one a page
	quizTakers    = 64 // one per client at the most clients
)

// withDB returns base with its database name replaced.
func withDB(base, name string) (string, error) {
	u, err := url.Parse(base)
	if err != nil {
		return "", fmt.Errorf("DATABASE_URL: %w", err)
	}
	u.Path = "/" + name
	return u.String(), nil
}

// buildSchool creates the database name afresh on base's server, migrates it and fills it:
// the bundled curriculum, published; a trainee enrolled in every course, two lessons done;
// a cohort of rosterSize with one session. It never touches the demo school.
func buildSchool(ctx context.Context, base, name string) (*school, error) {
	admin, err := sqlx.Open("postgres", base)
	if err != nil {
		return nil, err
	}
	defer admin.Close()
	if _, err := admin.ExecContext(ctx, `DROP DATABASE IF EXISTS `+name+` WITH (FORCE)`); err != nil {
		return nil, fmt.Errorf("drop %s: %w", name, err)
	}
	if _, err := admin.ExecContext(ctx, `CREATE DATABASE `+name); err != nil {
		return nil, fmt.Errorf("create %s: %w", name, err)
	}
	dbURL, err := withDB(base, name)
	if err != nil {
		return nil, err
	}
	st, err := store.Open(ctx, dbURL, store.CountStatements())
	if err != nil {
		return nil, err
	}
	s := &school{st: st, url: dbURL}
	if err := st.Migrate(ctx); err != nil {
		return nil, err
	}
	if s.db, err = sqlx.Open("postgres", dbURL); err != nil {
		return nil, err
	}
	s.db.SetMaxOpenConns(20)
	s.db.SetMaxIdleConns(20)
	if _, err := s.db.ExecContext(ctx, `CREATE TABLE bench_writes (id bigserial PRIMARY KEY, at timestamptz NOT NULL DEFAULT now(), note text NOT NULL)`); err != nil {
		return nil, err
	}
	person := func(email, name string) courses.Profile {
		return courses.Profile{FullName: name, Email: email, Country: "CR", Institution: "Municipalidad de Escazú",
			Sector: "local_government", Language: "es"}
	}
	if s.owner, err = st.CreateUser(ctx, person("instructora@bench.example", "Instructora Bench"), benchPassword, courses.RoleInstructor); err != nil {
		return nil, err
	}
	if s.trainee, err = st.CreateUser(ctx, person("ana@bench.example", "Ana Bench"), benchPassword, courses.RoleTrainee); err != nil {
		return nil, err
	}
	entries, err := fs.ReadDir(catalog.FS, ".")
	if err != nil {
		return nil, err
	}
	var first courses.Course
	for _, e := range entries {
		if !e.IsDir() {
			continue
		}
		sub, err := fs.Sub(catalog.FS, e.Name())
		if err != nil {
			return nil, err
		}
		bundle, problems := courses.ReadBundle(sub)
		if len(problems) > 0 {
			return nil, fmt.Errorf("curriculum %s: %v", e.Name(), problems)
		}
		id, _, err := st.ImportBundle(ctx, s.owner.ID, bundle)
		if err != nil {
			return nil, err
		}
		if err := st.SetCourseStatus(ctx, courses.Actor{UserID: s.owner.ID}, id, courses.StatusPublished); err != nil {
			return nil, err
		}
		cohorts, err := st.Cohorts(ctx, id)
		if err != nil {
			return nil, err
		}
		if _, err := st.Enrol(ctx, s.trainee.ID, cohorts[0].ID, "", time.Now()); err != nil {
			return nil, err
		}
		if first.ID == 0 {
			if first, err = st.Course(ctx, id); err != nil {
				return nil, err
			}
		}
	}
	if first.ID == 0 {
		return nil, fmt.Errorf("the curriculum has no course")
	}
	// The pages a trainee reads are measured on the 65-lesson course (issue 12's school); the
	// curriculum's courses fill the catalog and My learning.
	if first, err = s.buildLongCourse(ctx); err != nil {
		return nil, err
	}
	s.courseSlug = first.Slug
	lessons := first.Modules[0].Lessons
	for _, l := range lessons[:min(2, len(lessons))] {
		if _, err := st.CompleteLesson(ctx, s.trainee.ID, l.ID, time.Now()); err != nil {
			return nil, err
		}
	}
	for _, m := range first.Modules {
		for _, l := range m.Lessons {
			s.lessonIDs = append(s.lessonIDs, l.ID)
		}
	}
	if err := s.buildRoster(ctx, first); err != nil {
		return nil, err
	}
	if s.class, err = s.buildClass(ctx, first, "Promoción de 1000", "agente", classSize); err != nil {
		return nil, err
	}
	s.first = first
	if err := s.buildCertificates(ctx, first); err != nil {
		return nil, err
	}
	return s, s.buildQuiz(ctx, first)
}

// questions makes quizQuestions single-choice questions in co's bank, under category, for a quiz.
func (s *school) questions(ctx context.Context, co courses.Course, category string) ([]courses.QuizItem, error) {
	var items []courses.QuizItem
	for i := 0; i < quizQuestions; i++ {
		q := courses.Question{Type: courses.QuestionMultichoice, Single: true, Points: 1,
			Answers: []courses.Answer{{Weight: 1}, {}, {}, {}},
			Texts: map[string]courses.QuestionText{"es": {Text: fmt.Sprintf("Pregunta %d: ¿qué hace primero la agente que llega a la escena?", i+1),
				GeneralFeedback: "La seguridad de las personas va primero.",
				Answers: []courses.AnswerText{{Text: "Protege a las personas", Feedback: "Sí."}, {Text: "Llama a la prensa", Feedback: "No."},
					{Text: "Espera órdenes", Feedback: "No."}, {Text: "Se retira", Feedback: "No."}}}}}
		id, err := s.st.SaveQuestion(ctx, courses.BankQuestion{CourseID: co.ID, Category: category, Question: q}, s.owner.ID)
		if err != nil {
			return nil, err
		}
		items = append(items, courses.QuizItem{QuestionID: id})
	}
	return items, nil
}

// buildQuiz makes a quiz of quizQuestions single-choice questions, one a page, at the end of
// the course's first module, and starts an attempt at it for quizTakers of the roster.
func (s *school) buildQuiz(ctx context.Context, co courses.Course) error {
	items, err := s.questions(ctx, co, "bench")
	if err != nil {
		return err
	}
	settings := courses.DefaultQuizSettings()
	settings.PerPage = 1
	quizID, err := s.st.SaveQuiz(ctx, co.ID, courses.Quiz{ModuleID: co.Modules[0].ID, Key: "bench", Position: len(co.Modules[0].Lessons),
		Titles: map[string]string{"es": "Cuestionario de la prueba de carga"}, Settings: settings, Items: items})
	if err != nil {
		return err
	}
	var people []int64
	if err := s.db.SelectContext(ctx, &people, `SELECT user_id FROM enrolments WHERE course_id = $1 AND user_id <> $2 ORDER BY user_id LIMIT $3`,
		co.ID, s.trainee.ID, quizTakers); err != nil {
		return err
	}
	for _, id := range people {
		attemptID, err := s.st.StartAttempt(ctx, id, co.ID, quizID, "es", time.Now())
		if err != nil {
			return err
		}
		a, err := s.st.Attempt(ctx, id, attemptID)
		if err != nil {
			return err
		}
		t := taker{userID: id, attempt: fmt.Sprintf("/courses/%s/attempts/%d", co.Slug, attemptID)}
		for _, slot := range a.Slots {
			t.options = append(t.options, slot.OptionIDs)
		}
		s.takers = append(s.takers, t)
	}
	return nil
}

// buildRoster makes a cohort of rosterSize active trainees with one session. The accounts are
// written in one statement with one password hash: hashing 500 passwords would take a minute
// and measure nothing the bench is about.
func (s *school) buildRoster(ctx context.Context, co courses.Course) error {
	cohortID, err := s.st.SaveCohort(ctx, courses.Actor{}, courses.Cohort{CourseID: co.ID, Name: "Cohorte de 500", Mode: courses.ModeBlended,
		Location: "Sala 1", Policy: courses.PolicyApproval})
	if err != nil {
		return err
	}
	sessionID, err := s.st.AddSession(ctx, courses.CohortSession{CohortID: cohortID, StartsAt: time.Now().Add(time.Hour),
		Minutes: 90, Place: "Sala 1"})
	if err != nil {
		return err
	}
	_, err = s.db.ExecContext(ctx, `
		WITH people AS (
			INSERT INTO users (email, full_name, password_hash, country, institution, sector, language)
			SELECT 'persona' || i || '@bench.example', 'Persona ' || i, (SELECT password_hash FROM users WHERE id = $1),
				'HN', 'Municipalidad de Tegucigalpa', 'local_government', 'es'
			FROM generate_series(1, $2::int) AS i
			RETURNING id)
		INSERT INTO enrolments (cohort_id, course_id, user_id, status) SELECT $3, $4, id, 'active' FROM people`,
		s.trainee.ID, rosterSize, cohortID, co.ID)
	if err != nil {
		return fmt.Errorf("roster: %w", err)
	}
	s.rosterPath = fmt.Sprintf("/teach/courses/%d/cohorts/%d/sessions/%d", co.ID, cohortID, sessionID)
	return nil
}

func (s *school) Close() {
	if s.db != nil {
		s.db.Close()
	}
	s.st.Close()
}
