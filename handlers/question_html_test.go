package handlers

import (
	"html/template"
	"strings"
	"testing"

	"github.com/aula-school/aula/courses"
)

// questionTemplate is templates/partials/question.html as it was before QuestionHTML: the Go
// must give the same bytes, escaping included.
const questionTemplate = `{{define "question"}}{{$v := .V}}{{with .Q}}
<fieldset class="question" id="question-{{.Slot}}" data-slot="{{.Slot}}" data-seq="{{.Seq}}"{{if .Review}} disabled{{end}}>
<legend>{{$v.T "quiz.question_number" "Number" .Number}}{{if .Points}} · {{$v.T "quiz.question_points" "Points" (printf "%g" .Points)}}{{end}}</legend>
<div class="question-text" lang="{{.Lang}}">{{.Text}}</div>
{{$name := print "q" .Slot}}
{{if not .Review}}<input type="hidden" name="seq{{.Slot}}" value="{{add64 .Seq 1}}">{{end}}
{{if or (eq .Type "multichoice") (eq .Type "truefalse")}}
{{if not .Review}}<input type="hidden" name="{{$name}}-shown" value="1">{{end}}
<ul class="options" lang="{{.Lang}}">
{{range $k, $o := .Options}}<li><input type="{{if $.Q.Multiple}}checkbox{{else}}radio{{end}}" id="{{$name}}-{{$k}}" name="{{$name}}" value="{{$o.ID}}"{{if $o.Checked}} checked{{end}}><label for="{{$name}}-{{$k}}">{{$o.Label}}</label>{{if and $.Q.ShowCorrect $o.Right}} <span class="right">({{$v.T "quiz.right_answer"}})</span>{{end}}</li>
{{end}}</ul>
{{else if eq .Type "match"}}
<ul class="matches" lang="{{.Lang}}">
{{range .Lefts}}{{$l := .}}<li><label for="{{$name}}-{{.Index}}">{{.Label}}</label>
<select id="{{$name}}-{{.Index}}" name="{{$name}}-{{.Index}}"><option value="">{{$v.T "quiz.choose"}}</option>
{{range $.Q.Rights}}<option value="{{.ID}}"{{if eq .ID $l.Chosen}} selected{{end}}>{{.Label}}</option>{{end}}
</select></li>
{{end}}</ul>
{{else if eq .Type "essay"}}
<label for="{{$name}}">{{$v.T "quiz.your_answer"}}</label>
<textarea id="{{$name}}" name="{{$name}}" rows="10" maxlength="50000">{{.Typed}}</textarea>
{{else if or (eq .Type "shortanswer") (eq .Type "numerical")}}
<label for="{{$name}}">{{$v.T "quiz.your_answer"}}</label>
<input id="{{$name}}" name="{{$name}}" type="text" value="{{.Typed}}" autocomplete="off"{{if eq .Type "numerical"}} inputmode="decimal"{{end}} maxlength="2000">
{{end}}
{{if .Review}}
{{if .ShowCorrect}}{{with .Mark}}<p class="mark">{{if .Pending}}{{$v.T "quiz.awaiting_grading"}}{{else}}{{$v.T "quiz.mark" "Score" (printf "%.4g" $.Q.Score) "Points" (printf "%.4g" $.Q.Points)}}{{end}}</p>{{end}}{{end}}
{{with .Right}}<p class="right-answers">{{$v.T "quiz.right_answers"}}: {{range $i, $r := .}}{{if $i}}; {{end}}<span lang="{{$.Q.Lang}}">{{$r}}</span>{{end}}</p>{{end}}
{{range .Feedback}}<div class="feedback" lang="{{$.Q.Lang}}">{{.}}</div>{{end}}
{{else}}<p class="save-state" role="status" aria-live="polite" id="save-{{.Slot}}"></p>{{end}}
</fieldset>
{{end}}{{end}}`

// questionPartial is what questionTemplate was given.
type questionPartial struct {
	V *view
	Q questionView
}

