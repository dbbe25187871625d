package store

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/aula-school/aula/courses"
	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
)

const userColumns = `id, email, full_name, country, institution, sector, gender, language, role, active`

type userRow struct {
	ID          int64  `db:"id"`
	Email       string `db:"email"`
	FullName    string `db:"full_name"`
	Country     string `db:"country"`
	Institution string `db:"institution"`
	Sector      string `db:"sector"`
	Gender      string `db:"gender"`
	Language    string `db:"language"`
	Role        string `db:"role"`
	Active      bool   `db:"active"`
}

func (r userRow) user() courses.User {
	return courses.User{
		ID: r.ID, Email: r.Email, FullName: r.FullName, Country: r.Country, Institution: r.Institution,
		Sector: courses.Sector(r.Sector), Gender: courses.Gender(r.Gender), Language: r.Language,
		Role: courses.Role(r.Role), Active: r.Active,
	}
}

func isUniqueViolation(err error) bool {
	var pqErr *pq.Error
	return errors.As(err, &pqErr) && pqErr.Code == "23505"
}

// CreateUser adds an account. A second account for the same address, in any case, is ErrConflict.
func (s *Store) CreateUser(ctx context.Context, p courses.Profile, password string, role courses.Role) (courses.User, error) {
	hash, err := HashPassword(password)
	if err != nil {
		return courses.User{}, fmt.Errorf("store: hash password: %w", err)
	}
	var row userRow
	err = s.inTx(ctx, func(tx *sqlx.Tx) error {
		return tx.GetContext(ctx, &row, `
			INSERT INTO users (email, full_name, password_hash, country, institution, sector, gender, language, role)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
			RETURNING `+userColumns,
			courses.NormalizeEmail(p.Email), p.FullName, hash, p.Country, p.Institution, p.Sector, p.Gender, p.Language, string(role))
	})
	if isUniqueViolation(err) {
		return courses.User{}, fmt.Errorf("store: user %s: %w", p.Email, courses.ErrConflict)
	}
	if err != nil {
		return courses.User{}, fmt.Errorf("store: create user: %w", err)
	}
	return row.user(), nil
}

// Authenticate returns the active user with this email and password. Unknown email,
// wrong password and deactivated account are all ErrNotFound, and take the same time.
func (s *Store) Authenticate(ctx context.Context, email, password string) (courses.User, error) {
	var row struct {
		userRow
		PasswordHash string `db:"password_hash"`
	}
	err := s.db.GetContext(ctx, &row, `SELECT `+userColumns+`, password_hash FROM users WHERE lower(email) = $1`,
		courses.NormalizeEmail(email))
	if err != nil && !notFound(err) {
		return courses.User{}, fmt.Errorf("store: authenticate: %w", err)
	}
	hash := row.PasswordHash
	if hash == "" {
		hash = dummyHash
	}
	ok, err := CheckPassword(hash, password)
	if err != nil {
		return courses.User{}, fmt.Errorf("store: authenticate: %w", err)
	}
	if !ok || row.PasswordHash == "" || !row.Active {
		return courses.User{}, fmt.Errorf("store: authenticate: %w", courses.ErrNotFound)
	}
	if outdatedHash(row.PasswordHash) {
		if err := s.rehash(ctx, row.ID, row.PasswordHash, password); err != nil {
			return courses.User{}, err
		}
	}
	return row.user(), nil
}

// rehash makes anew, with today's parameters, the hash of a password just checked against
// an older one. A password changed meanwhile (the hash is no longer old) is left as it is.
func (s *Store) rehash(ctx context.Context, id int64, old, password string) error {
	hash, err := HashPassword(password)
	if err != nil {
		return fmt.Errorf("store: rehash password: %w", err)
	}
	if _, err := s.db.ExecContext(ctx, `UPDATE users SET password_hash = $2 WHERE id = $1 AND password_hash = $3`,
		id, hash, old); err != nil {
		return fmt.Errorf("store: rehash password: %w", err)
	}
	return nil
}

// User returns the user with this id.
func (s *Store) User(ctx context.Context, id int64) (courses.User, error) {
	var row userRow
	err := s.db.GetContext(ctx, &row, `SELECT `+userColumns+` FROM users WHERE id = $1`, id)
	if notFound(err) {
		return courses.User{}, fmt.Errorf("store: user %d: %w", id, courses.ErrNotFound)
	}
	if err != nil {
		return courses.User{}, fmt.Errorf("store: user %d: %w", id, err)
	}
	return row.user(), nil
}

