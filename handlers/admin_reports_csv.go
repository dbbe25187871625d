package handlers

import (
	"bytes"
	"net/http"
	"strconv"

	"github.com/aula-school/aula/courses"
	"github.com/gin-gonic/gin"
)

// The dashboard's CSVs: the breakdown with its total, and the months, as the same filter
// selects them, small counts suppressed when the school says so (AULA_REPORT_SUPPRESS_BELOW).

// exportReport downloads the breakdown as CSV, small cells suppressed when the school says so.
func (a *App) exportReport(c *gin.Context) {
	f, errs := reportFilterOf(c)
	if len(errs) > 0 {
		a.badInput(c)
		return
	}
	lang := a.lang(c)
	now := a.now()
	groups, total, err := a.Store.ReportBreakdown(c.Request.Context(), f, lang, now)
	if err != nil {
		a.fail(c, err)
		return
	}
	v := a.newView(c, nil)
	columns := []func(courses.ReportFigures) int{
		func(r courses.ReportFigures) int { return r.Holders },
		func(r courses.ReportFigures) int { return r.Certificates },
		func(r courses.ReportFigures) int { return r.Enrolments },
		func(r courses.ReportFigures) int { return r.EnrolmentsCompleted },
		func(r courses.ReportFigures) int { return r.Completions },
		func(r courses.ReportFigures) int { return r.Active },
	}
	t := a.Config.ReportSuppressBelow
	published := make([][]courses.Cell, len(columns)) // by column, then group
	for j, col := range columns {
		counts := make([]int, len(groups))
		for i, g := range groups {
			counts[i] = col(g.ReportFigures)
		}
		published[j] = courses.Suppress(counts, t)
	}
	cells := func(label string, r courses.ReportFigures, cell func(j int) courses.Cell) []string {
		row := []string{label}
		for j, col := range columns {
			row = append(row, a.count(v, col(r), cell(j)))
		}
		rate := strconv.Itoa(r.CompletionPercent())
		if cell(2) != courses.CellShown || cell(3) != courses.CellShown {
			rate = v.T("reports.withheld") // a rate of small counts tells them
		}
		return append(row, rate)
	}
	table := [][]string{{v.T("reports.by." + string(f.By)), v.T("reports.holders"), v.T("reports.certificates"), v.T("reports.enrolments"),
		v.T("reports.enrolments_completed"), v.T("reports.completions"), v.T("reports.active"), v.T("reports.completion_rate")}}
	for i, g := range groups {
		table = append(table, cells(v.reportLabel(f.By, g), g.ReportFigures, func(j int) courses.Cell { return published[j][i] }))
	}
	table = append(table, cells(v.T("reports.all"), total, func(j int) courses.Cell {
		if courses.SuppressTotal(columns[j](total), t).Hidden {
			return courses.CellSmall
		}
		return courses.CellShown
	}))
	a.sendCSV(c, "report-"+string(f.By)+".csv", table)
}

// exportMonths downloads the figures by month as CSV.
func (a *App) exportMonths(c *gin.Context) {
	f, errs := reportFilterOf(c)
	if len(errs) > 0 {
		a.badInput(c)
		return
	}
	months, err := a.Store.ReportByMonth(c.Request.Context(), f, a.now())
	if err != nil {
		a.fail(c, err)
		return
	}
	v := a.newView(c, nil)
	t := a.Config.ReportSuppressBelow
	columns := []func(courses.MonthFigures) int{
		func(m courses.MonthFigures) int { return m.Enrolments },
		func(m courses.MonthFigures) int { return m.Completions },
		func(m courses.MonthFigures) int { return m.Certificates },
	}
	table := [][]string{{v.T("reports.month"), v.T("reports.enrolments"), v.T("reports.completions"), v.T("reports.certificates")}}
	published := make([][]courses.Cell, len(columns))
	for j, col := range columns {
		counts := make([]int, len(months))
		for i, m := range months {
			counts[i] = col(m)
		}
		published[j] = courses.Suppress(counts, t)
	}
	for i, m := range months {
		row := []string{m.Month.Format("2006-01")}
		for j, col := range columns {
			row = append(row, a.count(v, col(m), published[j][i]))
		}
		table = append(table, row)
	}
	a.sendCSV(c, "report-months.csv", table)
}

// count writes a count for a CSV as it is published.
func (a *App) count(v *view, n int, cell courses.Cell) string {
	switch cell {
	case courses.CellSmall:
		return v.T("reports.suppressed", "Threshold", a.Config.ReportSuppressBelow)
	case courses.CellWithheld:
		return v.T("reports.withheld")
	}
	return strconv.Itoa(n)
}

// sendCSV writes a table as a CSV download: UTF-8 with a BOM, formulas neutralised.
func (a *App) sendCSV(c *gin.Context, name string, table [][]string) {
	buf := pageBuffers.Get().(*bytes.Buffer)
	defer putPageBuffer(buf)
	if err := courses.WriteCSV(buf, table); err != nil {
		a.fail(c, err)
		return
	}
	c.Header("Content-Disposition", `attachment; filename="`+name+`"`)
	c.Data(http.StatusOK, "text/csv; charset=utf-8", buf.Bytes())
}
