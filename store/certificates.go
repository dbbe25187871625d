package store

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/aula-school/aula/courses"
	"github.com/google/uuid"
	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
)

// Errors of certificates that pages explain.
var (
	ErrNotCompleted     = fmt.Errorf("the course is not completed: %w", courses.ErrConflict)
	ErrNoCertificates   = fmt.Errorf("the course gives no certificate: %w", courses.ErrConflict)
	ErrAlreadyRevoked   = fmt.Errorf("certificate already revoked: %w", courses.ErrConflict)
	ErrNotRevoked       = fmt.Errorf("certificate not revoked: %w", courses.ErrConflict)
	ErrCertificateStale = fmt.Errorf("certificate replaced by another: %w", courses.ErrConflict)
)

type certificateRow struct {
	ID            int64          `db:"id"`
	Code          string         `db:"code"`
	CredentialID  string         `db:"credential_id"`
	StatusIndex   int            `db:"status_index"`
	UserID        int64          `db:"user_id"`
	CourseID      int64          `db:"course_id"`
	CohortID      int64          `db:"cohort_id"`
	HolderName    string         `db:"holder_name"`
	HolderEmail   string         `db:"holder_email"`
	Language      string         `db:"language"`
	School        string         `db:"school"`
	CourseSlug    string         `db:"course_slug"`
	CourseTitle   string         `db:"course_title"`
	CohortName    string         `db:"cohort_name"`
	Hours         int            `db:"hours"`
	CompletedOn   time.Time      `db:"completed_on"`
	IssuedAt      time.Time      `db:"issued_at"`
	ExpiresOn     sql.NullTime   `db:"expires_on"`
	Signatories   []byte         `db:"signatories"`
	KeyID         string         `db:"key_id"`
	Signature     []byte         `db:"signature"`
	IssuedBy      sql.NullInt64  `db:"issued_by"`
	RevokedAt     sql.NullTime   `db:"revoked_at"`
	RevokedReason string         `db:"revoked_reason"`
	ReplacedBy    sql.NullString `db:"replaced_by_code"`
}

const certificateColumns = `c.id, c.code, c.credential_id, c.status_index, c.user_id, c.course_id, c.cohort_id, c.holder_name,
	c.holder_email, c.language, c.school, c.course_slug, c.course_title, c.cohort_name, c.hours, c.completed_on, c.issued_at,
	c.expires_on, c.signatories, c.key_id, c.signature, c.issued_by, c.revoked_at, c.revoked_reason,
	(SELECT n.code FROM certificates n WHERE n.id = c.replaced_by) AS replaced_by_code`

func (r certificateRow) certificate() (courses.Certificate, error) {
	c := courses.Certificate{
		ID: r.ID, KeyID: r.KeyID, Signature: r.Signature, UserID: r.UserID, CourseID: r.CourseID, CohortID: r.CohortID,
		IssuedBy: r.IssuedBy.Int64, RevokedReason: r.RevokedReason, ReplacedBy: r.ReplacedBy.String,
		Facts: courses.CertificateFacts{Code: r.Code, Holder: r.HolderName, Language: r.Language, School: r.School,
			CourseSlug: r.CourseSlug, Course: r.CourseTitle, Cohort: r.CohortName, Hours: r.Hours,
			CompletedOn: r.CompletedOn.Format(time.DateOnly), IssuedAt: r.IssuedAt.UTC(),
			CredentialID: r.CredentialID, StatusIndex: r.StatusIndex, HolderEmail: r.HolderEmail},
	}
	if r.ExpiresOn.Valid {
		c.Facts.ExpiresOn = r.ExpiresOn.Time.Format(time.DateOnly)
	}
	if r.RevokedAt.Valid {
		c.RevokedAt = r.RevokedAt.Time
	}
	if err := json.Unmarshal(r.Signatories, &c.Facts.Signatories); err != nil {
		return c, fmt.Errorf("certificate %d: signatories: %w", r.ID, err)
	}
	return c, nil
}

// issuable is an enrolment that may get a certificate, with what the certificate will say.
type issuable struct {
	EnrolmentID int64        `db:"enrolment_id"`
	UserID      int64        `db:"user_id"`
	CourseID    int64        `db:"course_id"`
	CohortID    int64        `db:"cohort_id"`
	Email       string       `db:"email"`
	FullName    string       `db:"full_name"`
	Language    string       `db:"language"`
	Slug        string       `db:"slug"`
	Title       string       `db:"title"`
	CohortName  string       `db:"cohort_name"`
	IsDefault   bool         `db:"is_default"`
	Hours       int          `db:"hours"`
	Rule        string       `db:"certificate_issue"`
	Months      int          `db:"certificate_months"`
	Signatories []byte       `db:"signatories"`
	CompletedAt sql.NullTime `db:"completed_at"`
	Current     bool         `db:"current"`
}

