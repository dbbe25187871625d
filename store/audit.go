package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/aula-school/aula/courses"
	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
)

// recordAudit writes one entry of the audit trail in tx, the transaction of the change it
// records: a change rolled back leaves no entry, and no change commits without its entry.
func recordAudit(ctx context.Context, tx *sqlx.Tx, by courses.Actor, e courses.AuditEntry) error {
	return recordAuditEach(ctx, tx, by, e, []int64{e.UserID}, nil)
}

// recordAuditEach writes e once for each of userIDs, in one statement whatever their number
// (a spreadsheet's enrolments, a roster's marks): with details[i] as the detail of the i-th,
// or e.Detail for all when details is nil.
func recordAuditEach(ctx context.Context, tx *sqlx.Tx, by courses.Actor, e courses.AuditEntry, userIDs []int64, details []map[string]string) error {
	if !e.Action.Valid() {
		return fmt.Errorf("store: audit action %q: %w", e.Action, courses.ErrInvalid)
	}
	texts := make(pq.StringArray, len(userIDs))
	for i := range userIDs {
		d := e.Detail
		if details != nil {
			d = details[i]
		}
		if d == nil {
			d = map[string]string{}
		}
		b, err := json.Marshal(d)
		if err != nil {
			return fmt.Errorf("store: audit detail: %w", err)
		}
		texts[i] = string(b)
	}
	_, err := tx.ExecContext(ctx, `
		INSERT INTO audit_log (actor_id, actor_ip, action, user_id, course_id, cohort_id, certificate_id, detail)
		SELECT $1::bigint, nullif($2, '')::inet, $3, nullif(s.user_id, 0), $5::bigint, $6::bigint, $7::bigint, s.detail
		FROM unnest($4::bigint[], $8::jsonb[]) AS s (user_id, detail)`,
		nullID(by.UserID), by.IP, string(e.Action), pq.Int64Array(userIDs), nullID(e.CourseID), nullID(e.CohortID),
		nullID(e.CertificateID), texts)
	if err != nil {
		return fmt.Errorf("store: audit %s: %w", e.Action, err)
	}
	return nil
}

// AuditLog returns a page of the audit trail matching f, newest first, and how many entries
// match in all. The names and emails are the accounts' as they are now.
func (s *Store) AuditLog(ctx context.Context, f courses.AuditFilter, offset, limit int) ([]courses.AuditEntry, int, error) {
	if limit <= 0 {
		limit = 50
	}
	like := func(s string) string {
		if s == "" {
			return ""
		}
		return "%" + strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s) + "%"
	}
	var from, to *time.Time
	if !f.From.IsZero() {
		from = &f.From
	}
	if !f.To.IsZero() {
		to = &f.To
	}
	var rows []struct {
		ID            int64          `db:"id"`
		At            time.Time      `db:"at"`
		ActorID       sql.NullInt64  `db:"actor_id"`
		ActorIP       sql.NullString `db:"actor_ip"`
		Action        string         `db:"action"`
		UserID        sql.NullInt64  `db:"user_id"`
		CourseID      sql.NullInt64  `db:"course_id"`
		CohortID      sql.NullInt64  `db:"cohort_id"`
		CertificateID sql.NullInt64  `db:"certificate_id"`
		Detail        []byte         `db:"detail"`
		ActorName     string         `db:"actor_name"`
		ActorEmail    string         `db:"actor_email"`
		UserName      string         `db:"user_name"`
		UserEmail     string         `db:"user_email"`
		CourseSlug    string         `db:"course_slug"`
		Total         int            `db:"total"`
	}
	err := s.read(ctx, func(db *sqlx.DB) error {
		rows = nil
		return db.SelectContext(ctx, &rows, `
		SELECT a.id, a.at, a.actor_id, host(a.actor_ip) AS actor_ip, a.action, a.user_id, a.course_id, a.cohort_id,
			a.certificate_id, a.detail, coalesce(ac.full_name, '') AS actor_name, coalesce(ac.email, '') AS actor_email,
			coalesce(su.full_name, '') AS user_name, coalesce(su.email, '') AS user_email, coalesce(co.slug, '') AS course_slug,
			count(*) OVER () AS total
		FROM audit_log a
		LEFT JOIN users ac ON ac.id = a.actor_id
		LEFT JOIN users su ON su.id = a.user_id
		LEFT JOIN courses co ON co.id = a.course_id
		WHERE ($1 = '' OR ac.full_name ILIKE $1 OR ac.email ILIKE $1)
		  AND ($2 = '' OR su.full_name ILIKE $2 OR su.email ILIKE $2)
		  AND ($3::bigint = 0 OR a.user_id = $3)
		  AND ($4 = '' OR a.action = $4)
		  AND ($5::bigint = 0 OR a.course_id = $5)
		  AND ($6::timestamptz IS NULL OR a.at >= $6)
		  AND ($7::timestamptz IS NULL OR a.at < $7)
		ORDER BY a.at DESC, a.id DESC
		OFFSET $8 LIMIT $9`,
			like(f.Actor), like(f.Subject), f.UserID, string(f.Action), f.CourseID, from, to, offset, limit)
	})
	if err != nil {
		return nil, 0, fmt.Errorf("store: audit log: %w", err)
	}
	list := make([]courses.AuditEntry, len(rows))
	total := 0
	for i, r := range rows {
		e := courses.AuditEntry{ID: r.ID, At: r.At, Actor: courses.Actor{UserID: r.ActorID.Int64, IP: r.ActorIP.String},
			Action: courses.AuditAction(r.Action), UserID: r.UserID.Int64, CourseID: r.CourseID.Int64, CohortID: r.CohortID.Int64,
			CertificateID: r.CertificateID.Int64, ActorName: r.ActorName, ActorEmail: r.ActorEmail,
			UserName: r.UserName, UserEmail: r.UserEmail, CourseSlug: r.CourseSlug}
		if err := json.Unmarshal(r.Detail, &e.Detail); err != nil {
			return nil, 0, fmt.Errorf("store: audit entry %d: %w", r.ID, err)
		}
		list[i], total = e, r.Total
	}
	if len(rows) == 0 && offset > 0 {
		// Past the last page: say how many there are, for the pager.
		_, total, err = s.AuditLog(ctx, f, 0, 1)
		if err != nil {
			return nil, 0, err
		}
	}
	return list, total, nil
}
