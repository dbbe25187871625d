package store

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/aula-school/aula/courses"
	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
)

// CertificateByCode is the certificate with the canonical code, for verification.
func (s *Store) CertificateByCode(ctx context.Context, code string) (courses.Certificate, error) {
	var r certificateRow
	err := s.hotGet(ctx, &r, `SELECT `+certificateColumns+` FROM certificates c WHERE c.code = $1`, code)
	if notFound(err) {
		return courses.Certificate{}, fmt.Errorf("store: certificate %s: %w", code, courses.ErrNotFound)
	}
	if err != nil {
		return courses.Certificate{}, fmt.Errorf("store: certificate %s: %w", code, err)
	}
	return r.certificate()
}

// HolderCertificate is a certificate of userID, by id: another trainee's is not found.
func (s *Store) HolderCertificate(ctx context.Context, userID, id int64) (courses.Certificate, error) {
	var r certificateRow
	err := s.hotGet(ctx, &r, `SELECT `+certificateColumns+` FROM certificates c WHERE c.id = $1 AND c.user_id = $2`, id, userID)
	if notFound(err) {
		return courses.Certificate{}, fmt.Errorf("store: certificate %d of user %d: %w", id, userID, courses.ErrNotFound)
	}
	if err != nil {
		return courses.Certificate{}, fmt.Errorf("store: certificate %d: %w", id, err)
	}
	return r.certificate()
}

// Certificate is any certificate, by id, for administrators.
func (s *Store) Certificate(ctx context.Context, id int64) (courses.Certificate, error) {
	c, err := certificateWhere(ctx, s.db, `c.id = $1`, id)
	if err != nil {
		return c, fmt.Errorf("store: certificate %d: %w", id, err)
	}
	return c, nil
}

// HolderCertificates lists userID's certificates, newest first, replaced ones included (the
// page shows which replaced which).
func (s *Store) HolderCertificates(ctx context.Context, userID int64) ([]courses.Certificate, error) {
	var rows []certificateRow
	if err := s.hotSelect(ctx, &rows, `SELECT `+certificateColumns+` FROM certificates c WHERE c.user_id = $1
		ORDER BY c.issued_at DESC, c.id DESC`, userID); err != nil {
		return nil, fmt.Errorf("store: certificates of user %d: %w", userID, err)
	}
	return certificatesOf(rows)
}

func certificatesOf(rows []certificateRow) ([]courses.Certificate, error) {
	list := make([]courses.Certificate, len(rows))
	for i, r := range rows {
		var err error
		if list[i], err = r.certificate(); err != nil {
			return nil, err
		}
	}
	return list, nil
}

// CertificateFilter narrows the register. Zero values do not filter.
type CertificateFilter struct {
	Query    string // holder's name or email, or a code
	CourseID int64
	CohortID int64
	Status   courses.CertificateStatus // valid, revoked or expired
	From, To time.Time                 // issued on or after From, before To
	Limit    int
	Offset   int
}

