package courses

import (
	"bytes"
	"crypto/rand"
	"errors"
	"strings"
	"testing"
	"time"
)

func TestNewCheckInCodeDrawsSixDigitsWithoutBias(t *testing.T) {
	tests := []struct {
		name  string
		bytes []byte
		want  string
	}{
		{"zero keeps its leading zeros", []byte{0, 0, 0, 0}, "000000"},
		{"small value", []byte{0, 0, 0, 42}, "000042"},
		{"remainder of a large value", []byte{0x00, 0x0f, 0x42, 0x40}, "000000"}, // 1_000_000
		{"largest value taken", be32(4_293_999_999), "999999"},
		{"value in the biased tail is drawn again", append(be32(4_294_000_000), 0, 0, 0, 7), "000007"},
		{"largest uint32 is drawn again", append(be32(0xffffffff), be32(123456)...), "123456"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := NewCheckInCode(bytes.NewReader(tt.bytes))
			if err != nil || got != tt.want {
				t.Fatalf("NewCheckInCode = %q, %v; want %q", got, err, tt.want)
			}
		})
	}
}

func be32(v uint32) []byte { return []byte{byte(v >> 24), byte(v >> 16), byte(v >> 8), byte(v)} }

func TestNewCheckInCodeFailsWithABrokenSource(t *testing.T) {
	tests := map[string][]byte{
		"empty source":                   nil,
		"source ends mid-draw":           {1, 2, 3},
		"source only gives biased tails": bytes.Repeat([]byte{0xff}, 4*64),
	}
	for name, b := range tests {
		if code, err := NewCheckInCode(bytes.NewReader(b)); err == nil {
			t.Errorf("%s: got %q, want an error", name, code)
		}
	}
}

func TestNewCheckInCodeSpreadsCodesEvenly(t *testing.T) {
	// Leading digits of 20,000 codes: each should appear about 2,000 times. A
	// chi-square over 50 (9 degrees of freedom) happens by chance about once in
	// ten million runs; a bias of a few percent on one digit makes it certain.
	var counts [10]int
	const n = 20_000
	for range n {
		code, err := NewCheckInCode(rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		if len(code) != 6 || strings.Trim(code, "0123456789") != "" {
			t.Fatalf("code %q is not 6 digits", code)
		}
		counts[code[0]-'0']++
	}
	chi := 0.0
	for _, c := range counts {
		d := float64(c) - n/10
		chi += d * d / (n / 10)
	}
	if chi > 50 {
		t.Fatalf("leading digits %v: chi-square %.1f", counts, chi)
	}
}

func TestCheckInOnlyWithTheCodeWhileTheWindowIsOpen(t *testing.T) {
	opens := time.Date(2026, 3, 2, 14, 45, 0, 0, time.UTC)
	closes := opens.Add(45 * time.Minute)
	open := CohortSession{CheckInCode: "042917", CheckInOpens: &opens, CheckInCloses: &closes}
	during := opens.Add(10 * time.Minute)
	tests := []struct {
		name    string
		session CohortSession
		code    string
		now     time.Time
		want    error
	}{
		{"right code in the window", open, "042917", during, nil},
		{"the moment it opens", open, "042917", opens, nil},
		{"just before it closes", open, "042917", closes.Add(-time.Nanosecond), nil},
		{"grouped with a space", open, "042 917", during, nil},
		{"grouped with a dash", open, "042-917", during, nil},
		{"no-break spaces and an en dash from a phone", open, "\u00a0042\u2013917 ", during, nil},
		{"wrong code", open, "042918", during, ErrCheckInCode},
		{"code missing a digit", open, "42917", during, ErrCheckInCode},
		{"code with a digit too many", open, "0429170", during, ErrCheckInCode},
		{"empty code", open, "", during, ErrCheckInCode},
		{"before it opens, even with the right code", open, "042917", opens.Add(-time.Second), ErrCheckInClosed},
		{"the moment it closes", open, "042917", closes, ErrCheckInClosed},
		{"wrong code after it closes says closed", open, "000000", closes.Add(time.Hour), ErrCheckInClosed},
		{"no window", CohortSession{CheckInCode: "042917"}, "042917", during, ErrCheckInClosed},
		{"only an opening", CohortSession{CheckInCode: "042917", CheckInOpens: &opens}, "042917", during, ErrCheckInClosed},
		{"session without a code accepts nothing", CohortSession{CheckInOpens: &opens, CheckInCloses: &closes}, "", during, ErrCheckInCode},
		{"session without a code refuses dashes only", CohortSession{CheckInOpens: &opens, CheckInCloses: &closes}, " - ", during, ErrCheckInCode},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := tt.session.CheckIn(tt.code, tt.now); err != tt.want {
				t.Fatalf("CheckIn(%q) = %v, want %v", tt.code, err, tt.want)
			}
		})
	}
}

