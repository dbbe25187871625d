package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"time"

	"github.com/aula-school/aula/courses"
	"github.com/aula-school/aula/store"
)

// demoFlags are `aula demo`'s options: --large adds a school of the size the reports are
// measured on, which the other flags may shrink or grow.
type demoFlags struct {
	large bool
	spec  store.LargeSchool
}

func parseDemoFlags(args []string) (demoFlags, error) {
	f := demoFlags{spec: store.DefaultLargeSchool}
	fs := flag.NewFlagSet("demo", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.BoolVar(&f.large, "large", false, "also generate a large school (see --users, --enrolments, --certificates, --seed)")
	fs.IntVar(&f.spec.Users, "users", f.spec.Users, "trainees of the large school")
	fs.IntVar(&f.spec.Enrolments, "enrolments", f.spec.Enrolments, "enrolments of the large school")
	fs.IntVar(&f.spec.Certificates, "certificates", f.spec.Certificates, "certificates of the large school")
	fs.Int64Var(&f.spec.Seed, "seed", f.spec.Seed, "the large school's seed: the same seed and day make the same school")
	if err := fs.Parse(args); err != nil {
		return f, fmt.Errorf("demo: %w", err)
	}
	if fs.NArg() > 0 {
		return f, fmt.Errorf("demo: unexpected %q: %w", fs.Arg(0), errUsage)
	}
	return f, nil
}

// demoHistory gives the demo school its past (store.DemoHistory): a few hundred trainees over
// two years, for the dashboard's and the impact page's charts. Loaded once: a database that
// has it keeps it.
func demoHistory(ctx context.Context, st *store.Store, now time.Time) (bool, error) {
	err := st.GenerateDemoHistory(ctx, store.DemoHistory, now)
	if errors.Is(err, store.ErrSchoolGenerated) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("demo: history: %w", err)
	}
	if err := demoHistoryQuizzes(ctx, st, demoQuizTakers); err != nil {
		return false, fmt.Errorf("demo: history: quizzes: %w", err)
	}
	return true, nil
}

// demoQuizTakers is how many of the history's trainees took their courses' quizzes through
// the real attempt path: enough for the quiz results to have figures, few enough for the
// demo to load in a second or two.
const demoQuizTakers = 25

// demoHistoryQuizzes has the first takers of the history's trainees sit the quizzes of the
// courses they completed, in the hours before they completed them: every third fails a first
// attempt (half the answers given) and passes the second.
func demoHistoryQuizzes(ctx context.Context, st *store.Store, takers int) error {
	quizzes := map[int64][]courses.Quiz{}
	for i := 1; i <= takers; i++ {
		u, err := st.UserByEmail(ctx, fmt.Sprintf("trainee%06d@history.aula.example", i))
		if err != nil {
			return err
		}
		certs, err := st.HolderCertificates(ctx, u.ID)
		if err != nil {
			return err
		}
		for _, c := range certs {
			list, ok := quizzes[c.CourseID]
			if !ok {
				if list, err = st.Quizzes(ctx, c.CourseID); err != nil {
					return err
				}
				quizzes[c.CourseID] = list
			}
			at := c.Facts.IssuedAt.Add(-time.Duration(len(list)+1) * time.Hour)
			for j, q := range list {
				tries := []int{-1}
				if (i+j)%3 == 0 {
					tries = []int{2, -1} // half right, then all
				}
				for _, right := range tries {
					if err := demoAttempt(ctx, st, u, c.CourseID, q.ID, right, at); err != nil {
						return fmt.Errorf("%s, quiz %d: %w", u.Email, q.ID, err)
					}
					at = at.Add(20 * time.Minute)
				}
			}
		}
	}
	return nil
}

// demoAttempt starts an attempt at at, answers its questions right (the first right of them
// when right >= 0, so the rest are left blank), and finishes it ten minutes later.
func demoAttempt(ctx context.Context, st *store.Store, u courses.User, courseID, quizID int64, right int, at time.Time) error {
	id, err := st.StartAttempt(ctx, u.ID, courseID, quizID, u.Language, at)
	if err != nil {
		return err
	}
	a, err := st.Attempt(ctx, u.ID, id)
	if err != nil {
		return err
	}
	var saves []courses.AnswerSave
	for _, slot := range a.Slots {
		if right >= 0 && len(saves) == right {
			break
		}
		if r, ok := rightResponse(slot.Question, a.Language); ok {
			saves = append(saves, courses.AnswerSave{Slot: slot.Slot, Seq: 1, Response: r})
		}
	}
	if err := st.SaveAnswers(ctx, u.ID, id, saves, at.Add(9*time.Minute)); err != nil {
		return err
	}
	return st.FinishAttempt(ctx, u.ID, id, at.Add(10*time.Minute))
}

// demoLarge generates the large school and says what it made and how long it took.
func demoLarge(ctx context.Context, st *store.Store, spec store.LargeSchool, stdout io.Writer) error {
	fmt.Fprintf(stdout, "Generating a large school: %d trainees, %d enrolments, %d certificates (seed %d) …\n",
		spec.Users, spec.Enrolments, spec.Certificates, spec.Seed)
	began := time.Now()
	err := st.GenerateLargeSchool(ctx, spec, began)
	if errors.Is(err, store.ErrSchoolGenerated) {
		fmt.Fprintln(stdout, "The database already has the large school (trainee…@large.aula.example): nothing generated.")
		return nil
	}
	if err != nil {
		return fmt.Errorf("demo: large school: %w", err)
	}
	fmt.Fprintf(stdout, "The large school is generated in %s: trainee000001@large.aula.example … trainee%06d@large.aula.example, password %s.\n",
		time.Since(began).Round(100*time.Millisecond), spec.Users, store.LargeSchoolPassword)
	return nil
}
