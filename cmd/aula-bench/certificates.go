package main

import (
	"context"
	"crypto/rand"
	"fmt"
	"time"

	"github.com/aula-school/aula/courses"
	"github.com/aula-school/aula/store"
)

// bulkSize is the cohort whose certificates the bench issues at once (issue 9: ≤ 20 s).
const (
	bulkSize   = 4000
	bulkTarget = 20 * time.Second
	batchStep  = 500 // store.batchStep, for the report
)

// buildCertificates gives the school its signing key and the bench trainee a certificate of
// co, for the verification, "My certificates" and PDF scenarios.
func (s *school) buildCertificates(ctx context.Context, co courses.Course) error {
	secret := make([]byte, store.SecretSize)
	if _, err := rand.Read(secret); err != nil {
		return err
	}
	if err := s.st.UseSigningKeys(ctx, "Aula", secret, nil); err != nil {
		return err
	}
	s.secret = secret
	if _, err := s.db.ExecContext(ctx, `UPDATE enrolments SET completed_at = now() WHERE user_id = $1 AND course_id = $2`, s.trainee.ID, co.ID); err != nil {
		return err
	}
	c, _, err := s.st.IssueCertificate(ctx, courses.Actor{UserID: s.owner.ID}, s.trainee.ID, co.ID, time.Now())
	if err != nil {
		return fmt.Errorf("certificate: %w", err)
	}
	s.certificateCode, s.certificateID = c.Facts.Code, c.ID
	return nil
}

// measureBulkIssue makes a cohort of bulkSize trainees who completed co and times its
// certificates' issue the way an administrator asks for it: a batch, worked by River.
func (s *school) measureBulkIssue(ctx context.Context, co courses.Course) (time.Duration, error) {
	cohortID, err := s.st.SaveCohort(ctx, courses.Actor{}, courses.Cohort{CourseID: co.ID, Name: "Cohorte de 4000", Mode: courses.ModeOnline, Policy: courses.PolicyApproval})
	if err != nil {
		return 0, err
	}
	_, err = s.db.ExecContext(ctx, `
		WITH people AS (
			INSERT INTO users (email, full_name, password_hash, country, institution, sector, language)
			SELECT 'egresada' || i || '@bench.example', 'Egresada Peña ' || i, (SELECT password_hash FROM users WHERE id = $1),
				'GT', 'Policía Nacional Civil', 'police', 'es'
			FROM generate_series(1, $2::int) AS i
			RETURNING id)
		INSERT INTO enrolments (cohort_id, course_id, user_id, status, completed_at) SELECT $3, $4, id, 'active', now() FROM people`,
		s.trainee.ID, bulkSize, cohortID, co.ID)
	if err != nil {
		return 0, fmt.Errorf("bulk cohort: %w", err)
	}
	jobs, err := s.st.StartJobs(ctx, store.JobsConfig{PollInterval: 100 * time.Millisecond})
	if err != nil {
		return 0, err
	}
	defer jobs.Stop(context.WithoutCancel(ctx))
	start := time.Now()
	batchID, err := s.st.StartCertificateBatch(ctx, courses.Actor{UserID: s.owner.ID}, cohortID)
	if err != nil {
		return 0, err
	}
	for {
		b, err := s.st.CertificateBatchOf(ctx, batchID)
		if err != nil {
			return 0, err
		}
		if b.Status == "done" {
			if b.Issued != bulkSize {
				return 0, fmt.Errorf("bulk issue: %d of %d issued", b.Issued, bulkSize)
			}
			return time.Since(start), nil
		}
		if time.Since(start) > 5*time.Minute {
			return 0, fmt.Errorf("bulk issue: not done after 5 minutes (%d of %d)", b.Issued, bulkSize)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
