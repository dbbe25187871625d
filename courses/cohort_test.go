package courses

import (
	"strings"
	"testing"
	"time"
)

func validCohortForm() CohortForm {
	return CohortForm{
		Name: "  Cohorte   Tegucigalpa 2026 ", StartsOn: "2026-03-02", EndsOn: "2026-04-30", Capacity: "30",
		Mode: "in_person", Location: " Academia Nacional de Policía, Tegucigalpa ", Policy: "key", Key: "  Morazán-2026 ",
	}
}

func dateOnly(s string) *time.Time {
	d, err := time.Parse("2006-01-02", s)
	if err != nil {
		panic(err)
	}
	return &d
}

func TestParseCohortCleansAValidForm(t *testing.T) {
	c, errs := ParseCohort(validCohortForm())
	if len(errs) != 0 {
		t.Fatalf("errors = %v", errs)
	}
	if c.Name != "Cohorte Tegucigalpa 2026" || c.Capacity != 30 || c.Mode != ModeInPerson || c.Policy != PolicyKey ||
		c.Location != "Academia Nacional de Policía, Tegucigalpa" || c.Key != "Morazán-2026" {
		t.Fatalf("cohort = %+v", c)
	}
	if !c.StartsOn.Equal(*dateOnly("2026-03-02")) || !c.EndsOn.Equal(*dateOnly("2026-04-30")) || c.StartsOn.Location() != time.UTC {
		t.Fatalf("dates = %v, %v", c.StartsOn, c.EndsOn)
	}
}

func TestParseCohortReportsEachField(t *testing.T) {
	tests := []struct {
		name   string
		change func(*CohortForm)
		field  string
		key    string
	}{
		{"name missing", func(f *CohortForm) { f.Name = "  " }, "name", "error.cohort.name_required"},
		{"name of 201 characters", func(f *CohortForm) { f.Name = strings.Repeat("é", 201) }, "name", "error.cohort.name_too_long"},
		{"start not a date", func(f *CohortForm) { f.StartsOn = "02/03/2026" }, "starts_on", "error.date.invalid"},
		{"end impossible date", func(f *CohortForm) { f.EndsOn = "2026-02-30" }, "ends_on", "error.date.invalid"},
		{"end before start", func(f *CohortForm) { f.EndsOn = "2026-03-01" }, "ends_on", "error.cohort.ends_before_starts"},
		{"capacity negative", func(f *CohortForm) { f.Capacity = "-1" }, "capacity", "error.capacity.invalid"},
		{"capacity with thousands separator", func(f *CohortForm) { f.Capacity = "1.000" }, "capacity", "error.capacity.invalid"},
		{"capacity over the limit", func(f *CohortForm) { f.Capacity = "100001" }, "capacity", "error.capacity.invalid"},
		{"capacity huge", func(f *CohortForm) { f.Capacity = "99999999999999999999" }, "capacity", "error.capacity.invalid"},
		{"capacity a word", func(f *CohortForm) { f.Capacity = "treinta" }, "capacity", "error.capacity.invalid"},
		{"mode missing", func(f *CohortForm) { f.Mode = "" }, "mode", "error.cohort.mode_invalid"},
		{"mode unknown", func(f *CohortForm) { f.Mode = "hybrid" }, "mode", "error.cohort.mode_invalid"},
		{"in person without place", func(f *CohortForm) { f.Location = " " }, "location", "error.cohort.location_required"},
		{"blended without place", func(f *CohortForm) { f.Mode, f.Location = "blended", "" }, "location", "error.cohort.location_required"},
		{"place too long", func(f *CohortForm) { f.Location = strings.Repeat("a", 301) }, "location", "error.cohort.location_too_long"},
		{"policy unknown", func(f *CohortForm) { f.Policy = "invite" }, "policy", "error.cohort.policy_invalid"},
		{"key missing", func(f *CohortForm) { f.Key = "   " }, "key", "error.cohort.key_required"},
		{"key of 3 characters", func(f *CohortForm) { f.Key = " abc " }, "key", "error.cohort.key_length"},
		{"key of 101 characters", func(f *CohortForm) { f.Key = strings.Repeat("k", 101) }, "key", "error.cohort.key_length"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := validCohortForm()
			tt.change(&f)
			_, errs := ParseCohort(f)
			if errs[tt.field] != tt.key || len(errs) != 1 {
				t.Fatalf("errors = %v, want only %s=%s", errs, tt.field, tt.key)
			}
		})
	}
}

