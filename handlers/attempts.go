package handlers

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/aula-school/aula/courses"
	"github.com/aula-school/aula/store"
	"github.com/gin-gonic/gin"
)

// An attempt, as its trainee takes it: its pages, the saves (a page's submit, or one
// question at a time from JavaScript), the summary, the finish and the review. The server
// holds the attempt; each page reads it whole in one statement.

type attemptPage struct {
	Attempt    courses.Attempt
	Title      string
	TitleLang  string
	CourseURL  string
	QuizURL    string
	URL        string // the attempt's
	Page       int    // 0-based
	Pages      int
	PageLinks  []int // free navigation: every page
	Questions  []questionView
	Sequential bool
	CanPrev    bool
	Last       bool
	Remaining  int // seconds to the deadline, for the countdown; 0 when untimed
	Answered   int
	Total      int
	Shows      courses.ReviewView
	Percent    float64
}

// loadAttempt reads the signed-in trainee's attempt named in the URL: another user's
// attempt, or one under another course's URL, is not found.
func (a *App) loadAttempt(c *gin.Context) (courses.Attempt, bool) {
	// An attempt's pages are never kept by the browser: the back button must not bring back a
	// form with answers and sequence numbers older than those saved.
	c.Header("Cache-Control", "no-store")
	id, ok := paramID(c, "attempt")
	if !ok {
		a.notFound(c)
		return courses.Attempt{}, false
	}
	at, err := a.Store.Attempt(c.Request.Context(), currentUser(c).ID, id)
	if err != nil {
		a.fail(c, err)
		return at, false
	}
	if at.Slug != c.Param("slug") {
		a.notFound(c)
		return at, false
	}
	return at, true
}

func attemptURL(at courses.Attempt) string {
	return "/courses/" + at.Slug + "/attempts/" + strconv.FormatInt(at.ID, 10)
}

// finishIfOverdue finishes an attempt whose time is up, with what was saved, and sends the
// trainee to its review. It reports whether it did.
func (a *App) finishIfOverdue(c *gin.Context, at courses.Attempt) bool {
	if at.Finished() || !courses.Overdue(at.Deadline, at.Grace, a.now()) {
		return false
	}
	if err := a.Store.FinishAttempt(c.Request.Context(), at.UserID, at.ID, a.now()); err != nil {
		a.fail(c, err)
		return true
	}
	a.setFlash(c, "flash.error.attempt_time_up")
	c.Redirect(http.StatusSeeOther, attemptURL(at)+"/review")
	return true
}

func (a *App) newAttemptPage(c *gin.Context, at courses.Attempt) attemptPage {
	p := attemptPage{Attempt: at, URL: attemptURL(at), CourseURL: "/courses/" + at.Slug,
		QuizURL: "/courses/" + at.Slug + "/quizzes/" + strconv.FormatInt(at.QuizID, 10),
		Pages:   courses.PageCount(len(at.Slots), at.PerPage), Sequential: at.Navigation == courses.NavigationSequential,
		Total: len(at.Slots)}
	p.Title, p.TitleLang = quizTitle(at.QuizTitles, at.Language, at.Default)
	if !at.Deadline.IsZero() {
		p.Remaining = max(int(at.Deadline.Sub(a.now()).Seconds()), 0)
	}
	for _, s := range at.Slots {
		if s.Response != nil && answered(*s.Response) {
			p.Answered++
		}
	}
	return p
}

func (a *App) trueFalse(c *gin.Context) [2]string {
	lang := a.lang(c)
	return [2]string{a.i18n.translate(lang, "quiz.true"), a.i18n.translate(lang, "quiz.false")}
}

// slotsOn are the slots of one page.
func slotsOn(at courses.Attempt, page int) []courses.AttemptSlot {
	var out []courses.AttemptSlot
	for _, s := range at.Slots {
		if courses.PageOf(s.Slot, at.PerPage) == page {
			out = append(out, s)
		}
	}
	return out
}

// openAttempt loads the trainee's attempt for a page that shows it in progress: a finished
// attempt goes to its review, an overdue one is finished first.
func (a *App) openAttempt(c *gin.Context) (courses.Attempt, attemptPage, bool) {
	// The page a free quiz's submit redirects to is shown from the attempt as that submit saved
	// it, on this instance, a moment ago (store.AttemptAsSaved): its one read is the save.
	at, ok := a.Store.AttemptAsSaved(currentUser(c).ID, attemptIDOf(c))
	if ok && at.Slug == c.Param("slug") {
		c.Header("Cache-Control", "no-store")
	} else if at, ok = a.loadAttempt(c); !ok {
		return at, attemptPage{}, false
	}
	if at.Finished() {
		c.Redirect(http.StatusSeeOther, attemptURL(at)+"/review")
		return at, attemptPage{}, false
	}
	if a.finishIfOverdue(c, at) {
		return at, attemptPage{}, false
	}
	p := a.newAttemptPage(c, at)
	p.Page = at.Page
	return at, p, true
}

