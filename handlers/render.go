package handlers

import (
	"bytes"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"math"
	"net/http"
	"path"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/aula-school/aula/courses"
	"github.com/aula-school/aula/courses/certpdf"
	"github.com/aula-school/aula/static"
	"github.com/aula-school/aula/templates"
	"github.com/gin-gonic/gin"
)

// formatDecimal writes a score or a percentage with at most two decimals: 7, 7.5, 83.33.
func formatDecimal(x float64) string {
	return strconv.FormatFloat(math.Round(x*100)/100, 'f', -1, 64)
}

// pages holds one template set per page and language: the layout, the partials and that
// page, with every translation that takes no data written in at start-up.
type pages struct {
	sets map[string]*template.Template // by language + "/" + page
	// languageOptions is the language switcher's options in each language, rendered once: the
	// same on every page, and a dozen of a page's actions otherwise.
	languageOptions map[string]template.HTML
}

// constantT is a translation without data, {{.T "key"}} or {{$.T "key"}}: the same text on
// every view of a page in one language, so it is looked up once, when the page is parsed,
// instead of by reflection on every view (a third of a page's actions, measured by make
// bench). It stays an action, so html/template still escapes it for where it stands.
var (
	constantT      = regexp.MustCompile(`\{\{(-?\s*)\$?\.T ("[^"\\]*")(\s*-?)\}\}`)
	constantStatic = regexp.MustCompile(`\{\{(-?\s*)static ("[^"\\]*")(\s*-?)\}\}`)
)

func parsePages(assets *static.Assets, tr *translations) (*pages, error) {
	return parsePageSets(assets, tr, true)
}

// parsePageSets is parsePages, with the constants' escaping written in (writeConstantsIn)
// where fold is true: the test of that compares the two.
func parsePageSets(assets *static.Assets, tr *translations, fold bool) (*pages, error) {
	funcs := template.FuncMap{
		"static": func(name string) (string, error) {
			if u := assets.URL(name); u != "" {
				return u, nil
			}
			return "", fmt.Errorf("no static file %q", name)
		},
		"add":    func(a, b int) int { return a + b },
		"add64":  func(a int64, b int) int64 { return a + int64(b) },
		"sub":    func(a, b int) int { return a - b },
		"num":    formatDecimal,
		"mul100": func(x float64) float64 { return 100 * x },
		// dict passes several values to a partial: (dict "V" $ "C" .).
		"dict": func(pairs ...any) (map[string]any, error) {
			if len(pairs)%2 != 0 {
				return nil, errors.New("dict: odd number of arguments")
			}
			m := make(map[string]any, len(pairs)/2)
			for i := 0; i < len(pairs); i += 2 {
				m[fmt.Sprint(pairs[i])] = pairs[i+1]
			}
			return m, nil
		},
	}
	shared, err := fs.Glob(templates.FS, "layouts/*.html")
	if err != nil {
		return nil, err
	}
	partials, err := fs.Glob(templates.FS, "partials/*.html")
	if err != nil {
		return nil, err
	}
	layouts := shared
	shared = append(append([]string{}, shared...), partials...)
	names, err := fs.Glob(templates.FS, "pages/*.html")
	if err != nil {
		return nil, err
	}
	sources := map[string]string{}
	for _, file := range append(append([]string{}, shared...), names...) {
		b, err := fs.ReadFile(templates.FS, file)
		if err != nil {
			return nil, err
		}
		sources[file] = string(b)
	}
	p := &pages{sets: map[string]*template.Template{}, languageOptions: map[string]template.HTML{}}
	for _, lang := range courses.Languages {
		inline := func(src string) string {
			src = constantT.ReplaceAllStringFunc(src, func(m string) string {
				g := constantT.FindStringSubmatch(m)
				key, _ := strconv.Unquote(g[2])
				return "{{" + g[1] + strconv.Quote(tr.translate(lang, key)) + g[3] + "}}"
			})
			return constantStatic.ReplaceAllStringFunc(src, func(m string) string {
				g := constantStatic.FindStringSubmatch(m)
				name, _ := strconv.Unquote(g[2])
				if u := assets.URL(name); u != "" {
					return "{{" + g[1] + strconv.Quote(u) + g[3] + "}}"
				}
				return m // left to the function, which fails the start
			})
		}
		for _, file := range names {
			name := strings.TrimSuffix(path.Base(file), ".html")
			t := template.New(name).Funcs(funcs)
			for _, f := range append(uses(file, layouts, partials, sources), file) {
				if _, err := t.New(path.Base(f)).Parse(inline(sources[f])); err != nil {
					return nil, fmt.Errorf("handlers: template %s: %w", f, err)
				}
			}
			if t.Lookup("main") == nil {
				return nil, fmt.Errorf("handlers: template %s defines no \"main\"", file)
			}
			p.sets[lang+"/"+name] = t
		}
		var buf bytes.Buffer
		if err := p.sets[lang+"/error"].ExecuteTemplate(&buf, "language-options",
			&view{Lang: lang, Languages: courses.Languages, tr: tr}); err != nil {
			return nil, fmt.Errorf("handlers: language options: %w", err)
		}
		p.languageOptions[lang] = template.HTML(buf.String())
		if fold {
			for _, file := range names {
				name := strings.TrimSuffix(path.Base(file), ".html")
				if err := writeConstantsIn(p.sets[lang+"/"+name], &view{Lang: lang, Languages: courses.Languages, tr: tr}); err != nil {
					return nil, fmt.Errorf("handlers: template %s: %w", file, err)
				}
			}
		}
	}
	return p, nil
}

