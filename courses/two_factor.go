package courses

import (
	"crypto/subtle"
	"encoding/base32"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"
)

// TwoFactorPolicy says which roles must sign in with a second factor (AULA_TWO_FACTOR_REQUIRED).
// The zero value requires it of nobody.
type TwoFactorPolicy string

const (
	TwoFactorNone   TwoFactorPolicy = "none"
	TwoFactorAdmins TwoFactorPolicy = "admin"
	TwoFactorStaff  TwoFactorPolicy = "staff" // instructors and admins
)

// ParseTwoFactorPolicy reads the policy's name; anything else is not a policy.
func ParseTwoFactorPolicy(s string) (TwoFactorPolicy, bool) {
	switch p := TwoFactorPolicy(strings.TrimSpace(s)); p {
	case TwoFactorNone, TwoFactorAdmins, TwoFactorStaff:
		return p, true
	}
	return "", false
}

// Requires says whether someone of role must have a second factor to use Aula.
func (p TwoFactorPolicy) Requires(role Role) bool {
	switch p {
	case TwoFactorAdmins:
		return role == RoleAdmin
	case TwoFactorStaff:
		return role == RoleAdmin || role == RoleInstructor
	}
	return false
}

// MayEnrolTwoFactor says whether role may turn a second factor on: the people who author
// courses or run the school. A trainee's account holds nothing of anyone else's.
func MayEnrolTwoFactor(role Role) bool { return role == RoleAdmin || role == RoleInstructor }

// TwoFactor is where an account's second factor stands.
type TwoFactor struct {
	On           bool
	EnabledAt    time.Time
	RecoveryLeft int // recovery codes not yet used
}

// Why a second factor is refused; their messages are translation keys.
var (
	ErrWrongCode        error = &checkInError{"error.two_factor.code", ErrForbidden}
	ErrEnrolmentExpired error = &checkInError{"error.two_factor.expired", ErrNotFound}
)

// TOTP parameters: those every authenticator app takes for granted (RFC 6238's defaults).
const (
	TOTPPeriod     = 30 * time.Second
	TOTPDigits     = 6
	TOTPSecretSize = 20 // bytes: 160 bits, as RFC 4226 recommends
	// TOTPSkew is how many steps either side of now a code is still taken at: a phone's
	// clock a little off, or a code typed as it changed.
	TOTPSkew = 1
)

var totpOpts = totp.ValidateOpts{Period: uint(TOTPPeriod / time.Second), Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1}

// TOTPStep is the time step t falls in.
func TOTPStep(t time.Time) int64 { return t.Unix() / int64(TOTPPeriod/time.Second) }

// NewTOTPSecret draws a secret from r.
func NewTOTPSecret(r io.Reader) ([]byte, error) {
	b := make([]byte, TOTPSecretSize)
	if _, err := io.ReadFull(r, b); err != nil {
		return nil, fmt.Errorf("courses: totp secret: %w", err)
	}
	return b, nil
}

// TOTPKey is a secret as an authenticator app takes it: the base32 text for manual entry
// and the otpauth:// URL its QR code holds.
type TOTPKey struct {
	Secret string
	URL    string
}

// Groups splits the secret into groups of four, for reading it off the screen.
func (k TOTPKey) Groups() []string { return groupsOf(k.Secret, 4) }

// NewTOTPKey names secret for issuer (the school) and account (the email).
func NewTOTPKey(issuer, account string, secret []byte) (TOTPKey, error) {
	key, err := totp.Generate(totp.GenerateOpts{Issuer: issuer, AccountName: account, Secret: secret,
		Period: totpOpts.Period, Digits: totpOpts.Digits, Algorithm: totpOpts.Algorithm, SecretSize: TOTPSecretSize})
	if err != nil {
		return TOTPKey{}, fmt.Errorf("courses: totp key: %w", err)
	}
	return TOTPKey{Secret: key.Secret(), URL: key.URL()}, nil
}