func TestParseCohortAcceptsTheBoundaries(t *testing.T) {
	tests := []struct {
		name   string
		change func(*CohortForm)
		check  func(Cohort) bool
	}{
		{"no dates", func(f *CohortForm) { f.StartsOn, f.EndsOn = "", " " }, func(c Cohort) bool { return c.StartsOn == nil && c.EndsOn == nil }},
		{"only an end", func(f *CohortForm) { f.StartsOn = "" }, func(c Cohort) bool { return c.StartsOn == nil && c.EndsOn != nil }},
		{"one-day cohort", func(f *CohortForm) { f.EndsOn = f.StartsOn }, func(c Cohort) bool { return c.EndsOn.Equal(*c.StartsOn) }},
		{"empty capacity is no limit", func(f *CohortForm) { f.Capacity = " " }, func(c Cohort) bool { return c.Capacity == 0 }},
		{"capacity 0", func(f *CohortForm) { f.Capacity = "0" }, func(c Cohort) bool { return c.Capacity == 0 }},
		{"capacity 100000", func(f *CohortForm) { f.Capacity = "100000" }, func(c Cohort) bool { return c.Capacity == 100000 }},
		{"name of 200 characters", func(f *CohortForm) { f.Name = strings.Repeat("ñ", 200) }, func(c Cohort) bool { return len([]rune(c.Name)) == 200 }},
		{"place of 300 characters", func(f *CohortForm) { f.Location = strings.Repeat("á", 300) }, func(c Cohort) bool { return len([]rune(c.Location)) == 300 }},
		{"key of 4 characters", func(f *CohortForm) { f.Key = "ñañá" }, func(c Cohort) bool { return c.Key == "ñañá" }},
		{"key of 100 characters", func(f *CohortForm) { f.Key = strings.Repeat("k", 100) }, func(c Cohort) bool { return len(c.Key) == 100 }},
		{"online needs no place and drops one", func(f *CohortForm) { f.Mode = "online" }, func(c Cohort) bool { return c.Location == "" }},
		{"open policy drops the key", func(f *CohortForm) { f.Policy = "open" }, func(c Cohort) bool { return c.Key == "" }},
		{"approval policy drops even a bad key", func(f *CohortForm) { f.Policy, f.Key = "approval", "x" }, func(c Cohort) bool { return c.Key == "" }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := validCohortForm()
			tt.change(&f)
			c, errs := ParseCohort(f)
			if len(errs) != 0 {
				t.Fatalf("errors = %v", errs)
			}
			if !tt.check(c) {
				t.Fatalf("cohort = %+v", c)
			}
		})
	}
}

func TestParseCohortReportsEveryFieldAtOnce(t *testing.T) {
	_, errs := ParseCohort(CohortForm{StartsOn: "mañana", Capacity: "x", Mode: "x", Policy: "x"})
	for _, field := range []string{"name", "starts_on", "capacity", "mode", "policy"} {
		if errs[field] == "" {
			t.Errorf("no error for %s: %v", field, errs)
		}
	}
}

func TestKeyMatchesIgnoresSurroundingSpacesButNotCase(t *testing.T) {
	c := Cohort{Policy: PolicyKey, Key: "Morazán-2026"}
	tests := []struct {
		typed string
		want  bool
	}{
		{"Morazán-2026", true},
		{"  Morazán-2026\t", true},
		{"\u00a0Morazán-2026", true}, // a no-break space pasted from a document
		{"morazán-2026", false},
		{"Morazan-2026", false},
		{"Morazán-202", false},
		{"Morazán-20266", false},
		{"", false},
	}
	for _, tt := range tests {
		if got := c.KeyMatches(tt.typed); got != tt.want {
			t.Errorf("KeyMatches(%q) = %v, want %v", tt.typed, got, tt.want)
		}
	}
}

