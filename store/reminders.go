package store

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/aula-school/aula/courses"
	"github.com/jmoiron/sqlx"
	"github.com/riverqueue/river"
)

// The periodic notifications. Each step records what it sends in a table whose primary key is
// what may be sent once ((session, trainee), certificate, (quiz, trainee)), in the transaction
// that writes the emails: a step run twice, by two instances at once or again after a restart,
// finds the rows and sends nothing more (a second instance's insert waits on the first's rows,
// then skips them).

const (
	// SessionReminderWindow: a session gets its reminders from the first run that sees it
	// start within this (the day before, at about its time of day; a session added later,
	// from the first run after). A session already started gets none.
	SessionReminderWindow = 24 * time.Hour
	// ExpiryNoticeDays: a current certificate gets its notice from the first run that sees it
	// expire within this many days.
	ExpiryNoticeDays = 30
	// QuizClosingWindow: a trainee who has not finished an attempt at a quiz gets its notice
	// from the first run that sees it close within this.
	QuizClosingWindow = 24 * time.Hour
	// noticeStep bounds one step's transaction; a worker runs steps until one sends fewer.
	noticeStep = 2000
)

// SendSessionReminders emails every active trainee of a cohort whose in-person session starts
// within SessionReminderWindow of now, once, with the session's .ics. It says how many
// reminders it recorded (a trainee who turned reminders off is recorded, not emailed).
func (s *Store) SendSessionReminders(ctx context.Context, now time.Time) (int, error) {
	var n int
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		var due []struct {
			SessionID int64     `db:"session_id"`
			UserID    int64     `db:"user_id"`
			StartsAt  time.Time `db:"starts_at"`
			Minutes   int       `db:"minutes"`
			Place     string    `db:"place"`
			cohortFacts
		}
		err := tx.SelectContext(ctx, &due, `
			WITH sent AS (
				INSERT INTO session_reminders (session_id, user_id, sent_at)
				SELECT s.id, e.user_id, $1 FROM cohort_sessions s
				JOIN enrolments e ON e.cohort_id = s.cohort_id AND e.status = 'active'
				JOIN users u ON u.id = e.user_id AND u.active
				WHERE s.starts_at > $1 AND s.starts_at <= $2
					AND NOT EXISTS (SELECT 1 FROM session_reminders r WHERE r.session_id = s.id AND r.user_id = e.user_id)
				ORDER BY s.starts_at, s.id, e.user_id LIMIT $3
				ON CONFLICT DO NOTHING
				RETURNING session_id, user_id)
			SELECT sent.session_id, sent.user_id, s.starts_at, s.minutes, s.place,
				ch.id, ch.course_id, co.slug, ch.name, ch.is_default
			FROM sent JOIN cohort_sessions s ON s.id = sent.session_id JOIN cohorts ch ON ch.id = s.cohort_id
			JOIN courses co ON co.id = ch.course_id
			ORDER BY sent.session_id, sent.user_id`, now, now.Add(SessionReminderWindow), noticeStep)
		if err != nil {
			return err
		}
		n = len(due)
		list := make([]notice, len(due))
		for i, d := range due {
			list[i] = notice{UserID: d.UserID, CourseID: d.CourseID, Data: d.data("Place", d.Place,
				"When", courses.ZonedTime(d.StartsAt, time.Local), "SessionID", strconv.FormatInt(d.SessionID, 10),
				"StartsAt", d.StartsAt.UTC().Format(time.RFC3339), "Minutes", strconv.Itoa(d.Minutes))}
		}
		return s.enqueueNotices(ctx, tx, courses.EmailSessionReminder, list)
	})
	if err != nil {
		return 0, fmt.Errorf("store: session reminders: %w", err)
	}
	return n, nil
}

// SendExpiryNotices emails the holder of every current certificate that expires within
// ExpiryNoticeDays of now's day (UTC, as expiry dates are), once. Renewal is the school's
// doing (an administrator reissues the certificate, or renews the cohort's): the email says
// so, and that the renewed one will come by email.
func (s *Store) SendExpiryNotices(ctx context.Context, now time.Time) (int, error) {
	var n int
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		var due []struct {
			ID      int64  `db:"id"`
			UserID  int64  `db:"user_id"`
			Code    string `db:"code"`
			Course  string `db:"course_title"`
			Expires string `db:"expires_on"`
		}
		err := tx.SelectContext(ctx, &due, `
			WITH sent AS (
				INSERT INTO certificate_expiry_notices (certificate_id, sent_at)
				SELECT c.id, $1 FROM certificates c JOIN users u ON u.id = c.user_id AND u.active
				WHERE c.replaced_by IS NULL AND c.revoked_at IS NULL AND c.expires_on IS NOT NULL
					AND c.expires_on >= $2::date AND c.expires_on <= $2::date + $3::int
					AND NOT EXISTS (SELECT 1 FROM certificate_expiry_notices x WHERE x.certificate_id = c.id)
				ORDER BY c.expires_on, c.id LIMIT $4
				ON CONFLICT DO NOTHING
				RETURNING certificate_id)
			SELECT c.id, c.user_id, c.code, c.course_title, to_char(c.expires_on, 'YYYY-MM-DD') AS expires_on
			FROM sent JOIN certificates c ON c.id = sent.certificate_id ORDER BY c.id`,
			now, now.UTC().Format(time.DateOnly), ExpiryNoticeDays, noticeStep)
		if err != nil {
			return err
		}
		n = len(due)
		list := make([]notice, len(due))
		for i, d := range due {
			list[i] = notice{UserID: d.UserID, Data: map[string]string{"Course": d.Course, "Code": courses.FormatCode(d.Code),
				"Expires": d.Expires, "Link": "/certificates/" + strconv.FormatInt(d.ID, 10)}}
		}
		return s.enqueueNotices(ctx, tx, courses.EmailCertificateExpiry, list)
	})
	if err != nil {
		return 0, fmt.Errorf("store: expiry notices: %w", err)
	}
	return n, nil
}

