package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"strconv"
	"strings"
	"time"

	"github.com/aula-school/aula/courses"
	"github.com/aula-school/aula/courses/catalog"
	"github.com/aula-school/aula/store"
)

// demoUsers are the demo school's people. Their passwords are public: never load the
// demo into a production database.
var demoUsers = []struct {
	role     courses.Role
	password string
	profile  courses.Profile
}{
	{courses.RoleAdmin, "aula-demo-admin", courses.Profile{FullName: "Adriana Morales", Email: "admin@aula.example",
		Country: "PA", Institution: "Aula", Sector: "other", Gender: "woman", Language: "es"}},
	{courses.RoleInstructor, "aula-demo-instructor", courses.Profile{FullName: "Ricardo Souza", Email: "instructor@aula.example",
		Country: "BR", Institution: "Academia de Polícia", Sector: "police", Gender: "man", Language: "pt"}},
	{courses.RoleTrainee, "aula-demo-trainee", courses.Profile{FullName: "Lucía Hernández", Email: "trainee@aula.example",
		Country: "GT", Institution: "Policía Nacional Civil", Sector: "police", Gender: "woman", Language: "es"}},
	{courses.RoleTrainee, "aula-demo-trainee", courses.Profile{FullName: "Marcus Thompson", Email: "marcus@aula.example",
		Country: "JM", Institution: "Kingston Community Radio", Sector: "media", Gender: "man", Language: "en"}},
	{courses.RoleTrainee, "aula-demo-trainee", courses.Profile{FullName: "Patricia Quispe", Email: "patricia@aula.example",
		Country: "PE", Institution: "Municipalidad de Ayacucho", Sector: "local_government", Gender: "", Language: "es"}},
}

// demo loads the demo school, with its history (see demoHistory), and with --large a large
// school beside it. Run twice, it leaves the same school: accounts are matched by email and
// their role and password reset.
func demo(ctx context.Context, cfg Config, args []string, stdout io.Writer) error {
	flags, err := parseDemoFlags(args)
	if err != nil {
		return err
	}
	st, err := openStore(ctx, cfg)
	if err != nil {
		return err
	}
	defer st.Close()
	for _, d := range demoUsers {
		u, err := st.UserByEmail(ctx, d.profile.Email)
		switch {
		case errors.Is(err, courses.ErrNotFound):
			_, err = st.CreateUser(ctx, d.profile, d.password, d.role)
		case err == nil:
			if err = st.SetPassword(ctx, u.ID, d.password); err == nil {
				if err = st.SetRole(ctx, courses.Actor{}, u.ID, d.role); err == nil {
					err = st.SetActive(ctx, courses.Actor{}, u.ID, true)
				}
			}
		}
		if err != nil {
			return fmt.Errorf("demo: %s: %w", d.profile.Email, err)
		}
	}
	instructor, err := st.UserByEmail(ctx, "instructor@aula.example")
	if err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	n, err := loadCatalog(ctx, st, instructor.ID)
	if err != nil {
		return err
	}
	if err := demoCohorts(ctx, st, time.Now()); err != nil {
		return err
	}
	// The history before the demo's certificates, so that the issuance log stays in time
	// order: two years of the past, then today's issues and revocation.
	history, err := demoHistory(ctx, st, time.Now())
	if err != nil {
		return err
	}
	valid, revoked, err := demoCertificates(ctx, st, time.Now())
	if err != nil {
		return fmt.Errorf("demo: certificates: %w", err)
	}
	// The reminders of tomorrow's session, as the periodic job would send them.
	if _, err := st.SendSessionReminders(ctx, time.Now()); err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	_, emails, _, err := st.Outbox(ctx, store.OutboxFilter{Limit: 1})
	if err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	fmt.Fprintf(stdout, "The demo school is loaded: %d courses in the catalog. Demo accounts (email / password):\n", n)
	for _, d := range demoUsers[:3] {
		fmt.Fprintf(stdout, "  %-11s %-26s %s\n", d.role, d.profile.Email, d.password)
	}
	base := strings.TrimSuffix(cfg.BaseURL.String(), "/")
	fmt.Fprintf(stdout, "Certificates to verify (add Accept: application/json for the JSON):\n  valid    %s/verify/%s\n  revoked  %s/verify/%s\n",
		base, valid.Facts.Code, base, revoked.Facts.Code)
	if history {
		fmt.Fprintf(stdout, "Its history: %d trainees over two years (trainee…@history.aula.example, password %s), %d enrolments, %d certificates.\n",
			store.DemoHistory.Users, store.LargeSchoolPassword, store.DemoHistory.Enrolments, store.DemoHistory.Certificates)
	}
	fmt.Fprintf(stdout, "The outbox holds %d emails: enrolment confirmations, certificates, a session reminder with its .ics (sent when `aula serve` runs; kept for the admins' outbox page where no SMTP server is configured).\n", emails)
	fmt.Fprintf(stdout, "Reports (as the admin): %s/admin/reports · audit trail %s/admin/audit · public impact page %s/impact\n", base, base, base)
	fmt.Fprintf(stdout, "Emails (as the admin): %s/admin/outbox, kept there while no mail server is configured; try %s/password/forgot\n", base, base)
	if cfg.TwoFactorRequired.Requires(courses.RoleAdmin) {
		fmt.Fprintf(stdout, "Two-factor sign-in is required (AULA_TWO_FACTOR_REQUIRED=%s): at first sign-in the admin sets it up with an authenticator app at %s/account/two-factor\n",
			cfg.TwoFactorRequired, base)
	} else {
		fmt.Fprintf(stdout, "Two-factor sign-in is not required here (AULA_TWO_FACTOR_REQUIRED=%s), so the demo accounts sign in with their passwords; try it as the admin or the instructor at %s/account/two-factor\n",
			cfg.TwoFactorRequired, base)
	}
	if flags.large {
		return demoLarge(ctx, st, flags.spec, stdout)
	}
	return nil
}

