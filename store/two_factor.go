package store

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"fmt"
	"strconv"
	"time"

	"github.com/aula-school/aula/courses"
	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
)

// Two-factor sign-in: a TOTP secret per account, sealed with a key drawn from the school's
// secret, and recovery codes kept as hashes keyed with it. Without the secret (no
// UseSigningKeys) none of this works: `aula serve` does not start without it.

// TwoFactorEnrolmentTTL is how long a secret shown on the enrolment page waits for its
// first code; each view of the page gives it this long again.
const TwoFactorEnrolmentTTL = 15 * time.Minute

// twoFactorKey is drawn from the school's secret, so that it seals nothing else's.
func twoFactorKey(secret []byte) []byte {
	m := hmac.New(sha256.New, secret)
	m.Write([]byte("aula two-factor v1"))
	return m.Sum(nil)
}

func (s *Store) twoFactorKey() ([]byte, error) {
	sg, err := s.signing()
	if err != nil {
		return nil, fmt.Errorf("store: two-factor: %w", err)
	}
	return sg.twoFactorKey, nil
}

// secretAAD binds a sealed secret to its account: a row copied onto another account's
// does not open there.
func secretAAD(userID int64) string { return "two-factor:" + strconv.FormatInt(userID, 10) }

// recoveryHash is a recovery code as kept: keyed, so that a copy of the database cannot be
// searched for the codes offline.
func recoveryHash(key []byte, userID int64, code string) []byte {
	m := hmac.New(sha256.New, key)
	fmt.Fprintf(m, "%d:%s", userID, code)
	return m.Sum(nil)
}

// TwoFactor says where userID's second factor stands.
func (s *Store) TwoFactor(ctx context.Context, userID int64) (courses.TwoFactor, error) {
	var rows []struct {
		EnabledAt time.Time `db:"enabled_at"`
		Left      int       `db:"codes_left"`
	}
	err := s.db.SelectContext(ctx, &rows, `
		SELECT t.enabled_at, (SELECT count(*) FROM recovery_codes r WHERE r.user_id = t.user_id) AS codes_left
		FROM two_factor t WHERE t.user_id = $1`, userID)
	if err != nil {
		return courses.TwoFactor{}, fmt.Errorf("store: two-factor of %d: %w", userID, err)
	}
	if len(rows) == 0 {
		return courses.TwoFactor{}, nil
	}
	return courses.TwoFactor{On: true, EnabledAt: rows[0].EnabledAt, RecoveryLeft: rows[0].Left}, nil
}

// StartTwoFactor gives u a secret to add to an authenticator app: the one shown before if
// it has not expired, else a new one, held for TwoFactorEnrolmentTTL from now. An account
// whose second factor is on already is ErrConflict.
func (s *Store) StartTwoFactor(ctx context.Context, u courses.User, now time.Time) (courses.TOTPKey, error) {
	key, err := s.twoFactorKey()
	if err != nil {
		return courses.TOTPKey{}, err
	}
	fresh, err := courses.NewTOTPSecret(rand.Reader)
	if err != nil {
		return courses.TOTPKey{}, err
	}
	sealed, err := seal(key, secretAAD(u.ID), fresh)
	if err != nil {
		return courses.TOTPKey{}, fmt.Errorf("store: two-factor: %w", err)
	}
	err = s.inTx(ctx, func(tx *sqlx.Tx) error {
		var on bool
		if err := tx.GetContext(ctx, &on, `SELECT EXISTS (SELECT 1 FROM two_factor WHERE user_id = $1)`, u.ID); err != nil {
			return err
		}
		if on {
			return fmt.Errorf("store: two-factor of %d is on: %w", u.ID, courses.ErrConflict)
		}
		return tx.GetContext(ctx, &sealed, `
			INSERT INTO two_factor_enrolments (user_id, secret, expires_at) VALUES ($1, $2, $3)
			ON CONFLICT (user_id) DO UPDATE SET expires_at = excluded.expires_at,
				secret = CASE WHEN two_factor_enrolments.expires_at > $4 THEN two_factor_enrolments.secret ELSE excluded.secret END
			RETURNING secret`, u.ID, sealed, now.Add(TwoFactorEnrolmentTTL), now)
	})
	if err != nil {
		return courses.TOTPKey{}, fmt.Errorf("store: start two-factor of %d: %w", u.ID, err)
	}
	return s.totpKey(key, u, sealed)
}

