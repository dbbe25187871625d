package handlers

import (
	"bytes"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/aula-school/aula/courses"
	"github.com/aula-school/aula/store"
	"github.com/gin-gonic/gin"
)

// courseReportPage is a course's figures, or one cohort's, for its instructors.
type courseReportPage struct {
	Head    courseHeader
	URL     string // the report's own
	Default string // the course's default language, the quizzes' titles'
	Cohorts []courses.CohortSummary
	Cohort  int64 // the cohort shown; 0: all
	Report  courses.CourseReport
	Quizzes []reportQuiz
}

// reportQuiz is a quiz's figures with its title and its results page.
type reportQuiz struct {
	courses.QuizFigures
	Title, URL string
}

// Query is the filter for a link that keeps it: "?cohort=ID", or nothing for all.
func (p courseReportPage) Query() string {
	if p.Cohort == 0 {
		return ""
	}
	return "?cohort=" + strconv.FormatInt(p.Cohort, 10)
}

// BarMax is the scale of the progress bars: every trainee, and 1 when there is none (a
// <progress> needs a maximum over 0).
func (p courseReportPage) BarMax() int { return max(p.Report.Trainees, 1) }

// BandShare is a band's share of the trainees.
func (p courseReportPage) BandShare(b courses.ProgressBand) courses.Share {
	return courses.Share{N: b.Trainees, Of: p.Report.Trainees}
}

// Band names a progress band: "0 %", "1–24 %".
func (courseReportPage) Band(b courses.ProgressBand) string { return bandLabel(b) }

// loadCourseReport reads the report of the course loaded by editableCourse, for the cohort
// ?cohort= names (one of the course's: any other id is no page of Aula) or for all.
func (a *App) loadCourseReport(c *gin.Context) (courseReportPage, bool) {
	co := courseOf(c)
	ctx := c.Request.Context()
	cohorts, err := a.Store.Cohorts(ctx, co.ID)
	if err != nil {
		a.fail(c, err)
		return courseReportPage{}, false
	}
	cohort, ok := resultsCohort(c, cohorts)
	if !ok {
		a.notFound(c)
		return courseReportPage{}, false
	}
	r, err := a.Store.CourseReport(ctx, co.ID, cohort, a.now())
	if err != nil {
		a.fail(c, err)
		return courseReportPage{}, false
	}
	p := courseReportPage{Head: a.courseHeader(c, co, tabReport), URL: courseURL(co) + "/report", Default: co.DefaultLanguage,
		Cohorts: cohorts, Cohort: cohort, Report: r}
	for _, q := range r.Quizzes {
		title, _ := courses.Pick(q.Titles, co.DefaultLanguage, co.DefaultLanguage)
		p.Quizzes = append(p.Quizzes, reportQuiz{QuizFigures: q, Title: title, URL: quizURL(co, q.QuizID) + "/results" + p.Query()})
	}
	return p, true
}

func (a *App) courseReport(c *gin.Context) {
	p, ok := a.loadCourseReport(c)
	if !ok {
		return
	}
	a.render(c, http.StatusOK, "teach_course_report", a.newView(c, p))
}

// exportCourseReport downloads the report's figures as CSV, one figure a row (section, item,
// figure, value), so that a spreadsheet can filter and pivot them. Titles and names that
// instructors typed are neutralised by courses.WriteCSV where a spreadsheet would run them.
func (a *App) exportCourseReport(c *gin.Context) {
	c.Request = c.Request.WithContext(store.FromReplica(c.Request.Context()))
	p, ok := a.loadCourseReport(c)
	if !ok {
		return
	}
	lang := a.lang(c)
	t := func(id string, data ...any) string { return a.i18n.translate(lang, id, data...) }
	r := p.Report
	table := [][]string{{t("coursereport.csv.section"), t("coursereport.csv.item"), t("coursereport.csv.figure"), t("coursereport.csv.value")}}
	add := func(section, item, figure string, value string) {
		table = append(table, []string{section, item, figure, value})
	}
	count, trainees, percent := t("coursereport.count"), t("coursereport.trainees"), t("coursereport.rate")
	share := func(s courses.Share) string {
		if !s.Known() {
			return ""
		}
		return formatDecimal(s.Percent())
	}
	section := t("coursereport.enrolments")
	for _, s := range r.Enrolments {
		add(section, t("enrolment."+string(s.Status)), count, strconv.Itoa(s.Count))
	}
	add(section, t("coursereport.total"), count, strconv.Itoa(r.EnrolmentTotal()))
	section = t("coursereport.progress")
	for _, b := range r.Progress {
		add(section, bandLabel(b), trainees, strconv.Itoa(b.Trainees))
	}
	section = t("coursereport.completion")
	add(section, t("coursereport.trainees"), count, strconv.Itoa(r.Trainees))
	add(section, t("coursereport.completed"), count, strconv.Itoa(r.Completed))
	add(section, t("coursereport.completed"), percent, share(r.CompletionRate()))
	section = t("coursereport.quizzes")
	for _, q := range p.Quizzes {
		mean, median := "", ""
		if q.Graded > 0 {
			mean, median = formatDecimal(q.Mean), formatDecimal(q.Median)
		}
		for _, f := range [][2]string{{t("coursereport.attempts"), strconv.Itoa(q.Attempts)}, {t("coursereport.attempted"), strconv.Itoa(q.Trainees)},
			{t("coursereport.graded"), strconv.Itoa(q.Graded)}, {t("coursereport.mean"), mean}, {t("coursereport.median"), median},
			{t("coursereport.passed"), strconv.Itoa(q.Passed)}, {t("coursereport.pass_rate"), share(q.PassRate())},
			{t("coursereport.pending"), strconv.Itoa(q.Pending)}} {
			// The quiz's id beside its title: two quizzes may share a title.
			add(section, q.Title+" (#"+strconv.FormatInt(q.QuizID, 10)+")", f[0], f[1])
		}
	}
	section = t("coursereport.attendance")
	for _, s := range r.Sessions {
		cohort := s.CohortName
		if s.CohortDefault {
			cohort = t("cohort.default_name")
		}
		item := fmt.Sprintf("%s · %s · %s", s.StartsAt.UTC().Format(time.RFC3339), cohort, s.Place)
		for _, f := range [][2]string{{t("coursereport.roster"), strconv.Itoa(s.Roster)}, {t("coursereport.present"), strconv.Itoa(s.Present)},
			{t("coursereport.excused"), strconv.Itoa(s.Excused)}, {t("coursereport.rate"), share(s.Rate())}} {
			add(section, item, f[0], f[1])
		}
	}
	var buf bytes.Buffer
	if err := courses.WriteCSV(&buf, table); err != nil {
		a.fail(c, err)
		return
	}
	name := fmt.Sprintf("%s-report.csv", courseOf(c).Slug)
	if p.Cohort != 0 {
		name = fmt.Sprintf("%s-report-cohort-%d.csv", courseOf(c).Slug, p.Cohort)
	}
	c.Header("Content-Disposition", fmt.Sprintf(`attachment; filename="%s"`, name))
	c.Data(http.StatusOK, "text/csv; charset=utf-8", buf.Bytes())
}

// bandLabel writes a progress band as the page does: "0 %", "1–24 %".
func bandLabel(b courses.ProgressBand) string {
	if b.Min == b.Max {
		return fmt.Sprintf("%d %%", b.Min)
	}
	return fmt.Sprintf("%d–%d %%", b.Min, b.Max)
}