// loadCatalog imports every course of courses/catalog through the importer instructors use,
// and publishes it. Re-running updates the courses in place.
func loadCatalog(ctx context.Context, st *store.Store, ownerID int64) (int, error) {
	entries, err := fs.ReadDir(catalog.FS, ".")
	if err != nil {
		return 0, err
	}
	n := 0
	for _, e := range entries {
		if !e.IsDir() {
			continue
		}
		sub, err := fs.Sub(catalog.FS, e.Name())
		if err != nil {
			return n, err
		}
		b, problems := courses.ReadBundle(sub)
		if len(problems) > 0 {
			return n, fmt.Errorf("demo: course %s: %v", e.Name(), problems[0])
		}
		id, _, err := st.ImportBundle(ctx, ownerID, b)
		if err != nil {
			return n, fmt.Errorf("demo: %w", err)
		}
		if err := st.SetCourseStatus(ctx, courses.Actor{UserID: ownerID}, id, courses.StatusPublished); err != nil {
			return n, fmt.Errorf("demo: %w", err)
		}
		n++
	}
	return n, nil
}

// demoCohorts gives the demo school an in-person cohort with a session tomorrow and one next
// week, trainees in it, and the demo trainee part-way through the general course. Run twice
// the same day, it changes nothing.
func demoCohorts(ctx context.Context, st *store.Store, now time.Time) error {
	policing, err := st.CourseBySlug(ctx, "community-policing-human-rights")
	if err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	cohorts, err := st.Cohorts(ctx, policing.ID)
	if err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	const name = "Guatemala, presencial"
	var cohortID int64
	for _, c := range cohorts {
		if c.Name == name {
			cohortID = c.ID
		}
	}
	if cohortID == 0 {
		start := now.AddDate(0, 0, 7)
		end := now.AddDate(0, 2, 0)
		cohortID, err = st.SaveCohort(ctx, courses.Actor{}, courses.Cohort{CourseID: policing.ID, Name: name, StartsOn: &start, EndsOn: &end,
			Capacity: 25, Mode: courses.ModeInPerson, Location: "Academia de la Policía Nacional Civil, Ciudad de Guatemala",
			Policy: courses.PolicyOpen})
		if err != nil {
			return fmt.Errorf("demo: %w", err)
		}
		day := now.AddDate(0, 0, 7)
		startsAt := time.Date(day.Year(), day.Month(), day.Day(), 9, 0, 0, 0, time.Local)
		if _, err := st.AddSession(ctx, courses.CohortSession{CohortID: cohortID, StartsAt: startsAt, Minutes: 180,
			Place: "Aula 3, Academia de la PNC"}); err != nil {
			return fmt.Errorf("demo: %w", err)
		}
		for _, email := range []string{"trainee@aula.example", "patricia@aula.example"} {
			u, err := st.UserByEmail(ctx, email)
			if err != nil {
				return fmt.Errorf("demo: %w", err)
			}
			if err := st.EnrolByStaff(ctx, courses.Actor{UserID: policing.OwnerID}, cohortID, u.ID); err != nil {
				return fmt.Errorf("demo: %w", err)
			}
		}
	}
	if err := demoSessionTomorrow(ctx, st, cohortID, now); err != nil {
		return err
	}
	general, err := st.CourseBySlug(ctx, "citizen-security-human-development")
	if err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	trainee, err := st.UserByEmail(ctx, "trainee@aula.example")
	if err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	if _, err := st.EnrolmentIn(ctx, trainee.ID, general.ID); errors.Is(err, courses.ErrNotFound) {
		cohorts, err := st.Cohorts(ctx, general.ID)
		if err != nil {
			return fmt.Errorf("demo: %w", err)
		}
		if _, err := st.Enrol(ctx, trainee.ID, cohorts[0].ID, "", now); err != nil {
			return fmt.Errorf("demo: %w", err)
		}
		// Part-way: the first module read, the second begun.
		lessons := general.Modules[0].Lessons
		for _, l := range lessons {
			if _, err := st.CompleteLesson(ctx, trainee.ID, l.ID, now); err != nil {
				return fmt.Errorf("demo: %w", err)
			}
		}
		if err := st.VisitLesson(ctx, trainee.ID, general.ID, general.Modules[1].Lessons[0].ID, now); err != nil {
			return fmt.Errorf("demo: %w", err)
		}
	} else if err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	if err := demoAttempts(ctx, st, general, trainee.ID, now); err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	return nil
}

