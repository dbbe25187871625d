package courses

import (
	"crypto/sha256"
	"crypto/subtle"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// CohortMode is how a cohort's trainees meet: it decides whether a cohort
// needs a place and whether attendance counts towards completion.
type CohortMode string

const (
	ModeOnline   CohortMode = "online"
	ModeInPerson CohortMode = "in_person"
	ModeBlended  CohortMode = "blended"
)

// CohortModes lists every mode in the order forms show them.
var CohortModes = []CohortMode{ModeOnline, ModeInPerson, ModeBlended}

// Valid reports whether m is one of CohortModes.
func (m CohortMode) Valid() bool {
	for _, x := range CohortModes {
		if m == x {
			return true
		}
	}
	return false
}

// MeetsInPerson reports whether the cohort has sessions in a room, which is
// what makes a place required and attendance count.
func (m CohortMode) MeetsInPerson() bool { return m == ModeInPerson || m == ModeBlended }

// EnrolmentPolicy is who may join a cohort on their own.
type EnrolmentPolicy string

const (
	PolicyOpen     EnrolmentPolicy = "open"     // anyone signed in
	PolicyKey      EnrolmentPolicy = "key"      // whoever knows the cohort's key
	PolicyApproval EnrolmentPolicy = "approval" // anyone may ask; an instructor decides
)

// EnrolmentPolicies lists every policy in the order forms show them.
var EnrolmentPolicies = []EnrolmentPolicy{PolicyOpen, PolicyKey, PolicyApproval}

// Valid reports whether p is one of EnrolmentPolicies.
func (p EnrolmentPolicy) Valid() bool {
	for _, x := range EnrolmentPolicies {
		if p == x {
			return true
		}
	}
	return false
}

// EnrolmentStatus is where a trainee's place in a cohort stands.
type EnrolmentStatus string

const (
	EnrolmentPending   EnrolmentStatus = "pending" // awaiting an instructor's approval
	EnrolmentWaiting   EnrolmentStatus = "waiting" // on the waiting list of a full cohort
	EnrolmentActive    EnrolmentStatus = "active"
	EnrolmentWithdrawn EnrolmentStatus = "withdrawn"
	EnrolmentRejected  EnrolmentStatus = "rejected"
)

// EnrolmentStatuses lists every status.
var EnrolmentStatuses = []EnrolmentStatus{EnrolmentPending, EnrolmentWaiting, EnrolmentActive, EnrolmentWithdrawn, EnrolmentRejected}

// Valid reports whether s is one of EnrolmentStatuses.
func (s EnrolmentStatus) Valid() bool {
	for _, x := range EnrolmentStatuses {
		if s == x {
			return true
		}
	}
	return false
}

// Enrolment is one person's place in a course, through one of its cohorts.
type Enrolment struct {
	ID, CohortID, CourseID, UserID int64
	Status                         EnrolmentStatus
	LastLessonID                   int64      // the lesson last read; 0 = none yet
	LastActivityAt                 *time.Time // nil = no activity yet
	CompletedAt                    *time.Time // nil = not completed
	Position                       int        // place on the waiting list, 1 first; 0 when not waiting
}

// NewAccount is an account bulk enrolment created, with the token of its one-time link.
type NewAccount struct {
	Email    string
	FullName string
	Token    string
}

// BulkResult says what a bulk enrolment did.
type BulkResult struct {
	Created  []NewAccount // accounts that did not exist; they set their password with the link
	Enrolled int          // people put into the cohort (new accounts included)
	Skipped  []string     // emails already enrolled in the course: left as they were
}

// AttendanceStatus is what an instructor records for a trainee at a session.
type AttendanceStatus string

const (
	AttendancePresent AttendanceStatus = "present"
	AttendanceAbsent  AttendanceStatus = "absent"
	AttendanceExcused AttendanceStatus = "excused" // absent with a reason: does not count against the trainee
)

// AttendanceStatuses lists every status an instructor can record.
var AttendanceStatuses = []AttendanceStatus{AttendancePresent, AttendanceAbsent, AttendanceExcused}

// Valid reports whether s is one of AttendanceStatuses. The empty value (not
// recorded) is not valid: it is never stored, only the absence of a record.
func (s AttendanceStatus) Valid() bool {
	for _, x := range AttendanceStatuses {
		if s == x {
			return true
		}
	}
	return false
}

// Cohort is one group of trainees taking a course together, with its dates,
// place and rules for joining.
type Cohort struct {
	ID, CourseID     int64
	Name             string
	StartsOn, EndsOn *time.Time // dates (no time of day); nil = not set
	Capacity         int        // 0 = no limit
	Mode             CohortMode
	Location         string // required for in_person and blended
	Policy           EnrolmentPolicy
	Key              string // the enrolment key, for Policy == "key"
	IsDefault        bool   // the open, self-paced cohort every course has
}

// CohortSummary is a cohort with how many people are in it, waiting, or awaiting approval.
type CohortSummary struct {
	Cohort
	Active, Waiting, Pending int
}

// Limits on what instructors type about cohorts and sessions.
const (
	MaxCohortNameLength = 200
	MaxLocationLength   = 300
	MaxCapacity         = 100000
	MinCohortKeyLength  = 4
	MaxCohortKeyLength  = 100
)

// dateLayout is how forms and files write dates: the HTML date input's format.
const dateLayout = "2006-01-02"

// CohortForm is what an instructor types; ParseCohort checks it and returns the cohort or per-field errors (keys).
type CohortForm struct{ Name, StartsOn, EndsOn, Capacity, Mode, Location, Policy, Key string }

// Values gives the form back as its fields, to show it again with what was typed.
func (f CohortForm) Values() map[string]string {
	return map[string]string{"name": f.Name, "starts_on": f.StartsOn, "ends_on": f.EndsOn, "capacity": f.Capacity,
		"mode": f.Mode, "location": f.Location, "policy": f.Policy, "key": f.Key}
}

// ParseCohort checks a cohort form. The cohort it returns holds what could be
// read even when there are errors; ID, CourseID and IsDefault are left zero for
// the caller. The errors map form fields (name, starts_on, ends_on, capacity,
// mode, location, policy, key) to translation keys; it is empty, not nil, when
// all is well.
func ParseCohort(f CohortForm) (Cohort, FieldErrors) {
	errs := FieldErrors{}
	c := Cohort{
		Name:     strings.Join(strings.Fields(f.Name), " "),
		Mode:     CohortMode(strings.TrimSpace(f.Mode)),
		Location: strings.TrimSpace(f.Location),
		Policy:   EnrolmentPolicy(strings.TrimSpace(f.Policy)),
		Key:      strings.TrimSpace(f.Key),
	}

	switch n := utf8.RuneCountInString(c.Name); {
	case n == 0:
		errs["name"] = "error.cohort.name_required"
	case n > MaxCohortNameLength:
		errs["name"] = "error.cohort.name_too_long"
	}

	var ok bool
	if c.StartsOn, ok = parseOptionalDate(f.StartsOn); !ok {
		errs["starts_on"] = "error.date.invalid"
	}
	if c.EndsOn, ok = parseOptionalDate(f.EndsOn); !ok {
		errs["ends_on"] = "error.date.invalid"
	}
	// The same day is allowed: a one-day workshop starts and ends on it.
	if c.StartsOn != nil && c.EndsOn != nil && c.EndsOn.Before(*c.StartsOn) {
		errs["ends_on"] = "error.cohort.ends_before_starts"
	}

	if c.Capacity, ok = parseCapacity(f.Capacity); !ok {
		errs["capacity"] = "error.capacity.invalid"
	}

	if !c.Mode.Valid() {
		errs["mode"] = "error.cohort.mode_invalid"
	}
	if c.Mode.MeetsInPerson() {
		switch n := utf8.RuneCountInString(c.Location); {
		case n == 0:
			errs["location"] = "error.cohort.location_required"
		case n > MaxLocationLength:
			errs["location"] = "error.cohort.location_too_long"
		}
	} else {
		// An online cohort has no room; a place typed before the mode was
		// switched to online would otherwise show on its page as if it had one.
		c.Location = ""
	}

	if !c.Policy.Valid() {
		errs["policy"] = "error.cohort.policy_invalid"
	}
	if c.Policy == PolicyKey {
		switch n := utf8.RuneCountInString(c.Key); {
		case n == 0:
			errs["key"] = "error.cohort.key_required"
		case n < MinCohortKeyLength || n > MaxCohortKeyLength:
			errs["key"] = "error.cohort.key_length"
		}
	} else {
		// A key left over from an earlier policy must not keep working, or be shown.
		c.Key = ""
	}
	refuseBadCharacters(errs, map[string]string{"name": f.Name, "starts_on": f.StartsOn, "ends_on": f.EndsOn,
		"capacity": f.Capacity, "location": f.Location, "key": f.Key}, nil)
	return c, errs
}

// parseOptionalDate reads a YYYY-MM-DD date as midnight UTC; empty is nil.
// The second result is false when s is not empty and not such a date
// (including impossible ones like 2025-02-30).
func parseOptionalDate(s string) (*time.Time, bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil, true
	}
	d, err := time.Parse(dateLayout, s)
	if err != nil {
		return nil, false
	}
	return &d, true
}

