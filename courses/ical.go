package courses

import (
	"fmt"
	"strings"
	"time"

	ics "github.com/arran4/golang-ical"
)

// SessionEvent is an in-person session as a calendar shows it.
type SessionEvent struct {
	SessionID int64
	Host      string // the school's host name, which makes the event's UID unique beyond it
	StartsAt  time.Time
	Minutes   int
	Summary   string // the course and the cohort
	Location  string
	URL       string // the course's page, absolute; "" for none
	Stamp     time.Time
}

// SessionUID names a session's event for every calendar: the same in every reminder of it, so
// a calendar that receives a second one updates the event instead of adding another.
func SessionUID(sessionID int64, host string) string {
	if host == "" {
		host = "aula"
	}
	return fmt.Sprintf("session-%d@%s", sessionID, host)
}

// SessionCalendar is the iCalendar file (RFC 5545) of a reminder: one VEVENT, METHOD:PUBLISH
// (a notice, not an invitation to answer), its times in UTC: the session's instant, whatever
// the zone of whoever opens it.
func SessionCalendar(e SessionEvent) ([]byte, error) {
	if e.SessionID <= 0 || e.StartsAt.IsZero() || e.Minutes <= 0 {
		return nil, fmt.Errorf("courses: session event %d: %w", e.SessionID, ErrInvalid)
	}
	cal := ics.NewCalendarFor("Aula")
	cal.SetMethod(ics.MethodPublish)
	ev := cal.AddEvent(SessionUID(e.SessionID, e.Host))
	stamp := e.Stamp
	if stamp.IsZero() {
		stamp = e.StartsAt
	}
	ev.SetDtStampTime(stamp)
	ev.SetStartAt(e.StartsAt)
	ev.SetEndAt(e.StartsAt.Add(time.Duration(e.Minutes) * time.Minute))
	ev.SetSummary(oneLine(e.Summary))
	if e.Location != "" {
		ev.SetLocation(oneLine(e.Location))
	}
	if e.URL != "" {
		ev.SetURL(e.URL)
	}
	return []byte(cal.Serialize()), nil
}

// oneLine keeps a text on one line: the library escapes a line feed but not a carriage return
// or a tab, which would break the file.
func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

// ZonedTime is an instant as an email shows it (a session's start, a quiz's close): the date
// and time in loc, the zone instructors type times in, with the zone's abbreviation and,
// where loc has one, its name.
func ZonedTime(t time.Time, loc *time.Location) string {
	t = t.In(loc)
	s := t.Format("2006-01-02 15:04 MST")
	if name := loc.String(); name != "" && name != "Local" && name != t.Format("MST") {
		s += " (" + name + ")"
	}
	return s
}
