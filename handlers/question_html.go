package handlers

import (
	"fmt"
	"html/template"
	"strconv"
	"strings"

	"github.com/aula-school/aula/courses"
)

// A question is the part of the attempt page that an exam shows most: every page turn and
// every examinee's first page. Through html/template it cost about half of the page's
// rendering (a reflective call or an escaper for each of its thirty-odd actions, and as many
// again for each option); written here it costs a few microseconds, to the same bytes, as the
// outline does (outline_html.go). The markup was templates/partials/question.html's:
// questionTemplate in question_html_test.go keeps that template and holds this code to its
// output for every type, in the attempt and in the review, hostile texts included.

// QuestionHTML is one question of an attempt page or its review, in v's language.
func (v *view) QuestionHTML(q questionView) template.HTML {
	var b strings.Builder
	b.Grow(1024 + 256*(len(q.Options)+len(q.Lefts)+len(q.Rights)) + len(q.Text) + len(q.Typed))
	slot := strconv.Itoa(q.Slot)
	name := "q" + slot
	b.WriteString("\n<fieldset class=\"question\" id=\"question-")
	b.WriteString(slot)
	b.WriteString(`" data-slot="`)
	b.WriteString(slot)
	b.WriteString(`" data-seq="`)
	b.WriteString(strconv.FormatInt(q.Seq, 10))
	b.WriteString(`"`)
	if q.Review {
		b.WriteString(" disabled")
	}
	b.WriteString(">\n<legend>")
	htmlText.WriteString(&b, v.T("quiz.question_number", "Number", q.Number))
	if q.Points != 0 {
		b.WriteString(" · ")
		htmlText.WriteString(&b, v.T("quiz.question_points", "Points", fmt.Sprintf("%g", q.Points)))
	}
	b.WriteString("</legend>\n<div class=\"question-text\" lang=\"")
	htmlText.WriteString(&b, q.Lang)
	b.WriteString(`">`)
	b.WriteString(string(q.Text))
	b.WriteString("</div>\n\n")
	if !q.Review {
		b.WriteString(`<input type="hidden" name="seq`)
		b.WriteString(slot)
		b.WriteString(`" value="`)
		b.WriteString(strconv.FormatInt(q.Seq+1, 10))
		b.WriteString(`">`)
	}
	b.WriteString("\n")
	switch q.Type {
	case courses.QuestionMultichoice, courses.QuestionTrueFalse:
		b.WriteString("\n")
		if !q.Review {
			b.WriteString(`<input type="hidden" name="`)
			b.WriteString(name)
			b.WriteString(`-shown" value="1">`)
		}
		b.WriteString("\n<ul class=\"options\" lang=\"")
		htmlText.WriteString(&b, q.Lang)
		b.WriteString("\">\n")
		kind := "radio"
		if q.Multiple {
			kind = "checkbox"
		}
		for k, o := range q.Options {
			id := name + "-" + strconv.Itoa(k)
			b.WriteString(`<li><input type="`)
			b.WriteString(kind)
			b.WriteString(`" id="`)
			b.WriteString(id)
			b.WriteString(`" name="`)
			b.WriteString(name)
			b.WriteString(`" value="`)
			htmlText.WriteString(&b, o.ID)
			b.WriteString(`"`)
			if o.Checked {
				b.WriteString(" checked")
			}
			b.WriteString(`><label for="`)
			b.WriteString(id)
			b.WriteString(`">`)
			b.WriteString(string(o.Label))
			b.WriteString("</label>")
			if q.ShowCorrect && o.Right {
				b.WriteString(` <span class="right">(`)
				htmlText.WriteString(&b, v.T("quiz.right_answer"))
				b.WriteString(")</span>")
			}
			b.WriteString("</li>\n")
		}
		b.WriteString("</ul>\n")
	case courses.QuestionMatch:
		b.WriteString("\n<ul class=\"matches\" lang=\"")
		htmlText.WriteString(&b, q.Lang)
		b.WriteString("\">\n")
		for _, l := range q.Lefts {
			id := name + "-" + strconv.Itoa(l.Index)
			b.WriteString(`<li><label for="`)
			b.WriteString(id)
			b.WriteString(`">`)
			b.WriteString(string(l.Label))
			b.WriteString("</label>\n<select id=\"")
			b.WriteString(id)
			b.WriteString(`" name="`)
			b.WriteString(id)
			b.WriteString(`"><option value="">`)
			htmlText.WriteString(&b, v.T("quiz.choose"))
			b.WriteString("</option>\n")
			for _, r := range q.Rights {
				b.WriteString(`<option value="`)
				htmlText.WriteString(&b, r.ID)
				b.WriteString(`"`)
				if r.ID == l.Chosen {
					b.WriteString(" selected")
				}
				b.WriteString(">")
				b.WriteString(string(r.Label))
				b.WriteString("</option>")
			}
			b.WriteString("\n</select></li>\n")
		}
		b.WriteString("</ul>\n")
	case courses.QuestionEssay:
		v.answerField(&b, name, "textarea")
		b.WriteString(`" rows="10" maxlength="50000">`)
		htmlText.WriteString(&b, q.Typed)
		b.WriteString("</textarea>\n")
	case courses.QuestionShortAnswer, courses.QuestionNumerical:
		v.answerField(&b, name, "input")
		b.WriteString(`" type="text" value="`)
		htmlText.WriteString(&b, q.Typed)
		b.WriteString(`" autocomplete="off"`)
		if q.Type == courses.QuestionNumerical {
			b.WriteString(` inputmode="decimal"`)
		}
		b.WriteString(" maxlength=\"2000\">\n")
	}
	b.WriteString("\n")
	if q.Review {
		b.WriteString("\n")
		if q.ShowCorrect && q.Mark != nil {
			b.WriteString(`<p class="mark">`)
			if q.Mark.Pending {
				htmlText.WriteString(&b, v.T("quiz.awaiting_grading"))
			} else {
				htmlText.WriteString(&b, v.T("quiz.mark", "Score", fmt.Sprintf("%.4g", q.Score), "Points", fmt.Sprintf("%.4g", q.Points)))
			}
			b.WriteString("</p>")
		}
		b.WriteString("\n")
		if len(q.Right) > 0 {
			b.WriteString(`<p class="right-answers">`)
			htmlText.WriteString(&b, v.T("quiz.right_answers"))
			b.WriteString(": ")
			for i, r := range q.Right {
				if i > 0 {
					b.WriteString("; ")
				}
				b.WriteString(`<span lang="`)
				htmlText.WriteString(&b, q.Lang)
				b.WriteString(`">`)
				htmlText.WriteString(&b, r)
				b.WriteString("</span>")
			}
			b.WriteString("</p>")
		}
		b.WriteString("\n")
		for _, f := range q.Feedback {
			b.WriteString(`<div class="feedback" lang="`)
			htmlText.WriteString(&b, q.Lang)
			b.WriteString(`">`)
			b.WriteString(string(f))
			b.WriteString("</div>")
		}
		b.WriteString("\n")
	} else {
		b.WriteString(`<p class="save-state" role="status" aria-live="polite" id="save-`)
		b.WriteString(slot)
		b.WriteString(`"></p>`)
	}
	b.WriteString("\n</fieldset>\n")
	return template.HTML(b.String())
}

// answerField writes a typed answer's label and its field's tag up to its name's value: the
// essay's textarea and the short or numerical answer's input share them.
func (v *view) answerField(b *strings.Builder, name, tag string) {
	b.WriteString("\n<label for=\"")
	b.WriteString(name)
	b.WriteString(`">`)
	htmlText.WriteString(b, v.T("quiz.your_answer"))
	b.WriteString("</label>\n<")
	b.WriteString(tag)
	b.WriteString(` id="`)
	b.WriteString(name)
	b.WriteString(`" name="`)
	b.WriteString(name)
}

// PageLinksHTML is a free quiz's buttons to every page, the current one marked: ten pages cost
// as much through html/template as the rest of the page.
func (p attemptPage) PageLinksHTML() template.HTML {
	var b strings.Builder
	b.Grow(80 * len(p.PageLinks))
	for _, n := range p.PageLinks {
		label := strconv.Itoa(n + 1)
		b.WriteString(`<li><button type="submit" name="action" value="`)
		b.WriteString(label)
		b.WriteString(`"`)
		if n == p.Page {
			b.WriteString(` aria-current="page"`)
		}
		b.WriteString(">")
		b.WriteString(label)
		b.WriteString("</button></li>")
	}
	return template.HTML(b.String())
}