// issuableSelect reads enrolments with what their certificates would say: the holder's name,
// the course's title in the holder's language (else the course's own), the cohort, the
// course's rules, and whether the enrolment has a current certificate.
const issuableSelect = `
	SELECT e.id AS enrolment_id, e.user_id, e.course_id, e.cohort_id, e.completed_at, u.email, u.full_name,
		CASE WHEN EXISTS (SELECT 1 FROM course_texts t WHERE t.course_id = co.id AND t.language = u.language)
			THEN u.language ELSE co.default_language END AS language,
		co.slug, co.hours, co.certificate_issue, co.certificate_months, co.signatories,
		coalesce((SELECT t.title FROM course_texts t WHERE t.course_id = co.id
			ORDER BY t.language = u.language DESC, t.language = co.default_language DESC, t.language LIMIT 1), co.slug) AS title,
		ch.name AS cohort_name, ch.is_default,
		EXISTS (SELECT 1 FROM certificates c WHERE c.enrolment_id = e.id AND c.replaced_by IS NULL) AS current
	FROM enrolments e JOIN users u ON u.id = e.user_id JOIN courses co ON co.id = e.course_id JOIN cohorts ch ON ch.id = e.cohort_id`

// issueTx issues, in tx, a certificate for each enrolment of ids that has completed its course
// and has no current certificate, where the course's rule allows: "auto" always, "manual"
// only when an administrator issues (byAdmin). It locks the enrolments, so that two requests
// for one never both issue (the unique index would refuse the second anyway), and appends
// each certificate to the issuance log. It returns the certificates issued now.
func (s *Store) issueTx(ctx context.Context, tx *sqlx.Tx, ids []int64, actorID int64, byAdmin bool, now time.Time) ([]courses.Certificate, error) {
	var rows []issuable
	err := tx.SelectContext(ctx, &rows, issuableSelect+` WHERE e.id = ANY ($1) ORDER BY e.id FOR UPDATE OF e`, pq.Int64Array(ids))
	if err != nil {
		return nil, err
	}
	var todo []issuable
	for _, r := range rows {
		if r.Current || !r.CompletedAt.Valid || r.Rule == string(courses.IssueNone) || (r.Rule == string(courses.IssueManual) && !byAdmin) {
			continue
		}
		todo = append(todo, r)
	}
	if len(todo) == 0 {
		return nil, nil
	}
	sg, err := s.signing()
	if err != nil {
		return nil, err
	}
	issuedAt := now.UTC().Truncate(time.Second)
	issued := make([]courses.Certificate, 0, len(todo))
	indexes, err := statusIndexes(ctx, tx, len(todo))
	if err != nil {
		return nil, err
	}
	for i, r := range todo {
		c, err := s.newCertificate(sg, r, issuedAt, indexes[i], courses.ExpiresOn)
		if err != nil {
			return nil, err
		}
		c.IssuedBy = actorID
		inserted, err := insertCertificate(ctx, tx, &c, r.EnrolmentID)
		if err != nil {
			return nil, err
		}
		if inserted {
			issued = append(issued, c)
		}
	}
	entries := make([]courses.LogEntry, len(issued))
	for i, c := range issued {
		entries[i] = issueEntry(courses.ActionIssue, c, actorID, "", issuedAt)
	}
	if err := s.appendLog(ctx, tx, entries, certificateIDs(issued)); err != nil {
		return nil, err
	}
	return issued, s.notifyCertificates(ctx, tx, issued)
}

func certificateIDs(list []courses.Certificate) []int64 {
	ids := make([]int64, len(list))
	for i, c := range list {
		ids[i] = c.ID
	}
	return ids
}

func issueEntry(action courses.CertificateAction, c courses.Certificate, actorID int64, reason string, at time.Time) courses.LogEntry {
	return courses.LogEntry{Action: action, Code: c.Facts.Code, ActorID: actorID, Reason: reason, At: at,
		Digest: c.Facts.Digest(), KeyID: c.KeyID, Signature: c.Signature}
}

