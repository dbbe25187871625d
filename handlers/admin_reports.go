package handlers

import (
	"errors"
	"net/http"
	"sync"
	"time"

	"github.com/aula-school/aula/courses"
	"github.com/gin-gonic/gin"
)

// The administrator's dashboard: the school's figures for a period and a part of the school,
// by month and broken down by one dimension, as charts and tables, and as CSV.

// maxReportRows is how many groups of a breakdown the page lists; the CSV has them all.
const maxReportRows = 100

// maxChartBars is how many groups a breakdown's charts draw: the largest, the rest in the table.
const maxChartBars = 15

// reportsPage is the dashboard.
type reportsPage struct {
	Filter      courses.ReportFilter
	Values      map[string]string // the form as sent
	Dimensions  []courses.ReportDimension
	Courses     []courses.LocalCourse
	Cohorts     []courses.CohortSummary // of the course filtered by, if any
	Figures     courses.ReportFigures
	Groups      []reportRow
	GroupsTotal int
	Months      []monthRow
	MonthChart  courses.LineChart
	Trained     courses.BarChart
	Enrolled    courses.BarChart
	CSVURL      string
	MonthsURL   string
	Shown       bool      // the figures were counted (the filter had no errors)
	CountedAt   time.Time // when the reports' copies were last refreshed
}

type reportRow struct {
	Label string
	courses.ReportFigures
}

type monthRow struct {
	Label string
	courses.MonthFigures
}

// reportFilterOf reads the dashboard's filter; without a breakdown asked for, by country.
func reportFilterOf(c *gin.Context) (courses.ReportFilter, courses.FieldErrors) {
	f, errs := courses.ParseReportFilter(c.Request.URL.Query())
	if f.By == "" && c.Query("by") == "" {
		f.By = courses.ByCountry
	}
	return f, errs
}

func (a *App) adminReports(c *gin.Context) {
	ctx := c.Request.Context()
	lang := a.lang(c)
	f, errs := reportFilterOf(c)
	data := reportsPage{Filter: f, Dimensions: courses.ReportDimensions, Values: map[string]string{}}
	for k, v := range c.Request.URL.Query() {
		data.Values[k] = v[0]
	}
	list, err := a.Store.TaughtCourses(ctx, currentUser(c).ID, true)
	if err != nil {
		a.fail(c, err)
		return
	}
	for _, co := range list {
		data.Courses = append(data.Courses, courses.Localize(co, lang))
	}
	if f.CourseID > 0 {
		if data.Cohorts, err = a.Store.Cohorts(ctx, f.CourseID); err != nil {
			a.fail(c, err)
			return
		}
	}
	v := a.newView(c, &data)
	if len(errs) > 0 {
		v.Form = &form{Values: data.Values, Errors: errs}
		a.render(c, http.StatusUnprocessableEntity, "admin_reports", v)
		return
	}
	now := a.now()
	// The breakdown, the months and the copies' age, side by side: each is its own statements.
	var groups []courses.ReportGroup
	var months []courses.MonthFigures
	var errs3 [3]error
	var wg sync.WaitGroup
	wg.Add(3)
	go func() { defer wg.Done(); groups, data.Figures, errs3[0] = a.Store.ReportBreakdown(ctx, f, lang, now) }()
	go func() { defer wg.Done(); months, errs3[1] = a.Store.ReportByMonth(ctx, f, now) }()
	go func() { defer wg.Done(); data.CountedAt, errs3[2] = a.Store.ReportsRefreshedAt(ctx) }()
	wg.Wait()
	if err := errors.Join(errs3[:]...); err != nil {
		a.fail(c, err)
		return
	}
	data.Shown = true
	data.GroupsTotal = len(groups)
	var trained, enrolled []courses.ChartItem
	for i, g := range groups {
		label := v.reportLabel(f.By, g)
		if i < maxReportRows {
			data.Groups = append(data.Groups, reportRow{Label: label, ReportFigures: g.ReportFigures})
		}
		if i < maxChartBars {
			trained = append(trained, courses.ChartItem{Label: label, Value: g.Holders})
			enrolled = append(enrolled, courses.ChartItem{Label: label, Value: g.Enrolments})
		}
	}
	data.Trained, data.Enrolled = courses.NewBarChart(trained), courses.NewBarChart(enrolled)
	labels := make([]string, len(months))
	series := []courses.Series{{Name: v.T("reports.enrolments")}, {Name: v.T("reports.completions")}, {Name: v.T("reports.certificates")}}
	for i, m := range months {
		labels[i] = m.Month.Format("2006-01")
		data.Months = append(data.Months, monthRow{Label: labels[i], MonthFigures: m})
		series[0].Values = append(series[0].Values, m.Enrolments)
		series[1].Values = append(series[1].Values, m.Completions)
		series[2].Values = append(series[2].Values, m.Certificates)
	}
	data.MonthChart = courses.NewLineChart(labels, series)
	q := f.Query()
	data.CSVURL, data.MonthsURL = "/admin/reports.csv?"+q, "/admin/reports/months.csv?"+q
	a.render(c, http.StatusOK, "admin_reports", v)
}

// reportLabel names a group of a breakdown in the page's language.
func (v *view) reportLabel(by courses.ReportDimension, g courses.ReportGroup) string {
	if g.Key == "" {
		return v.T("reports.not_stated")
	}
	switch by {
	case courses.ByCountry:
		return v.CountryName(g.Key)
	case courses.BySector:
		return v.T("sector." + g.Key)
	case courses.ByGender:
		return v.T("gender." + g.Key)
	case courses.ByAudience:
		return v.T("audience." + g.Key)
	case courses.ByLanguage:
		return v.T("language." + g.Key)
	case courses.ByCourse:
		return g.Label
	case courses.ByCohort:
		if g.Detail == "" {
			return g.Label + " · " + v.T("cohort.default_name")
		}
		return g.Label + " · " + g.Detail
	}
	return g.Key
}

// Percent writes a completion rate as the page shows it.
func (r reportRow) Percent() int { return r.CompletionPercent() }