func (a *App) attemptPage(c *gin.Context) {
	at, p, ok := a.openAttempt(c)
	if !ok {
		return
	}
	if !p.Sequential {
		if n, err := strconv.Atoi(c.Query("page")); err == nil && n >= 1 && n <= p.Pages {
			p.Page = n - 1
		}
		for i := 0; i < p.Pages; i++ {
			p.PageLinks = append(p.PageLinks, i)
		}
	}
	p.CanPrev = !p.Sequential && p.Page > 0
	p.Last = p.Page >= p.Pages-1
	tf := a.trueFalse(c)
	for _, s := range slotsOn(at, p.Page) {
		p.Questions = append(p.Questions, questionOnPage(at, s, s.Slot+1, tf))
	}
	a.render(c, http.StatusOK, "attempt", a.newView(c, p))
}

// formValues reads a parsed form's values for savesFrom.
func formValues(c *gin.Context) func(string) ([]string, bool) {
	return func(name string) ([]string, bool) { return c.GetPostFormArray(name) }
}

// submitPage saves the answers of the page shown, then goes where the trainee asked: the
// next or previous page, a page by number (free navigation), or the summary.
func (a *App) submitPage(c *gin.Context) {
	// A free quiz's page turn saves through the attempt's shape this instance keeps, and the
	// store checks time and state again as it saves: one statement. Anything else (a
	// sequential quiz, an attempt over, an instance that has not seen it) reads it whole.
	if at, ok := a.Store.AttemptShape(currentUser(c).ID, attemptIDOf(c)); ok && at.Navigation == courses.NavigationFree && at.Slug == c.Param("slug") {
		c.Header("Cache-Control", "no-store")
		pages := courses.PageCount(len(at.Slots), at.PerPage)
		page, err := strconv.Atoi(c.PostForm("page"))
		if err == nil && page >= 0 && page < pages {
			err = a.Store.SavePageOf(c.Request.Context(), at, savesFrom(slotsOn(at, page), formValues(c), true), a.now())
			switch {
			case err == nil:
				a.goFrom(c, at, page, pages)
				return
			case !errors.Is(err, store.ErrAttemptClosed):
				a.fail(c, err)
				return
			}
		}
	}
	at, ok := a.loadAttempt(c)
	if !ok {
		return
	}
	if at.Finished() {
		c.Redirect(http.StatusSeeOther, attemptURL(at)+"/review")
		return
	}
	pages := courses.PageCount(len(at.Slots), at.PerPage)
	page, err := strconv.Atoi(c.PostForm("page"))
	if err != nil || page < 0 || page >= pages || at.Navigation == courses.NavigationSequential && page < at.Page {
		page = at.Page // a sequential quiz acts on no page it has left
	}
	saves := savesFrom(slotsOn(at, page), formValues(c), true)
	if err := a.Store.SavePage(c.Request.Context(), at.UserID, at.ID, saves, a.now()); errors.Is(err, store.ErrAttemptClosed) {
		a.finishIfOverdue(c, at)
		if !c.Writer.Written() {
			c.Redirect(http.StatusSeeOther, attemptURL(at)+"/review")
		}
		return
	} else if err != nil {
		a.fail(c, err)
		return
	}
	a.goFrom(c, at, page, pages)
}

// goFrom sends the trainee where the page's button asked, from page: the next or previous
// page, a page by number (free navigation), or the summary.
func (a *App) goFrom(c *gin.Context, at courses.Attempt, page, pages int) {
	next := page
	action := c.PostForm("action")
	switch {
	case action == "next":
		next = page + 1
	case action == "prev":
		next = page - 1
	case action == "summary":
		next = pages
	default:
		if n, err := strconv.Atoi(action); err == nil {
			next = n - 1
		}
	}
	switch {
	case next < 0:
		next = page
	case next >= pages:
		next = pages // the summary, which every navigation reaches
	case !courses.CanVisit(at.Navigation, max(at.Page, page), next, pages):
		next = page // a sequential quiz never goes back
	}
	if at.Navigation == courses.NavigationSequential && next > at.Page {
		if err := a.Store.TurnPage(c.Request.Context(), at.UserID, at.ID, min(next, pages-1), a.now()); err != nil && !errors.Is(err, store.ErrAttemptClosed) {
			a.fail(c, err)
			return
		}
	}
	if next >= pages {
		c.Redirect(http.StatusSeeOther, attemptURL(at)+"/summary")
		return
	}
	c.Redirect(http.StatusSeeOther, attemptURL(at)+"?page="+strconv.Itoa(next+1))
}