// PendingTwoFactor is the secret StartTwoFactor gave u, while it waits for its first code.
func (s *Store) PendingTwoFactor(ctx context.Context, u courses.User, now time.Time) (courses.TOTPKey, error) {
	key, err := s.twoFactorKey()
	if err != nil {
		return courses.TOTPKey{}, err
	}
	var sealed []byte
	err = s.db.GetContext(ctx, &sealed, `SELECT secret FROM two_factor_enrolments WHERE user_id = $1 AND expires_at > $2`, u.ID, now)
	if notFound(err) {
		return courses.TOTPKey{}, fmt.Errorf("store: two-factor enrolment of %d: %w", u.ID, courses.ErrNotFound)
	}
	if err != nil {
		return courses.TOTPKey{}, fmt.Errorf("store: two-factor enrolment of %d: %w", u.ID, err)
	}
	return s.totpKey(key, u, sealed)
}

func (s *Store) totpKey(key []byte, u courses.User, sealed []byte) (courses.TOTPKey, error) {
	raw, err := unseal(key, secretAAD(u.ID), sealed)
	if err != nil {
		return courses.TOTPKey{}, fmt.Errorf("store: two-factor secret of %d: %w", u.ID, err)
	}
	return courses.NewTOTPKey(s.School(), u.Email, raw)
}

