package courses

import (
	"bytes"
	"strings"
	"testing"
	"time"

	goical "github.com/emersion/go-ical"
)

// parseEvent reads the file with another iCalendar library than the one that wrote it.
func parseEvent(t *testing.T, b []byte) (*goical.Calendar, goical.Event) {
	t.Helper()
	cal, err := goical.NewDecoder(bytes.NewReader(b)).Decode()
	if err != nil {
		t.Fatalf("the file does not parse: %v\n%s", err, b)
	}
	events := cal.Events()
	if len(events) != 1 {
		t.Fatalf("%d events, want 1", len(events))
	}
	return cal, events[0]
}

func TestSessionCalendarHoldsTheSessionsInstantInUTC(t *testing.T) {
	guatemala := time.FixedZone("CST", -6*3600)
	lisbon := time.FixedZone("WET", 0)
	tests := []struct {
		name string
		in   SessionEvent
		want time.Time // the start, as an instant
	}{
		{"typed in Guatemala", SessionEvent{SessionID: 7, Host: "aula.example", StartsAt: time.Date(2026, 3, 10, 9, 0, 0, 0, guatemala),
			Minutes: 180, Summary: "Policía comunitaria — Guatemala, presencial", Location: "Aula 3; Academia, PNC"},
			time.Date(2026, 3, 10, 15, 0, 0, 0, time.UTC)},
		{"typed in Lisbon, ends next day", SessionEvent{SessionID: 8, StartsAt: time.Date(2026, 7, 1, 23, 30, 0, 0, lisbon),
			Minutes: 60, Summary: "Curso\r\nCohorte", Location: ""},
			time.Date(2026, 7, 1, 23, 30, 0, 0, time.UTC)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, err := SessionCalendar(tt.in)
			if err != nil {
				t.Fatal(err)
			}
			cal, ev := parseEvent(t, b)
			if m, _ := cal.Props.Text(goical.PropMethod); m != "PUBLISH" {
				t.Errorf("METHOD %q, want PUBLISH", m)
			}
			start, err := ev.DateTimeStart(time.UTC)
			if err != nil || !start.Equal(tt.want) {
				t.Errorf("DTSTART %v (%v), want %v", start, err, tt.want)
			}
			if raw := ev.Props.Get(goical.PropDateTimeStart).Value; !strings.HasSuffix(raw, "Z") {
				t.Errorf("DTSTART %q is not in UTC", raw)
			}
			end, err := ev.DateTimeEnd(time.UTC)
			if err != nil || !end.Equal(tt.want.Add(time.Duration(tt.in.Minutes)*time.Minute)) {
				t.Errorf("DTEND %v (%v), want %d minutes after the start", end, err, tt.in.Minutes)
			}
			if uid, _ := ev.Props.Text(goical.PropUID); uid != SessionUID(tt.in.SessionID, tt.in.Host) {
				t.Errorf("UID %q", uid)
			}
			if s, _ := ev.Props.Text(goical.PropSummary); s != oneLine(tt.in.Summary) {
				t.Errorf("SUMMARY %q, want %q", s, oneLine(tt.in.Summary))
			}
			if l, _ := ev.Props.Text(goical.PropLocation); l != tt.in.Location {
				t.Errorf("LOCATION %q, want %q", l, tt.in.Location)
			}
		})
	}
}

func TestSessionUIDIsStableAndPerSession(t *testing.T) {
	if SessionUID(3, "a.example") != SessionUID(3, "a.example") || SessionUID(3, "a.example") == SessionUID(4, "a.example") {
		t.Error("a session's UID changes, or two sessions share one")
	}
	if got := SessionUID(3, ""); got != "session-3@aula" {
		t.Errorf("without a host: %q", got)
	}
}

func TestSessionCalendarRefusesAnEventWithoutATime(t *testing.T) {
	for _, e := range []SessionEvent{{}, {SessionID: 1, StartsAt: time.Now()}, {SessionID: 1, Minutes: 30}} {
		if _, err := SessionCalendar(e); err == nil {
			t.Errorf("%+v: no error", e)
		}
	}
}

func TestZonedTimeIsInTheServersZoneWithItsName(t *testing.T) {
	at := time.Date(2026, 3, 10, 15, 0, 0, 0, time.UTC)
	guatemala, err := time.LoadLocation("America/Guatemala")
	if err != nil {
		t.Skip("no time zone database")
	}
	tests := []struct {
		loc  *time.Location
		want string
	}{
		{guatemala, "2026-03-10 09:00 CST (America/Guatemala)"},
		{time.UTC, "2026-03-10 15:00 UTC"},
		{time.FixedZone("BRT", -3*3600), "2026-03-10 12:00 BRT"},
	}
	for _, tt := range tests {
		if got := ZonedTime(at, tt.loc); got != tt.want {
			t.Errorf("%s: %q, want %q", tt.loc, got, tt.want)
		}
	}
}
