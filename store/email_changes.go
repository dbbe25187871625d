package store

import (
	"context"
	"fmt"
	"time"

	"github.com/aula-school/aula/courses"
	"github.com/jmoiron/sqlx"
)

// EmailChangeTTL is how long the link that confirms a new address stays valid.
const EmailChangeTTL = 24 * time.Hour

// RequestEmailChange checks the user's password and emails a link to the new address; the
// address changes only when that link is used (ConfirmEmailChange), so that nobody moves an
// account to an address they cannot read. An address that another account has is not refused
// here, where it would tell the user who has an account: the confirmation says so instead.
// A wrong password is ErrForbidden.
func (s *Store) RequestEmailChange(ctx context.Context, userID int64, password, newEmail string, now time.Time) error {
	newEmail = courses.NormalizeEmail(newEmail)
	var hash string
	err := s.db.GetContext(ctx, &hash, `SELECT password_hash FROM users WHERE id = $1`, userID)
	if notFound(err) {
		return fmt.Errorf("store: user %d: %w", userID, courses.ErrNotFound)
	}
	if err != nil {
		return fmt.Errorf("store: user %d: %w", userID, err)
	}
	if ok, err := CheckPassword(hash, password); err != nil || !ok {
		return fmt.Errorf("store: change of address of user %d: password: %w", userID, courses.ErrForbidden)
	}
	token, tokenHash, err := newToken()
	if err != nil {
		return fmt.Errorf("store: change of address: %w", err)
	}
	return s.inTx(ctx, func(tx *sqlx.Tx) error {
		// Only the newest request counts: an older link no longer changes anything.
		if _, err := tx.ExecContext(ctx, `UPDATE email_changes SET used_at = $2 WHERE user_id = $1 AND used_at IS NULL`, userID, now); err != nil {
			return fmt.Errorf("store: change of address: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO email_changes (token_hash, user_id, new_email, expires_at) VALUES ($1, $2, $3, $4)`,
			tokenHash, userID, newEmail, now.Add(EmailChangeTTL)); err != nil {
			return fmt.Errorf("store: change of address: %w", err)
		}
		// No name: the address is anyone's until confirmed, and the name is whatever the
		// requester typed; the email must not carry a stranger's text to it.
		return s.enqueueEmail(ctx, tx, courses.Email{Kind: courses.EmailAddressConfirm, UserID: userID, To: newEmail,
			Data: map[string]string{"Name": "", "NewEmail": newEmail, "Link": "/email/confirm?token=" + token}})
	})
}

// CheckEmailChange returns the address a confirmation link would give its account, or
// ErrNotFound for an unknown, used or expired link.
func (s *Store) CheckEmailChange(ctx context.Context, token string, now time.Time) (string, error) {
	if len(token) != passwordTokenLength {
		return "", fmt.Errorf("store: change of address: %w", courses.ErrNotFound)
	}
	var email string
	err := s.db.GetContext(ctx, &email, `SELECT new_email FROM email_changes
		WHERE token_hash = $1 AND used_at IS NULL AND expires_at > $2`, tokenHash(token), now)
	if notFound(err) {
		return "", fmt.Errorf("store: change of address: %w", courses.ErrNotFound)
	}
	if err != nil {
		return "", fmt.Errorf("store: change of address: %w", err)
	}
	return email, nil
}

// ConfirmEmailChange gives the link's account its new address, spends the link and every
// password link (each was sent to the old address), and tells the old address. An unknown,
// used or expired link, or one of a deactivated account, is ErrNotFound; an address another
// account took meanwhile is ErrConflict, and the link is spent. It returns the user as changed
// and the old address.
func (s *Store) ConfirmEmailChange(ctx context.Context, token string, now time.Time) (courses.User, string, error) {
	if _, err := s.CheckEmailChange(ctx, token, now); err != nil {
		return courses.User{}, "", err
	}
	var u courses.User
	var oldEmail string
	conflict := false
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		var change struct {
			UserID   int64  `db:"user_id"`
			NewEmail string `db:"new_email"`
		}
		err := tx.GetContext(ctx, &change, `UPDATE email_changes SET used_at = $2
			WHERE token_hash = $1 AND used_at IS NULL AND expires_at > $2 RETURNING user_id, new_email`, tokenHash(token), now)
		if notFound(err) {
			return fmt.Errorf("change of address: %w", courses.ErrNotFound)
		}
		if err != nil {
			return err
		}
		var taken bool
		if err := tx.GetContext(ctx, &taken, `SELECT EXISTS (SELECT 1 FROM users WHERE lower(email) = $1 AND id <> $2)`,
			change.NewEmail, change.UserID); err != nil {
			return err
		}
		if taken {
			conflict = true // the link is spent all the same: commit, then say so
			return nil
		}
		var old userRow
		if err := tx.GetContext(ctx, &old, `SELECT `+userColumns+` FROM users WHERE id = $1 FOR UPDATE`, change.UserID); err != nil {
			return err
		}
		if !old.Active {
			return fmt.Errorf("change of address of a deactivated account: %w", courses.ErrNotFound)
		}
		oldEmail = old.Email
		if _, err := tx.ExecContext(ctx, `UPDATE password_tokens SET used_at = $2 WHERE user_id = $1 AND used_at IS NULL`,
			change.UserID, now); err != nil {
			return err
		}
		var row userRow
		err = tx.GetContext(ctx, &row, `UPDATE users SET email = $2, updated_at = now() WHERE id = $1 RETURNING `+userColumns,
			change.UserID, change.NewEmail)
		if err != nil {
			return err
		}
		u = row.user()
		return s.enqueueEmail(ctx, tx, courses.Email{Kind: courses.EmailAddressChanged, UserID: u.ID, To: old.Email,
			Data: map[string]string{"NewEmail": u.Email}})
	})
	if isUniqueViolation(err) || (err == nil && conflict) {
		return courses.User{}, "", fmt.Errorf("store: change of address: %w", courses.ErrConflict)
	}
	if err != nil {
		return courses.User{}, "", fmt.Errorf("store: change of address: %w", err)
	}
	return u, oldEmail, nil
}
