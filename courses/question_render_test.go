package courses

import "testing"

func TestQuestionTextsAreSafeHTMLInEveryFormat(t *testing.T) {
	for _, tc := range []struct {
		src    string
		format TextFormat
		want   string
	}{
		{"a < b\nc", FormatMoodle, "a &lt; b<br>c"},
		{"<b>x</b>", FormatPlain, "&lt;b&gt;x&lt;/b&gt;"},
		{"<b>x</b><script>alert(1)</script>", FormatHTML, "x"},
		{"<strong>x</strong><img src=x onerror=alert(1)>", FormatHTML, "<strong>x</strong>"},
		{"**x**", FormatMarkdown, "<p><strong>x</strong></p>\n"},
		{"<script>x</script>", "", "&lt;script&gt;x&lt;/script&gt;"},
	} {
		if got := RenderQuestionText(tc.src, tc.format, "c"); got != tc.want {
			t.Errorf("%s %q: got %q, want %q", tc.format, tc.src, got, tc.want)
		}
	}
}
