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
	cacheKey := ""
	if _, err := c.Request.Cookie(a.cookieName(flashCookie)); err != nil && currentUser(c) == nil {
		cacheKey = lang + "?" + c.Request.URL.RawQuery
		if body, ok := a.catalogCache.get(cacheKey, a.now()); ok {
			c.Data(http.StatusOK, "text/html; charset=utf-8", body)
			return
		}
	}
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
		v := url.Values{}
		for k, val := range map[string]string{"audience": data.Audience, "language": data.Language, "level": data.Level, "q": data.Query} {
			if val != "" {
				v.Set(k, val)
			}
		}
		v.Set("page", strconv.Itoa(p))
		return "/courses?" + v.Encode()
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
