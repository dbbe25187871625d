package courses

import (
	"crypto/subtle"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// CohortSession is one meeting of a cohort in a room. Trainees in the room
// prove they are there by typing (or scanning as a QR) its check-in code while
// the check-in window is open.
type CohortSession struct {
	ID, CohortID  int64
	StartsAt      time.Time
	Minutes       int
	Place         string
	Capacity      int    // 0 = no limit
	CheckInCode   string // 6 digits, from NewCheckInCode
	CheckInOpens  *time.Time
	CheckInCloses *time.Time // nil (either bound) = check-in not opened
}

// checkInError is a sentinel error whose message is its translation key and
// which is also of the kind it wraps, so handlers can both show it and map it
// to a status code.
type checkInError struct {
	key  string
	kind error
}

func (e *checkInError) Error() string { return e.key }
func (e *checkInError) Unwrap() error { return e.kind }

// Why a check-in is refused. Both are ErrInvalid; their messages are translation keys.
var (
	ErrCheckInClosed error = &checkInError{"error.checkin.closed", ErrInvalid}
	ErrCheckInCode   error = &checkInError{"error.checkin.code", ErrInvalid}
)

// CheckInCodeDigits is the length of a check-in code: short enough to read
// aloud and type on a phone; guessing it is stopped by the window and by the
// handlers' rate limit, not by its length.
const CheckInCodeDigits = 6

const (
	checkInCodeSpace = 1_000_000 // 10^CheckInCodeDigits
	// checkInCodeLimit is the largest multiple of checkInCodeSpace that fits in
	// a uint32's range; values at or above it are drawn again, so that every
	// code is exactly as likely (taking the remainder of any uint32 would make
	// the codes below 967296 slightly more likely).
	checkInCodeLimit = (1 << 32) / checkInCodeSpace * checkInCodeSpace
	// checkInCodeTries bounds the redraws: a true random source needs a second
	// draw once in about 4400, so 64 failures mean the source is broken.
	checkInCodeTries = 64
)

// NewCheckInCode draws a code of 6 decimal digits, each of the million codes
// equally likely, from r (crypto/rand.Reader in production; tests pass fixed bytes).
func NewCheckInCode(r io.Reader) (string, error) {
	var b [4]byte
	for range checkInCodeTries {
		if _, err := io.ReadFull(r, b[:]); err != nil {
			return "", fmt.Errorf("check-in code: %w", err)
		}
		if v := binary.BigEndian.Uint32(b[:]); v < checkInCodeLimit {
			return fmt.Sprintf("%0*d", CheckInCodeDigits, v%checkInCodeSpace), nil
		}
	}
	return "", errors.New("check-in code: the random source keeps giving out-of-range values")
}

// CheckIn checks a code typed at now. The window is checked first, so that
// outside it nothing is said about whether a code is right: opens <= now < closes.
// Spaces and dashes are ignored ("123 456", "123-456" are how people read codes
// aloud and phones group them), and the comparison takes the same time however
// many digits are right. A session without a code, or without both window
// bounds, accepts nothing.
func (s CohortSession) CheckIn(code string, now time.Time) error {
	if s.CheckInOpens == nil || s.CheckInCloses == nil || now.Before(*s.CheckInOpens) || !now.Before(*s.CheckInCloses) {
		return ErrCheckInClosed
	}
	want := normalizeCheckInCode(s.CheckInCode)
	got := normalizeCheckInCode(code)
	if want == "" || subtle.ConstantTimeCompare([]byte(want), []byte(got)) != 1 {
		return ErrCheckInCode
	}
	return nil
}

// normalizeCheckInCode drops spaces (including the no-break spaces phones
// insert) and dashes of every kind.
func normalizeCheckInCode(code string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) || unicode.Is(unicode.Pd, r) || r == '−' {
			return -1
		}
		return r
	}, code)
}

// SessionForm is what an instructor types to add a session: date YYYY-MM-DD, time HH:MM (24h).
type SessionForm struct{ Date, Time, Minutes, Place, Capacity string }

// DefaultSessionMinutes is a session's length when the form leaves it empty: a usual two-hour workshop.
const DefaultSessionMinutes = 120

// timeLayout is how the HTML time input writes a time of day.
const timeLayout = "15:04"

// ParseSession checks a session form. Date and time are read in loc, the zone
// of the place where the session happens (nil means UTC); a local time that does
// not exist because of a daylight-saving jump is moved as package time does.
// The errors map form fields (date, time, minutes, place, capacity) to
// translation keys; the check-in code and window are not part of the form.
func ParseSession(f SessionForm, loc *time.Location) (CohortSession, FieldErrors) {
	if loc == nil {
		loc = time.UTC
	}
	errs := FieldErrors{}
	s := CohortSession{Place: strings.TrimSpace(f.Place)}

	date, dateErr := time.ParseInLocation(dateLayout, strings.TrimSpace(f.Date), loc)
	if dateErr != nil {
		errs["date"] = "error.date.invalid"
	}
	clock, timeErr := time.Parse(timeLayout, strings.TrimSpace(f.Time))
	if timeErr != nil {
		errs["time"] = "error.session.time_invalid"
	}
	if dateErr == nil && timeErr == nil {
		s.StartsAt = time.Date(date.Year(), date.Month(), date.Day(), clock.Hour(), clock.Minute(), 0, 0, loc)
	}

	s.Minutes = DefaultSessionMinutes
	if m := strings.TrimSpace(f.Minutes); m != "" {
		var ok bool
		if s.Minutes, ok = parseBoundedInt(m, 1, 24*60); !ok {
			errs["minutes"] = "error.session.minutes_invalid"
		}
	}

	switch n := utf8.RuneCountInString(s.Place); {
	case n == 0:
		errs["place"] = "error.session.place_required"
	case n > MaxLocationLength:
		errs["place"] = "error.session.place_too_long"
	}

	var ok bool
	if s.Capacity, ok = parseCapacity(f.Capacity); !ok {
		errs["capacity"] = "error.capacity.invalid"
	}
	refuseBadCharacters(errs, map[string]string{"date": f.Date, "time": f.Time, "minutes": f.Minutes,
		"place": f.Place, "capacity": f.Capacity}, nil)
	return s, errs
}