// UpdateProfile saves what a user says about themselves. The email does not change here.
func (s *Store) UpdateProfile(ctx context.Context, id int64, p courses.Profile) error {
	return s.updateUser(ctx, id, `UPDATE users SET full_name = $2, country = $3, institution = $4, sector = $5,
		gender = $6, language = $7, updated_at = now() WHERE id = $1`,
		id, p.FullName, p.Country, p.Institution, p.Sector, p.Gender, p.Language)
}

// SetLanguage remembers the language a user reads Aula in.
func (s *Store) SetLanguage(ctx context.Context, id int64, lang string) error {
	return s.updateUser(ctx, id, `UPDATE users SET language = $2, updated_at = now() WHERE id = $1`, id, lang)
}

// SetRole changes what a user may do, recorded in the audit trail as by's (with the old
// and new role) when the role is another.
func (s *Store) SetRole(ctx context.Context, by courses.Actor, id int64, role courses.Role) error {
	if !role.Valid() {
		return fmt.Errorf("store: role %q: %w", role, courses.ErrInvalid)
	}
	return s.inTx(ctx, func(tx *sqlx.Tx) error {
		var old string
		err := tx.GetContext(ctx, &old, `SELECT role FROM users WHERE id = $1 FOR UPDATE`, id)
		if notFound(err) {
			return fmt.Errorf("store: user %d: %w", id, courses.ErrNotFound)
		}
		if err != nil {
			return fmt.Errorf("store: user %d: %w", id, err)
		}
		if old == string(role) {
			return nil
		}
		if _, err := tx.ExecContext(ctx, `UPDATE users SET role = $2, updated_at = now() WHERE id = $1`, id, string(role)); err != nil {
			return fmt.Errorf("store: update user %d: %w", id, err)
		}
		return recordAudit(ctx, tx, by, courses.AuditEntry{Action: courses.AuditRoleChanged, UserID: id,
			Detail: map[string]string{"from": old, "to": string(role)}})
	})
}

// SetActive deactivates or reactivates an account, recorded in the audit trail as by's when
// it was not so already.
func (s *Store) SetActive(ctx context.Context, by courses.Actor, id int64, active bool) error {
	return s.inTx(ctx, func(tx *sqlx.Tx) error {
		var was bool
		err := tx.GetContext(ctx, &was, `SELECT active FROM users WHERE id = $1 FOR UPDATE`, id)
		if notFound(err) {
			return fmt.Errorf("store: user %d: %w", id, courses.ErrNotFound)
		}
		if err != nil {
			return fmt.Errorf("store: user %d: %w", id, err)
		}
		if was == active {
			return nil
		}
		if _, err := tx.ExecContext(ctx, `UPDATE users SET active = $2, updated_at = now() WHERE id = $1`, id, active); err != nil {
			return fmt.Errorf("store: update user %d: %w", id, err)
		}
		action := courses.AuditDeactivated
		if active {
			action = courses.AuditReactivated
		}
		return recordAudit(ctx, tx, by, courses.AuditEntry{Action: action, UserID: id})
	})
}

// ChangePassword replaces a user's password after checking the current one.
func (s *Store) ChangePassword(ctx context.Context, id int64, current, next string) error {
	hash, err := HashPassword(next)
	if err != nil {
		return fmt.Errorf("store: hash password: %w", err)
	}
	return s.inTx(ctx, func(tx *sqlx.Tx) error {
		var old string
		err := tx.GetContext(ctx, &old, `SELECT password_hash FROM users WHERE id = $1 FOR UPDATE`, id)
		if notFound(err) {
			return fmt.Errorf("store: user %d: %w", id, courses.ErrNotFound)
		}
		if err != nil {
			return fmt.Errorf("store: user %d: %w", id, err)
		}
		if ok, err := CheckPassword(old, current); err != nil || !ok {
			return fmt.Errorf("store: user %d: current password: %w", id, courses.ErrForbidden)
		}
		if _, err = tx.ExecContext(ctx, `UPDATE users SET password_hash = $2, updated_at = now() WHERE id = $1`, id, hash); err != nil {
			return err
		}
		return spendPasswordLinks(ctx, tx, id)
	})
}

// SetPassword replaces a user's password without asking for the old one (CLI and demo).
func (s *Store) SetPassword(ctx context.Context, id int64, password string) error {
	hash, err := HashPassword(password)
	if err != nil {
		return fmt.Errorf("store: hash password: %w", err)
	}
	return s.updateUser(ctx, id, `WITH spent AS (UPDATE password_tokens SET used_at = now() WHERE user_id = $1 AND used_at IS NULL),
		moved AS (UPDATE email_changes SET used_at = now() WHERE user_id = $1 AND used_at IS NULL)
		UPDATE users SET password_hash = $2, updated_at = now() WHERE id = $1`, id, hash)
}