// saveAnswers is the save JavaScript makes as each answer is given: it answers in JSON, so
// that the page can say "saved" or "not saved". It reads the answer through the attempt's
// shape this instance keeps (its questions, their options' ids), and the store checks the
// attempt's state, time and sequence numbers as it saves: one statement. An instance that
// has not seen the attempt reads it first.
func (a *App) saveAnswers(c *gin.Context) {
	at, ok := a.Store.AttemptShape(currentUser(c).ID, attemptIDOf(c))
	if ok && at.Slug == c.Param("slug") {
		c.Header("Cache-Control", "no-store")
	} else if at, ok = a.loadAttempt(c); !ok {
		return
	}
	refuse := func(key string) {
		c.JSON(http.StatusConflict, gin.H{"saved": false, "closed": true, "message": a.i18n.translate(a.lang(c), key)})
	}
	if at.Finished() {
		refuse("flash.error.attempt_finished")
		return
	}
	saves := savesFrom(at.Slots, formValues(c), false)
	saved, err := a.Store.SaveAnswers(c.Request.Context(), at.UserID, at.ID, saves, a.now())
	switch {
	case errors.Is(err, store.ErrAttemptFinished):
		refuse("flash.error.attempt_finished")
	case errors.Is(err, store.ErrAttemptClosed):
		refuse("flash.error.attempt_time_up")
	case errors.Is(err, store.ErrPageLeft):
		// Refused for this answer only (not "closed"): the page says so beside the question,
		// and the trainee's page, if it is another, goes on saving.
		c.JSON(http.StatusUnprocessableEntity, gin.H{"saved": false, "message": a.i18n.translate(a.lang(c), "flash.error.attempt_page_left")})
	case err != nil:
		a.fail(c, err)
	case len(saved.Stale) > 0:
		// A save numbered no newer than the answer kept (another tab, another device) was
		// not written: the page is told the number kept, and sends its answer again after it.
		kept := gin.H{}
		for slot, seq := range saved.Stale {
			kept[strconv.Itoa(slot)] = seq
		}
		c.JSON(http.StatusOK, gin.H{"saved": false, "stale": kept})
	default:
		res := gin.H{"saved": true, "count": len(saves)}
		if !saved.Deadline.IsZero() {
			// The countdown sets itself by it (the deadline as saved, with any extra time an
			// instructor has just given): a phone asleep for a while has a browser clock that stood still.
			res["remaining"] = max(int(saved.Deadline.Sub(a.now()).Seconds()), 0)
		}
		c.JSON(http.StatusOK, res)
	}
}

func (a *App) attemptSummary(c *gin.Context) {
	at, p, ok := a.openAttempt(c)
	if !ok {
		return
	}
	tf := a.trueFalse(c)
	for _, s := range at.Slots {
		p.Questions = append(p.Questions, questionOnPage(at, s, s.Slot+1, tf))
	}
	a.render(c, http.StatusOK, "attempt_summary", a.newView(c, p))
}

// finishAttempt grades the attempt with what was saved; a second finish changes nothing.
func (a *App) finishAttempt(c *gin.Context) {
	at, ok := a.loadAttempt(c)
	if !ok {
		return
	}
	if !at.Finished() {
		if err := a.Store.FinishAttempt(c.Request.Context(), at.UserID, at.ID, a.now()); err != nil {
			a.fail(c, err)
			return
		}
		a.setFlash(c, "flash.attempt_finished")
	}
	c.Redirect(http.StatusSeeOther, attemptURL(at)+"/review")
}

// attemptReview shows a finished attempt as the quiz's review policy allows now.
func (a *App) attemptReview(c *gin.Context) {
	at, ok := a.loadAttempt(c)
	if !ok {
		return
	}
	if !at.Finished() {
		if !a.finishIfOverdue(c, at) {
			c.Redirect(http.StatusSeeOther, attemptURL(at))
		}
		return
	}
	p := a.newAttemptPage(c, at)
	p.Shows = courses.ReviewShows(at.Settings, true, a.now())
	p.Percent = courses.Percent(at.Score, at.Max)
	tf := a.trueFalse(c)
	for _, s := range at.Slots {
		v := questionOnPage(at, s, s.Slot+1, tf)
		addReview(&v, at, s, p.Shows, tf)
		p.Questions = append(p.Questions, v)
	}
	a.render(c, http.StatusOK, "attempt_review", a.newView(c, p))
}

// attemptIDOf is the :attempt of the URL, or 0.
func attemptIDOf(c *gin.Context) int64 {
	id, _ := paramID(c, "attempt")
	return id
}
