package handlers

import (
	"context"
	"net/http"
	"sync"
	"time"

	"github.com/aula-school/aula/courses"
	"github.com/gin-gonic/gin"
)

// impactFreshness is how long this instance keeps the public impact page's figures: they are
// counted from the reports' copies (refreshed every store.ReportsFreshness), and they change
// when certificates are issued, a few times a day.
const impactFreshness = 5 * time.Minute

// impactCache keeps the impact page's figures in this instance's memory for
// impactFreshness: anyone may open the page, as often as they like, and each opening would
// otherwise count the whole school. One count at a time: the others wait for it.
type impactCache struct {
	mu sync.Mutex
	at time.Time
	im courses.Impact
}

func (a *App) impactFigures(ctx context.Context) (courses.Impact, error) {
	a.impact.mu.Lock()
	defer a.impact.mu.Unlock()
	now := a.now()
	if !a.impact.at.IsZero() && now.Sub(a.impact.at) < impactFreshness && !now.Before(a.impact.at) {
		return a.impact.im, nil
	}
	// The count is for every visitor waiting on the lock, not only the first: it does not end
	// when that one leaves, and it is bounded.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	im, err := a.Store.Impact(ctx)
	if err != nil {
		if !a.impact.at.IsZero() {
			// Older figures beat an error page, and the next visitor tries again.
			a.Logger.WarnContext(ctx, "impact: counting failed, older figures shown", "err", err)
			return a.impact.im, nil
		}
		return courses.Impact{}, err
	}
	a.impact.im, a.impact.at = im, now
	return im, nil
}

// impactPage is the public impact page, small groups suppressed.
type impactPage struct {
	Threshold                      int
	Trained                        courses.SuppressedCount
	Courses, Programmes, Countries int
	WomenPercent                   int
	WomenHidden                    bool
	Years, ByCountry, BySector     impactBreakdown
	CountedAt                      string // when the figures were counted, in UTC
}

// impactBreakdown is one of the page's breakdowns, as a chart and as a table.
type impactBreakdown struct {
	Rows  []courses.ChartItem
	Chart courses.BarChart
}

func (a *App) impactPage(c *gin.Context) {
	im, err := a.impactFigures(c.Request.Context())
	if err != nil {
		a.fail(c, err)
		return
	}
	v := a.newView(c, nil)
	t := a.Config.ImpactSuppressBelow
	p := impactPage{Threshold: t, Trained: courses.SuppressTotal(im.Trained, t), Courses: im.Courses, Programmes: im.Programmes,
		Countries: im.Countries, CountedAt: im.CountedAt.UTC().Format("2006-01-02 15:04") + " UTC"}
	// The share of women gives away both the women and the others, given the total.
	women, others := courses.SuppressTotal(im.Women, t), courses.SuppressTotal(im.Trained-im.Women, t)
	p.WomenHidden = p.Trained.Hidden || women.Hidden || others.Hidden || im.Trained == 0
	if !p.WomenHidden {
		p.WomenPercent = (im.Women*100 + im.Trained/2) / im.Trained
	}
	notes := map[courses.Cell]string{courses.CellSmall: v.T("impact.fewer_than", "N", t), courses.CellWithheld: v.T("impact.other_groups")}
	p.Years = impactRows(im.ByYear, t, notes, func(k string) string { return k })
	p.ByCountry = impactRows(im.ByCountry, t, notes, func(k string) string {
		if k == "" {
			return v.T("reports.not_stated")
		}
		return v.CountryName(k)
	})
	p.BySector = impactRows(im.BySector, t, notes, func(k string) string {
		if k == "" {
			return v.T("reports.not_stated")
		}
		return v.T("sector." + k)
	})
	v.Data = p
	a.render(c, http.StatusOK, "impact", v)
}

// impactRows lists a breakdown's groups of at least the threshold and merges the others
// into one "other groups" row (courses.MergeSmall), "fewer than N" when the whole breakdown
// is: a small group's name and count are never written into the page.
func impactRows(list []courses.ImpactCount, t int, notes map[courses.Cell]string, label func(string) string) impactBreakdown {
	counts := make([]int, len(list))
	for i, c := range list {
		counts[i] = c.N
	}
	merged, other := courses.MergeSmall(counts, t)
	var b impactBreakdown
	for i, c := range list {
		if !merged[i] {
			b.Rows = append(b.Rows, courses.ChartItem{Label: label(c.Key), Value: c.N})
		}
	}
	if other > 0 {
		it := courses.ChartItem{Label: notes[courses.CellWithheld], Value: other}
		if other < t {
			it = courses.ChartItem{Label: it.Label, Hidden: true, Note: notes[courses.CellSmall]}
		}
		b.Rows = append(b.Rows, it)
	}
	b.Chart = courses.NewBarChart(b.Rows)
	return b
}

// ForgetImpact drops the impact page's figures, so that the next view counts them again: the
// bench times the counting, not the copy.
func (a *App) ForgetImpact() {
	a.impact.mu.Lock()
	defer a.impact.mu.Unlock()
	a.impact.at = time.Time{}
}
