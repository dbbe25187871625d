package handlers_test

import (
	"fmt"
	"html"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/aula-school/aula/courses"
)

var metaDescription = regexp.MustCompile(`<meta name="description" content="([^"]*)">`)

// Every page says what it is to search engines and link previews, in the reader's language.
func TestEveryPageHasADescriptionInTheReadersLanguage(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	owner := app.user("owner@example.org", courses.RoleInstructor)
	co := app.importFixture(owner.ID, true)
	lesson := co.Modules[0].Lessons[0].ID
	described := map[string]string{}
	for _, lang := range []string{"es", "en", "pt"} {
		anon := app.client(lang)
		trainee := app.enrolledClient(lang+"@example.org", co.ID, lang)
		trainee.post("/language", map[string][]string{"lang": {lang}, "next": {"/"}})
		staff := app.client(lang)
		staff.mustLogin("owner@example.org")
		staff.post("/language", map[string][]string{"lang": {lang}, "next": {"/"}})
		pages := []struct {
			c    *client
			path string
			want int
		}{
			{anon, "/", http.StatusOK}, {anon, "/courses", http.StatusOK}, {anon, "/login", http.StatusOK},
			{anon, "/register", http.StatusOK}, {anon, "/courses/" + co.Slug, http.StatusOK}, {anon, "/no-such-page", http.StatusNotFound},
			{trainee, "/learning", http.StatusOK}, {trainee, "/profile", http.StatusOK}, {trainee, "/checkin", http.StatusOK},
			{trainee, fmt.Sprintf("/courses/%s/lessons/%d", co.Slug, lesson), http.StatusOK},
			{staff, "/teach", http.StatusOK}, {staff, fmt.Sprintf("/teach/courses/%d", co.ID), http.StatusOK},
		}
		for _, p := range pages {
			r := p.c.get(p.path)
			m := metaDescription.FindStringSubmatch(r.Body)
			if r.Status != p.want || m == nil || len(m[1]) < 20 {
				t.Errorf("%s %s: status %d, description %q", lang, p.path, r.Status, m)
				continue
			}
			described[lang+" "+p.path] = html.UnescapeString(m[1])
		}
	}
	for key, es := range described {
		lang, path, _ := strings.Cut(key, " ")
		if lang == "es" && (es == described["en "+path] || es == described["pt "+path]) {
			t.Errorf("%s: the description is the same in two languages: %q", path, es)
		}
	}
	if described["en /courses"] == described["en /"] {
		t.Error("the catalog has no description of its own")
	}
}