// templateCall is a call of a named template: {{template "name"}} or {{block "name"}}.
var templateCall = regexp.MustCompile(`\{\{-?\s*(?:template|block) "([^"]+)"`)

// templateDefine is a definition of one.
var templateDefine = regexp.MustCompile(`\{\{-?\s*define "([^"]+)"`)

// uses lists the layouts and the partials that page's set needs: every layout, and the
// partials that define a template it calls, or that they call in turn. A set parsed with
// every partial weighed 250 KB in each of 165 sets (a page and a language each), the
// partials nine tenths of it. The error page's set also has the language switcher's
// options, which parsePageSets executes from it.
func uses(page string, layouts, partials []string, sources map[string]string) []string {
	definedIn := map[string]string{}
	for _, f := range partials {
		for _, m := range templateDefine.FindAllStringSubmatch(sources[f], -1) {
			definedIn[m[1]] = f
		}
	}
	need := map[string]bool{}
	var visit func(src string)
	visit = func(src string) {
		for _, m := range templateCall.FindAllStringSubmatch(src, -1) {
			if f, ok := definedIn[m[1]]; ok && !need[f] {
				need[f] = true
				visit(sources[f])
			}
		}
	}
	for _, f := range layouts {
		visit(sources[f])
	}
	visit(sources[page])
	if strings.TrimSuffix(path.Base(page), ".html") == "error" {
		need[definedIn["language-options"]] = true
	}
	out := append([]string{}, layouts...)
	for _, f := range partials { // in their order, as before
		if need[f] {
			out = append(out, f)
		}
	}
	return out
}

// set is the template set of page in lang.
func (p *pages) set(lang, page string) (*template.Template, bool) {
	t, ok := p.sets[lang+"/"+page]
	return t, ok
}

// view is what every page template receives.
type view struct {
	Lang            string
	Languages       []string
	LanguageOptions template.HTML // the switcher's, in Lang
	User            *courses.User
	Path            string // the current URL, where the language switcher comes back to
	Flash           string // a translation key, shown once
	Form            *form
	Data            any
	tr              *translations
}

// T translates a message id into the page's language; data are pairs of name, value.
func (v *view) T(id string, data ...any) string { return v.tr.translate(v.Lang, id, data...) }

// Countries lists the countries named in the page's language.
func (v *view) Countries() []courses.Country { return v.tr.countries[v.Lang] }

// CountryName names a country code in the page's language.
func (v *view) CountryName(code string) string {
	if code == "" {
		return ""
	}
	return courses.CountryName(code, v.Lang)
}

