package handlers

import (
	"html/template"
	"sync"

	"github.com/aula-school/aula/courses"
)

// A question's texts in Markdown or HTML (GIFT's [markdown] and [html]) are rendered for the
// page from their source, through goldmark and bluemonday, whose renderer and policy are built
// for each text (courses.RenderMarkdown says why): about a tenth of a millisecond a text, so
// half a millisecond for a question of four options on every attempt page, more than the rest
// of the page. The rendering depends on nothing but the text, its format and the course's slug
// (its image folder), and a question's texts do not change under an attempt (they are
// versioned), so each instance keeps what it rendered, bounded in bytes. Moodle's auto-format
// and plain text are escaped in less time than a lookup takes, and are not kept.

// renderedTexts keeps rendered texts up to limit bytes, keys and HTML together: when a new one
// would pass it, all go (a bound matters more than which survive; the next pages render them
// again).
type renderedTexts struct {
	limit int
	mu    sync.Mutex
	html  map[renderedKey]string
	bytes int
}

type renderedKey struct {
	src    string
	format courses.TextFormat
	slug   string
}

var questionTexts = newRenderedTexts(8 << 20)

func newRenderedTexts(limit int) *renderedTexts {
	return &renderedTexts{limit: limit, html: map[renderedKey]string{}}
}

// questionText is src, in format, as HTML that is safe in a page of the course slug.
func questionText(src string, format courses.TextFormat, slug string) template.HTML {
	if format != courses.FormatMarkdown && format != courses.FormatHTML {
		return template.HTML(courses.RenderQuestionText(src, format, slug))
	}
	return template.HTML(questionTexts.render(src, format, slug))
}

func (r *renderedTexts) render(src string, format courses.TextFormat, slug string) string {
	k := renderedKey{src: src, format: format, slug: slug}
	r.mu.Lock()
	h, ok := r.html[k]
	r.mu.Unlock()
	if ok {
		return h
	}
	h = courses.RenderQuestionText(src, format, slug)
	size := len(src) + len(slug) + len(h)
	if size > r.limit/16 { // an essay-sized text: rendered each time rather than crowd out the rest
		return h
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if _, ok := r.html[k]; !ok {
		if r.bytes+size > r.limit {
			clear(r.html)
			r.bytes = 0
		}
		r.html[k] = h
		r.bytes += size
	}
	return h
}