// newCertificate draws a code and a credential id and signs what the certificate says.
// expiry says when the new certificate expires, from the completion and the course's months.
func (s *Store) newCertificate(sg *signer, r issuable, issuedAt time.Time, statusIndex int, expiry func(issued time.Time, months int) string) (courses.Certificate, error) {
	code, err := courses.NewCode(rand.Reader)
	if err != nil {
		return courses.Certificate{}, err
	}
	cohort := r.CohortName
	if r.IsDefault {
		cohort = "" // the open, self-paced cohort is not a run worth naming
	}
	var signatories []courses.Signatory
	if err := json.Unmarshal(r.Signatories, &signatories); err != nil {
		return courses.Certificate{}, fmt.Errorf("signatories of course %d: %w", r.CourseID, err)
	}
	completed := r.CompletedAt.Time.UTC()
	f := courses.CertificateFacts{Code: code, Holder: r.FullName, Language: r.Language, School: sg.school, CourseSlug: r.Slug,
		Course: r.Title, Cohort: cohort, Hours: r.Hours, CompletedOn: completed.Format(time.DateOnly), IssuedAt: issuedAt,
		ExpiresOn: expiry(issuedAt, r.Months), Signatories: signatories,
		CredentialID: uuid.NewString(), StatusIndex: statusIndex, HolderEmail: r.Email}
	return courses.Certificate{Facts: f, KeyID: sg.current.ID, Signature: courses.SignCertificate(f, sg.current.Private),
		UserID: r.UserID, CourseID: r.CourseID, CohortID: r.CohortID}, nil
}

// statusIndexes draws n places in the revocation list, before signing: the place is signed.
func statusIndexes(ctx context.Context, tx *sqlx.Tx, n int) ([]int, error) {
	var list []int
	err := tx.SelectContext(ctx, &list, `SELECT nextval('certificate_status_index_seq') FROM generate_series(1, $1)`, n)
	return list, err
}

// insertCertificate writes c for enrolmentID unless the enrolment already has a current one,
// and fills in its id and place in the revocation list.
func insertCertificate(ctx context.Context, tx *sqlx.Tx, c *courses.Certificate, enrolmentID int64) (bool, error) {
	f := c.Facts
	signatories, err := json.Marshal(f.Signatories)
	if err != nil {
		return false, err
	}
	if f.Signatories == nil {
		signatories = []byte("[]")
	}
	var expires any
	if f.ExpiresOn != "" {
		expires = f.ExpiresOn
	}
	var id int64
	err = tx.GetContext(ctx, &id, `
		INSERT INTO certificates (id, code, credential_id, status_index, enrolment_id, user_id, course_id, cohort_id, holder_name,
			holder_email, language, school, course_slug, course_title, cohort_name, hours, completed_on, issued_at, expires_on,
			signatories, key_id, signature, issued_by)
		VALUES (coalesce($1, nextval('certificates_id_seq')), $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17,
			$18, $19, $20, $21, $22, $23)
		ON CONFLICT (enrolment_id) WHERE replaced_by IS NULL DO NOTHING
		RETURNING id`,
		nullID(c.ID), f.Code, f.CredentialID, f.StatusIndex, enrolmentID, c.UserID, c.CourseID, c.CohortID, f.Holder,
		f.HolderEmail, f.Language, f.School, f.CourseSlug, f.Course, f.Cohort, f.Hours, f.CompletedOn, f.IssuedAt, expires,
		signatories, c.KeyID, c.Signature, nullID(c.IssuedBy))
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	c.ID = id
	return true, nil
}

// IssueCertificate issues, by an administrator, the certificate of a trainee who completed
// a course. It is idempotent: the trainee's current certificate, if any, is returned as it
// is (issued false). A certificate issued is by's, in the audit trail.
func (s *Store) IssueCertificate(ctx context.Context, by courses.Actor, userID, courseID int64, now time.Time) (c courses.Certificate, issued bool, err error) {
	err = s.inTx(ctx, func(tx *sqlx.Tx) error {
		var enrolmentID int64
		err := tx.GetContext(ctx, &enrolmentID, `SELECT id FROM enrolments WHERE user_id = $1 AND course_id = $2 AND completed_at IS NOT NULL
			ORDER BY completed_at DESC LIMIT 1`, userID, courseID)
		if notFound(err) {
			return ErrNotCompleted
		}
		if err != nil {
			return err
		}
		list, err := s.issueTx(ctx, tx, []int64{enrolmentID}, by.UserID, true, now)
		if err != nil {
			return err
		}
		if len(list) == 1 {
			c, issued = list[0], true
			return recordAudit(ctx, tx, by, courses.AuditEntry{Action: courses.AuditCertificateIssued, UserID: c.UserID,
				CourseID: c.CourseID, CohortID: c.CohortID, CertificateID: c.ID, Detail: map[string]string{"code": c.Facts.Code}})
		}
		c, err = certificateWhere(ctx, tx, `c.enrolment_id = $1 AND c.replaced_by IS NULL`, enrolmentID)
		if errors.Is(err, courses.ErrNotFound) {
			return ErrNoCertificates // completed, none issued, none held: the course gives none
		}
		return err
	})
	if err != nil {
		return c, false, fmt.Errorf("store: issue certificate of user %d, course %d: %w", userID, courseID, err)
	}
	return c, issued, nil
}

