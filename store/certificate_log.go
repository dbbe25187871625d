package store

import (
	"bytes"
	"context"
	"crypto/hmac"
	"database/sql"
	"fmt"
	"time"

	"github.com/aula-school/aula/courses"
	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
)

// appendLog appends entries (for the certificates of ids, in order) to the issuance log, in
// tx. An advisory lock held to the commit makes the appends of concurrent transactions take
// turns, so each entry follows the one committed before it and the numbers have no gaps.
func (s *Store) appendLog(ctx context.Context, tx *sqlx.Tx, entries []courses.LogEntry, ids []int64) error {
	if len(entries) == 0 {
		return nil
	}
	sg, err := s.signing()
	if err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock(727276)`); err != nil {
		return err
	}
	var last struct {
		Seq  int64  `db:"seq"`
		Hash []byte `db:"hash"`
	}
	err = tx.GetContext(ctx, &last, `SELECT seq, hash FROM certificate_log ORDER BY seq DESC LIMIT 1`)
	if notFound(err) {
		last.Hash = courses.GenesisHash
	} else if err != nil {
		return err
	}
	var (
		seqs, certs, actors             pq.Int64Array
		actions, codes, reasons, keyIDs pq.StringArray
		ats                             []string
		digests, signatures, prevs, hs  pq.ByteaArray
		macs                            pq.ByteaArray
	)
	for i, e := range entries {
		e.Seq, e.Prev = last.Seq+int64(i)+1, last.Hash
		e.At = e.At.UTC().Truncate(time.Microsecond)
		e.Hash = e.ComputeHash()
		last.Hash = e.Hash
		seqs, certs, actors = append(seqs, e.Seq), append(certs, ids[i]), append(actors, e.ActorID)
		actions, codes, reasons, keyIDs = append(actions, string(e.Action)), append(codes, e.Code), append(reasons, e.Reason), append(keyIDs, e.KeyID)
		ats = append(ats, e.At.Format(time.RFC3339Nano))
		digests, signatures, prevs, hs = append(digests, orEmpty(e.Digest)), append(signatures, orEmpty(e.Signature)), append(prevs, e.Prev), append(hs, e.Hash)
		macs = append(macs, sg.logMAC(e.Hash))
	}
	_, err = tx.ExecContext(ctx, `
		INSERT INTO certificate_log (seq, certificate_id, action, code, actor_id, reason, at, digest, key_id, signature, prev_hash, hash, mac)
		SELECT seq, cert, action, code, nullif(actor, 0), reason, at, digest, key_id, signature, prev, hash, mac
		FROM unnest($1::bigint[], $2::bigint[], $3::text[], $4::text[], $5::bigint[], $6::text[], $7::timestamptz[], $8::bytea[],
			$9::text[], $10::bytea[], $11::bytea[], $12::bytea[], $13::bytea[])
			AS n (seq, cert, action, code, actor, reason, at, digest, key_id, signature, prev, hash, mac)`,
		seqs, certs, actions, codes, actors, reasons, pq.StringArray(ats), digests, keyIDs, signatures, prevs, hs, macs)
	return err
}

func orEmpty(b []byte) []byte {
	if b == nil {
		return []byte{}
	}
	return b
}

// AuditReport is what `aula certificates audit` found.
type AuditReport struct {
	Entries      int
	Certificates int
	// Problems lists what is wrong, the first broken link of the chain first; empty when the
	// log and every certificate are as they were signed.
	Problems []string
	// Head is the last entry's number and hash. Kept outside the database (printed, mailed),
	// it shows later whether entries were cut off the end, which no check inside can.
	Head string
}

// AuditCertificates checks the whole issuance log (every link of the chain) and every
// certificate: its signature, by a key the school has, over what the log says was signed;
// that every certificate was logged; and that its revocation is what the log's last word
// on it says.
func (s *Store) AuditCertificates(ctx context.Context) (AuditReport, error) {
	var rep AuditReport
	var rows []struct {
		Seq       int64         `db:"seq"`
		Action    string        `db:"action"`
		Code      string        `db:"code"`
		ActorID   sql.NullInt64 `db:"actor_id"`
		Reason    string        `db:"reason"`
		At        time.Time     `db:"at"`
		Digest    []byte        `db:"digest"`
		KeyID     string        `db:"key_id"`
		Signature []byte        `db:"signature"`
		Prev      []byte        `db:"prev_hash"`
		Hash      []byte        `db:"hash"`
		MAC       []byte        `db:"mac"`
	}
	sg, err := s.signing()
	if err != nil {
		return rep, err
	}
	if err := s.db.SelectContext(ctx, &rows, `SELECT seq, action, code, actor_id, reason, at, digest, key_id, signature, prev_hash, hash, mac
		FROM certificate_log ORDER BY seq`); err != nil {
		return rep, fmt.Errorf("store: audit: %w", err)
	}
	entries := make([]courses.LogEntry, len(rows))
	for i, r := range rows {
		entries[i] = courses.LogEntry{Seq: r.Seq, Action: courses.CertificateAction(r.Action), Code: r.Code, ActorID: r.ActorID.Int64,
			Reason: r.Reason, At: r.At, Digest: r.Digest, KeyID: r.KeyID, Signature: r.Signature, Prev: r.Prev, Hash: r.Hash}
	}
	rep.Entries = len(entries)
	if b := courses.CheckChain(entries); b != nil {
		rep.Problems = append(rep.Problems, "log "+b.Error())
	}
	// An entry whose hash holds but which Aula did not write (no one else has the key).
	for i, r := range rows {
		if !hmac.Equal(r.MAC, sg.logMAC(r.Hash)) {
			rep.Problems = append(rep.Problems, fmt.Sprintf("log entry %d: not written by Aula (its authentication code does not hold)", entries[i].Seq))
			break
		}
	}
	if n := len(entries); n > 0 {
		rep.Head = fmt.Sprintf("%d %x", entries[n-1].Seq, entries[n-1].Hash)
	}
	type logged struct {
		issue   *courses.LogEntry
		revoked bool
		reason  string
	}
	byCode := map[string]*logged{}
	for i, e := range entries {
		l := byCode[e.Code]
		if l == nil {
			l = &logged{}
			byCode[e.Code] = l
		}
		switch e.Action {
		case courses.ActionIssue, courses.ActionReissue:
			l.issue = &entries[i]
			if pub := s.PublicKey(e.KeyID); pub == nil || len(e.Signature) == 0 {
				rep.Problems = append(rep.Problems, fmt.Sprintf("log entry %d: signed by unknown key %q", e.Seq, e.KeyID))
			}
		case courses.ActionRevoke:
			l.revoked, l.reason = true, e.Reason
		case courses.ActionUnrevoke:
			l.revoked, l.reason = false, ""
		}
	}
	var certs []certificateRow
	if err := s.db.SelectContext(ctx, &certs, `SELECT `+certificateColumns+` FROM certificates c ORDER BY c.id`); err != nil {
		return rep, fmt.Errorf("store: audit: %w", err)
	}
	rep.Certificates = len(certs)
	for _, r := range certs {
		c, err := r.certificate()
		if err != nil {
			rep.Problems = append(rep.Problems, err.Error())
			continue
		}
		code := c.Facts.Code
		if !c.SignatureHolds(s.PublicKey(c.KeyID)) {
			rep.Problems = append(rep.Problems, fmt.Sprintf("certificate %s: its signature does not hold over what it says", code))
		}
		l := byCode[code]
		if l == nil || l.issue == nil {
			rep.Problems = append(rep.Problems, fmt.Sprintf("certificate %s: not in the log", code))
			continue
		}
		if !bytes.Equal(l.issue.Digest, c.Facts.Digest()) || !bytes.Equal(l.issue.Signature, c.Signature) {
			rep.Problems = append(rep.Problems, fmt.Sprintf("certificate %s: differs from what the log says was signed (entry %d)", code, l.issue.Seq))
		}
		if revoked := !c.RevokedAt.IsZero() || c.ReplacedBy != ""; revoked != l.revoked {
			rep.Problems = append(rep.Problems, fmt.Sprintf("certificate %s: revoked is %t, the log says %t", code, revoked, l.revoked))
		} else if c.RevokedReason != l.reason {
			rep.Problems = append(rep.Problems, fmt.Sprintf("certificate %s: its revocation reason differs from the log's", code))
		}
	}
	return rep, nil
}