// ConfirmTwoFactor turns userID's second factor on, once code is right for the secret
// StartTwoFactor gave, and returns the account's recovery codes, which are not kept and
// cannot be shown again. An expired secret is courses.ErrEnrolmentExpired; a wrong code
// courses.ErrWrongCode.
func (s *Store) ConfirmTwoFactor(ctx context.Context, by courses.Actor, userID int64, code string, now time.Time) ([]string, error) {
	key, err := s.twoFactorKey()
	if err != nil {
		return nil, err
	}
	codes, err := courses.NewRecoveryCodes(rand.Reader, courses.RecoveryCodeCount)
	if err != nil {
		return nil, err
	}
	err = s.inTx(ctx, func(tx *sqlx.Tx) error {
		var sealed []byte
		err := tx.GetContext(ctx, &sealed, `SELECT secret FROM two_factor_enrolments WHERE user_id = $1 AND expires_at > $2 FOR UPDATE`, userID, now)
		if notFound(err) {
			return courses.ErrEnrolmentExpired
		}
		if err != nil {
			return err
		}
		raw, err := unseal(key, secretAAD(userID), sealed)
		if err != nil {
			return err
		}
		step, ok := courses.MatchTOTP(raw, code, now, 0)
		if !ok {
			return courses.ErrWrongCode
		}
		res, err := tx.ExecContext(ctx, `INSERT INTO two_factor (user_id, secret, last_step, enabled_at) VALUES ($1, $2, $3, $4)
			ON CONFLICT (user_id) DO NOTHING`, userID, sealed, step, now)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 {
			return fmt.Errorf("already on: %w", courses.ErrConflict)
		}
		if err := insertRecoveryCodes(ctx, tx, key, userID, codes); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM two_factor_enrolments WHERE user_id = $1`, userID); err != nil {
			return err
		}
		return recordAudit(ctx, tx, by, courses.AuditEntry{Action: courses.AuditTwoFactorEnabled, UserID: userID})
	})
	if err != nil {
		return nil, fmt.Errorf("store: confirm two-factor of %d: %w", userID, err)
	}
	return codes, nil
}

func insertRecoveryCodes(ctx context.Context, tx *sqlx.Tx, key []byte, userID int64, codes []string) error {
	hashes := make(pq.ByteaArray, len(codes))
	for i, c := range codes {
		hashes[i] = recoveryHash(key, userID, c)
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO recovery_codes (user_id, code_hash) SELECT $1, unnest($2::bytea[])`, userID, hashes)
	return err
}

// VerifySecondFactor checks code, from the authenticator app or a recovery code, for userID
// at now, and spends it: a TOTP code of a step no later than the last one accepted is
// refused, and a recovery code works once. It says whether a recovery code was used. A wrong
// or spent code is courses.ErrWrongCode; an account without a second factor ErrNotFound.
func (s *Store) VerifySecondFactor(ctx context.Context, userID int64, code string, now time.Time) (bool, error) {
	key, err := s.twoFactorKey()
	if err != nil {
		return false, err
	}
	var recovery bool
	err = s.inTx(ctx, func(tx *sqlx.Tx) error {
		recovery, err = verifyTx(ctx, tx, key, userID, code, now)
		return err
	})
	if err != nil {
		return false, fmt.Errorf("store: second factor of %d: %w", userID, err)
	}
	return recovery, nil
}

func verifyTx(ctx context.Context, tx *sqlx.Tx, key []byte, userID int64, code string, now time.Time) (bool, error) {
	if digits, ok := courses.NormalizeTOTPCode(code); ok {
		var row struct {
			Secret   []byte `db:"secret"`
			LastStep int64  `db:"last_step"`
		}
		err := tx.GetContext(ctx, &row, `SELECT secret, last_step FROM two_factor WHERE user_id = $1`, userID)
		if notFound(err) {
			return false, courses.ErrNotFound
		}
		if err != nil {
			return false, err
		}
		raw, err := unseal(key, secretAAD(userID), row.Secret)
		if err != nil {
			return false, err
		}
		step, ok := courses.MatchTOTP(raw, digits, now, row.LastStep)
		if !ok {
			return false, courses.ErrWrongCode
		}
		// Another instance may have taken this step since the read: only one update wins.
		res, err := tx.ExecContext(ctx, `UPDATE two_factor SET last_step = $2 WHERE user_id = $1 AND last_step < $2`, userID, step)
		if err != nil {
			return false, err
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 {
			return false, courses.ErrWrongCode
		}
		return false, nil
	}
	rc, ok := courses.NormalizeRecoveryCode(code)
	if !ok {
		return false, courses.ErrWrongCode
	}
	res, err := tx.ExecContext(ctx, `DELETE FROM recovery_codes WHERE user_id = $1 AND code_hash = $2`, userID, recoveryHash(key, userID, rc))
	if err != nil {
		return false, err
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 {
		var on bool
		if err := tx.GetContext(ctx, &on, `SELECT EXISTS (SELECT 1 FROM two_factor WHERE user_id = $1)`, userID); err != nil {
			return false, err
		}
		if !on {
			return false, courses.ErrNotFound
		}
		return false, courses.ErrWrongCode
	}
	return true, nil
}

// RenewRecoveryCodes replaces userID's recovery codes with new ones, once code (from the
// app, or a recovery code) is right, and returns them.
func (s *Store) RenewRecoveryCodes(ctx context.Context, by courses.Actor, userID int64, code string, now time.Time) ([]string, error) {
	key, err := s.twoFactorKey()
	if err != nil {
		return nil, err
	}
	codes, err := courses.NewRecoveryCodes(rand.Reader, courses.RecoveryCodeCount)
	if err != nil {
		return nil, err
	}
	err = s.inTx(ctx, func(tx *sqlx.Tx) error {
		if _, err := verifyTx(ctx, tx, key, userID, code, now); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM recovery_codes WHERE user_id = $1`, userID); err != nil {
			return err
		}
		if err := insertRecoveryCodes(ctx, tx, key, userID, codes); err != nil {
			return err
		}
		return recordAudit(ctx, tx, by, courses.AuditEntry{Action: courses.AuditRecoveryCodesRenewed, UserID: userID})
	})
	if err != nil {
		return nil, fmt.Errorf("store: renew recovery codes of %d: %w", userID, err)
	}
	return codes, nil
}

// DisableTwoFactor turns userID's second factor off, once code is right. Whether the
// account's role allows it is the caller's rule (courses.TwoFactorPolicy).
func (s *Store) DisableTwoFactor(ctx context.Context, by courses.Actor, userID int64, code string, now time.Time) error {
	key, err := s.twoFactorKey()
	if err != nil {
		return err
	}
	err = s.inTx(ctx, func(tx *sqlx.Tx) error {
		if _, err := verifyTx(ctx, tx, key, userID, code, now); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM two_factor WHERE user_id = $1`, userID); err != nil {
			return err
		}
		return recordAudit(ctx, tx, by, courses.AuditEntry{Action: courses.AuditTwoFactorDisabled, UserID: userID})
	})
	if err != nil {
		return fmt.Errorf("store: turn off two-factor of %d: %w", userID, err)
	}
	return nil
}

// ResetTwoFactor removes userID's second factor, recovery codes and any enrolment under
// way, for an administrator helping someone who lost their phone; it says whether there
// was one (and only then records it in the audit trail). The caller ends the user's sign-ins.
func (s *Store) ResetTwoFactor(ctx context.Context, by courses.Actor, userID int64) (bool, error) {
	var removed bool
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM two_factor_enrolments WHERE user_id = $1`, userID); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `DELETE FROM two_factor WHERE user_id = $1`, userID) // its codes go with it
		if err != nil {
			return err
		}
		n, err := res.RowsAffected()
		if err != nil || n == 0 {
			return err
		}
		removed = true
		return recordAudit(ctx, tx, by, courses.AuditEntry{Action: courses.AuditTwoFactorReset, UserID: userID})
	})
	if err != nil {
		return false, fmt.Errorf("store: reset two-factor of %d: %w", userID, err)
	}
	return removed, nil
}
