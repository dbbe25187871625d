package handlers

import (
	"bytes"
	"fmt"
	"html/template"
	"strings"
	"testing"

	"github.com/aula-school/aula/courses"
	"github.com/aula-school/aula/static"
)

// outlineTemplates are the course and lesson pages' outlines as the templates wrote them before
// syllabusHTML and lessonOutlineHTML: the Go must give the same bytes, escaping included.
const outlineTemplates = `{{define "syllabus"}}<ol class="syllabus" lang="xx">
{{- range .Mods}}
<li><h3>{{.Title}}</h3>
<ol>
{{- range .Lessons}}
<li{{if .Quiz}} class="quiz"{{end}}>{{if .Quiz}}{{$.L.Quiz}}: {{end}}{{if .Href}}<a href="{{.Href}}"{{if .Quiz}} lang="{{.Lang}}"{{end}}>{{.Title}}</a>{{else}}{{.Title}}{{end}}{{if .Done}} <span class="done">{{if .Quiz}}{{$.L.Passed}}{{else}}{{$.L.Done}}{{end}}</span>{{end}}</li>
{{- end}}
</ol>
</li>
{{- end}}
</ol>{{end}}
{{define "lesson"}}<ol lang="xx">
{{- range .Mods}}
<li>{{.Title}}<ol>
{{- range .Lessons}}
<li{{if .Quiz}} class="quiz"{{end}}>{{if .Quiz}}{{$.L.Quiz}}: {{end}}{{if .Current}}<strong aria-current="page">{{.Title}}</strong>{{else if .Href}}<a href="{{.Href}}"{{if .Quiz}} lang="{{.Lang}}"{{end}}>{{.Title}}</a>{{else}}{{.Title}}{{end}}</li>
{{- end}}
</ol></li>
{{- end}}
</ol>{{end}}`

func TestTheOutlinesAreTheTemplatesToTheByte(t *testing.T) {
	tmpl := template.Must(template.New("").Parse(outlineTemplates))
	hostile := `<script>alert("x")</script> O'Brien & Co + 1 ` + "\x00" + ` Política`
	mods := []outlineModule{
		{Title: "Unidad 1: " + hostile, Lessons: []outlineLesson{
			{Title: "Lección " + hostile, Lang: "es", Href: "/courses/policia-comunitaria/lessons/12"},
			{Title: "Hecha", Lang: "es", Href: "/courses/policia-comunitaria/lessons/13?lang=pt", Done: true},
			{Title: "Actual", Lang: "es", Href: "/courses/policia-comunitaria/lessons/14", Current: true, Done: true},
			{Title: "Quiz " + hostile, Lang: "pt", Href: "/courses/policia-comunitaria/quizzes/3", Quiz: true, Done: true},
			{Title: "Quiz closed", Lang: "en", Quiz: true},
			{Title: "Sin enlace", Lang: "es"},
		}},
		{Title: "Empty unit"},
		{Title: "Unidad 3", Lessons: []outlineLesson{{Title: "Última", Lang: "es", Href: "/courses/x/lessons/99"}}},
	}
	labels := outlineLabels{Quiz: `Cuestionario <b>`, Done: `✓ hecho & "visto"`, Passed: `aprobado 'sí'`}
	for _, mods := range [][]outlineModule{mods, nil} {
		var want strings.Builder
		data := struct {
			Mods []outlineModule
			L    outlineLabels
		}{mods, labels}
		if err := tmpl.ExecuteTemplate(&want, "syllabus", data); err != nil {
			t.Fatal(err)
		}
		if got := `<ol class="syllabus" lang="xx">` + string(syllabusHTML(mods, labels)) + "\n</ol>"; got != want.String() {
			t.Errorf("syllabus:\n got %q\nwant %q", got, want.String())
		}
		want.Reset()
		if err := tmpl.ExecuteTemplate(&want, "lesson", data); err != nil {
			t.Fatal(err)
		}
		if got := `<ol lang="xx">` + string(lessonOutlineHTML(mods, labels)) + "\n</ol>"; got != want.String() {
			t.Errorf("lesson outline:\n got %q\nwant %q", got, want.String())
		}
	}
	if s := string(syllabusHTML(mods, labels)); strings.Contains(s, "<script") || strings.Contains(s, "<b>") || !strings.Contains(s, "&lt;script&gt;") {
		t.Errorf("the syllabus does not escape its texts: %s", s)
	}
}

// TestConstantsWrittenInChangeNoPage renders pages in every language through template sets
// with and without writeConstantsIn and compares them to the byte: the course and lesson pages
// and the error page with data, every page without (each then stops where it first needs its
// data, in both alike), for a trainee and for a visitor.
func TestConstantsWrittenInChangeNoPage(t *testing.T) {
	tr, err := loadTranslations()
	if err != nil {
		t.Fatal(err)
	}
	assets, err := static.Load()
	if err != nil {
		t.Fatal(err)
	}
	folded, err := parsePageSets(assets, tr, true)
	if err != nil {
		t.Fatal(err)
	}
	plain, err := parsePageSets(assets, tr, false)
	if err != nil {
		t.Fatal(err)
	}
	co := courses.Course{ID: 7, Slug: "policia-comunitaria", Status: courses.StatusPublished, DefaultLanguage: "es",
		Texts: map[string]courses.CourseText{"es": {Title: `Policía "comunitaria" & + <b>`, Summary: "Resumen 'uno'"}}}
	lc := courses.Localize(co, "es")
	data := map[string]any{
		"error":  errorPage{Status: 404, Title: "error.not_found.title", Message: "error.not_found.message"},
		"course": coursePage{Local: lc, CanRead: true, Enrolment: enrolment{Enrolled: true}, Syllabus: "<li>x</li>"},
		"lesson": lessonPage{Course: lc, Lesson: courses.LocalLesson{ID: 3, Title: "Lección <1>"}, CanMark: true, BaseURL: "/courses/x", Outline: "<li>y</li>"},
	}
	users := []*courses.User{nil, {ID: 1, FullName: "Ana O'Neil", Role: courses.RoleTrainee}, {ID: 2, FullName: "Admin", Role: courses.RoleAdmin}}
	compared := 0
	for name := range plain.sets {
		lang, page, _ := strings.Cut(name, "/")
		for _, u := range users {
			v := func() *view {
				return &view{Lang: lang, Languages: courses.Languages, LanguageOptions: plain.languageOptions[lang], User: u,
					Path: "/courses?q=a&b=<c>", Flash: "flash.saved", Data: data[page], tr: tr}
			}
			var want, got bytes.Buffer
			errWant := plain.sets[name].ExecuteTemplate(&want, "base", v())
			errGot := folded.sets[name].ExecuteTemplate(&got, "base", v())
			if got.String() != want.String() || fmt.Sprint(errGot) != fmt.Sprint(errWant) {
				t.Errorf("%s: the page changed when its constants were written in:\n got %q (%v)\nwant %q (%v)", name, got.String(), errGot, want.String(), errWant)
			}
			if data[page] != nil && errWant != nil {
				t.Errorf("%s: %v", name, errWant)
			}
			compared += want.Len()
		}
	}
	if compared < 100000 {
		t.Errorf("only %d bytes of pages compared", compared)
	}
}