// demoRevocation is why the demo's revoked certificate was revoked, as its public page says.
const demoRevocation = "Emitido por error: la participante no rindió la evaluación final en persona."

// demoCertificates has the demo trainee complete a course (her certificate is valid) and
// another trainee complete one whose certificate the administrator revoked. It returns both.
func demoCertificates(ctx context.Context, st *store.Store, now time.Time) (valid, revoked courses.Certificate, err error) {
	admin, err := st.UserByEmail(ctx, "admin@aula.example")
	if err != nil {
		return valid, revoked, err
	}
	if valid, err = demoComplete(ctx, st, "gender-violence-police-response", "trainee@aula.example", now); err != nil {
		return valid, revoked, err
	}
	if revoked, err = demoComplete(ctx, st, "local-citizen-security-plans", "patricia@aula.example", now); err != nil {
		return valid, revoked, err
	}
	if revoked.RevokedAt.IsZero() {
		if err := st.RevokeCertificate(ctx, courses.Actor{UserID: admin.ID}, revoked.Facts.Code, demoRevocation, now); err != nil {
			return valid, revoked, err
		}
	}
	return valid, revoked, nil
}

// demoComplete enrols the trainee in the course's open cohort, reads every lesson and passes
// every quiz, and returns the certificate the completion issued.
func demoComplete(ctx context.Context, st *store.Store, slug, email string, now time.Time) (courses.Certificate, error) {
	var none courses.Certificate
	co, err := st.CourseBySlug(ctx, slug)
	if err != nil {
		return none, err
	}
	u, err := st.UserByEmail(ctx, email)
	if err != nil {
		return none, err
	}
	if _, err := st.EnrolmentIn(ctx, u.ID, co.ID); errors.Is(err, courses.ErrNotFound) {
		cohorts, err := st.Cohorts(ctx, co.ID)
		if err != nil {
			return none, err
		}
		if _, err := st.Enrol(ctx, u.ID, cohorts[0].ID, "", now); err != nil {
			return none, err
		}
	} else if err != nil {
		return none, err
	}
	for _, m := range co.Modules {
		for _, l := range m.Lessons {
			if _, err := st.CompleteLesson(ctx, u.ID, l.ID, now); err != nil {
				return none, err
			}
		}
	}
	quizzes, err := st.Quizzes(ctx, co.ID)
	if err != nil {
		return none, err
	}
	for _, q := range quizzes {
		page, err := st.QuizPage(ctx, co.ID, q.ID, u.ID)
		if err != nil {
			return none, err
		}
		if len(page.Attempts) > 0 {
			continue
		}
		id, err := st.StartAttempt(ctx, u.ID, co.ID, q.ID, u.Language, now)
		if err != nil {
			return none, err
		}
		a, err := st.Attempt(ctx, u.ID, id)
		if err != nil {
			return none, err
		}
		var saves []courses.AnswerSave
		for _, slot := range a.Slots {
			if r, ok := rightResponse(slot.Question, a.Language); ok {
				saves = append(saves, courses.AnswerSave{Slot: slot.Slot, Seq: 1, Response: r})
			}
		}
		if _, err := st.SaveAnswers(ctx, u.ID, id, saves, now); err != nil {
			return none, err
		}
		if err := st.FinishAttempt(ctx, u.ID, id, now); err != nil {
			return none, err
		}
	}
	list, err := st.HolderCertificates(ctx, u.ID)
	if err != nil {
		return none, err
	}
	for _, c := range list {
		if c.CourseID == co.ID && c.ReplacedBy == "" {
			return c, nil
		}
	}
	return none, fmt.Errorf("%s completed %s without a certificate", email, slug)
}