func certificateWhere(ctx context.Context, q sqlx.QueryerContext, where string, args ...any) (courses.Certificate, error) {
	var r certificateRow
	if err := sqlx.GetContext(ctx, q, &r, `SELECT `+certificateColumns+` FROM certificates c WHERE `+where, args...); err != nil {
		if notFound(err) {
			return courses.Certificate{}, courses.ErrNotFound
		}
		return courses.Certificate{}, err
	}
	return r.certificate()
}

// ReissueCertificate replaces a certificate with a new one that says what is true now (a
// corrected name, a renewal after expiry): a new code, the holder's name and the course's
// title as they are today, and completion as recorded; the old one points to the new one
// and reads as revoked, with reason. Both stay in the register and the log. The new one's
// expiry follows courses.ReissueExpiry: a renewal counts from today, a correction does not
// lengthen the old one's. The reissue is by's, in the audit trail (a renewal batch's are not:
// the batch is, when it is asked for).
func (s *Store) ReissueCertificate(ctx context.Context, by courses.Actor, code, reason string, now time.Time) (courses.Certificate, error) {
	var c courses.Certificate
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		var err error
		if c, err = s.reissueTx(ctx, tx, by.UserID, code, reason, now); err != nil {
			return err
		}
		return recordAudit(ctx, tx, by, courses.AuditEntry{Action: courses.AuditCertificateReissued, UserID: c.UserID,
			CourseID: c.CourseID, CohortID: c.CohortID, CertificateID: c.ID,
			Detail: map[string]string{"code": code, "new_code": c.Facts.Code, "reason": reason}})
	})
	if err != nil {
		return c, fmt.Errorf("store: reissue certificate %s: %w", code, err)
	}
	return c, nil
}

// reissueTx is ReissueCertificate in tx.
func (s *Store) reissueTx(ctx context.Context, tx *sqlx.Tx, actorID int64, code, reason string, now time.Time) (courses.Certificate, error) {
	var c courses.Certificate
	var old struct {
		ID          int64         `db:"id"`
		EnrolmentID int64         `db:"enrolment_id"`
		ReplacedBy  sql.NullInt64 `db:"replaced_by"`
		Revoked     bool          `db:"revoked"`
		ExpiresOn   string        `db:"expires_on"`
	}
	err := tx.GetContext(ctx, &old, `SELECT id, enrolment_id, replaced_by, revoked_at IS NOT NULL AS revoked,
		coalesce(to_char(expires_on, 'YYYY-MM-DD'), '') AS expires_on FROM certificates WHERE code = $1 FOR UPDATE`, code)
	if notFound(err) {
		return c, courses.ErrNotFound
	}
	if err != nil {
		return c, err
	}
	if old.ReplacedBy.Valid {
		return c, ErrCertificateStale
	}
	// A revoked certificate is not reissued as a valid one: it is un-revoked first, on
	// purpose, with its reason (and a revocation racing a reissue wins).
	if old.Revoked {
		return c, ErrAlreadyRevoked
	}
	var rows []issuable
	if err := tx.SelectContext(ctx, &rows, issuableSelect+` WHERE e.id = $1 FOR UPDATE OF e`, old.EnrolmentID); err != nil {
		return c, err
	}
	if len(rows) != 1 || !rows[0].CompletedAt.Valid {
		return c, ErrNotCompleted
	}
	sg, err := s.signing()
	if err != nil {
		return c, err
	}
	issuedAt := now.UTC().Truncate(time.Second)
	if err := tx.GetContext(ctx, &c.ID, `SELECT nextval('certificates_id_seq')`); err != nil {
		return c, err
	}
	id := c.ID
	renewal := func(issued time.Time, months int) string { return courses.ReissueExpiry(old.ExpiresOn, months, issued) }
	indexes, err := statusIndexes(ctx, tx, 1)
	if err != nil {
		return c, err
	}
	if c, err = s.newCertificate(sg, rows[0], issuedAt, indexes[0], renewal); err != nil {
		return c, err
	}
	c.ID, c.IssuedBy = id, actorID
	// The old one first leaves the "current" index, then the new one takes its place; the
	// reference to the new row is checked at commit.
	// It reads as revoked from now, with the reissue's reason, on its page and in its JSON.
	if _, err := tx.ExecContext(ctx, `UPDATE certificates SET replaced_by = $2, revoked_at = $3, revoked_reason = $4 WHERE id = $1`,
		old.ID, c.ID, issuedAt, reason); err != nil {
		return c, err
	}
	if ok, err := insertCertificate(ctx, tx, &c, old.EnrolmentID); err != nil || !ok {
		return c, errors.Join(err, errors.New("reissue: the new certificate was not written"))
	}
	oldEntry := courses.LogEntry{Action: courses.ActionRevoke, Code: code, ActorID: actorID, Reason: reason, At: issuedAt}
	if err := s.appendLog(ctx, tx, []courses.LogEntry{oldEntry, issueEntry(courses.ActionReissue, c, actorID, reason, issuedAt)},
		[]int64{old.ID, c.ID}); err != nil {
		return c, err
	}
	return c, s.notifyCertificates(ctx, tx, []courses.Certificate{c})
}

