package handlers

import (
	"html/template"
	"strings"
	"testing"
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
