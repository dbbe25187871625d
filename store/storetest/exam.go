package storetest

import (
	"context"
	"fmt"
	"io/fs"
	"math"
	"slices"
	"time"

	"github.com/aula-school/aula/courses"
	"github.com/aula-school/aula/courses/catalog"
	"github.com/aula-school/aula/store"
	"github.com/jmoiron/sqlx"
)

// Exam is a school made for the fault tests and `make chaos`: one published course whose
// every lesson the examinees have done, and a required timed quiz of ExamQuestions
// single-choice questions, all on one page, whose pass completes the course and issues its
// certificate (the course's rule: on completion).
type Exam struct {
	DatabaseURL string
	Slug        string
	CourseID    int64
	QuizID      int64
	Password    string
	Emails      []string // the examinees, in order

	st *store.Store // for the checks
	db *sqlx.DB
}

// Close closes the exam's connections to PostgreSQL.
func (e *Exam) Close() {
	e.st.Close()
	e.db.Close()
}

// ExamQuestions is the number of questions of the exam's quiz.
const ExamQuestions = 10

// ExamPassword is every examinee's password.
const ExamPassword = "a long enough exam password"

// ExamConfig is the size of an exam and its quiz's time.
type ExamConfig struct {
	Examinees int
	TimeLimit time.Duration
	Grace     time.Duration // after the deadline, saves still kept; the quiz's default when 0
}

// NewExam migrates the database at databaseURL and fills it: the first course of the bundled
// curriculum, the examinees enrolled in it, and the quiz.
func NewExam(ctx context.Context, databaseURL string, cfg ExamConfig) (*Exam, error) {
	st, err := store.Open(ctx, databaseURL)
	if err != nil {
		return nil, err
	}
	db, err := sqlx.Open("postgres", databaseURL)
	if err != nil {
		st.Close()
		return nil, err
	}
	e := &Exam{DatabaseURL: databaseURL, Password: ExamPassword, st: st, db: db}
	if err := e.fill(ctx, cfg); err != nil {
		e.Close()
		return nil, err
	}
	return e, nil
}

func (e *Exam) fill(ctx context.Context, cfg ExamConfig) error {
	st, db := e.st, e.db
	if err := st.Migrate(ctx); err != nil {
		return err
	}
	person := func(email, name string) courses.Profile {
		return courses.Profile{FullName: name, Email: email, Country: "CR", Institution: "Ministerio de Seguridad Pública",
			Sector: "police", Language: "es"}
	}
	owner, err := st.CreateUser(ctx, person("instructora@exam.example", "Instructora del Examen"), ExamPassword, courses.RoleInstructor)
	if err != nil {
		return err
	}
	entries, err := fs.ReadDir(catalog.FS, ".")
	if err != nil {
		return err
	}
	i := slices.IndexFunc(entries, func(d fs.DirEntry) bool { return d.IsDir() })
	if i < 0 {
		return fmt.Errorf("storetest: the curriculum has no course")
	}
	sub, err := fs.Sub(catalog.FS, entries[i].Name())
	if err != nil {
		return err
	}
	bundle, problems := courses.ReadBundle(sub)
	if len(problems) > 0 {
		return fmt.Errorf("storetest: curriculum %s: %v", entries[i].Name(), problems)
	}
	if e.CourseID, _, err = st.ImportBundle(ctx, owner.ID, bundle); err != nil {
		return err
	}
	if err := st.SetCourseStatus(ctx, courses.Actor{UserID: owner.ID}, e.CourseID, courses.StatusPublished); err != nil {
		return err
	}
	if err := st.SaveCertificateSettings(ctx, e.CourseID, courses.CertificateSettings{Issue: courses.IssueAuto}); err != nil {
		return err
	}
	co, err := st.Course(ctx, e.CourseID)
	if err != nil {
		return err
	}
	e.Slug = co.Slug
	if e.QuizID, err = examQuiz(ctx, st, co, owner.ID, cfg); err != nil {
		return err
	}
	// Only this quiz counts for the course: passing it completes the course.
	if _, err := db.ExecContext(ctx, `UPDATE quizzes SET settings = jsonb_set(settings, '{required}', 'false')
		WHERE id <> $1 AND module_id IN (SELECT id FROM modules WHERE course_id = $2)`, e.QuizID, e.CourseID); err != nil {
		return fmt.Errorf("storetest: exam quizzes: %w", err)
	}
	cohorts, err := st.Cohorts(ctx, e.CourseID)
	if err != nil || len(cohorts) == 0 {
		return fmt.Errorf("storetest: the exam course's cohort: %v", err)
	}
	// The examinees share the instructor's password hash: hashing hundreds of passwords would
	// take as many times 50 ms and test nothing.
	if _, err := db.ExecContext(ctx, `
		WITH people AS (
			INSERT INTO users (email, full_name, password_hash, country, institution, sector, language)
			SELECT 'examinee' || i || '@exam.example', 'Examinada ' || i, (SELECT password_hash FROM users WHERE id = $1),
				'CR', 'Ministerio de Seguridad Pública', 'police', 'es'
			FROM generate_series(1, $2::int) AS i
			RETURNING id), enrolled AS (
			INSERT INTO enrolments (cohort_id, course_id, user_id, status) SELECT $3, $4, id, 'active' FROM people)
		INSERT INTO lesson_completions (user_id, lesson_id, course_id)
		SELECT p.id, l.id, m.course_id FROM people p, lessons l JOIN modules m ON m.id = l.module_id WHERE m.course_id = $4`,
		owner.ID, cfg.Examinees, cohorts[0].ID, e.CourseID); err != nil {
		return fmt.Errorf("storetest: examinees: %w", err)
	}
	for i := 1; i <= cfg.Examinees; i++ {
		e.Emails = append(e.Emails, fmt.Sprintf("examinee%d@exam.example", i))
	}
	return nil
}

