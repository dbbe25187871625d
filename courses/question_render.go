package courses

import (
	"html"
	"strings"
)

// RenderQuestionText turns a question's text, feedback or option in its format into HTML
// that is safe to put in a page: the same two guards as lessons for Markdown, the lessons'
// allow-list for HTML (GIFT's [html]), and escaped text with its line breaks for Moodle's
// auto-format and plain text. Images in questions come from the course's image folder.
func RenderQuestionText(src string, format TextFormat, slug string) string {
	switch format {
	case FormatMarkdown:
		return RenderMarkdown(src, LessonImageFolder(slug))
	case FormatHTML:
		return lessonPolicy(LessonImageFolder(slug)).Sanitize(src)
	default:
		return strings.ReplaceAll(html.EscapeString(strings.TrimSpace(src)), "\n", "<br>")
	}
}
