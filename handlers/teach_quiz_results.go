package handlers

import (
	"bytes"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/aula-school/aula/courses"
	"github.com/aula-school/aula/store"
	"github.com/gin-gonic/gin"
)

// resultsPage is every attempt at a quiz, how each question fared, and the grants given.
type resultsPage struct {
	Head     courseHeader
	URL      string // the quiz's editor
	Title    string
	Default  string
	Cohorts  []courses.CohortSummary
	Cohort   int64 // the cohort shown; 0: all
	Attempts []courses.AttemptResult
	Stats    []courses.QuestionStat
	Grants   []courses.QuizGrant
}

// Taken writes how long an attempt took, in whole minutes and seconds.
func (resultsPage) Taken(r courses.AttemptResult) string { return takenText(r.Taken()) }

func takenText(d time.Duration) string {
	d = d.Round(time.Second)
	return fmt.Sprintf("%d:%02d", int(d/time.Minute), int(d%time.Minute/time.Second))
}

// resultsCohort reads ?cohort=: one of the course's cohorts, or 0 for all; anything else is
// no page of Aula, and false.
func resultsCohort(c *gin.Context, list []courses.CohortSummary) (int64, bool) {
	v := c.Query("cohort")
	if v == "" {
		return 0, true
	}
	id, err := strconv.ParseInt(v, 10, 64)
	for _, ch := range list {
		if err == nil && ch.ID == id {
			return id, true
		}
	}
	return 0, false
}

// loadResults reads the quiz's attempts and question statistics for the cohort asked for.
func (a *App) loadResults(c *gin.Context) (resultsPage, bool) {
	co, q := courseOf(c), quizOf(c)
	ctx := c.Request.Context()
	cohorts, err := a.Store.Cohorts(ctx, co.ID)
	if err != nil {
		a.fail(c, err)
		return resultsPage{}, false
	}
	cohort, ok := resultsCohort(c, cohorts)
	if !ok {
		a.notFound(c)
		return resultsPage{}, false
	}
	attempts, err := a.Store.QuizResults(ctx, co.ID, q.ID, cohort)
	if err != nil {
		a.fail(c, err)
		return resultsPage{}, false
	}
	slots, err := a.Store.QuizSlotResults(ctx, co.ID, q.ID, cohort)
	if err != nil {
		a.fail(c, err)
		return resultsPage{}, false
	}
	p := resultsPage{Head: a.courseHeader(c, co, tabOutline), URL: quizURL(co, q.ID), Default: co.DefaultLanguage,
		Cohorts: cohorts, Cohort: cohort, Attempts: attempts, Stats: courses.QuestionStats(attempts, slots)}
	p.Title, _ = courses.Pick(q.Titles, co.DefaultLanguage, co.DefaultLanguage)
	return p, true
}

func (a *App) quizResults(c *gin.Context) {
	a.renderResults(c, http.StatusOK, nil)
}

func (a *App) renderResults(c *gin.Context, status int, f *form) {
	p, ok := a.loadResults(c)
	if !ok {
		return
	}
	grants, err := a.Store.QuizGrants(c.Request.Context(), courseOf(c).ID, quizOf(c).ID)
	if err != nil {
		a.fail(c, err)
		return
	}
	p.Grants = grants
	v := a.newView(c, p)
	v.Form = f.over(map[string]string{"extra_attempts": "1", "extra_minutes": "0"})
	a.render(c, status, "teach_quiz_results", v)
}

// exportQuizResults downloads the attempts as CSV; cells a spreadsheet would run as
// formulas (a name starting with "=") are neutralised by courses.WriteCSV.
func (a *App) exportQuizResults(c *gin.Context) {
	c.Request = c.Request.WithContext(store.FromReplica(c.Request.Context()))
	p, ok := a.loadResults(c)
	if !ok {
		return
	}
	co, q := courseOf(c), quizOf(c)
	lang := a.lang(c)
	t := func(id string, data ...any) string { return a.i18n.translate(lang, id, data...) }
	table := [][]string{{t("report.name"), t("profile.email"), t("results.cohort"), t("results.number"), t("results.started"),
		t("results.finished"), t("results.taken"), t("results.score"), t("results.max"), t("results.percent"),
		t("results.passed"), t("results.pending")}}
	yes := func(b bool) string {
		if b {
			return t("results.yes")
		}
		return t("results.no")
	}
	for _, r := range p.Attempts {
		cohort := r.CohortName
		if r.CohortDefault {
			cohort = t("cohort.default_name")
		}
		finished, taken, score, percent := "", "", "", ""
		if r.Finished() {
			finished, taken = r.FinishedAt.UTC().Format(time.RFC3339), takenText(r.Taken())
			score, percent = formatDecimal(r.Score), formatDecimal(r.Percent())
		}
		table = append(table, []string{r.FullName, r.Email, cohort, strconv.Itoa(r.Number), r.StartedAt.UTC().Format(time.RFC3339),
			finished, taken, score, formatDecimal(r.Max), percent, yes(r.Passed), yes(r.Pending)})
	}
	var buf bytes.Buffer
	if err := courses.WriteCSV(&buf, table); err != nil {
		a.fail(c, err)
		return
	}
	c.Header("Content-Disposition", fmt.Sprintf(`attachment; filename="%s-quiz-%d.csv"`, co.Slug, q.ID))
	c.Data(http.StatusOK, "text/csv; charset=utf-8", buf.Bytes())
}

// grantExtra gives one trainee, named by email, extra attempts or minutes at the quiz.
func (a *App) grantExtra(c *gin.Context) {
	co, q := courseOf(c), quizOf(c)
	ctx := c.Request.Context()
	back := quizURL(co, q.ID) + "/results#grants"
	number := func(field string, hi int) (int, bool) {
		v := strings.TrimSpace(c.PostForm(field))
		if v == "" {
			return 0, true
		}
		n, err := strconv.Atoi(v)
		return n, err == nil && n >= 0 && n <= hi
	}
	attempts, ok1 := number("extra_attempts", courses.MaxQuizAttempts)
	minutes, ok2 := number("extra_minutes", int(courses.MaxQuizTimeLimit/time.Minute))
	if !ok1 || !ok2 || attempts+minutes == 0 {
		a.setFlash(c, "flash.error.grant_invalid")
		c.Redirect(http.StatusSeeOther, back)
		return
	}
	u, err := a.Store.UserByEmail(ctx, c.PostForm("email"))
	if err == nil {
		err = a.Store.GrantExtra(ctx, co.ID, q.ID, u.ID, attempts, minutes, actor(c), a.now())
	}
	switch {
	case errors.Is(err, courses.ErrNotFound):
		// No account, or none enrolled in the course: one answer for both.
		a.setFlash(c, "flash.error.grant_not_enrolled")
	case err != nil:
		a.fail(c, err)
		return
	default:
		a.setFlash(c, "flash.grant_recorded")
	}
	c.Redirect(http.StatusSeeOther, back)
}