// examQuiz makes the quiz: ExamQuestions single-choice questions (the first option right),
// options shuffled, all on one page, required, pass mark 70 %.
func examQuiz(ctx context.Context, st *store.Store, co courses.Course, ownerID int64, cfg ExamConfig) (int64, error) {
	var items []courses.QuizItem
	for i := 0; i < ExamQuestions; i++ {
		q := courses.Question{Type: courses.QuestionMultichoice, Single: true, Points: 1,
			Answers: []courses.Answer{{Weight: 1}, {}, {}, {}},
			Texts: map[string]courses.QuestionText{"es": {Text: fmt.Sprintf("Pregunta %d: ¿qué hace primero la agente que llega a la escena?", i+1),
				Answers: []courses.AnswerText{{Text: "Protege a las personas"}, {Text: "Llama a la prensa"},
					{Text: "Espera órdenes"}, {Text: "Se retira"}}}}}
		id, err := st.SaveQuestion(ctx, courses.BankQuestion{CourseID: co.ID, Category: "examen", Question: q}, ownerID)
		if err != nil {
			return 0, err
		}
		items = append(items, courses.QuizItem{QuestionID: id})
	}
	s := courses.DefaultQuizSettings()
	s.TimeLimit, s.PerPage, s.Required = cfg.TimeLimit, 0, true
	if cfg.Grace > 0 {
		s.Grace = cfg.Grace
	}
	last := co.Modules[len(co.Modules)-1]
	return st.SaveQuiz(ctx, co.ID, courses.Quiz{ModuleID: last.ID, Key: "examen-final", Position: len(last.Lessons),
		Titles: map[string]string{"es": "Examen final"}, Settings: s, Items: items})
}

// Tally is what a check of the database against the examinees' records found.
type Tally struct {
	Acknowledged  int      // answers the server acknowledged (the newest of each question of each attempt)
	Lost          int      // of those, missing or different in PostgreSQL
	Started       int      // attempts at the quiz in PostgreSQL
	Finished      int      // of those, finished
	GradedTwice   int      // finished attempts whose grade is not the one their answers earn, or not the one the trainee was shown
	Certificates  int      // certificates issued
	IssuedTwice   int      // enrolments with more than one certificate
	NoCertificate int      // completed enrolments without a certificate, or passed attempts without a completion
	Problems      []string // the first few findings, for a failure message
}