func TestTheQuestionIsTheTemplateToTheByte(t *testing.T) {
	tr, err := loadTranslations()
	if err != nil {
		t.Fatal(err)
	}
	tmpl := template.Must(template.New("").Funcs(template.FuncMap{"add64": func(a int64, b int) int64 { return a + int64(b) }}).Parse(questionTemplate))
	hostile := `<script>alert("x")</script> O'Brien & Co + 1 ` + "\x00" + ` Política`
	html := template.HTML(`<p>Un <strong>escenario</strong> &amp; texto</p>`)
	opts := []optionView{{ID: "a1b2c3", Label: "Primera <em>opción</em>"}, {ID: hostile, Label: html, Checked: true, Right: true}, {ID: "c3", Label: "Tercera", Right: true}}
	var cases []questionView
	for _, review := range []bool{false, true} {
		for _, show := range []bool{false, true} {
			base := questionView{Slot: 3, Number: 4, Text: html, Lang: `es" onclick="x ` + hostile, Points: 1.5, Seq: 7, Review: review, ShowCorrect: show}
			add := func(q questionView) { cases = append(cases, q) }
			q := base
			q.Type, q.Options = courses.QuestionMultichoice, opts
			add(q)
			q.Multiple, q.Points, q.Seq, q.Slot = true, 0, 0, 0
			add(q)
			q = base
			q.Type, q.Options = courses.QuestionTrueFalse, opts[:2]
			q.Mark, q.Score = &courses.Mark{Fraction: 1}, 1.5
			q.Right, q.Feedback = []string{"Verdadero " + hostile, "otra"}, []template.HTML{html, "<p>dos</p>"}
			add(q)
			q = base
			q.Type, q.Rights = courses.QuestionMatch, opts
			q.Lefts = []leftView{{Index: 0, Label: "Izquierda <b>1</b>", Chosen: "c3"}, {Index: 2, Label: html, Chosen: ""}, {Index: 5, Label: "x", Chosen: hostile}}
			q.Mark = &courses.Mark{Pending: true}
			add(q)
			q.Lefts, q.Rights = nil, nil
			add(q)
			q = base
			q.Type, q.Typed = courses.QuestionEssay, "Mi respuesta\n"+hostile
			q.Mark, q.Score, q.Points = &courses.Mark{Pending: true}, 0, 10
			add(q)
			q.Typed = ""
			add(q)
			q = base
			q.Type, q.Typed = courses.QuestionShortAnswer, hostile
			q.Mark, q.Score, q.Right = &courses.Mark{Fraction: 0.3333333}, 0.333333, []string{hostile}
			add(q)
			q.Type, q.Typed, q.Points, q.Score = courses.QuestionNumerical, "3,5", 2.25, 1.125
			add(q)
			q = base
			q.Type = courses.QuestionDescription
			add(q)
		}
	}
	for _, lang := range []string{"es", "en", "pt"} {
		v := &view{Lang: lang, tr: tr}
		for i, q := range cases {
			var want strings.Builder
			if err := tmpl.ExecuteTemplate(&want, "question", questionPartial{V: v, Q: q}); err != nil {
				t.Fatal(err)
			}
			if got := string(v.QuestionHTML(q)); got != want.String() {
				t.Errorf("%s, case %d (%s, review %v):\n got %q\nwant %q", lang, i, q.Type, q.Review, got, want.String())
			}
		}
	}
	for _, q := range cases {
		if q.Type != courses.QuestionShortAnswer || q.Review {
			continue
		}
		if s := string((&view{Lang: "es", tr: tr}).QuestionHTML(q)); strings.Contains(s, "<script") || !strings.Contains(s, `value="&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; O&#39;Brien &amp; Co &#43; 1 `) {
			t.Errorf("the question does not escape what the trainee typed: %s", s)
		}
	}
}

// pageLinksTemplate is templates/pages/attempt.html's page links before PageLinksHTML.
const pageLinksTemplate = `{{range .Data.PageLinks}}<li><button type="submit" name="action" value="{{add . 1}}"{{if eq . $.Data.Page}} aria-current="page"{{end}}>{{add . 1}}</button></li>{{end}}`

func TestThePageLinksAreTheTemplateToTheByte(t *testing.T) {
	tmpl := template.Must(template.New("").Funcs(template.FuncMap{"add": func(a, b int) int { return a + b }}).Parse(pageLinksTemplate))
	for _, p := range []attemptPage{{}, {PageLinks: []int{0}}, {PageLinks: []int{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}, Page: 9}, {PageLinks: []int{0, 1, 2}, Page: 2}} {
		var want strings.Builder
		if err := tmpl.Execute(&want, &view{Data: p}); err != nil {
			t.Fatal(err)
		}
		if got := string(p.PageLinksHTML()); got != want.String() {
			t.Errorf("page %d of %d:\n got %q\nwant %q", p.Page, len(p.PageLinks), got, want.String())
		}
	}
}
