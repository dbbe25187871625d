package courses

import (
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"
	"unicode/utf8"
)

// A certificate's public code: CodeLength symbols of Crockford's base32 (no I, L, O, U, so a
// person reading it aloud or typing it from paper cannot confuse them), the last a check symbol
// (Luhn mod 32), shown in groups of four. The first CodeLength-1 symbols carry 135 random bits.
const (
	CodeLength   = 28
	codeAlphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
)

var (
	// ErrCodeMistyped is a code that cannot be right: wrong length, a symbol no code has, or a
	// check symbol that does not match. The verification page says "mistyped", not "not found".
	ErrCodeMistyped = errors.New("certificate code mistyped")
)

// NewCode draws a code from r (crypto/rand in Aula).
func NewCode(r io.Reader) (string, error) {
	var b [CodeLength - 1]byte
	if _, err := io.ReadFull(r, b[:]); err != nil {
		return "", fmt.Errorf("certificate code: %w", err)
	}
	var s strings.Builder
	for _, x := range b {
		s.WriteByte(codeAlphabet[x&31])
	}
	body := s.String()
	return body + string(codeAlphabet[codeCheck(body)]), nil
}

// codeCheck is Luhn's mod-N algorithm over codeAlphabet: it catches every single wrong symbol
// and every swap of two neighbours but one, 0 and Z (values 0 and 31), which Luhn's
// algorithm cannot tell apart in either order.
func codeCheck(body string) int {
	const n = len(codeAlphabet)
	factor, sum := 2, 0
	for i := len(body) - 1; i >= 0; i-- {
		add := factor * strings.IndexByte(codeAlphabet, body[i])
		factor = 3 - factor
		sum += add/n + add%n
	}
	return (n - sum%n) % n
}

// ParseCode reads a code as a person types it: any case, spaces and dashes anywhere, and the
// letters O, I and L read as the digits they look like. It returns the canonical form.
func ParseCode(typed string) (string, error) {
	var s strings.Builder
	for _, r := range strings.ToUpper(typed) {
		switch {
		case r == ' ' || r == '-' || r == '\t':
			continue
		case r == 'O':
			r = '0'
		case r == 'I' || r == 'L':
			r = '1'
		case r > 127 || strings.IndexRune(codeAlphabet, r) < 0:
			return "", ErrCodeMistyped
		}
		if s.Len() == CodeLength {
			return "", ErrCodeMistyped
		}
		s.WriteRune(r)
	}
	code := s.String()
	if len(code) != CodeLength || codeAlphabet[codeCheck(code[:CodeLength-1])] != code[CodeLength-1] {
		return "", ErrCodeMistyped
	}
	return code, nil
}

// FormatCode groups a canonical code in fours: 7KQ2-9DXM-….
func FormatCode(code string) string {
	var s strings.Builder
	for i := 0; i < len(code); i += 4 {
		if i > 0 {
			s.WriteByte('-')
		}
		s.WriteString(code[i:min(i+4, len(code))])
	}
	return s.String()
}

// CertificateIssue is a course's rule for certificates.
type CertificateIssue string

const (
	IssueAuto   CertificateIssue = "auto"   // issued when a trainee completes the course
	IssueManual CertificateIssue = "manual" // issued by an administrator
	IssueNone   CertificateIssue = "none"   // the course gives no certificate
)

// CertificateIssues lists the rules in the order forms show them.
var CertificateIssues = []CertificateIssue{IssueAuto, IssueManual, IssueNone}

// Valid reports whether i is one of CertificateIssues.
func (i CertificateIssue) Valid() bool {
	for _, x := range CertificateIssues {
		if i == x {
			return true
		}
	}
	return false
}

// Signatory is a person whose name and title a course's certificates print.
type Signatory struct {
	Name  string `json:"name" yaml:"name"`
	Title string `json:"title" yaml:"title"`
}

// MaxSignatories is how many signatures fit on a certificate.
const MaxSignatories = 3

// CertificateSettings are a course's certificate rules.
type CertificateSettings struct {
	Issue       CertificateIssue
	ValidMonths int // 0: no expiry
	Signatories []Signatory
}

// DefaultCertificateSettings is a course's rule until its authors say otherwise.
var DefaultCertificateSettings = CertificateSettings{Issue: IssueAuto}

// MaxValidMonths bounds a certificate's validity (ten years).
const MaxValidMonths = 120

// Certificate is a course completion as the school attests it. The fields in Facts are
// signed at issue and never change; revocation and replacement are later facts about it.
type Certificate struct {
	ID            int64
	Facts         CertificateFacts
	KeyID         string
	Signature     []byte
	UserID        int64
	CourseID      int64
	CohortID      int64
	IssuedBy      int64 // 0: issued automatically on completion
	RevokedAt     time.Time
	RevokedReason string
	ReplacedBy    string // the code of the certificate that replaced this one
}

// CertificateFacts are what a certificate says, in the holder's language, as signed.
type CertificateFacts struct {
	Code        string      `json:"code"`
	Holder      string      `json:"holder"`
	Language    string      `json:"language"`
	School      string      `json:"school"`
	CourseSlug  string      `json:"course_slug"`
	Course      string      `json:"course"`
	Cohort      string      `json:"cohort"`
	Hours       int         `json:"hours"`
	CompletedOn string      `json:"completed_on"` // 2006-01-02
	IssuedAt    time.Time   `json:"issued_at"`    // UTC, to the second
	ExpiresOn   string      `json:"expires_on"`   // 2006-01-02, or "" for none
	Signatories []Signatory `json:"signatories"`
	// What the Open Badges credential says besides: its id (a UUID), the certificate's place
	// in the school's revocation list, and the address its holder identifier hashes. Signed
	// too, so that no one can move a certificate to another's place in the list unseen.
	CredentialID string `json:"credential_id"`
	StatusIndex  int    `json:"status_index"`
	HolderEmail  string `json:"holder_email"`
}

