package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/aula-school/aula/courses"
	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverdatabasesql"
)

// CertificateBatch is an administrator's request to issue a cohort's certificates, worked in
// the background.
type CertificateBatch struct {
	ID         int64
	CohortID   int64
	CourseID   int64
	Kind       string // issue, or renew
	Total      int    // certificates to issue (or renew) when it was asked for
	Issued     int
	Status     string // queued, running, done, failed
	Error      string
	CreatedAt  time.Time
	FinishedAt time.Time
}

// batchStep is how many certificates one transaction of a batch issues: a restart loses at
// most one step's work, which the next run does again.
const batchStep = 500

// issueBatchArgs is the job that works a batch.
type issueBatchArgs struct {
	BatchID int64 `json:"batch_id"`
}

func (issueBatchArgs) Kind() string { return "issue_certificates" }

type issueBatchWorker struct {
	river.WorkerDefaults[issueBatchArgs]
	store *Store
	now   func() time.Time
}

func (w *issueBatchWorker) Work(ctx context.Context, job *river.Job[issueBatchArgs]) error {
	for {
		done, err := w.store.IssueBatchStep(ctx, job.Args.BatchID, batchStep, w.now())
		if err != nil && job.Attempt >= job.MaxAttempts {
			// River gives up after this: the page says so, and the cohort may be asked again.
			return errors.Join(err, w.store.failBatch(context.WithoutCancel(ctx), job.Args.BatchID, err, w.now()))
		}
		if err != nil || done {
			return err
		}
	}
}

// failBatch records that a batch stopped for good, and why.
func (s *Store) failBatch(ctx context.Context, batchID int64, cause error, now time.Time) error {
	_, err := s.db.ExecContext(ctx, `UPDATE certificate_batches SET status = 'failed', error = $2, finished_at = $3
		WHERE id = $1 AND status IN ('queued', 'running')`, batchID, cause.Error(), now)
	return err
}

// Timeout bounds one run of a batch (4,000 take seconds); a run cut short by a crash is picked
// up again by River's rescuer (JobsConfig.RescueAfter) and goes on from the last step committed.
func (w *issueBatchWorker) Timeout(*river.Job[issueBatchArgs]) time.Duration { return time.Minute }

// inserter is a River client that only inserts jobs, inside the transactions that cause them.
func (s *Store) inserter() (*river.Client[*sql.Tx], error) {
	s.inserterOnce.Do(func() {
		s.insertClient, s.inserterErr = river.NewClient(riverdatabasesql.New(s.db.DB), &river.Config{})
	})
	return s.insertClient, s.inserterErr
}

// ErrBatchRunning is a second request for a cohort whose certificates are being issued.
var ErrBatchRunning = fmt.Errorf("certificates of this cohort are being issued: %w", courses.ErrConflict)

// StartCertificateBatch asks for the certificates of every trainee of the cohort who has
// completed the course and has none yet. The job is queued in the same transaction as the
// batch, so neither exists without the other. A cohort whose batch is still being worked gets
// that batch back.
func (s *Store) StartCertificateBatch(ctx context.Context, by courses.Actor, cohortID int64) (int64, error) {
	id, err := s.startBatch(ctx, by, cohortID, "issue", "", `SELECT count(*) FROM enrolments e WHERE e.cohort_id = $1
		AND e.completed_at IS NOT NULL AND NOT EXISTS (SELECT 1 FROM certificates c WHERE c.enrolment_id = e.id AND c.replaced_by IS NULL)`,
		cohortID)
	if err != nil && !errors.Is(err, ErrBatchRunning) {
		return 0, fmt.Errorf("store: certificates of cohort %d: %w", cohortID, err)
	}
	return id, err
}

// renewable selects a cohort's current certificates that have expired or will within their
// course's renewal window (courses.RenewalWindowFor) of day $2, after enrolment $3: what a
// renewal batch reissues.
const renewable = `FROM certificates c JOIN courses co ON co.id = c.course_id
	WHERE c.cohort_id = $1 AND c.replaced_by IS NULL AND c.revoked_at IS NULL AND c.enrolment_id > $3
	AND c.expires_on IS NOT NULL AND co.certificate_issue <> 'none'
	AND c.expires_on < ($2::timestamptz + least(interval '90 days', make_interval(days => co.certificate_months * 30) / 4))::date`

