package courses

import (
	"net/url"
	"reflect"
	"testing"
	"time"
)

func TestParseReportFilterReadsEveryFieldAndRefusesUnknownValues(t *testing.T) {
	d := func(s string) time.Time { v, _ := time.Parse(time.DateOnly, s); return v }
	tests := []struct {
		query string
		want  ReportFilter
		errs  FieldErrors
	}{
		{"", ReportFilter{}, FieldErrors{}},
		{"from=2027-01-01&to=2027-12-31&country=hn&sector=local_government&gender=woman&by=country",
			ReportFilter{From: d("2027-01-01"), To: d("2028-01-01"), Country: "HN", Sector: SectorLocalGov, Gender: GenderWoman, By: ByCountry}, FieldErrors{}},
		{"institution=+Alcaldía+&course=3&cohort=7&audience=media&language=pt&by=audience",
			ReportFilter{Institution: "Alcaldía", CourseID: 3, CohortID: 7, Audience: AudienceMedia, Language: "pt", By: ByAudience}, FieldErrors{}},
		{"from=2027-1-1", ReportFilter{}, FieldErrors{"from": "error.reports.date"}},
		{"to=yesterday", ReportFilter{}, FieldErrors{"to": "error.reports.date"}},
		{"from=2027-05-01&to=2027-04-30", ReportFilter{From: d("2027-05-01"), To: d("2027-05-01")}, FieldErrors{"to": "error.reports.range"}},
		{"from=2027-05-01&to=2027-05-01", ReportFilter{From: d("2027-05-01"), To: d("2027-05-02")}, FieldErrors{}},
		{"country=XX", ReportFilter{}, FieldErrors{"country": "error.reports.choice"}},
		{"sector=army&gender=x&audience=all&language=fr&by=planet", ReportFilter{}, FieldErrors{"sector": "error.reports.choice",
			"gender": "error.reports.choice", "audience": "error.reports.choice", "language": "error.reports.choice", "by": "error.reports.choice"}},
		{"course=-1&cohort=abc", ReportFilter{}, FieldErrors{"course": "error.reports.choice", "cohort": "error.reports.choice"}},
		{"course=99999999999999999999", ReportFilter{}, FieldErrors{"course": "error.reports.choice"}},
	}
	for _, tt := range tests {
		q, _ := url.ParseQuery(tt.query)
		got, errs := ParseReportFilter(q)
		if !reflect.DeepEqual(got, tt.want) || !reflect.DeepEqual(errs, tt.errs) {
			t.Errorf("%q:\n got %+v %v\nwant %+v %v", tt.query, got, errs, tt.want, tt.errs)
		}
	}
}

func TestReportFilterQueryReadsBackAsTheSameFilter(t *testing.T) {
	q := "from=2027-01-01&to=2027-12-31&country=HN&sector=police&gender=man&institution=Polic%C3%ADa+Nacional&course=2&cohort=5&audience=police&language=es&by=cohort"
	v, _ := url.ParseQuery(q)
	f, errs := ParseReportFilter(v)
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	if got := f.Query(); got != q {
		t.Errorf("query\n got %s\nwant %s", got, q)
	}
	if (ReportFilter{}).Query() != "" {
		t.Error("an empty filter has a query")
	}
}

func TestCompletionPercentRoundsDown(t *testing.T) {
	for _, tt := range []struct{ enrolments, done, want int }{{0, 0, 0}, {5, 3, 60}, {1000, 999, 99}, {3, 1, 33}, {4, 4, 100}} {
		if got := (ReportFigures{Enrolments: tt.enrolments, EnrolmentsCompleted: tt.done}).CompletionPercent(); got != tt.want {
			t.Errorf("%d of %d: %d %%, want %d", tt.done, tt.enrolments, got, tt.want)
		}
	}
}

func TestReportMonthsSpanThePeriodOrTheSchoolsHistory(t *testing.T) {
	d := func(s string) time.Time { v, _ := time.Parse(time.DateOnly, s); return v }
	now := d("2027-08-15")
	tests := []struct {
		name     string
		f        ReportFilter
		first    time.Time
		from, to string
		count    int
	}{
		{"a year", ReportFilter{From: d("2027-01-01"), To: d("2028-01-01")}, time.Time{}, "2027-01", "2027-12", 12},
		{"a day", ReportFilter{From: d("2027-03-05"), To: d("2027-03-06")}, time.Time{}, "2027-03", "2027-03", 1},
		{"since the first event", ReportFilter{}, d("2025-11-20"), "2025-11", "2027-08", 22},
		{"nothing yet", ReportFilter{}, time.Time{}, "2026-09", "2027-08", 12},
		{"until a day", ReportFilter{To: d("2027-02-01")}, d("2026-12-03"), "2026-12", "2027-01", 2},
		{"a century, the latest kept", ReportFilter{From: d("2000-01-01")}, time.Time{}, "2017-09", "2027-08", MaxReportMonths},
	}
	for _, tt := range tests {
		got := ReportMonths(tt.f, tt.first, now)
		if len(got) != tt.count || got[0].Format("2006-01") != tt.from || got[len(got)-1].Format("2006-01") != tt.to {
			t.Errorf("%s: %d months %v … %v, want %d from %s to %s", tt.name, len(got), got[0], got[len(got)-1], tt.count, tt.from, tt.to)
		}
	}
	filled := FillMonths([]time.Time{d("2027-01-01"), d("2027-02-01")}, []MonthFigures{{Month: d("2027-02-01"), Enrolments: 4}})
	if len(filled) != 2 || filled[0].Enrolments != 0 || filled[1].Enrolments != 4 || !filled[0].Month.Equal(d("2027-01-01")) {
		t.Errorf("filled %+v", filled)
	}
}
