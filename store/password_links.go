package store

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"time"

	"github.com/aula-school/aula/courses"
	"github.com/jmoiron/sqlx"
	"github.com/riverqueue/river"
)

// PasswordLinkTTL is how long a one-time link to set a password stays valid.
const PasswordLinkTTL = 14 * 24 * time.Hour

// passwordTokenLength is the length of every token newToken makes (32 bytes, base64url).
const passwordTokenLength = 43

func newToken() (token, hash string, err error) {
	raw := make([]byte, 32)
	if _, err := rand.Read(raw); err != nil {
		return "", "", err
	}
	token = base64.RawURLEncoding.EncodeToString(raw)
	return token, tokenHash(token), nil
}

func tokenHash(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// PasswordResetTTL is how long a "forgot password" link stays valid.
const PasswordResetTTL = time.Hour

// passwordToken makes a one-time link token for userID, valid for ttl, in tx.
func passwordToken(ctx context.Context, tx *sqlx.Tx, userID int64, ttl time.Duration, now time.Time) (string, error) {
	token, hash, err := newToken()
	if err != nil {
		return "", err
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO password_tokens (token_hash, user_id, expires_at) VALUES ($1, $2, $3)`,
		hash, userID, now.Add(ttl))
	return token, err
}

// passwordPath is where a password link leads.
func passwordPath(token string) string { return "/password/set?token=" + token }

// PasswordLink creates a one-time link token for userID (an admin's "send a new link") and
// emails it to the user, recorded in the audit trail as by's. The token is not: it is a
// password until used.
func (s *Store) PasswordLink(ctx context.Context, by courses.Actor, userID int64, now time.Time) (string, error) {
	var token string
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		var name string
		err := tx.GetContext(ctx, &name, `SELECT full_name FROM users WHERE id = $1`, userID)
		if notFound(err) {
			return fmt.Errorf("user %d: %w", userID, courses.ErrNotFound)
		}
		if err != nil {
			return err
		}
		if token, err = passwordToken(ctx, tx, userID, PasswordLinkTTL, now); err != nil {
			return err
		}
		if err := s.enqueueEmail(ctx, tx, courses.Email{Kind: courses.EmailPasswordLink, UserID: userID,
			Data: map[string]string{"Name": name, "Link": passwordPath(token)}}); err != nil {
			return err
		}
		return recordAudit(ctx, tx, by, courses.AuditEntry{Action: courses.AuditPasswordLink, UserID: userID})
	})
	if err != nil {
		return "", fmt.Errorf("store: password link: %w", err)
	}
	return token, nil
}

// resetRequestArgs is a "forgot password" request, looked into in the background.
type resetRequestArgs struct {
	Email string    `json:"email"`
	At    time.Time `json:"at"`
}

func (resetRequestArgs) Kind() string { return "password_reset_request" }

type resetRequestWorker struct {
	river.WorkerDefaults[resetRequestArgs]
	store *Store
}

func (w *resetRequestWorker) Work(ctx context.Context, job *river.Job[resetRequestArgs]) error {
	return w.store.RequestPasswordReset(ctx, job.Args.Email, job.Args.At)
}

// QueuePasswordReset records a "forgot password" request for email, made at now, to be looked
// into by a worker (RequestPasswordReset): the request costs the same whether or not the
// address has an account, so neither the page nor its time tells which.
func (s *Store) QueuePasswordReset(ctx context.Context, email string, now time.Time) error {
	client, err := s.inserter()
	if err != nil {
		return fmt.Errorf("store: password reset: %w", err)
	}
	return s.inTx(ctx, func(tx *sqlx.Tx) error {
		_, err := client.InsertTx(ctx, tx.Tx, resetRequestArgs{Email: courses.NormalizeEmail(email), At: now},
			emailInsertOpts())
		if err != nil {
			return fmt.Errorf("store: password reset: %w", err)
		}
		return nil
	})
}

// RequestPasswordReset emails a link valid for PasswordResetTTL from now to the active account
// with this address. An unknown or deactivated address is no error and sends nothing.
func (s *Store) RequestPasswordReset(ctx context.Context, email string, now time.Time) error {
	return s.inTx(ctx, func(tx *sqlx.Tx) error {
		var u struct {
			ID   int64  `db:"id"`
			Name string `db:"full_name"`
		}
		err := tx.GetContext(ctx, &u, `SELECT id, full_name FROM users WHERE lower(email) = $1 AND active`, courses.NormalizeEmail(email))
		if notFound(err) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("store: password reset: %w", err)
		}
		token, err := passwordToken(ctx, tx, u.ID, PasswordResetTTL, now)
		if err != nil {
			return fmt.Errorf("store: password reset: %w", err)
		}
		return s.enqueueEmail(ctx, tx, courses.Email{Kind: courses.EmailPasswordReset, UserID: u.ID,
			Data: map[string]string{"Name": u.Name, "Link": passwordPath(token)}})
	})
}

// CheckPasswordLink says whether a link can still be used: nil, or ErrNotFound for an
// unknown, used or expired link; any other error is the database's.
func (s *Store) CheckPasswordLink(ctx context.Context, token string, now time.Time) error {
	if len(token) != passwordTokenLength {
		return fmt.Errorf("store: password link: %w", courses.ErrNotFound)
	}
	var ok bool
	err := s.db.GetContext(ctx, &ok, `SELECT EXISTS (SELECT 1 FROM password_tokens
		WHERE token_hash = $1 AND used_at IS NULL AND expires_at > $2)`, tokenHash(token), now)
	if err != nil {
		return fmt.Errorf("store: password link: %w", err)
	}
	if !ok {
		return fmt.Errorf("store: password link: %w", courses.ErrNotFound)
	}
	return nil
}

// UsePasswordLink sets the password of the link's account and spends the link; an unknown,
// used or expired link is ErrNotFound. The link is checked before the password is hashed,
// so a wrong link costs a lookup, not an Argon2id hash. endSignIns runs before the
// transaction commits, with the account: when it fails (Redis down), nothing is
// changed and the link can be used again, so no other sign-in outlives the new password.
// It returns the user.
func (s *Store) UsePasswordLink(ctx context.Context, token, password string, now time.Time, endSignIns func(courses.User) error) (courses.User, error) {
	if err := s.CheckPasswordLink(ctx, token, now); err != nil {
		return courses.User{}, err
	}
	hash, err := HashPassword(password)
	if err != nil {
		return courses.User{}, fmt.Errorf("store: use password link: %w", err)
	}
	var u courses.User
	err = s.inTx(ctx, func(tx *sqlx.Tx) error {
		// Spent here, in the transaction that sets the password: of two uses at once, one wins.
		var userID int64
		err := tx.GetContext(ctx, &userID, `UPDATE password_tokens SET used_at = $2
			WHERE token_hash = $1 AND used_at IS NULL AND expires_at > $2 RETURNING user_id`, tokenHash(token), now)
		if notFound(err) {
			return fmt.Errorf("password link: %w", courses.ErrNotFound)
		}
		if err != nil {
			return err
		}
		var row userRow
		if err := tx.GetContext(ctx, &row, `UPDATE users SET password_hash = $2, updated_at = now() WHERE id = $1 RETURNING `+userColumns, userID, hash); err != nil {
			return err
		}
		if err := spendPasswordLinks(ctx, tx, userID); err != nil {
			return err
		}
		u = row.user()
		return endSignIns(u)
	})
	if err != nil {
		return courses.User{}, fmt.Errorf("store: use password link: %w", err)
	}
	return u, nil
}

// spendPasswordLinks spends every link of userID still unused, and every change of address
// not yet confirmed: once the password has changed, by whatever way, an older link must not
// change it again, nor move the account to an address whoever knew the old password chose.
func spendPasswordLinks(ctx context.Context, tx *sqlx.Tx, userID int64) error {
	if _, err := tx.ExecContext(ctx, `UPDATE password_tokens SET used_at = now() WHERE user_id = $1 AND used_at IS NULL`, userID); err != nil {
		return err
	}
	_, err := tx.ExecContext(ctx, `UPDATE email_changes SET used_at = now() WHERE user_id = $1 AND used_at IS NULL`, userID)
	return err
}