// StartRenewalBatch asks for the renewal of every certificate of the cohort that has expired
// or will within its renewal window: each is reissued, valid from the day it is (see
// courses.ReissueExpiry), and the old one points to it, with reason. Worked like an issue batch.
func (s *Store) StartRenewalBatch(ctx context.Context, by courses.Actor, cohortID int64, reason string, now time.Time) (int64, error) {
	id, err := s.startBatch(ctx, by, cohortID, "renew", reason, `SELECT count(*) `+renewable,
		cohortID, now.UTC().Truncate(24*time.Hour), 0)
	if err != nil && !errors.Is(err, ErrBatchRunning) {
		return 0, fmt.Errorf("store: renewals of cohort %d: %w", cohortID, err)
	}
	return id, err
}

// startBatch records a batch of kind for the cohort, with the count of what it will do, and
// queues its job in the same transaction; a cohort with a batch still being worked gets that
// one back, with ErrBatchRunning. A course that gives no certificates has no batch. A batch
// started is by's, in the audit trail, with its count; what its job then issues is not.
func (s *Store) startBatch(ctx context.Context, by courses.Actor, cohortID int64, kind, reason, count string, countArgs ...any) (int64, error) {
	client, err := s.inserter()
	if err != nil {
		return 0, err
	}
	var id int64
	err = s.inTx(ctx, func(tx *sqlx.Tx) error {
		var course struct {
			ID   int64  `db:"id"`
			Rule string `db:"certificate_issue"`
		}
		if err := tx.GetContext(ctx, &course, `SELECT co.id, co.certificate_issue FROM cohorts ch JOIN courses co ON co.id = ch.course_id WHERE ch.id = $1`, cohortID); err != nil {
			if notFound(err) {
				return courses.ErrNotFound
			}
			return err
		}
		if course.Rule == string(courses.IssueNone) {
			return ErrNoCertificates
		}
		var total int
		if err := tx.GetContext(ctx, &total, count, countArgs...); err != nil {
			return err
		}
		err := tx.GetContext(ctx, &id, `INSERT INTO certificate_batches (cohort_id, requested_by, kind, reason, total) VALUES ($1, $2, $3, $4, $5)
			ON CONFLICT (cohort_id) WHERE status IN ('queued', 'running') DO NOTHING RETURNING id`, cohortID, by.UserID, kind, reason, total)
		if errors.Is(err, sql.ErrNoRows) {
			if err := tx.GetContext(ctx, &id, `SELECT id FROM certificate_batches WHERE cohort_id = $1 AND status IN ('queued', 'running')`, cohortID); err != nil {
				return err
			}
			return ErrBatchRunning
		}
		if err != nil {
			return err
		}
		if _, err = client.InsertTx(ctx, tx.Tx, issueBatchArgs{BatchID: id}, nil); err != nil {
			return err
		}
		action, detail := courses.AuditCertificateBatch, map[string]string{"total": strconv.Itoa(total)}
		if kind == "renew" {
			action, detail["reason"] = courses.AuditRenewalBatch, reason
		}
		return recordAudit(ctx, tx, by, courses.AuditEntry{Action: action, CourseID: course.ID, CohortID: cohortID, Detail: detail})
	})
	return id, err
}

// renewStep reissues, in tx, the batch's next expiring certificate after enrolment last, and
// says whether there was one and which enrolment it was. One a transaction: a reissue locks
// its certificate and enrolment and then the log, as every other path does, and holding the
// log's lock across many reissues would reverse that order for the next ones.
func (s *Store) renewStep(ctx context.Context, tx *sqlx.Tx, cohortID, actorID, last int64, reason string, now time.Time) (bool, int64, error) {
	var r struct {
		Code        string `db:"code"`
		EnrolmentID int64  `db:"enrolment_id"`
	}
	err := tx.GetContext(ctx, &r, `SELECT c.code, c.enrolment_id `+renewable+` ORDER BY c.enrolment_id LIMIT 1`,
		cohortID, now.UTC().Truncate(24*time.Hour), last)
	if notFound(err) {
		return false, last, nil
	}
	if err != nil {
		return false, last, err
	}
	if _, err := s.reissueTx(ctx, tx, actorID, r.Code, reason, now); err != nil {
		return false, last, fmt.Errorf("renew %s: %w", r.Code, err)
	}
	return true, r.EnrolmentID, nil
}