func TestCheckInErrorsAreInvalidAndNamedByTranslationKeys(t *testing.T) {
	for err, key := range map[error]string{ErrCheckInClosed: "error.checkin.closed", ErrCheckInCode: "error.checkin.code"} {
		if !errors.Is(err, ErrInvalid) {
			t.Errorf("%v is not ErrInvalid", err)
		}
		if err.Error() != key {
			t.Errorf("message %q, want %q", err.Error(), key)
		}
	}
	if errors.Is(ErrCheckInClosed, ErrCheckInCode) {
		t.Error("the two errors are one")
	}
}

func TestParseSessionReadsDateAndTimeInThePlacesZone(t *testing.T) {
	bogota := time.FixedZone("COT", -5*3600)
	s, errs := ParseSession(SessionForm{Date: "2026-03-02", Time: "09:30", Minutes: "", Place: " Alcaldía de Medellín, sala 3 ", Capacity: "25"}, bogota)
	if len(errs) != 0 {
		t.Fatalf("errors = %v", errs)
	}
	if !s.StartsAt.Equal(time.Date(2026, 3, 2, 14, 30, 0, 0, time.UTC)) || s.Minutes != 120 || s.Place != "Alcaldía de Medellín, sala 3" || s.Capacity != 25 {
		t.Fatalf("session = %+v", s)
	}
	if s.CheckInCode != "" || s.CheckInOpens != nil {
		t.Fatalf("the form set check-in fields: %+v", s)
	}
	if s, _ := ParseSession(SessionForm{Date: "2026-03-02", Time: "23:59", Place: "x"}, nil); !s.StartsAt.Equal(time.Date(2026, 3, 2, 23, 59, 0, 0, time.UTC)) {
		t.Fatalf("nil zone: starts at %v, want UTC", s.StartsAt)
	}
}

func TestParseSessionReportsEachField(t *testing.T) {
	valid := func() SessionForm {
		return SessionForm{Date: "2026-03-02", Time: "14:00", Minutes: "90", Place: "Sala 3", Capacity: ""}
	}
	tests := []struct {
		name   string
		change func(*SessionForm)
		field  string
		key    string
	}{
		{"date missing", func(f *SessionForm) { f.Date = "" }, "date", "error.date.invalid"},
		{"date in day-month order", func(f *SessionForm) { f.Date = "02-03-2026" }, "date", "error.date.invalid"},
		{"impossible date", func(f *SessionForm) { f.Date = "2026-02-29" }, "date", "error.date.invalid"},
		{"time missing", func(f *SessionForm) { f.Time = "" }, "time", "error.session.time_invalid"},
		{"time 24:00", func(f *SessionForm) { f.Time = "24:00" }, "time", "error.session.time_invalid"},
		{"time with am/pm", func(f *SessionForm) { f.Time = "2:00 PM" }, "time", "error.session.time_invalid"},
		{"time without minutes", func(f *SessionForm) { f.Time = "14" }, "time", "error.session.time_invalid"},
		{"zero minutes", func(f *SessionForm) { f.Minutes = "0" }, "minutes", "error.session.minutes_invalid"},
		{"more than a day", func(f *SessionForm) { f.Minutes = "1441" }, "minutes", "error.session.minutes_invalid"},
		{"minutes as hours", func(f *SessionForm) { f.Minutes = "1.5" }, "minutes", "error.session.minutes_invalid"},
		{"place missing", func(f *SessionForm) { f.Place = "  " }, "place", "error.session.place_required"},
		{"place too long", func(f *SessionForm) { f.Place = strings.Repeat("p", 301) }, "place", "error.session.place_too_long"},
		{"capacity negative", func(f *SessionForm) { f.Capacity = "-5" }, "capacity", "error.capacity.invalid"},
		{"capacity too large", func(f *SessionForm) { f.Capacity = "100001" }, "capacity", "error.capacity.invalid"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := valid()
			tt.change(&f)
			s, errs := ParseSession(f, time.UTC)
			if errs[tt.field] != tt.key || len(errs) != 1 {
				t.Fatalf("errors = %v, want only %s=%s", errs, tt.field, tt.key)
			}
			if (tt.field == "date" || tt.field == "time") && !s.StartsAt.IsZero() {
				t.Fatalf("start set from a bad %s: %v", tt.field, s.StartsAt)
			}
		})
	}
}

func TestParseSessionAcceptsTheBoundaries(t *testing.T) {
	tests := []struct {
		name    string
		minutes string
		time    string
		want    int
	}{
		{"one minute", "1", "00:00", 1},
		{"a whole day", "1440", "23:59", 1440},
		{"empty is two hours", " ", "9:05", 120},
	}
	for _, tt := range tests {
		s, errs := ParseSession(SessionForm{Date: "2026-03-02", Time: tt.time, Minutes: tt.minutes, Place: "Sala"}, time.UTC)
		if len(errs) != 0 || s.Minutes != tt.want {
			t.Errorf("%s: minutes %d, errors %v", tt.name, s.Minutes, errs)
		}
	}
}
