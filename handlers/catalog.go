package handlers

import (
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/aula-school/aula/courses"
	"github.com/aula-school/aula/store"
	"github.com/gin-gonic/gin"
)

const coursesPerPage = 12

// maxPage bounds page numbers typed into URLs, so that offsets cannot overflow.
const maxPage = 10000

type catalogPage struct {
	Courses  []courses.LocalCourse
	Total    int
	Audience string
	Language string
	Level    string
	Query    string
	Filtered bool
	PrevURL  string
	NextURL  string
}

// catalogFreshness is how old the catalog an anonymous visitor sees may be: a course
// published or edited shows there within it (at once for people signed in).
const catalogFreshness = time.Second

// catalog is the public list of published courses, filtered and searched. Anonymous
// visitors without a message waiting share one rendering per language and query for
// catalogFreshness (see pageCache).
func (a *App) catalog(c *gin.Context) {
	lang := a.lang(c)
	f := store.CatalogFilter{Query: c.Query("q"), Viewer: lang, Limit: coursesPerPage}
	if au := courses.Audience(c.Query("audience")); au.Valid() {
		f.Audience = au
	}
	if l := c.Query("language"); courses.ValidLanguage(l) {
		f.Language = l
	}
	if lv := courses.Level(c.Query("level")); lv.Valid() {
		f.Level = lv
	}
	page, err := strconv.Atoi(c.Query("page"))
	if err != nil || page < 1 || page > maxPage {
		page = 1
	}
	f.Offset = (page - 1) * coursesPerPage
	// Shared only for the addresses the catalog's own links and form make, so that nothing a
	// visitor adds to the query (unknown parameters, another order) makes a page of its own.
	cacheKey := ""
	if _, err := c.Request.Cookie(a.cookieName(flashCookie)); err != nil && currentUser(c) == nil &&
		c.Request.URL.RawQuery == catalogQuery(f, page) {
		cacheKey = lang + "?" + c.Request.URL.RawQuery
		if body, ok := a.catalogCache.get(cacheKey, a.now()); ok {
			c.Data(http.StatusOK, "text/html; charset=utf-8", body)
			return
		}
	}
	list, total, err := a.Store.Catalog(c.Request.Context(), f)
	if err != nil {
		a.fail(c, err)
		return
	}
	data := catalogPage{Total: total, Audience: string(f.Audience), Language: f.Language, Level: string(f.Level), Query: f.Query}
	data.Filtered = f.Audience != "" || f.Language != "" || f.Level != "" || f.Query != ""
	reading := lang
	if f.Language != "" {
		reading = f.Language
	}
	for _, co := range list {
		data.Courses = append(data.Courses, courses.Localize(co, reading))
	}
	link := func(p int) string {
		if q := catalogQuery(f, p); q != "" {
			return "/courses?" + q
		}
		return "/courses"
	}
	if page > 1 {
		data.PrevURL = link(page - 1)
	}
	if page*coursesPerPage < total {
		data.NextURL = link(page + 1)
	}
	v := a.newView(c, data)
	if cacheKey == "" {
		a.render(c, http.StatusOK, "catalog", v)
		return
	}
	body, err := a.renderPage("catalog", v)
	if err != nil {
		a.serverError(c, err)
		return
	}
	a.catalogCache.put(cacheKey, body, a.now())
	c.Data(http.StatusOK, "text/html; charset=utf-8", body)
}

// catalogQuery is the query string that the filter form (in its field order) or a pager
// link sends for f: "" for the catalog itself.
func catalogQuery(f store.CatalogFilter, page int) string {
	if f.Query == "" && f.Audience == "" && f.Language == "" && f.Level == "" && page == 1 {
		return ""
	}
	v := url.Values{"q": {f.Query}, "audience": {string(f.Audience)}, "language": {f.Language}, "level": {string(f.Level)}}
	form := "q=" + url.QueryEscape(f.Query) + "&audience=" + url.QueryEscape(string(f.Audience)) +
		"&language=" + url.QueryEscape(f.Language) + "&level=" + url.QueryEscape(string(f.Level))
	if page == 1 {
		return form
	}
	for k, val := range v {
		if val[0] == "" {
			delete(v, k)
		}
	}
	v.Set("page", strconv.Itoa(page))
	return v.Encode()
}