// certificateFormat names the canonical form, so that a later change of form cannot be
// mistaken for this one.
const certificateFormat = "aula-certificate-v1\n"

// Canonical is the byte string the school signs: a fixed prefix, then the facts as JSON with
// fields in a fixed order, times in UTC to the second and no insignificant space.
func (f CertificateFacts) Canonical() []byte {
	f.IssuedAt = f.IssuedAt.UTC().Truncate(time.Second)
	if f.Signatories == nil {
		f.Signatories = []Signatory{}
	}
	b, err := json.Marshal(f)
	if err != nil {
		panic(err) // plain strings, ints and a time: cannot fail
	}
	return append([]byte(certificateFormat), b...)
}

// Digest is the SHA-256 of the canonical form; the issuance log records it.
func (f CertificateFacts) Digest() []byte {
	d := sha256.Sum256(f.Canonical())
	return d[:]
}

// SignCertificate signs the facts with key.
func SignCertificate(f CertificateFacts, key ed25519.PrivateKey) []byte {
	return ed25519.Sign(key, f.Canonical())
}

// CertificateStatus is what verification answers.
type CertificateStatus string

const (
	CertificateValid    CertificateStatus = "valid"
	CertificateRevoked  CertificateStatus = "revoked"
	CertificateExpired  CertificateStatus = "expired"
	CertificateNotFound CertificateStatus = "not_found"
	CertificateMistyped CertificateStatus = "mistyped"
	// CertificateInvalid is a record whose signature does not hold: changed after issue, or
	// signed by a key the school does not have.
	CertificateInvalid CertificateStatus = "invalid_signature"
)

// Status is the certificate's status at now, after checking its signature with the public
// key its KeyID names (nil when the school has no such key). A reissued certificate is
// revoked: the reason says which replaced it.
func (c Certificate) Status(pub ed25519.PublicKey, now time.Time) CertificateStatus {
	return c.StatusGiven(c.SignatureHolds(pub), now)
}

// SignatureHolds reports whether the certificate's signature holds over what it says, under
// pub (nil when the school has no key of that id).
func (c Certificate) SignatureHolds(pub ed25519.PublicKey) bool {
	return len(pub) == ed25519.PublicKeySize && ed25519.Verify(pub, c.Facts.Canonical(), c.Signature)
}

// StatusGiven is Status once the signature has been checked (signed says how it went).
func (c Certificate) StatusGiven(signed bool, now time.Time) CertificateStatus {
	if !signed {
		return CertificateInvalid
	}
	if !c.RevokedAt.IsZero() || c.ReplacedBy != "" {
		return CertificateRevoked
	}
	if c.Facts.ExpiresOn != "" && now.UTC().Format(time.DateOnly) > c.Facts.ExpiresOn {
		return CertificateExpired
	}
	return CertificateValid
}

// ExpiresOn is the last day a certificate issued on issued stays valid, or "" when the
// course's certificates do not expire. A certificate of 24 months issued on 2026-03-31 is
// valid up to and including 2028-03-30. Validity counts from the issue, not the completion:
// a certificate an administrator issues late is not born expired.
func ExpiresOn(issued time.Time, months int) string {
	if months <= 0 {
		return ""
	}
	y, m, d := issued.Date()
	end := time.Date(y, m+time.Month(months), 1, 0, 0, 0, 0, time.UTC)
	// The same day of the month, or the month's last day when it has fewer days.
	last := end.AddDate(0, 1, -1).Day()
	end = time.Date(end.Year(), end.Month(), min(d, last), 0, 0, 0, 0, time.UTC)
	return end.AddDate(0, 0, -1).Format(time.DateOnly)
}

// RenewalWindow is how long before its expiry a certificate may be renewed, at most: a
// quarter of its validity, when that is shorter (a certificate of three months is renewable
// in its last three weeks, not from its first day).
const RenewalWindow = 90 * 24 * time.Hour

// RenewalWindowFor is the renewal window of a course whose certificates last months.
func RenewalWindowFor(months int) time.Duration {
	return min(RenewalWindow, time.Duration(months)*30*24*time.Hour/4)
}

// ReissueExpiry is the expiry of a certificate reissued at now in place of one that expires
// on oldExpires ("" for never), for a course whose certificates last months (0: they no
// longer expire, and neither does the new one). A reissue of a certificate that has expired,
// or will within RenewalWindowFor(months), is a renewal: it is valid for months from now.
// Any other reissue (a corrected name) keeps the old expiry, so a correction never lengthens
// a certificate's life; one that never expired is valid for months from now if the course
// has since set a validity.
func ReissueExpiry(oldExpires string, months int, now time.Time) string {
	if months <= 0 {
		return ""
	}
	if oldExpires == "" || now.UTC().Add(RenewalWindowFor(months)).Format(time.DateOnly) > oldExpires {
		return ExpiresOn(now.UTC(), months)
	}
	return oldExpires
}

// MaxReasonLength bounds a revocation's or reissue's reason, which the public page shows.
const MaxReasonLength = 500

// KeyReasonRequired is the translation key of a revocation, un-revocation or reissue without
// its reason.
const KeyReasonRequired = "error.certificate.reason_required"

// ParseReason cleans a reason an administrator typed (one is required) and returns it, or the
// translation key of what is wrong with it.
func ParseReason(s string) (string, string) {
	if !ValidText(s) {
		return "", KeyBadCharacters
	}
	s = strings.TrimSpace(s)
	switch {
	case s == "":
		return "", KeyReasonRequired
	case utf8.RuneCountInString(s) > MaxReasonLength:
		return "", KeyTooLong
	}
	return s, ""
}