// TOTPCode is the code an app shows for secret at t (for tests and the demo).
func TOTPCode(secret []byte, t time.Time) (string, error) {
	return totp.GenerateCodeCustom(base32NoPad(secret), t, totpOpts)
}

// MatchTOTP finds the step, within TOTPSkew of now and later than after, whose code is code:
// a code of a step already used (after) or earlier is refused, so that a code seen over a
// shoulder or in a proxy's log cannot be played again.
func MatchTOTP(secret []byte, code string, now time.Time, after int64) (int64, bool) {
	code, ok := NormalizeTOTPCode(code)
	if !ok {
		return 0, false
	}
	s := base32NoPad(secret)
	step := TOTPStep(now)
	for d := int64(TOTPSkew); d >= -TOTPSkew; d-- {
		at := step + d
		if at <= after {
			continue
		}
		want, err := totp.GenerateCodeCustom(s, time.Unix(at*int64(TOTPPeriod/time.Second), 0), totpOpts)
		if err == nil && subtle.ConstantTimeCompare([]byte(want), []byte(code)) == 1 {
			return at, true
		}
	}
	return 0, false
}

// NormalizeTOTPCode reads a code as people type it ("123 456", "123-456"): six digits.
func NormalizeTOTPCode(s string) (string, bool) {
	s = stripSeparators(s)
	if len(s) != TOTPDigits {
		return "", false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return "", false
		}
	}
	return s, true
}

// Recovery codes are Crockford's base32 in lower case: no i, l, o or u, so that none is
// mistaken for another, and typed o, i and l are read as 0, 1 and 1.
const (
	RecoveryCodeCount  = 10
	RecoveryCodeLength = 12 // characters: 60 random bits
	recoveryAlphabet   = "0123456789abcdefghjkmnpqrstvwxyz"
)

// NewRecoveryCodes draws n recovery codes from r, in their canonical form (no dashes).
func NewRecoveryCodes(r io.Reader, n int) ([]string, error) {
	buf := make([]byte, RecoveryCodeLength*n)
	if _, err := io.ReadFull(r, buf); err != nil {
		return nil, fmt.Errorf("courses: recovery codes: %w", err)
	}
	codes := make([]string, n)
	for i := range codes {
		b := make([]byte, RecoveryCodeLength)
		for j := range b {
			b[j] = recoveryAlphabet[buf[i*RecoveryCodeLength+j]&31] // 256 is a multiple of 32: uniform
		}
		codes[i] = string(b)
	}
	return codes, nil
}

// FormatRecoveryCode writes a canonical code as it is shown: xxxx-xxxx-xxxx.
func FormatRecoveryCode(code string) string { return strings.Join(groupsOf(code, 4), "-") }

// NormalizeRecoveryCode reads a recovery code as typed: any case, spaces and dashes
// anywhere, o for 0 and i or l for 1. It returns the canonical code.
func NormalizeRecoveryCode(s string) (string, bool) {
	s = strings.Map(func(r rune) rune {
		switch r {
		case 'o':
			return '0'
		case 'i', 'l':
			return '1'
		}
		return r
	}, strings.ToLower(stripSeparators(s)))
	if len(s) != RecoveryCodeLength {
		return "", false
	}
	for _, r := range s {
		if !strings.ContainsRune(recoveryAlphabet, r) {
			return "", false
		}
	}
	return s, true
}

func stripSeparators(s string) string {
	return strings.Map(func(r rune) rune {
		switch r {
		case ' ', '\t', '-', '\u00a0':
			return -1
		}
		return r
	}, strings.TrimSpace(s))
}

func groupsOf(s string, n int) []string {
	var out []string
	for len(s) > n {
		out = append(out, s[:n])
		s = s[n:]
	}
	if s != "" {
		out = append(out, s)
	}
	return out
}

func base32NoPad(b []byte) string {
	return base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(b)
}