func (t *Tally) problem(format string, args ...any) {
	if len(t.Problems) < 20 {
		t.Problems = append(t.Problems, fmt.Sprintf(format, args...))
	}
}

// String is the tally in one line.
func (t Tally) String() string {
	return fmt.Sprintf("%d acknowledged answers, %d lost; %d attempts, %d finished, %d graded twice; %d certificates, %d issued twice, %d completions without one",
		t.Acknowledged, t.Lost, t.Started, t.Finished, t.GradedTwice, t.Certificates, t.IssuedTwice, t.NoCertificate)
}

// Check compares every answer the server acknowledged to the examinees with what PostgreSQL
// holds, grades every finished attempt again from its saved answers, and counts the
// certificates.
func (e *Exam) Check(ctx context.Context, examinees []*Examinee) (Tally, error) {
	var t Tally
	st, db := e.st, e.db
	for _, x := range examinees {
		x.mu.Lock()
		records := x.records
		shown := x.shownScores
		x.mu.Unlock()
		userID, err := e.userID(ctx, x)
		if err != nil {
			return t, err
		}
		attempts := map[int64]courses.Attempt{}
		for key, r := range records {
			if r.acked == 0 {
				continue
			}
			t.Acknowledged++
			at, ok := attempts[key.attempt]
			if !ok {
				if at, err = st.Attempt(ctx, userID, key.attempt); err != nil {
					return t, err
				}
				attempts[key.attempt] = at
			}
			if key.slot >= len(at.Slots) {
				t.Lost++
				t.problem("%s attempt %d slot %d: no such slot", x.Email, key.attempt, key.slot)
				continue
			}
			s := at.Slots[key.slot]
			sent, ok := r.sent[s.Seq]
			switch {
			case s.Seq < r.acked:
				t.Lost++
				t.problem("%s attempt %d slot %d: acknowledged seq %d, PostgreSQL holds seq %d", x.Email, key.attempt, key.slot, r.acked, s.Seq)
			case !ok:
				t.Lost++
				t.problem("%s attempt %d slot %d: PostgreSQL holds seq %d, which was never sent", x.Email, key.attempt, key.slot, s.Seq)
			case s.Response == nil || !slices.Equal(s.Response.Choices, []int{optionIndex(s, sent)}):
				t.Lost++
				t.problem("%s attempt %d slot %d seq %d: sent option %s, PostgreSQL holds %+v", x.Email, key.attempt, key.slot, s.Seq, sent, s.Response)
			}
		}
		for attemptID, score := range shown {
			at, ok := attempts[attemptID]
			if !ok {
				if at, err = st.Attempt(ctx, userID, attemptID); err != nil {
					return t, err
				}
			}
			if got := fmt.Sprintf("%.4g / %.4g", at.Score, at.Max); got != score {
				t.GradedTwice++
				t.problem("%s attempt %d: shown %q at its finish, PostgreSQL holds %q", x.Email, attemptID, score, got)
			}
		}
	}
	// Every finished attempt, whoever finished it (a trainee, the sweeper), graded once and right.
	var finished []struct {
		ID     int64 `db:"id"`
		UserID int64 `db:"user_id"`
	}
	if err := db.SelectContext(ctx, &finished, `SELECT id, user_id FROM quiz_attempts WHERE quiz_id = $1 AND finished_at IS NOT NULL ORDER BY id`, e.QuizID); err != nil {
		return t, fmt.Errorf("storetest: finished attempts: %w", err)
	}
	t.Finished = len(finished)
	if err := db.GetContext(ctx, &t.Started, `SELECT count(*) FROM quiz_attempts WHERE quiz_id = $1`, e.QuizID); err != nil {
		return t, fmt.Errorf("storetest: attempts: %w", err)
	}
	for _, f := range finished {
		at, err := st.Attempt(ctx, f.UserID, f.ID)
		if err != nil {
			return t, err
		}
		var marks []courses.SlotMark
		for _, s := range at.Slots {
			r := courses.Response{}
			if s.Response != nil {
				r = *s.Response
			}
			marks = append(marks, courses.SlotMark{Points: s.Question.Points, Mark: courses.Grade(s.Question, at.Language, at.Default, r)})
		}
		score, maxScore, _ := courses.AttemptScore(marks)
		if math.Abs(score-at.Score) > 1e-9 || math.Abs(maxScore-at.Max) > 1e-9 {
			t.GradedTwice++
			t.problem("attempt %d: graded %g / %g, its saved answers earn %g / %g", f.ID, at.Score, at.Max, score, maxScore)
		}
	}
	var counts struct {
		Certificates  int `db:"certificates"`
		Twice         int `db:"twice"`
		NoCertificate int `db:"no_certificate"`
		NotCompleted  int `db:"not_completed"`
	}
	if err := db.GetContext(ctx, &counts, `SELECT
		(SELECT count(*) FROM certificates WHERE course_id = $1) AS certificates,
		(SELECT count(*) FROM (SELECT enrolment_id FROM certificates WHERE course_id = $1 GROUP BY enrolment_id HAVING count(*) > 1) AS d) AS twice,
		(SELECT count(*) FROM enrolments e WHERE e.course_id = $1 AND e.completed_at IS NOT NULL
			AND NOT EXISTS (SELECT 1 FROM certificates c WHERE c.enrolment_id = e.id)) AS no_certificate,
		(SELECT count(DISTINCT a.user_id) FROM quiz_attempts a JOIN enrolments e ON e.user_id = a.user_id AND e.course_id = $1
			WHERE a.quiz_id = $2 AND a.passed AND e.completed_at IS NULL) AS not_completed`, e.CourseID, e.QuizID); err != nil {
		return t, fmt.Errorf("storetest: certificates: %w", err)
	}
	t.Certificates, t.IssuedTwice, t.NoCertificate = counts.Certificates, counts.Twice, counts.NoCertificate+counts.NotCompleted
	if t.IssuedTwice > 0 {
		t.problem("%d enrolments have more than one certificate", t.IssuedTwice)
	}
	if t.NoCertificate > 0 {
		t.problem("%d completed enrolments without a certificate, %d passes without a completion", counts.NoCertificate, counts.NotCompleted)
	}
	return t, nil
}