// SendQuizClosingNotices emails every active trainee of a published course whose quiz closes
// within QuizClosingWindow of now and who has not finished an attempt at it (one in progress
// does not count: it is what the notice is for), once per quiz and trainee.
func (s *Store) SendQuizClosingNotices(ctx context.Context, now time.Time) (int, error) {
	var n int
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		var due []struct {
			QuizID   int64     `db:"quiz_id"`
			UserID   int64     `db:"user_id"`
			CourseID int64     `db:"course_id"`
			Slug     string    `db:"slug"`
			Quiz     string    `db:"quiz"`
			Closes   time.Time `db:"closes_at"`
		}
		err := tx.SelectContext(ctx, &due, `
			WITH sent AS (
				INSERT INTO quiz_closing_notices (quiz_id, user_id, sent_at)
				SELECT z.id, e.user_id, $1 FROM quizzes z JOIN modules m ON m.id = z.module_id
				JOIN courses co ON co.id = m.course_id AND co.status = 'published'
				JOIN enrolments e ON e.course_id = co.id AND e.status = 'active'
				JOIN users u ON u.id = e.user_id AND u.active
				WHERE (z.settings->>'closes_at')::timestamptz > $1 AND (z.settings->>'closes_at')::timestamptz <= $2
					AND NOT EXISTS (SELECT 1 FROM quiz_attempts a WHERE a.quiz_id = z.id AND a.user_id = e.user_id AND a.finished_at IS NOT NULL)
					AND NOT EXISTS (SELECT 1 FROM quiz_closing_notices x WHERE x.quiz_id = z.id AND x.user_id = e.user_id)
				ORDER BY z.id, e.user_id LIMIT $3
				ON CONFLICT DO NOTHING
				RETURNING quiz_id, user_id)
			SELECT sent.quiz_id, sent.user_id, co.id AS course_id, co.slug,
				coalesce(z.titles->>u.language, z.titles->>co.default_language, z.key) AS quiz,
				(z.settings->>'closes_at')::timestamptz AS closes_at
			FROM sent JOIN quizzes z ON z.id = sent.quiz_id JOIN modules m ON m.id = z.module_id
			JOIN courses co ON co.id = m.course_id JOIN users u ON u.id = sent.user_id
			ORDER BY sent.quiz_id, sent.user_id`, now, now.Add(QuizClosingWindow), noticeStep)
		if err != nil {
			return err
		}
		n = len(due)
		list := make([]notice, len(due))
		for i, d := range due {
			list[i] = notice{UserID: d.UserID, CourseID: d.CourseID, Data: map[string]string{"Quiz": d.Quiz,
				"Closes": courses.ZonedTime(d.Closes, time.Local),
				"Link":   "/courses/" + d.Slug + "/quizzes/" + strconv.FormatInt(d.QuizID, 10)}}
		}
		return s.enqueueNotices(ctx, tx, courses.EmailQuizClosing, list)
	})
	if err != nil {
		return 0, fmt.Errorf("store: quiz closing notices: %w", err)
	}
	return n, nil
}

// SendDueNotices runs the three steps until each has nothing more to send: what the periodic
// job does, and what the demo runs once.
func (s *Store) SendDueNotices(ctx context.Context, now time.Time) error {
	for _, step := range []func(context.Context, time.Time) (int, error){s.SendSessionReminders, s.SendExpiryNotices, s.SendQuizClosingNotices} {
		for {
			n, err := step(ctx, now)
			if err != nil {
				return err
			}
			if n < noticeStep {
				break
			}
		}
	}
	return nil
}

// sendNoticesArgs is the periodic job of the reminders and notices.
type sendNoticesArgs struct{}

func (sendNoticesArgs) Kind() string { return "send_notices" }

type sendNoticesWorker struct {
	river.WorkerDefaults[sendNoticesArgs]
	store *Store
	now   func() time.Time
}

func (w *sendNoticesWorker) Work(ctx context.Context, _ *river.Job[sendNoticesArgs]) error {
	return w.store.SendDueNotices(ctx, w.now())
}

// Timeout bounds a run well under JobsConfig.RescueAfter, like the outbox's.
func (w *sendNoticesWorker) Timeout(*river.Job[sendNoticesArgs]) time.Duration { return time.Minute }