// parseCapacity reads a number of places: empty is 0 (no limit). Only plain
// digits are taken, so "1.000" (a thousands separator in es/pt) is refused
// rather than read as 1.
func parseCapacity(s string) (int, bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, true
	}
	return parseBoundedInt(s, 0, MaxCapacity)
}

// parseBoundedInt reads a whole number of ASCII digits within [lo, hi].
func parseBoundedInt(s string, lo, hi int) (int, bool) {
	if s == "" || len(s) > 9 {
		return 0, false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, false
		}
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < lo || n > hi {
		return 0, false
	}
	return n, true
}

// KeyMatches reports whether typed is the cohort's enrolment key. Spaces around
// it are ignored (they come with copy and paste); case is not, so that a key
// keeps all the strength its author gave it. Both sides are hashed before the
// constant-time comparison, so that neither the content nor the length of the
// key leaks through timing. A cohort without a key matches nothing.
func (c Cohort) KeyMatches(typed string) bool {
	if c.Key == "" {
		return false
	}
	want := sha256.Sum256([]byte(strings.TrimSpace(c.Key)))
	got := sha256.Sum256([]byte(strings.TrimSpace(typed)))
	return subtle.ConstantTimeCompare(want[:], got[:]) == 1
}

// Full reports whether active enrolments have taken every place. A cohort
// without a capacity is never full.
func (c Cohort) Full(active int) bool {
	return c.Capacity > 0 && active >= c.Capacity
}

// Open reports whether the cohort still takes enrolments at now: until the end
// of its EndsOn day, or always when it has no end. Dates are compared in UTC,
// the one zone every instance agrees on, so a cohort closes at the same moment
// for everyone (in the Americas, up to a few hours before local midnight).
// EndsOn is read by its calendar date whatever its zone, because a date column
// may come back from the database in any zone. Starting later does not stop
// enrolment: people join before the first day.
func (c Cohort) Open(now time.Time) bool {
	if c.EndsOn == nil {
		return true
	}
	return !utcDate(now).After(calendarDate(*c.EndsOn))
}

// utcDate is midnight UTC of t's date in UTC.
func utcDate(t time.Time) time.Time { return calendarDate(t.UTC()) }

// calendarDate is midnight UTC of t's date in t's own zone.
func calendarDate(t time.Time) time.Time {
	y, m, d := t.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}
