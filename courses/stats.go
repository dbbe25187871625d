package courses

import (
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// ReportDimension is what the school's figures are broken down by.
type ReportDimension string

const (
	ByCountry     ReportDimension = "country"
	BySector      ReportDimension = "sector"
	ByGender      ReportDimension = "gender"
	ByInstitution ReportDimension = "institution"
	ByCourse      ReportDimension = "course"
	ByCohort      ReportDimension = "cohort"
	ByAudience    ReportDimension = "audience" // the course's; a course for two audiences counts in both
	ByLanguage    ReportDimension = "language" // the trainee's own language, as their profile says
)

// ReportDimensions lists every breakdown in the order the dashboard offers them.
var ReportDimensions = []ReportDimension{ByCountry, BySector, ByGender, ByInstitution, ByCourse, ByCohort, ByAudience, ByLanguage}

// ReportFilter selects the part of the school a report counts: every field left empty
// counts all, and the fields set combine (all must hold). A figure belongs to the period by
// the date of its event: an enrolment by the day it was made, a completion by the day it was
// reached, a certificate by the day it was issued (days in UTC).
type ReportFilter struct {
	From, To    time.Time // the first day and the day after the last one; zero: open
	Country     string
	Sector      Sector
	Gender      Gender
	Institution string // matched whole, whatever its case
	CourseID    int64
	CohortID    int64
	Audience    Audience
	Language    string
	By          ReportDimension // "" for no breakdown
}

// reportFields are the query's names of the filter, in the order Query writes them.
var reportFields = []string{"from", "to", "country", "sector", "gender", "institution", "course", "cohort", "audience", "language", "by"}

// ParseReportFilter reads a filter from an address's query. A value no choice offers is the
// field's error (a translation key), never a silent "all": a report must not count something
// other than what its address says.
func ParseReportFilter(q url.Values) (ReportFilter, FieldErrors) {
	var f ReportFilter
	errs := FieldErrors{}
	get := func(name string) string { return strings.TrimSpace(q.Get(name)) }
	for _, field := range []string{"from", "to"} {
		s := get(field)
		if s == "" {
			continue
		}
		day, err := time.Parse(time.DateOnly, s)
		if err != nil || day.Year() < 2000 || day.Year() > 2999 {
			errs[field] = "error.reports.date"
			continue
		}
		if field == "from" {
			f.From = day
		} else {
			f.To = day.AddDate(0, 0, 1)
		}
	}
	if !f.From.IsZero() && !f.To.IsZero() && !f.From.Before(f.To) {
		errs["to"] = "error.reports.range"
	}
	if s := strings.ToUpper(get("country")); s != "" {
		if ValidCountry(s) {
			f.Country = s
		} else {
			errs["country"] = "error.reports.choice"
		}
	}
	if s := Sector(get("sector")); s != "" {
		if validSector(s) {
			f.Sector = s
		} else {
			errs["sector"] = "error.reports.choice"
		}
	}
	if g := Gender(get("gender")); g != "" {
		if validGender(g) {
			f.Gender = g
		} else {
			errs["gender"] = "error.reports.choice"
		}
	}
	if s := get("institution"); s != "" {
		if utf8.RuneCountInString(s) > MaxInstitutionLength || !utf8.ValidString(s) {
			errs["institution"] = "error.institution.too_long"
		} else {
			f.Institution = s
		}
	}
	for field, to := range map[string]*int64{"course": &f.CourseID, "cohort": &f.CohortID} {
		if s := get(field); s != "" {
			id, err := strconv.ParseInt(s, 10, 64)
			if err != nil || id <= 0 {
				errs[field] = "error.reports.choice"
				continue
			}
			*to = id
		}
	}
	if a := Audience(get("audience")); a != "" {
		if a.Valid() {
			f.Audience = a
		} else {
			errs["audience"] = "error.reports.choice"
		}
	}
	if l := get("language"); l != "" {
		if ValidLanguage(l) {
			f.Language = l
		} else {
			errs["language"] = "error.reports.choice"
		}
	}
	if b := ReportDimension(get("by")); b != "" {
		if b.Valid() {
			f.By = b
		} else {
			errs["by"] = "error.reports.choice"
		}
	}
	return f, errs
}

// Valid says whether d is one of ReportDimensions.
func (d ReportDimension) Valid() bool {
	for _, x := range ReportDimensions {
		if d == x {
			return true
		}
	}
	return false
}

// Values writes the filter back as the query ParseReportFilter reads, with empty fields left
// out: the address of the same report, or of its CSV.
func (f ReportFilter) Values() url.Values {
	v := url.Values{}
	set := func(k, s string) {
		if s != "" {
			v.Set(k, s)
		}
	}
	if !f.From.IsZero() {
		set("from", f.From.Format(time.DateOnly))
	}
	if !f.To.IsZero() {
		set("to", f.To.AddDate(0, 0, -1).Format(time.DateOnly))
	}
	set("country", f.Country)
	set("sector", string(f.Sector))
	set("gender", string(f.Gender))
	set("institution", f.Institution)
	if f.CourseID > 0 {
		set("course", strconv.FormatInt(f.CourseID, 10))
	}
	if f.CohortID > 0 {
		set("cohort", strconv.FormatInt(f.CohortID, 10))
	}
	set("audience", string(f.Audience))
	set("language", f.Language)
	set("by", string(f.By))
	return v
}

// Query is Values encoded in reportFields' order, so that the same filter is the same address.
func (f ReportFilter) Query() string {
	v := f.Values()
	var b strings.Builder
	for _, k := range reportFields {
		if s := v.Get(k); s != "" {
			if b.Len() > 0 {
				b.WriteByte('&')
			}
			b.WriteString(k + "=" + url.QueryEscape(s))
		}
	}
	return b.String()
}

// ReportFigures are the school's headline figures for a filter.
//   - Certificates: certificates current now (neither replaced by a reissue nor revoked)
//     issued in the period; Holders: the distinct people holding them ("professionals trained").
//   - Enrolments: enrolments made in the period that were accepted (active now, or withdrawn
//     since); EnrolmentsCompleted: how many of those same enrolments have been completed by now.
//   - Completions: enrolments completed in the period, whenever they were made.
//   - Active: distinct trainees with any activity in the 30 days before now (a lesson read, a
//     quiz attempt started, attendance at an in-person session), whatever the period.
type ReportFigures struct {
	Certificates, Holders           int
	Enrolments, EnrolmentsCompleted int
	Completions, Active             int
}

// ActiveWindow is how far back "active trainees" look.
const ActiveWindow = 30 * 24 * time.Hour

// CompletionRate is the share of the period's enrolments that have been completed, 0 to 1.
func (f ReportFigures) CompletionRate() float64 {
	if f.Enrolments == 0 {
		return 0
	}
	return float64(f.EnrolmentsCompleted) / float64(f.Enrolments)
}

// CompletionPercent is CompletionRate in whole percent, rounded down so that 99.6 % of a
// cohort is never shown as all of it.
func (f ReportFigures) CompletionPercent() int {
	if f.Enrolments == 0 {
		return 0
	}
	return f.EnrolmentsCompleted * 100 / f.Enrolments
}

// ReportGroup is one row of a breakdown: Key is the value of the dimension ("" when the
// profile does not say), Label its name for people, filled by the layer that knows names.
type ReportGroup struct {
	Key, Label string
	Detail     string // a cohort's name ("" for a course's self-paced one); Label is its course
	ReportFigures
}

// MonthFigures are one month's events.
type MonthFigures struct {
	Month                                 time.Time // the first day, UTC
	Certificates, Enrolments, Completions int
}

// MaxReportMonths bounds the months a report lists: ten years, whatever the period.
const MaxReportMonths = 120

// ReportMonths lists the months a report by month shows: from the filter's first day (or the
// first month with an event, first) to its last (or now's month), at most MaxReportMonths, the
// latest kept. A first zero and no From gives the last twelve months.
func ReportMonths(f ReportFilter, first, now time.Time) []time.Time {
	month := func(t time.Time) time.Time {
		t = t.UTC()
		return time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, time.UTC)
	}
	end := month(now)
	if !f.To.IsZero() {
		end = month(f.To.Add(-time.Nanosecond))
	}
	var start time.Time
	switch {
	case !f.From.IsZero():
		start = month(f.From)
	case !first.IsZero():
		start = month(first)
	default:
		start = end.AddDate(0, -11, 0)
	}
	if start.After(end) {
		return nil
	}
	var list []time.Time
	for m := end; !m.Before(start) && len(list) < MaxReportMonths; m = m.AddDate(0, -1, 0) {
		list = append(list, m)
	}
	for i, j := 0, len(list)-1; i < j; i, j = i+1, j-1 {
		list[i], list[j] = list[j], list[i]
	}
	return list
}

// FillMonths gives every month of months its figures, zero where got has none.
func FillMonths(months []time.Time, got []MonthFigures) []MonthFigures {
	by := make(map[time.Time]MonthFigures, len(got))
	for _, m := range got {
		by[m.Month.UTC()] = m
	}
	out := make([]MonthFigures, len(months))
	for i, m := range months {
		out[i] = by[m]
		out[i].Month = m
	}
	return out
}
