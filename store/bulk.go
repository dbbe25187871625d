package store

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/aula-school/aula/courses"
	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
)

// BulkEnrol enrols every row into a cohort in one transaction: missing accounts are created
// (without a password: each gets a one-time link), existing ones enrolled, people already
// enrolled in the course skipped. Staff enrolment ignores the cohort's capacity and policy.
// Rows go to PostgreSQL as arrays, a few statements for the whole file. The audit trail gets
// one entry per enrolment, as by's, saying whether the account was made for it: each person's
// trail then shows how they came into the cohort.
func (s *Store) BulkEnrol(ctx context.Context, by courses.Actor, courseID, cohortID int64, rows []courses.EnrolmentRow, now time.Time) (courses.BulkResult, error) {
	var res courses.BulkResult
	n := len(rows)
	emails, names, countries, institutions := make(pq.StringArray, n), make(pq.StringArray, n), make(pq.StringArray, n), make(pq.StringArray, n)
	sectors, genders, languages := make(pq.StringArray, n), make(pq.StringArray, n), make(pq.StringArray, n)
	for i, r := range rows {
		p := r.Profile
		emails[i], names[i], countries[i], institutions[i] = courses.NormalizeEmail(p.Email), p.FullName, p.Country, p.Institution
		sectors[i], genders[i], languages[i] = p.Sector, p.Gender, p.Language
	}
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		c, err := lockCohort(ctx, tx, cohortID)
		if err != nil {
			return err
		}
		if c.CourseID != courseID {
			return fmt.Errorf("cohort %d: %w", cohortID, courses.ErrNotFound)
		}
		var created []struct {
			ID       int64  `db:"id"`
			Email    string `db:"email"`
			FullName string `db:"full_name"`
		}
		// An empty password hash matches no password: the account is usable once its link is used.
		err = tx.SelectContext(ctx, &created, `
			INSERT INTO users (email, full_name, password_hash, country, institution, sector, gender, language)
			SELECT * FROM unnest($1::text[], $2::text[], array_fill(''::text, ARRAY[$8::int]), $3::text[], $4::text[], $5::text[], $6::text[], $7::text[])
			ON CONFLICT ((lower(email))) DO NOTHING
			RETURNING id, email, full_name`, emails, names, countries, institutions, sectors, genders, languages, n)
		if err != nil {
			return err
		}
		ids := make(pq.Int64Array, len(created))
		hashes := make(pq.StringArray, len(created))
		for i, u := range created {
			token, hash, err := newToken()
			if err != nil {
				return err
			}
			ids[i], hashes[i] = u.ID, hash
			res.Created = append(res.Created, courses.NewAccount{Email: u.Email, FullName: u.FullName, Token: token})
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO password_tokens (token_hash, user_id, expires_at)
			SELECT * FROM unnest($1::text[], $2::bigint[], array_fill($3::timestamptz, ARRAY[$4::int]))`,
			hashes, ids, now.Add(PasswordLinkTTL), len(created)); err != nil {
			return err
		}
		// Anyone already live in the course (this cohort or another) is skipped.
		if err := tx.SelectContext(ctx, &res.Skipped, `SELECT u.email FROM users u JOIN enrolments e ON e.user_id = u.id
			WHERE lower(u.email) = ANY ($1) AND e.course_id = $2 AND e.status IN ('pending', 'waiting', 'active')
			ORDER BY u.email`, emails, courseID); err != nil {
			return err
		}
		var enrolled pq.Int64Array
		err = tx.GetContext(ctx, &enrolled, `
			WITH enrolled AS (
				INSERT INTO enrolments (cohort_id, course_id, user_id, status)
				SELECT $1, $2, u.id, 'active' FROM users u
				WHERE lower(u.email) = ANY ($3) AND NOT EXISTS (SELECT 1 FROM enrolments e WHERE e.user_id = u.id AND e.course_id = $2
					AND e.status IN ('pending', 'waiting', 'active'))
				ON CONFLICT (cohort_id, user_id) DO UPDATE SET status = 'active', queued_at = clock_timestamp()
				RETURNING user_id
			)
			SELECT coalesce(array_agg(user_id), '{}') FROM enrolled`,
			cohortID, courseID, emails)
		if err != nil {
			return err
		}
		res.Enrolled = len(enrolled)
		made := map[int64]bool{}
		for _, id := range ids {
			made[id] = true
		}
		details := make([]map[string]string, len(enrolled))
		for i, id := range enrolled {
			details[i] = map[string]string{"new_account": strconv.FormatBool(made[id])}
		}
		if err := recordAuditEach(ctx, tx, by, courses.AuditEntry{Action: courses.AuditEnrolledByCSV, CourseID: courseID,
			CohortID: cohortID}, enrolled, details); err != nil {
			return err
		}
		return s.notifyBulk(ctx, tx, cohortID, ids, res.Created, enrolled, made)
	})
	if err != nil {
		return courses.BulkResult{}, fmt.Errorf("store: bulk enrol: %w", err)
	}
	return res, nil
}

// notifyBulk emails each account made for the enrolment its link to choose a password (the
// same link the instructor is shown, once), and everyone else enrolled their confirmation.
func (s *Store) notifyBulk(ctx context.Context, tx *sqlx.Tx, cohortID int64, ids []int64, created []courses.NewAccount,
	enrolled []int64, made map[int64]bool) error {
	if len(enrolled) == 0 && len(created) == 0 {
		return nil
	}
	f, err := cohortFactsOf(ctx, tx, cohortID)
	if err != nil {
		return err
	}
	accounts := make([]notice, len(created))
	for i, a := range created {
		accounts[i] = notice{UserID: ids[i], CourseID: f.CourseID, Data: f.data("Link", "/password/set?token="+a.Token)}
	}
	if err := s.enqueueNotices(ctx, tx, courses.EmailAccountCreated, accounts); err != nil {
		return err
	}
	var others []int64
	for _, id := range enrolled {
		if !made[id] {
			others = append(others, id)
		}
	}
	return s.notifyEnrolled(ctx, tx, cohortID, courses.EmailEnrolled, others)
}