// Sectors, Genders and Roles list the choices forms offer.
func (v *view) Sectors() []courses.Sector { return courses.Sectors }
func (v *view) Genders() []courses.Gender { return courses.Genders }
func (v *view) Roles() []courses.Role     { return courses.Roles }

// IsAdmin says whether the signed-in user runs the school.
func (v *view) IsAdmin() bool { return v.User != nil && v.User.Role == courses.RoleAdmin }

// Field describes one form input for the "field" partial.
func (v *view) Field(name, typ, label, hint, autocomplete string) fieldView {
	f := fieldView{V: v, Name: name, Type: typ, Label: label, Hint: hint, Autocomplete: autocomplete}
	if v.Form != nil {
		f.Value = v.Form.Values[name]
		f.Error = v.Form.Errors[name]
	}
	return f
}

type fieldView struct {
	V                                            *view
	Name, Type, Label, Hint, Autocomplete, Value string
	Error                                        string
}

// form carries what a user typed and what is wrong with it, back to the page.
type form struct {
	Values map[string]string
	Errors courses.FieldErrors
}

// Value returns what was typed into a field.
func (f *form) Value(name string) string {
	if f == nil {
		return ""
	}
	return f.Values[name]
}

// Error returns the translation key of what is wrong with a field, or "".
func (f *form) Error(name string) string {
	if f == nil {
		return ""
	}
	return f.Errors[name]
}

// over returns a form showing f's values where f has them and stored values elsewhere, with
// f's errors: a page with several forms keeps the others filled when one comes back.
func (f *form) over(stored map[string]string) *form {
	out := &form{Values: make(map[string]string, len(stored))}
	for k, v := range stored {
		out.Values[k] = v
	}
	if f != nil {
		for k, v := range f.Values {
			out.Values[k] = v
		}
		out.Errors = f.Errors
	}
	return out
}

// HasErrors says whether the form is to be shown again with errors.
func (f *form) HasErrors() bool { return f != nil && len(f.Errors) > 0 }

func (a *App) newView(c *gin.Context, data any) *view {
	v := &view{
		Lang:            a.lang(c),
		Languages:       courses.Languages,
		User:            currentUser(c),
		LanguageOptions: a.pages.languageOptions[a.lang(c)],
		Path:            c.Request.URL.RequestURI(),
		Data:            data,
		tr:              a.i18n,
	}
	v.Flash = a.takeFlash(c)
	return v
}

// render executes a page into a buffer first, so that a template error becomes a clean 500.
// The buffer is used again by a later page once this one is written: a page is a few
// kilobytes, which a fresh buffer reached in half a dozen allocations and copies.
func (a *App) render(c *gin.Context, status int, page string, v *view) {
	buf := pageBuffers.Get().(*bytes.Buffer)
	defer putPageBuffer(buf)
	if err := a.executePage(buf, page, v); err != nil {
		a.serverError(c, err)
		return
	}
	c.Data(status, "text/html; charset=utf-8", buf.Bytes())
}

var pageBuffers = sync.Pool{New: func() any { return bytes.NewBuffer(make([]byte, 0, 16<<10)) }}

func putPageBuffer(buf *bytes.Buffer) {
	if buf.Cap() > 256<<10 { // a roster of hundreds: let it go rather than keep it for every page
		return
	}
	buf.Reset()
	pageBuffers.Put(buf)
}