func (s *Store) updateUser(ctx context.Context, id int64, query string, args ...any) error {
	return s.inTx(ctx, func(tx *sqlx.Tx) error {
		res, err := tx.ExecContext(ctx, query, args...)
		if err != nil {
			return fmt.Errorf("store: update user %d: %w", id, err)
		}
		n, err := res.RowsAffected()
		if err != nil {
			return fmt.Errorf("store: update user %d: %w", id, err)
		}
		if n == 0 {
			return fmt.Errorf("store: user %d: %w", id, courses.ErrNotFound)
		}
		return nil
	})
}

// UserFilter narrows the admin's list of users. Zero fields do not narrow it.
type UserFilter struct {
	Query   string // part of the name or email
	Role    courses.Role
	Country string
	Sector  courses.Sector
	Active  *bool // nil: both active and deactivated accounts
	Offset  int
	Limit   int
}

// usersWhere selects the users a UserFilter asks for, with its arguments $1 to $5.
const usersWhere = `WHERE (full_name ILIKE $1 OR email ILIKE $1) AND ($2 = '' OR role = $2) AND ($3 = '' OR country = $3)
	AND ($4 = '' OR sector = $4) AND ($5::boolean IS NULL OR active = $5)`

// ListUsers returns a page of users matching f, by name, and how many match in all.
func (s *Store) ListUsers(ctx context.Context, f UserFilter) ([]courses.User, int, error) {
	if f.Limit <= 0 {
		f.Limit = 50
	}
	pattern := "%" + strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(strings.TrimSpace(f.Query)) + "%"
	args := []any{pattern, string(f.Role), f.Country, string(f.Sector), f.Active}
	var rows []struct {
		userRow
		Total int `db:"total"`
	}
	err := s.db.SelectContext(ctx, &rows, `
		SELECT `+userColumns+`, count(*) OVER () AS total
		FROM users `+usersWhere+`
		ORDER BY lower(full_name), id
		OFFSET $6 LIMIT $7`, append(args, f.Offset, f.Limit)...)
	if err != nil {
		return nil, 0, fmt.Errorf("store: list users: %w", err)
	}
	users := make([]courses.User, len(rows))
	total := 0
	for i, r := range rows {
		users[i] = r.user()
		total = r.Total
	}
	if len(rows) == 0 && f.Offset > 0 {
		if err := s.db.GetContext(ctx, &total, `SELECT count(*) FROM users `+usersWhere, args...); err != nil {
			return nil, 0, fmt.Errorf("store: count users: %w", err)
		}
	}
	return users, total, nil
}

// UserByEmail returns the user with this address, in any case.
func (s *Store) UserByEmail(ctx context.Context, email string) (courses.User, error) {
	var row userRow
	err := s.db.GetContext(ctx, &row, `SELECT `+userColumns+` FROM users WHERE lower(email) = $1`, courses.NormalizeEmail(email))
	if notFound(err) {
		return courses.User{}, fmt.Errorf("store: user %s: %w", email, courses.ErrNotFound)
	}
	if err != nil {
		return courses.User{}, fmt.Errorf("store: user %s: %w", email, err)
	}
	return row.user(), nil
}

// NotificationsOff returns the notification groups a user turned off.
func (s *Store) NotificationsOff(ctx context.Context, id int64) ([]courses.NotificationGroup, error) {
	var off pq.StringArray
	err := s.db.GetContext(ctx, &off, `SELECT notifications_off FROM users WHERE id = $1`, id)
	if notFound(err) {
		return nil, fmt.Errorf("store: user %d: %w", id, courses.ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("store: user %d: %w", id, err)
	}
	groups := make([]courses.NotificationGroup, len(off))
	for i, g := range off {
		groups[i] = courses.NotificationGroup(g)
	}
	return groups, nil
}

// SetNotificationsOff replaces the notification groups a user turned off.
func (s *Store) SetNotificationsOff(ctx context.Context, id int64, off []courses.NotificationGroup) error {
	groups := pq.StringArray{}
	for _, g := range off {
		if !g.Valid() {
			return fmt.Errorf("store: notification group %q: %w", g, courses.ErrInvalid)
		}
		groups = append(groups, string(g))
	}
	return s.updateUser(ctx, id, `UPDATE users SET notifications_off = $2, updated_at = now() WHERE id = $1`, id, groups)
}