func TestKeyMatchesNothingWithoutAKey(t *testing.T) {
	for _, typed := range []string{"", " ", "anything"} {
		if (Cohort{Policy: PolicyOpen}).KeyMatches(typed) {
			t.Errorf("a cohort without a key matched %q", typed)
		}
	}
}

func TestFullWhenActiveEnrolmentsReachCapacity(t *testing.T) {
	tests := []struct {
		capacity, active int
		want             bool
	}{
		{0, 0, false},
		{0, 5000, false}, // no limit
		{30, 29, false},
		{30, 30, true},
		{30, 31, true}, // over, after the capacity was lowered
		{1, 1, true},
	}
	for _, tt := range tests {
		if got := (Cohort{Capacity: tt.capacity}).Full(tt.active); got != tt.want {
			t.Errorf("capacity %d, active %d: Full = %v, want %v", tt.capacity, tt.active, got, tt.want)
		}
	}
}

func TestOpenUntilTheEndOfTheLastDayInUTC(t *testing.T) {
	end := dateOnly("2026-04-30")
	mexico := time.FixedZone("CST", -6*3600)
	tests := []struct {
		name   string
		endsOn *time.Time
		now    time.Time
		want   bool
	}{
		{"no end date", nil, time.Date(2099, 1, 1, 0, 0, 0, 0, time.UTC), true},
		{"before the start", end, time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), true},
		{"first moment of the last day", end, time.Date(2026, 4, 30, 0, 0, 0, 0, time.UTC), true},
		{"last moment of the last day", end, time.Date(2026, 4, 30, 23, 59, 59, 999999999, time.UTC), true},
		{"the day after", end, time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC), false},
		{"evening of the last day in Mexico is the next day in UTC", end, time.Date(2026, 4, 30, 19, 0, 0, 0, mexico), false},
		{"morning of the next day in Asia is still the last day in UTC", end, time.Date(2026, 5, 1, 5, 0, 0, 0, time.FixedZone("JST", 9*3600)), true},
		{"an end date read back in another zone keeps its date", pointerTo(time.Date(2026, 4, 30, 0, 0, 0, 0, time.FixedZone("+10", 10*3600))), time.Date(2026, 4, 30, 23, 0, 0, 0, time.UTC), true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := (Cohort{EndsOn: tt.endsOn}).Open(tt.now); got != tt.want {
				t.Fatalf("Open(%v) = %v, want %v", tt.now, got, tt.want)
			}
		})
	}
}

func pointerTo[T any](v T) *T { return &v }

func TestEnumsAcceptOnlyTheirValues(t *testing.T) {
	for _, m := range CohortModes {
		if !m.Valid() {
			t.Errorf("mode %q invalid", m)
		}
	}
	for _, p := range EnrolmentPolicies {
		if !p.Valid() {
			t.Errorf("policy %q invalid", p)
		}
	}
	for _, s := range EnrolmentStatuses {
		if !s.Valid() {
			t.Errorf("enrolment status %q invalid", s)
		}
	}
	for _, s := range AttendanceStatuses {
		if !s.Valid() {
			t.Errorf("attendance status %q invalid", s)
		}
	}
	if CohortMode("").Valid() || CohortMode("Online").Valid() || EnrolmentPolicy("").Valid() ||
		EnrolmentStatus("").Valid() || EnrolmentStatus("done").Valid() || AttendanceStatus("").Valid() || AttendanceStatus("late").Valid() {
		t.Error("an unknown value was accepted")
	}
	if len(CohortModes) != 3 || len(EnrolmentPolicies) != 3 || len(EnrolmentStatuses) != 5 || len(AttendanceStatuses) != 3 {
		t.Error("the lists changed: update the forms, the database checks and the translations")
	}
}
