package courses

import (
	"bytes"
	"net/url"
	"regexp"
	"strings"

	"github.com/microcosm-cc/bluemonday"
	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/extension"
	extast "github.com/yuin/goldmark/extension/ast"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/text"
	"github.com/yuin/goldmark/util"
)

// lessonImageNamePattern is what may follow a course's image folder: one plain file name, never
// a path. It starts with a letter or digit, so "images/.." cannot climb out and hidden files stay
// hidden. With maxLessonImageName it is the shape ValidImageName accepts for a bundle's images,
// without the extension check: a missing image is the server's business, not a safety one.
// The length is checked apart because a bounded repetition makes the regexp, compiled once per
// policy, several times slower to build.
const (
	lessonImageNamePattern = `[A-Za-z0-9][A-Za-z0-9._-]*`
	maxLessonImageName     = 100
)

var lessonImageName = regexp.MustCompile(`^` + lessonImageNamePattern + `$`)

// lessonLinkRel is what every link that leaves Aula carries: search engines must not read lesson
// links as Aula's endorsement, and the site linked to learns neither the page nor a handle on it.
const lessonLinkRel = "nofollow noopener noreferrer"

var (
	lessonLinkRelValue   = regexp.MustCompile(`^` + lessonLinkRel + `$`)
	lessonCellAlignValue = regexp.MustCompile(`^(left|center|right)$`)
)

// Task list boxes are shown as characters: a lesson is read, not filled in, and <input> is
// not something a lesson may put in a page.
const (
	taskBoxChecked   = "☑ "
	taskBoxUnchecked = "☐ "
)

// MarkdownPolicyVersion names the rules RenderMarkdown follows (goldmark's options, the
// transformer, bluemonday's policy). Lessons are rendered when they are saved and stored with
// the version they were rendered under; change this number whenever a change here could change
// the HTML of a lesson, and every stored lesson is rendered again the next time it is read.
const MarkdownPolicyVersion = 1

// LessonImageFolder is the URL folder a course's lessons take their images from.
func LessonImageFolder(slug string) string { return "/courses/" + slug + "/images/" }

// RenderLesson is a lesson's Markdown as HTML for the course named slug: RenderMarkdown with
// the course's image folder.
func RenderLesson(src, slug string) string { return RenderMarkdown(src, LessonImageFolder(slug)) }

// RenderMarkdown turns a lesson's Markdown into HTML that is safe to put in a page.
// imagePrefix is the URL folder of the course's own images, e.g. "/courses/police-basics/images/".
//
// Lessons are written by instructors, not by Aula, and are read by every trainee of the course,
// so the HTML is built in two independent steps: goldmark renders only Markdown (raw HTML is
// dropped, images are limited to the course's folder), then bluemonday keeps only the elements
// and attributes a lesson needs. Either step alone should be enough; both must fail for a
// lesson to reach a trainee's browser with something that runs.
func RenderMarkdown(src, imagePrefix string) string {
	return newLessonRenderer(imagePrefix).render(src)
}

// lessonRenderer renders the lessons of one course. It is built per call: building it (mostly
// bluemonday's policy) costs about 0.1 ms against about 0.4 ms to render a 500-word lesson (see
// BenchmarkRenderMarkdown), and lessons are rendered when saved, not when read.
type lessonRenderer struct {
	md     goldmark.Markdown
	policy *bluemonday.Policy
}

func newLessonRenderer(imagePrefix string) *lessonRenderer {
	md := goldmark.New(
		goldmark.WithExtensions(
			// GFM, spelled out so tables align with an attribute instead of a style.
			extension.Linkify,
			extension.NewTable(extension.WithTableCellAlignMethod(extension.TableCellAlignAttribute)),
			extension.Strikethrough,
			extension.TaskList,
		),
		// No parser.WithAutoHeadingID or WithAttribute: ids would collide with the page's own,
		// and authors get no way to set attributes. No html.WithUnsafe: raw HTML is dropped.
		goldmark.WithParserOptions(
			parser.WithASTTransformers(util.Prioritized(lessonTransformer{imagePrefix: imagePrefix}, 1000)),
		),
	)
	return &lessonRenderer{md: md, policy: lessonPolicy(imagePrefix)}
}

func (r *lessonRenderer) render(src string) string {
	var buf bytes.Buffer
	// goldmark only fails when writing fails, and a bytes.Buffer does not.
	if err := r.md.Convert([]byte(src), &buf); err != nil {
		return ""
	}
	return r.policy.Sanitize(buf.String())
}