// renderPage executes a page and returns it whole, in a buffer of its own (kept by the caller).
func (a *App) renderPage(page string, v *view) ([]byte, error) {
	var buf bytes.Buffer
	if err := a.executePage(&buf, page, v); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func (a *App) executePage(buf *bytes.Buffer, page string, v *view) error {
	set, ok := a.pages.set(v.Lang, page)
	if !ok {
		return fmt.Errorf("handlers: no page %q", page)
	}
	if err := set.ExecuteTemplate(buf, "base", v); err != nil {
		return fmt.Errorf("handlers: render %s: %w", page, err)
	}
	return nil
}

// errorPage is the data of the page shown for 403, 404, 429 and 500.
type errorPage struct {
	Status  int
	Title   string
	Message string
}

func (a *App) renderError(c *gin.Context, status int, title, message string) {
	v := a.newView(c, errorPage{Status: status, Title: title, Message: message})
	var buf bytes.Buffer
	set, ok := a.pages.set(v.Lang, "error")
	if !ok {
		set, _ = a.pages.set(courses.DefaultLanguage, "error")
	}
	if err := set.ExecuteTemplate(&buf, "base", v); err != nil {
		// The error page itself failed: say so plainly, in the user's language.
		c.Data(status, "text/plain; charset=utf-8", []byte(a.i18n.translate(v.Lang, "error.server.title")))
		c.Abort()
		return
	}
	c.Data(status, "text/html; charset=utf-8", buf.Bytes())
	c.Abort()
}

func (a *App) notFound(c *gin.Context) {
	a.renderError(c, http.StatusNotFound, "error.not_found.title", "error.not_found.message")
}

func (a *App) forbidden(c *gin.Context) {
	a.renderError(c, http.StatusForbidden, "error.forbidden.title", "error.forbidden.message")
}

func (a *App) serverError(c *gin.Context, err error) {
	_ = c.Error(err)
	a.renderError(c, http.StatusInternalServerError, "error.server.title", "error.server.message")
}

// Date writes a moment as a day in the page's language: "1 de diciembre de 2026".
func (v *view) Date(t time.Time) string {
	s, err := certpdf.FormatDate(t.UTC(), v.Lang)
	if err != nil {
		return t.UTC().Format(time.DateOnly)
	}
	return s
}

// Day is Date for a day written 2006-01-02.
func (v *view) Day(s string) string {
	d, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return s
	}
	return v.Date(d)
}

// FlashBad says whether the flash message reports a refusal rather than a success.
func (v *view) FlashBad() bool { return strings.HasPrefix(v.Flash, "flash.error.") }

// DescribedBy lists the ids of the hint and the error of a field, for aria-describedby.
func (f fieldView) DescribedBy() string {
	var ids []string
	if f.Hint != "" {
		ids = append(ids, f.Name+"-hint")
	}
	if f.Error != "" {
		ids = append(ids, f.Name+"-error")
	}
	return strings.Join(ids, " ")
}

// Audiences and Levels list the choices of the course forms and the catalog's filters.
func (v *view) Audiences() []courses.Audience { return courses.Audiences }
func (v *view) Levels() []courses.Level       { return courses.Levels }

// CanTeach says whether the signed-in user authors courses.
func (v *view) CanTeach() bool { return canTeach(v.User) }

// BundleMessage translates one problem found in a course bundle.
func (v *view) BundleMessage(e courses.BundleError) string {
	var data []any
	for _, k := range courses.SortKeys(e.Args) {
		data = append(data, k, e.Args[k])
	}
	return v.T(e.Key, data...)
}

// CohortName names a cohort; the default, self-paced one has a translated name.
func (v *view) CohortName(c courses.Cohort) string {
	if c.IsDefault {
		return v.T("cohort.default_name")
	}
	return c.Name
}

// Modes, Policies and AttendanceStatuses list the choices of the cohort and roster forms.
func (v *view) Modes() []courses.CohortMode                    { return courses.CohortModes }
func (v *view) Policies() []courses.EnrolmentPolicy            { return courses.EnrolmentPolicies }
func (v *view) AttendanceStatuses() []courses.AttendanceStatus { return courses.AttendanceStatuses }

// Localize gives a course in the page's language, as trainees read it.
func (v *view) Localize(c courses.Course) courses.LocalCourse { return courses.Localize(c, v.Lang) }

// RowMessage translates one problem of an uploaded spreadsheet.
func (v *view) RowMessage(e courses.RowError) string {
	var data []any
	for _, k := range courses.SortKeys(e.Args) {
		data = append(data, k, e.Args[k])
	}
	return v.T(e.Key, data...)
}
