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

// exportCohort downloads the cohort's report as CSV; cells that a spreadsheet would run as formulas are neutralised.
func (a *App) exportCohort(c *gin.Context) {
	co := courseOf(c)
	ch := cohortOf(c)
	rows, err := a.Store.CohortReport(store.FromReplica(c.Request.Context()), co.ID, ch.ID, a.now())
	if err != nil {
		a.fail(c, err)
		return
	}
	lang := a.lang(c)
	t := func(id string) string { return a.i18n.translate(lang, id) }
	table := [][]string{{t("report.name"), t("profile.email"), t("profile.country"), t("profile.institution"), t("profile.sector"),
		t("report.status"), t("report.progress"), t("report.last_activity"), t("report.attendance"), t("report.completed")}}
	for _, r := range rows {
		last, done := "", ""
		if r.LastActivity != nil {
			last = r.LastActivity.UTC().Format(time.RFC3339)
		}
		if r.CompletedAt != nil {
			done = r.CompletedAt.UTC().Format(time.RFC3339)
		}
		sector := ""
		if r.Sector != "" {
			sector = t("sector." + r.Sector)
		}
		table = append(table, []string{r.FullName, r.Email, r.Country, r.Institution, sector, t("enrolment." + string(r.Status)),
			strconv.Itoa(r.Percent), last, fmt.Sprintf("%d/%d", r.Attended, r.Counted), done})
	}
	var buf bytes.Buffer
	if err := courses.WriteCSV(&buf, table); err != nil {
		a.fail(c, err)
		return
	}
	c.Header("Content-Disposition", fmt.Sprintf(`attachment; filename="%s-cohort-%d.csv"`, co.Slug, ch.ID))
	c.Data(http.StatusOK, "text/csv; charset=utf-8", buf.Bytes())
}
