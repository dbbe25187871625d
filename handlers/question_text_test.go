package handlers

import (
	"strconv"
	"strings"
	"testing"

	"github.com/aula-school/aula/courses"
)

// A question's Markdown and HTML are rendered once an instance and then taken as they were
// rendered; Moodle's and plain texts are not kept; the texts kept stay under their bound.
func TestQuestionTextsAreRenderedOnceAndBounded(t *testing.T) {
	r := newRenderedTexts(4096)
	md := "Un **escenario**: ¿qué hace el agente?\n\n![plano](images/plano.png) <script>alert(1)</script>"
	want := courses.RenderQuestionText(md, courses.FormatMarkdown, "policia")
	if got := r.render(md, courses.FormatMarkdown, "policia"); got != want || strings.Contains(got, "<script") {
		t.Fatalf("rendered %q, want %q", got, want)
	}
	if len(r.html) != 1 {
		t.Fatalf("%d texts kept after one, want 1", len(r.html))
	}
	// The same text of another course has its images elsewhere: another entry, its own HTML.
	other := r.render(md, courses.FormatMarkdown, "otro-curso")
	if other != courses.RenderQuestionText(md, courses.FormatMarkdown, "otro-curso") || len(r.html) != 2 {
		t.Errorf("another course's text: %q, %d kept", other, len(r.html))
	}
	html := `<p onclick="x">Texto <b>fuerte</b></p>`
	if got := r.render(html, courses.FormatHTML, "policia"); got != courses.RenderQuestionText(html, courses.FormatHTML, "policia") || strings.Contains(got, "onclick") {
		t.Errorf("html: %q", got)
	}
	// Kept: a text rendered again is taken from the map, not rendered (a planted value shows it).
	r.html[renderedKey{src: md, format: courses.FormatMarkdown, slug: "policia"}] = "kept"
	if got := r.render(md, courses.FormatMarkdown, "policia"); got != "kept" {
		t.Errorf("a kept text was rendered again: %q", got)
	}
	for i := range 200 {
		r.render("Texto número "+strconv.Itoa(i)+" con **negrita**", courses.FormatMarkdown, "policia")
		if r.bytes > r.limit {
			t.Fatalf("%d bytes kept, bound %d", r.bytes, r.limit)
		}
	}
	if len(r.html) == 0 || len(r.html) >= 200 {
		t.Errorf("%d texts kept of 200 under a bound of %d bytes", len(r.html), r.limit)
	}
	big := strings.Repeat("palabra ", 100)
	before := len(r.html)
	if got := r.render(big, courses.FormatMarkdown, "policia"); got != courses.RenderQuestionText(big, courses.FormatMarkdown, "policia") || len(r.html) != before {
		t.Errorf("a text of a sixteenth of the bound was kept (%d → %d)", before, len(r.html))
	}
	// Moodle's auto-format and plain text: escaped each time, never kept.
	if got := questionText("a < b\nc", courses.FormatMoodle, "policia"); string(got) != "a &lt; b<br>c" {
		t.Errorf("moodle text: %q", got)
	}
	questionText("a < b", courses.FormatPlain, "policia")
	questionTexts.mu.Lock()
	_, kept := questionTexts.html[renderedKey{src: "a < b", format: courses.FormatPlain, slug: "policia"}]
	questionTexts.mu.Unlock()
	if kept {
		t.Errorf("a plain text was kept")
	}
}
