package handlers

import (
	"html/template"
	"strings"
)

// A course's outline is the longest part of the course and lesson pages: a row per lesson and
// quiz (65 and more in a long course), each with a link, a title and a mark. Through
// html/template every row cost a dozen reflective calls and escapers, about 0.5 ms of a page's
// CPU; written here it costs a few microseconds, to the same bytes. The markup is the
// templates' (templates/pages/course.html and lesson.html say where it goes), and the escaping
// is html/template's own: outlineTemplates in outline_html_test.go keeps the two templates this
// replaced and holds this code to their output, hostile titles included.

// htmlText escapes s as html/template escapes a value in text and in a quoted attribute: the
// same replacements, so the pages are the same to the byte.
var htmlText = strings.NewReplacer("\x00", "\uFFFD", `"`, "&#34;", "&", "&amp;", "'", "&#39;", "+", "&#43;", "<", "&lt;", ">", "&gt;")

// outlineLabels are the outline's words in the page's language.
type outlineLabels struct {
	Quiz, Done, Passed string // "Quiz", the mark of a lesson done, of a quiz passed
}

func (a *App) outlineLabels(lang string) outlineLabels {
	return outlineLabels{Quiz: a.i18n.translate(lang, "quiz.label"), Done: a.i18n.translate(lang, "lesson.done_mark"),
		Passed: a.i18n.translate(lang, "quiz.passed_mark")}
}

// syllabusHTML is the course page's syllabus: every module and its rows, with their done and
// passed marks. Hrefs are the outline's own (a course's slug, ids and a language code), so
// escaping them as attribute text is all html/template's URL escaper would do to them.
func syllabusHTML(mods []outlineModule, l outlineLabels) template.HTML {
	var b strings.Builder
	b.Grow(outlineSize(mods))
	for _, m := range mods {
		b.WriteString("\n<li><h3>")
		htmlText.WriteString(&b, m.Title)
		b.WriteString("</h3>\n<ol>")
		for _, r := range m.Lessons {
			outlineRowStart(&b, r, l)
			if r.Href != "" {
				outlineLink(&b, r)
			} else {
				htmlText.WriteString(&b, r.Title)
			}
			if r.Done {
				b.WriteString(` <span class="done">`)
				if r.Quiz {
					htmlText.WriteString(&b, l.Passed)
				} else {
					htmlText.WriteString(&b, l.Done)
				}
				b.WriteString("</span>")
			}
			b.WriteString("</li>")
		}
		b.WriteString("\n</ol>\n</li>")
	}
	return template.HTML(b.String())
}

// lessonOutlineHTML is the lesson page's outline: every module and its rows, the lesson on the
// page marked as the current one instead of linked.
func lessonOutlineHTML(mods []outlineModule, l outlineLabels) template.HTML {
	var b strings.Builder
	b.Grow(outlineSize(mods))
	for _, m := range mods {
		b.WriteString("\n<li>")
		htmlText.WriteString(&b, m.Title)
		b.WriteString("<ol>")
		for _, r := range m.Lessons {
			outlineRowStart(&b, r, l)
			switch {
			case r.Current:
				b.WriteString(`<strong aria-current="page">`)
				htmlText.WriteString(&b, r.Title)
				b.WriteString("</strong>")
			case r.Href != "":
				outlineLink(&b, r)
			default:
				htmlText.WriteString(&b, r.Title)
			}
			b.WriteString("</li>")
		}
		b.WriteString("\n</ol></li>")
	}
	return template.HTML(b.String())
}

func outlineRowStart(b *strings.Builder, r outlineLesson, l outlineLabels) {
	if r.Quiz {
		b.WriteString("\n<li class=\"quiz\">")
		htmlText.WriteString(b, l.Quiz)
		b.WriteString(": ")
		return
	}
	b.WriteString("\n<li>")
}

func outlineLink(b *strings.Builder, r outlineLesson) {
	b.WriteString(`<a href="`)
	htmlText.WriteString(b, r.Href)
	b.WriteByte('"')
	if r.Quiz {
		b.WriteString(` lang="`)
		htmlText.WriteString(b, r.Lang)
		b.WriteByte('"')
	}
	b.WriteByte('>')
	htmlText.WriteString(b, r.Title)
	b.WriteString("</a>")
}

// outlineSize is about what the outline's HTML takes, so that it is written without growing.
func outlineSize(mods []outlineModule) int {
	n := 0
	for _, m := range mods {
		n += len(m.Title) + 32
		for _, r := range m.Lessons {
			n += len(r.Title) + len(r.Href) + 64
		}
	}
	return n
}