func (e *Exam) userID(ctx context.Context, x *Examinee) (int64, error) {
	x.mu.Lock()
	id := x.userID
	x.mu.Unlock()
	if id != 0 {
		return id, nil
	}
	if err := e.db.GetContext(ctx, &id, `SELECT id FROM users WHERE email = $1`, x.Email); err != nil {
		return 0, fmt.Errorf("storetest: user %s: %w", x.Email, err)
	}
	x.mu.Lock()
	x.userID = id
	x.mu.Unlock()
	return id, nil
}

// RightAnswers are the option ids of the right answer of each slot of the examinee's
// attempt in progress, read from PostgreSQL (the page does not say which is right).
func (e *Exam) RightAnswers(ctx context.Context, x *Examinee) (map[int]string, error) {
	userID, err := e.userID(ctx, x)
	if err != nil {
		return nil, err
	}
	id, _, _ := x.Attempt()
	at, err := e.st.Attempt(ctx, userID, id)
	if err != nil {
		return nil, err
	}
	right := map[int]string{}
	for _, s := range at.Slots {
		for i, o := range s.Order {
			if i < len(s.OptionIDs) && s.Question.Answers[o].Weight > 0 {
				right[s.Slot] = s.OptionIDs[i]
			}
		}
	}
	return right, nil
}

// optionIndex is the question's own index of the option the page calls id, or -1.
func optionIndex(s courses.AttemptSlot, id string) int {
	if i := slices.Index(s.OptionIDs, id); i >= 0 && i < len(s.Order) {
		return s.Order[i]
	}
	return -1
}