// IssueBatchStep issues, in one transaction, up to limit of the batch's certificates (a renewal
// batch: one), and says whether the batch is done. Each step goes on from what is committed, so a step run twice (a
// retry, a second instance, a restart) issues nothing twice.
func (s *Store) IssueBatchStep(ctx context.Context, batchID int64, limit int, now time.Time) (done bool, err error) {
	err = s.inTx(ctx, func(tx *sqlx.Tx) error {
		var b struct {
			CohortID    int64  `db:"cohort_id"`
			RequestedBy int64  `db:"requested_by"`
			Status      string `db:"status"`
			Last        int64  `db:"last_enrolment_id"`
			Kind        string `db:"kind"`
			Reason      string `db:"reason"`
		}
		if err := tx.GetContext(ctx, &b, `SELECT cohort_id, requested_by, status, last_enrolment_id, kind, reason FROM certificate_batches
			WHERE id = $1 FOR UPDATE`, batchID); err != nil {
			if notFound(err) {
				return courses.ErrNotFound
			}
			return err
		}
		if b.Status == "done" || b.Status == "failed" {
			done = true
			return nil
		}
		if b.Kind == "renew" {
			renewed, last, err := s.renewStep(ctx, tx, b.CohortID, b.RequestedBy, b.Last, b.Reason, now)
			if err != nil {
				return err
			}
			done = !renewed
			status, finished, n := "running", any(nil), 0
			if done {
				status, finished = "done", now
			} else {
				n = 1
			}
			_, err = tx.ExecContext(ctx, `UPDATE certificate_batches SET issued = issued + $2, status = $3, finished_at = $4,
				last_enrolment_id = $5 WHERE id = $1`, batchID, n, status, finished, last)
			return err
		}
		// Each step goes on after the last enrolment the one before looked at, so a batch ends
		// whatever happens to the enrolments it skips (a course whose rule changed to none).
		var ids pq.Int64Array
		if err := tx.SelectContext(ctx, &ids, `SELECT e.id FROM enrolments e WHERE e.cohort_id = $1 AND e.id > $2
			AND e.completed_at IS NOT NULL
			AND NOT EXISTS (SELECT 1 FROM certificates c WHERE c.enrolment_id = e.id AND c.replaced_by IS NULL)
			ORDER BY e.id LIMIT $3`, b.CohortID, b.Last, limit); err != nil {
			return err
		}
		issued, err := s.issueTx(ctx, tx, ids, b.RequestedBy, true, now)
		if err != nil {
			return err
		}
		done = len(ids) < limit
		status, finished, last := "running", any(nil), b.Last
		if done {
			status, finished = "done", now
		}
		if len(ids) > 0 {
			last = ids[len(ids)-1]
		}
		_, err = tx.ExecContext(ctx, `UPDATE certificate_batches SET issued = issued + $2, status = $3, finished_at = $4,
			last_enrolment_id = $5 WHERE id = $1`, batchID, len(issued), status, finished, last)
		return err
	})
	if err != nil {
		return false, fmt.Errorf("store: certificate batch %d: %w", batchID, err)
	}
	return done, nil
}

// CertificateBatchOf is a batch, for the page that follows it.
func (s *Store) CertificateBatchOf(ctx context.Context, batchID int64) (CertificateBatch, error) {
	var r struct {
		ID         int64        `db:"id"`
		CohortID   int64        `db:"cohort_id"`
		CourseID   int64        `db:"course_id"`
		Kind       string       `db:"kind"`
		Total      int          `db:"total"`
		Issued     int          `db:"issued"`
		Status     string       `db:"status"`
		Error      string       `db:"error"`
		CreatedAt  time.Time    `db:"created_at"`
		FinishedAt sql.NullTime `db:"finished_at"`
	}
	err := s.db.GetContext(ctx, &r, `SELECT b.id, b.cohort_id, ch.course_id, b.kind, b.total, b.issued, b.status, b.error, b.created_at, b.finished_at
		FROM certificate_batches b JOIN cohorts ch ON ch.id = b.cohort_id WHERE b.id = $1`, batchID)
	if notFound(err) {
		return CertificateBatch{}, fmt.Errorf("store: certificate batch %d: %w", batchID, courses.ErrNotFound)
	}
	if err != nil {
		return CertificateBatch{}, fmt.Errorf("store: certificate batch %d: %w", batchID, err)
	}
	return CertificateBatch{ID: r.ID, CohortID: r.CohortID, CourseID: r.CourseID, Kind: r.Kind, Total: r.Total, Issued: r.Issued, Status: r.Status,
		Error: r.Error, CreatedAt: r.CreatedAt, FinishedAt: r.FinishedAt.Time}, nil
}
