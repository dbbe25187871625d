package courses

import (
	"net/url"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestParseAuditFilterReadsEachFieldAndNamesEachProblem(t *testing.T) {
	day := func(s string) time.Time { d, _ := time.Parse(time.DateOnly, s); return d }
	for _, tc := range []struct {
		name  string
		query string
		want  AuditFilter
		errs  FieldErrors
	}{
		{"empty", "", AuditFilter{Page: 1}, FieldErrors{}},
		{"texts trimmed", "actor=+Ana+&subject=bruno%40x.org", AuditFilter{Actor: "Ana", Subject: "bruno@x.org", Page: 1}, FieldErrors{}},
		{"known action", "action=user_role", AuditFilter{Action: AuditRoleChanged, Page: 1}, FieldErrors{}},
		{"unknown action", "action=user_delete", AuditFilter{Action: "user_delete", Page: 1}, FieldErrors{"action": KeyAuditAction}},
		{"ids", "course=7&user=12", AuditFilter{CourseID: 7, UserID: 12, Page: 1}, FieldErrors{}},
		{"id not a number", "course=siete", AuditFilter{Page: 1}, FieldErrors{"course": KeyAuditID}},
		{"id negative", "user=-3", AuditFilter{Page: 1}, FieldErrors{"user": KeyAuditID}},
		{"last day included", "from=2027-01-01&to=2027-01-31", AuditFilter{From: day("2027-01-01"), To: day("2027-02-01"), Page: 1}, FieldErrors{}},
		{"one day", "from=2027-03-05&to=2027-03-05", AuditFilter{From: day("2027-03-05"), To: day("2027-03-06"), Page: 1}, FieldErrors{}},
		{"not a date", "from=05/03/2027", AuditFilter{Page: 1}, FieldErrors{"from": KeyAuditDate}},
		{"range backwards", "from=2027-03-05&to=2027-03-04", AuditFilter{From: day("2027-03-05"), To: day("2027-03-05"), Page: 1}, FieldErrors{"to": KeyAuditRange}},
		{"page", "page=3", AuditFilter{Page: 3}, FieldErrors{}},
		{"page out of range", "page=0", AuditFilter{Page: 1}, FieldErrors{}},
		{"page huge", "page=99999999", AuditFilter{Page: 1}, FieldErrors{}},
	} {
		q, _ := url.ParseQuery(tc.query)
		got, errs := ParseAuditFilter(q)
		if !reflect.DeepEqual(got, tc.want) || !reflect.DeepEqual(errs, tc.errs) {
			t.Errorf("%s: got %+v %v, want %+v %v", tc.name, got, errs, tc.want, tc.errs)
		}
	}
	long := url.Values{"actor": {strings.Repeat("á", MaxSearchLength+1)}, "subject": {strings.Repeat("a", MaxSearchLength)}}
	if _, errs := ParseAuditFilter(long); !reflect.DeepEqual(errs, FieldErrors{"actor": KeySearchLong}) {
		t.Errorf("long search: %v", errs)
	}
}

func TestAuditFilterQueryReadsBackAsTheSameFilter(t *testing.T) {
	q, _ := url.ParseQuery("actor=Ana&subject=b&action=course_status&course=3&user=4&from=2027-01-01&to=2027-01-31")
	f, errs := ParseAuditFilter(q)
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	back, _ := url.ParseQuery(f.Query(2))
	again, _ := ParseAuditFilter(back)
	f.Page = 2
	if !reflect.DeepEqual(again, f) {
		t.Fatalf("read back %+v, want %+v", again, f)
	}
	if strings.Contains(f.Query(1), "page") {
		t.Error("the first page is named in the query")
	}
}

func TestEveryAuditActionHasItsOwnKey(t *testing.T) {
	seen := map[string]bool{}
	for _, a := range AuditActions {
		if !a.Valid() || seen[a.Key()] {
			t.Errorf("%s: key %s", a, a.Key())
		}
		seen[a.Key()] = true
	}
	if AuditAction("user_delete").Valid() {
		t.Error("an unknown action is valid")
	}
}
