package handlers

import (
	"errors"
	"net/http"
	"net/url"
	"strings"
	"unicode"

	"github.com/aula-school/aula/courses"
	"github.com/gin-gonic/gin"
)

// defaultMaxBody bounds every request body but those of the routes that take files.
const defaultMaxBody = 1 << 20

const ctxInputErrors = "aula.input_errors"

// maxQueryBytes bounds a whole query string, as courses.MaxURLValueBytes bounds each value.
const maxQueryBytes = 4 * courses.MaxURLValueBytes

// inputRules say, per route ("POST /path/:param", as registered), what checkInput allows.
type inputRules struct {
	// maxBody raises the body limit of routes that take files.
	maxBody map[string]int64
	// fieldForms are the forms whose handlers show a refused character next to its field
	// (inputErrors); a form of any other route that brings one is refused whole.
	fieldForms map[string]bool
	// answerForms are the forms of a quiz attempt: what a trainee types there is their answer,
	// pasted from anywhere, and refusing it would lose it; a character that cannot be saved is
	// dropped instead (courses.CleanText), before the handler reads the form.
	answerForms map[string]bool
}

// checkInput is the one place every URL value and form field passes through, before any
// handler, so that a handler written later gets it for free:
//   - a path parameter or query value that is not valid UTF-8, holds a control character
//     or is longer than courses.MaxURLValueBytes is a 404 (no page has such an address);
//   - a body longer than the route's limit is a 413;
//   - a form field that is not text (courses.ValidText) is recorded as that field's error
//     for the forms in fieldForms, and answered with the 400 page for every other form, so
//     that it never reaches the store.
func (a *App) checkInput(rules inputRules) gin.HandlerFunc {
	return func(c *gin.Context) {
		for _, p := range c.Params {
			if !validURLValue(p.Value) {
				a.notFound(c)
				return
			}
		}
		// No page links to a query longer than a few values: a long one would only make
		// the page (which repeats the address in the language switcher) long.
		query, err := url.ParseQuery(c.Request.URL.RawQuery)
		if err != nil || len(c.Request.URL.RawQuery) > maxQueryBytes {
			a.notFound(c)
			return
		}
		for k, vs := range query {
			if !validURLValue(k) {
				a.notFound(c)
				return
			}
			for _, v := range vs {
				if !validURLValue(v) {
					a.notFound(c)
					return
				}
			}
		}

		route := c.Request.Method + " " + c.FullPath()
		limit := int64(defaultMaxBody)
		// Only staff are given a larger limit: every raised route is theirs, and this runs
		// before the route's own checks, so an anonymous upload must not be read in full.
		if n, ok := rules.maxBody[route]; ok && canTeach(currentUser(c)) {
			limit = n
		}
		if c.Request.ContentLength > limit {
			a.tooLarge(c)
			return
		}
		c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, limit)
		if err := a.parseForm(c); err != nil {
			var mbe *http.MaxBytesError
			if errors.As(err, &mbe) {
				a.tooLarge(c)
				return
			}
			a.badInput(c)
			return
		}
		errs := courses.FieldErrors{}
		for k, vs := range c.Request.PostForm {
			if !courses.ValidLine(k) {
				a.badInput(c)
				return
			}
			for i, v := range vs {
				switch {
				case courses.ValidText(v):
				case rules.answerForms[route]:
					vs[i] = courses.CleanText(v)
					if fv := c.Request.Form[k]; i < len(fv) && fv[i] == v {
						fv[i] = vs[i]
					}
				default:
					errs[k] = courses.KeyBadCharacters
				}
			}
		}
		if c.Request.MultipartForm != nil {
			for _, fs := range c.Request.MultipartForm.File {
				for _, f := range fs {
					// A file's name only suggests the image's name; it is slugified, never stored as sent.
					if len(f.Filename) > courses.MaxURLValueBytes {
						a.badInput(c)
						return
					}
				}
			}
		}
		if len(errs) > 0 {
			if !rules.fieldForms[route] {
				a.badInput(c)
				return
			}
			c.Set(ctxInputErrors, errs)
		}
		c.Next()
	}
}

// parseForm reads a form body, within the limit already set on it, exactly as the
// handlers' c.PostForm would (net/http reads a urlencoded body even when the Content-Type
// has a parameter it cannot parse): whatever a handler can read has been checked here.
// A body that is neither form is left to its handler.
func (a *App) parseForm(c *gin.Context) error {
	switch c.Request.Method {
	case http.MethodPost, http.MethodPut, http.MethodPatch:
	default:
		return nil
	}
	// ParseForm first: ParseMultipartForm would hide its error (a body over the limit, a
	// Content-Type it cannot parse) behind ErrNotMultipart.
	if err := c.Request.ParseForm(); err != nil {
		return err
	}
	if err := c.Request.ParseMultipartForm(a.engine.MaxMultipartMemory); err != nil && !errors.Is(err, http.ErrNotMultipart) {
		return err
	}
	return nil
}

// canTeach says whether u authors courses: instructors and admins.
func canTeach(u *courses.User) bool {
	return u != nil && (u.Role == courses.RoleInstructor || u.Role == courses.RoleAdmin)
}

func validURLValue(s string) bool {
	return len(s) <= courses.MaxURLValueBytes && courses.ValidLine(s)
}

// inputErrors returns the fields whose characters checkInput refused, for a handler in
// fieldForms to show beside each field; the map is the handler's to add to.
func inputErrors(c *gin.Context) courses.FieldErrors {
	errs := courses.FieldErrors{}
	if v, ok := c.Get(ctxInputErrors); ok {
		for k, msg := range v.(courses.FieldErrors) {
			errs[k] = msg
		}
	}
	return errs
}

// withInputErrors adds the refused fields to errs; a refused character says more than a
// rule the garbled value then breaks.
func withInputErrors(c *gin.Context, errs courses.FieldErrors) courses.FieldErrors {
	for k, msg := range inputErrors(c) {
		errs[k] = msg
	}
	return errs
}

// shown is a value as a form may show it back: broken bytes and control characters become
// U+FFFD, so that what was refused is visible and the page stays valid HTML.
func shown(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	return strings.Map(func(r rune) rune {
		if unicode.IsControl(r) && r != '\t' && r != '\n' && r != '\r' {
			return '\uFFFD'
		}
		return r
	}, s)
}

// tooLarge answers a body over the route's limit; the connection is closed after it, so
// the rest of the body is never read.
func (a *App) tooLarge(c *gin.Context) {
	a.renderError(c, http.StatusRequestEntityTooLarge, "error.too_large.title", "error.too_large.message")
}

func (a *App) badInput(c *gin.Context) {
	a.renderError(c, http.StatusBadRequest, "error.input.title", "error.input.message")
}

// mustMatch stops the start when a rule names a route that does not exist: a route renamed
// without its rule would quietly fall back to the default limit.
func (rules inputRules) mustMatch(routes gin.RoutesInfo) {
	known := map[string]bool{}
	for _, r := range routes {
		known[r.Method+" "+r.Path] = true
	}
	for route := range rules.maxBody {
		if !known[route] {
			panic("handlers: body limit for unknown route " + route)
		}
	}
	for route := range rules.fieldForms {
		if !known[route] {
			panic("handlers: field form rule for unknown route " + route)
		}
	}
	for route := range rules.answerForms {
		if !known[route] {
			panic("handlers: answer form rule for unknown route " + route)
		}
	}
}