// lessonPolicy allows what goldmark makes of a lesson's Markdown and nothing else: no style,
// class or id (a lesson must look like the rest of Aula and not clash with the page's ids),
// no embedded content, no forms. Images must come from the course's own image folder.
func lessonPolicy(imagePrefix string) *bluemonday.Policy {
	p := bluemonday.NewPolicy()
	p.AllowElements(
		"h1", "h2", "h3", "h4", "h5", "h6", "p", "br", "hr", "blockquote",
		"ul", "ol", "li", "pre", "code", "em", "strong", "del",
		"table", "thead", "tbody", "tr", "th", "td",
	)
	p.AllowAttrs("start").Matching(bluemonday.Integer).OnElements("ol")
	p.AllowAttrs("align").Matching(lessonCellAlignValue).OnElements("th", "td")

	// a and img are not in AllowElements, so one left with no attribute at all is dropped and
	// its text kept. An img whose src fails the match keeps its tag with only alt and title:
	// inert, and the transformer has already removed every such image from real lessons.
	p.AllowAttrs("href").OnElements("a")
	p.AllowAttrs("rel").Matching(lessonLinkRelValue).OnElements("a")
	p.AllowAttrs("title").OnElements("a", "img")
	p.AllowAttrs("alt").OnElements("img")
	if lessonImagePrefixOK(imagePrefix) {
		src := regexp.MustCompile(`^` + regexp.QuoteMeta(imagePrefix) + lessonImageNamePattern + `$`)
		p.AllowAttrs("src").Matching(src).OnElements("img")
	}

	// AllowURLSchemes also makes every URL parse before it is kept, which is what defeats
	// schemes hidden with entities, case or control characters.
	p.RequireParseableURLs(true)
	p.AllowURLSchemes("http", "https", "mailto")
	p.AllowRelativeURLs(true)
	// A second guard for links goldmark's transformer did not mark, e.g. "//host/path".
	p.RequireNoFollowOnFullyQualifiedLinks(true)
	p.RequireNoReferrerOnFullyQualifiedLinks(true)
	return p
}

// lessonImagePrefixOK reports whether a course's image folder can be used at all. Without a
// folder to anchor them, "images/x.png" and "x.png" would mean whatever the page's URL makes
// of them, so a lesson then shows no images rather than guessed ones.
func lessonImagePrefixOK(prefix string) bool {
	return strings.HasSuffix(prefix, "/")
}

// lessonTransformer edits the parsed lesson before it is rendered: it points images at the
// course's folder (or removes them), marks links that leave Aula, and turns task list boxes
// into text.
type lessonTransformer struct {
	imagePrefix string
}

func (t lessonTransformer) Transform(doc *ast.Document, reader text.Reader, _ parser.Context) {
	source := reader.Source()
	var images []*ast.Image
	var boxes []*extast.TaskCheckBox
	// Nodes are replaced after the walk: replacing a node while walking it loses its siblings.
	_ = ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			return ast.WalkContinue, nil
		}
		switch n := n.(type) {
		case *ast.Image:
			images = append(images, n)
		case *ast.Link:
			if leavesAula(n.Destination) {
				n.SetAttributeString("rel", []byte(lessonLinkRel))
			}
		case *ast.AutoLink:
			if leavesAula(n.URL(source)) {
				n.SetAttributeString("rel", []byte(lessonLinkRel))
			}
		case *extast.TaskCheckBox:
			boxes = append(boxes, n)
		}
		return ast.WalkContinue, nil
	})

	for _, img := range images {
		if src, ok := t.imageSrc(string(img.Destination)); ok {
			img.Destination = []byte(src)
			continue
		}
		// An image from anywhere else is dropped but its alt text is kept: it is the
		// author's own description of what the trainee would have seen.
		if parent := img.Parent(); parent != nil {
			parent.ReplaceChild(parent, img, ast.NewString(altText(img, source)))
		}
	}
	for _, box := range boxes {
		mark := taskBoxUnchecked
		if box.IsChecked {
			mark = taskBoxChecked
		}
		if parent := box.Parent(); parent != nil {
			parent.ReplaceChild(parent, box, ast.NewString([]byte(mark)))
		}
	}
}

// imageSrc returns where an image written with dest is served from, and whether it may be shown
// at all. Only the course's own images may: "images/photo.png" (or "./images/photo.png") and
// imagePrefix+"photo.png". Anything else could track trainees (other hosts), carry a payload
// (data:, javascript:) or reach other parts of Aula ("../", other paths).
func (t lessonTransformer) imageSrc(dest string) (string, bool) {
	if !lessonImagePrefixOK(t.imagePrefix) {
		return "", false
	}
	if name, ok := strings.CutPrefix(strings.TrimPrefix(dest, "./"), "images/"); ok && validLessonImageName(name) {
		return t.imagePrefix + name, true
	}
	if name, ok := strings.CutPrefix(dest, t.imagePrefix); ok && validLessonImageName(name) {
		return dest, true
	}
	return "", false
}

func validLessonImageName(name string) bool {
	return len(name) <= maxLessonImageName && lessonImageName.MatchString(name)
}

// leavesAula reports whether a link may point at another site: any http(s) URL (browsers read
// "https:host" as "https://host" on an http page) or a scheme-relative "//host/path".
// mailto: and relative links stay as they are.
func leavesAula(dest []byte) bool {
	u, err := url.Parse(strings.TrimSpace(string(dest)))
	if err != nil {
		return false
	}
	switch u.Scheme {
	case "http", "https":
		return true
	case "":
		return u.Host != ""
	}
	return false
}

// altText is the text of a node's descendants as written, without their markup; goldmark
// resolves its escapes and entities when it renders it.
func altText(n ast.Node, source []byte) []byte {
	var b []byte
	for c := n.FirstChild(); c != nil; c = c.NextSibling() {
		switch c := c.(type) {
		case *ast.Text:
			b = append(b, c.Segment.Value(source)...)
			if c.SoftLineBreak() || c.HardLineBreak() {
				b = append(b, ' ')
			}
		case *ast.String:
			b = append(b, c.Value...)
		default:
			b = append(b, altText(c, source)...)
		}
	}
	return b
}