// demoAttempts has the demo trainee pass the quiz of the module she has read and start the
// next one, two answers in. A quiz she has attempted already is left as it is.
func demoAttempts(ctx context.Context, st *store.Store, general courses.Course, userID int64, now time.Time) error {
	quizzes, err := st.Quizzes(ctx, general.ID)
	if err != nil {
		return err
	}
	if len(quizzes) < 2 {
		return nil
	}
	for i, answered := range []int{-1, 2} { // -1: every question, and finish
		q := quizzes[i]
		page, err := st.QuizPage(ctx, general.ID, q.ID, userID)
		if err != nil {
			return err
		}
		if len(page.Attempts) > 0 {
			continue
		}
		id, err := st.StartAttempt(ctx, userID, general.ID, q.ID, "es", now)
		if err != nil {
			return err
		}
		a, err := st.Attempt(ctx, userID, id)
		if err != nil {
			return err
		}
		var saves []courses.AnswerSave
		for _, slot := range a.Slots {
			if answered >= 0 && len(saves) == answered {
				break
			}
			if r, ok := rightResponse(slot.Question, a.Language); ok {
				saves = append(saves, courses.AnswerSave{Slot: slot.Slot, Seq: 1, Response: r})
			}
		}
		if _, err := st.SaveAnswers(ctx, userID, id, saves, now); err != nil {
			return err
		}
		if answered < 0 {
			if err := st.FinishAttempt(ctx, userID, id, now); err != nil {
				return err
			}
		}
	}
	return nil
}

// rightResponse is a response that earns a question's full points, where one is easy to
// write down.
func rightResponse(q courses.Question, lang string) (courses.Response, bool) {
	best := 0
	for i, a := range q.Answers {
		if a.Weight > q.Answers[best].Weight {
			best = i
		}
	}
	switch {
	case len(q.Answers) == 0:
		return courses.Response{}, false
	case q.Type == courses.QuestionTrueFalse, q.Type == courses.QuestionMultichoice && q.Single:
		return courses.Response{Choices: []int{best}}, true
	case q.Type == courses.QuestionMultichoice:
		var r courses.Response
		for i, a := range q.Answers {
			if a.Weight > 0 {
				r.Choices = append(r.Choices, i)
			}
		}
		return r, true
	case q.Type == courses.QuestionMatch:
		var r courses.Response
		for i, a := range q.Answers {
			if !a.Distractor {
				r.Matches = append(r.Matches, i)
			}
		}
		return r, true
	case q.Type == courses.QuestionShortAnswer:
		if t, ok := q.Texts[lang]; ok && best < len(t.Answers) && !strings.Contains(t.Answers[best].Text, "*") {
			return courses.Response{Text: t.Answers[best].Text}, true
		}
	case q.Type == courses.QuestionNumerical && !q.Answers[best].Range:
		return courses.Response{Text: strconv.FormatFloat(q.Answers[best].Value, 'f', -1, 64)}, true
	}
	return courses.Response{}, false
}

// demoSessionTomorrow adds to the in-person cohort a session tomorrow at this hour (within the
// reminders' window: its reminders are in the outbox), unless it has one in that window.
func demoSessionTomorrow(ctx context.Context, st *store.Store, cohortID int64, now time.Time) error {
	sessions, err := st.Sessions(ctx, cohortID)
	if err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	for _, se := range sessions {
		if se.StartsAt.After(now) && !se.StartsAt.After(now.Add(store.SessionReminderWindow)) {
			return nil
		}
	}
	local := now.In(time.Local)
	startsAt := time.Date(local.Year(), local.Month(), local.Day()+1, local.Hour(), 0, 0, 0, time.Local)
	if _, err := st.AddSession(ctx, courses.CohortSession{CohortID: cohortID, StartsAt: startsAt, Minutes: 120,
		Place: "Aula 3, Academia de la PNC"}); err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	return nil
}