// RevokeCertificate revokes a certificate, with the reason the public page shows.
func (s *Store) RevokeCertificate(ctx context.Context, by courses.Actor, code, reason string, now time.Time) error {
	return s.setRevoked(ctx, by, code, reason, now, true)
}

// UnrevokeCertificate makes a revoked certificate valid again (a revocation in error), with
// the reason, which the log keeps.
func (s *Store) UnrevokeCertificate(ctx context.Context, by courses.Actor, code, reason string, now time.Time) error {
	return s.setRevoked(ctx, by, code, reason, now, false)
}

// setRevoked revokes or un-revokes, by's doing in the log and the audit trail.
func (s *Store) setRevoked(ctx context.Context, by courses.Actor, code, reason string, now time.Time, revoke bool) error {
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		var r struct {
			ID         int64         `db:"id"`
			UserID     int64         `db:"user_id"`
			CourseID   int64         `db:"course_id"`
			CohortID   int64         `db:"cohort_id"`
			Revoked    bool          `db:"revoked"`
			ReplacedBy sql.NullInt64 `db:"replaced_by"`
		}
		err := tx.GetContext(ctx, &r, `SELECT id, user_id, course_id, cohort_id, revoked_at IS NOT NULL AS revoked, replaced_by
			FROM certificates WHERE code = $1 FOR UPDATE`, code)
		if notFound(err) {
			return courses.ErrNotFound
		}
		if err != nil {
			return err
		}
		switch {
		case r.ReplacedBy.Valid:
			return ErrCertificateStale
		case revoke && r.Revoked:
			return ErrAlreadyRevoked
		case !revoke && !r.Revoked:
			return ErrNotRevoked
		}
		at := now.UTC().Truncate(time.Microsecond)
		action := courses.ActionUnrevoke
		if revoke {
			action = courses.ActionRevoke
			_, err = tx.ExecContext(ctx, `UPDATE certificates SET revoked_at = $2, revoked_reason = $3 WHERE id = $1`, r.ID, at, reason)
		} else {
			_, err = tx.ExecContext(ctx, `UPDATE certificates SET revoked_at = NULL, revoked_reason = '' WHERE id = $1`, r.ID)
		}
		if err != nil {
			return err
		}
		audit := courses.AuditCertificateUnrevoked
		if revoke {
			audit = courses.AuditCertificateRevoked
		}
		if err := recordAudit(ctx, tx, by, courses.AuditEntry{Action: audit, UserID: r.UserID, CourseID: r.CourseID, CohortID: r.CohortID,
			CertificateID: r.ID, Detail: map[string]string{"code": code, "reason": reason}}); err != nil {
			return err
		}
		return s.appendLog(ctx, tx, []courses.LogEntry{{Action: action, Code: code, ActorID: by.UserID, Reason: reason, At: at}}, []int64{r.ID})
	})
	if err != nil {
		return fmt.Errorf("store: revoke certificate %s: %w", code, err)
	}
	return nil
}

func jsonUnmarshal(b []byte, v any) error { return json.Unmarshal(b, v) }

// jsonMarshalList writes a list as JSON, an empty one as [] rather than null.
func jsonMarshalList[T any](list []T) ([]byte, error) {
	if list == nil {
		list = []T{}
	}
	return json.Marshal(list)
}