// CertificateRegister lists the certificates the filter selects, newest first, and how many
// there are in all.
func (s *Store) CertificateRegister(ctx context.Context, f CertificateFilter, now time.Time) ([]courses.Certificate, int, error) {
	where := []string{"true"}
	var args []any
	arg := func(v any) string {
		args = append(args, v)
		return fmt.Sprintf("$%d", len(args))
	}
	if q := strings.TrimSpace(f.Query); q != "" {
		like := "%" + strings.NewReplacer(`\`, `\\`, "%", `\%`, "_", `\_`).Replace(strings.ToLower(q)) + "%"
		code := strings.ToUpper(strings.NewReplacer("-", "", " ", "").Replace(q))
		where = append(where, fmt.Sprintf("(lower(c.holder_name) LIKE %s OR c.holder_email LIKE %[1]s OR c.code = %s)", arg(like), arg(code)))
	}
	if f.CourseID != 0 {
		where = append(where, "c.course_id = "+arg(f.CourseID))
	}
	if f.CohortID != 0 {
		where = append(where, "c.cohort_id = "+arg(f.CohortID))
	}
	today := now.UTC().Format(time.DateOnly)
	switch f.Status {
	case courses.CertificateRevoked:
		where = append(where, "(c.revoked_at IS NOT NULL OR c.replaced_by IS NOT NULL)")
	case courses.CertificateExpired:
		where = append(where, "c.revoked_at IS NULL AND c.replaced_by IS NULL AND c.expires_on < "+arg(today)+"::date")
	case courses.CertificateValid:
		where = append(where, "c.revoked_at IS NULL AND c.replaced_by IS NULL AND (c.expires_on IS NULL OR c.expires_on >= "+arg(today)+"::date)")
	}
	if !f.From.IsZero() {
		where = append(where, "c.issued_at >= "+arg(f.From))
	}
	if !f.To.IsZero() {
		where = append(where, "c.issued_at < "+arg(f.To))
	}
	cond := strings.Join(where, " AND ")
	limit := f.Limit
	if limit <= 0 {
		limit = 50
	}
	var total int
	var rows []certificateRow
	filtered := len(args) // the count's arguments: the page's, without its limit and offset
	page := `SELECT ` + certificateColumns + ` FROM certificates c WHERE ` + cond +
		` ORDER BY c.issued_at DESC, c.id DESC LIMIT ` + arg(limit) + ` OFFSET ` + arg(max(f.Offset, 0))
	err := s.read(ctx, func(db *sqlx.DB) error {
		rows = nil
		if err := db.GetContext(ctx, &total, `SELECT count(*) FROM certificates c WHERE `+cond, args[:filtered]...); err != nil {
			return err
		}
		return db.SelectContext(ctx, &rows, page, args...)
	})
	if err != nil {
		return nil, 0, fmt.Errorf("store: certificate register: %w", err)
	}
	list, err := certificatesOf(rows)
	return list, total, err
}

// CertificateHistory is a certificate's entries in the issuance log, oldest first.
func (s *Store) CertificateHistory(ctx context.Context, id int64) ([]courses.LogEntry, error) {
	var rows []struct {
		Seq     int64     `db:"seq"`
		Action  string    `db:"action"`
		Code    string    `db:"code"`
		ActorID *int64    `db:"actor_id"`
		Reason  string    `db:"reason"`
		At      time.Time `db:"at"`
	}
	if err := s.db.SelectContext(ctx, &rows, `SELECT seq, action, code, actor_id, reason, at FROM certificate_log
		WHERE certificate_id = $1 ORDER BY seq`, id); err != nil {
		return nil, fmt.Errorf("store: history of certificate %d: %w", id, err)
	}
	list := make([]courses.LogEntry, len(rows))
	for i, r := range rows {
		list[i] = courses.LogEntry{Seq: r.Seq, Action: courses.CertificateAction(r.Action), Code: r.Code, Reason: r.Reason, At: r.At}
		if r.ActorID != nil {
			list[i].ActorID = *r.ActorID
		}
	}
	return list, nil
}

// RevocationList is the places, in the school's revocation list, of every revoked or
// replaced certificate; how long the list must be (every place given out, revoked or not);
// and when it last changed (the latest revocation or un-revocation, else the first issue): by
// their dates, not their place in the log, where a generated history may put older ones
// after newer. Each part is read through an index, whatever the number of certificates.
func (s *Store) RevocationList(ctx context.Context) (revoked []int, size int, changed time.Time, err error) {
	var row struct {
		Revoked pq.Int64Array `db:"revoked"`
		Size    int           `db:"size"`
		Changed *time.Time    `db:"changed"`
	}
	err = s.db.GetContext(ctx, &row, `SELECT
		coalesce((SELECT array_agg(status_index ORDER BY status_index) FROM certificates
			WHERE revoked_at IS NOT NULL OR replaced_by IS NOT NULL), '{}') AS revoked,
		coalesce((SELECT status_index + 1 FROM certificates ORDER BY status_index DESC LIMIT 1), 0) AS size,
		coalesce((SELECT max(at) FROM certificate_log WHERE action IN ('revoke', 'unrevoke')),
			(SELECT at FROM certificate_log ORDER BY seq LIMIT 1)) AS changed`)
	if err != nil {
		return nil, 0, time.Time{}, fmt.Errorf("store: revocation list: %w", err)
	}
	for _, i := range row.Revoked {
		revoked = append(revoked, int(i))
	}
	if row.Changed != nil {
		changed = row.Changed.UTC()
	}
	return revoked, row.Size, changed, nil
}

// CertificateSettings returns a course's certificate rules.
func (s *Store) CertificateSettings(ctx context.Context, courseID int64) (courses.CertificateSettings, error) {
	var row struct {
		Issue       string `db:"certificate_issue"`
		Months      int    `db:"certificate_months"`
		Signatories []byte `db:"signatories"`
	}
	if err := s.db.GetContext(ctx, &row, `SELECT certificate_issue, certificate_months, signatories FROM courses WHERE id = $1`, courseID); err != nil {
		if notFound(err) {
			err = courses.ErrNotFound
		}
		return courses.CertificateSettings{}, fmt.Errorf("store: certificate settings of course %d: %w", courseID, err)
	}
	cs := courses.CertificateSettings{Issue: courses.CertificateIssue(row.Issue), ValidMonths: row.Months}
	if err := jsonUnmarshal(row.Signatories, &cs.Signatories); err != nil {
		return cs, fmt.Errorf("store: certificate settings of course %d: %w", courseID, err)
	}
	return cs, nil
}

// SaveCertificateSettings writes a course's certificate rules; certificates already issued
// keep what they were issued with.
func (s *Store) SaveCertificateSettings(ctx context.Context, courseID int64, cs courses.CertificateSettings) error {
	if err := saveCertificateSettings(ctx, s.db, courseID, cs); err != nil {
		return fmt.Errorf("store: certificate settings of course %d: %w", courseID, err)
	}
	return nil
}

// saveCertificateSettings writes a course's certificate rules with q: the store or an
// import's transaction.
func saveCertificateSettings(ctx context.Context, q sqlx.ExecerContext, courseID int64, cs courses.CertificateSettings) error {
	signatories, err := jsonMarshalList(cs.Signatories)
	if err != nil {
		return err
	}
	res, err := q.ExecContext(ctx, `UPDATE courses SET certificate_issue = $2, certificate_months = $3, signatories = $4 WHERE id = $1`,
		courseID, string(cs.Issue), cs.ValidMonths, signatories)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return courses.ErrNotFound
	}
	return nil
}
