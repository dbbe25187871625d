// Package certpdf renders a course-completion certificate as a one-page A4 landscape PDF.
// It is pure: plain inputs in, bytes out, the same bytes for the same input.
package certpdf

import (
	"bytes"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/go-pdf/fpdf"
	"github.com/skip2/go-qrcode"
	"golang.org/x/image/font/gofont/gobold"
	"golang.org/x/image/font/gofont/goitalic"
	"golang.org/x/image/font/gofont/goregular"
	"golang.org/x/image/font/sfnt"
	"golang.org/x/text/language"
	"golang.org/x/text/unicode/norm"
)

// Signatory is a person who signs the certificate, printed under a signature line.
type Signatory struct{ Name, Title string }

// Labels are every word the certificate prints besides the data, already translated.
type Labels struct {
	Title       string // "Certificado de finalización"
	Certifies   string // "certifica que", after the school's name
	Completed   string // "completó el curso"
	Hours       string // "%d horas"; %d is replaced by Certificate.Hours
	CompletedOn string // "Fecha de finalización"
	IssuedOn    string // "Fecha de emisión"
	ExpiresOn   string // "Válido hasta"
	Code        string // "Código"
	Verify      string // "Verifique en"
}

// Certificate is what one certificate shows.
type Certificate struct {
	School      string // the school's name
	Holder      string // the name as at issue
	Course      string
	Hours       int // 0 = not printed
	CompletedOn time.Time
	IssuedOn    time.Time // also the document's creation date
	ExpiresOn   time.Time // zero = no expiry
	Code        string    // the public code
	VerifyURL   string    // what the QR code encodes, printed beside it
	Signatories []Signatory
	Labels      Labels
	Language    string // BCP 47 tag: the document's /Lang and its dates' language
}

// MaxSignatories is how many signature lines fit side by side.
const MaxSignatories = 3

// Page geometry in millimetres; A4 landscape is 297 × 210.
const (
	pageW, pageH = 297.0, 210.0
	left, right  = 22.0, pageW - 22.0
	contentW     = right - left
	ptToMM       = 25.4 / 72
	lineFactor   = 1.25 // line height as a multiple of the font size
)

type rgb struct{ r, g, b int }

var (
	navy  = rgb{24, 42, 84}
	gold  = rgb{166, 134, 66}
	ink   = rgb{33, 33, 38}
	muted = rgb{96, 98, 108}
)

// Render draws the certificate. It refuses a certificate without the data that makes it one
// (holder, course, code, verify URL, issue date), more than MaxSignatories, or a language it cannot
// write dates in; text too long for its place is made smaller, wrapped, and at the very
// last shortened with "…", so that the page never overflows.
func Render(c Certificate) ([]byte, error) {
	if err := check(c); err != nil {
		return nil, err
	}
	tag, err := language.Parse(c.Language)
	if err != nil {
		return nil, fmt.Errorf("certpdf: language %q: %w", c.Language, err)
	}
	dates, err := dateLines(c)
	if err != nil {
		return nil, err
	}
	qr, err := qrcode.New(c.VerifyURL, qrcode.Medium)
	if err != nil {
		return nil, fmt.Errorf("certpdf: QR code: %w", err)
	}
	qr.DisableBorder = true // the page around it is white; the gap beside it is kept below
	clean, err := newCleaner()
	if err != nil {
		return nil, err
	}

	pdf := fpdf.New("L", "mm", "A4", "")
	pdf.SetCompression(true)
	pdf.SetCatalogSort(true) // fonts are kept in a map: sorted, their objects keep one order
	pdf.SetCreationDate(c.IssuedOn.UTC())
	pdf.SetModificationDate(c.IssuedOn.UTC())
	pdf.SetProducer("Aula", true)
	pdf.SetCreator("Aula", true)
	pdf.SetAuthor(clean(c.School), true)
	pdf.SetTitle(clean(strings.TrimPrefix(c.Labels.Title+" – ", " – ")+c.Holder), true)
	pdf.SetSubject(clean(c.Course), true)
	pdf.SetKeywords(clean(c.Code), true)
	pdf.SetLang(tag.String())
	pdf.SetDisplayMode("fullpage", "single")
	pdf.SetAutoPageBreak(false, 0)
	pdf.SetMargins(0, 0, 0)
	pdf.SetCellMargin(0)
	pdf.AddUTF8FontFromBytes(sans, "", goregular.TTF)
	pdf.AddUTF8FontFromBytes(sans, "B", gobold.TTF)
	pdf.AddUTF8FontFromBytes(sans, "I", goitalic.TTF)
	pdf.AddPage()

	d := &drawer{pdf: pdf, clean: clean}
	d.frame()
	d.body(c)
	d.signatories(c.Signatories)
	d.verification(c, qr.Bitmap())
	d.dates(dates)

	if pdf.PageCount() != 1 {
		return nil, errors.New("certpdf: the certificate ran onto a second page")
	}
	var buf bytes.Buffer
	if err := pdf.Output(&buf); err != nil {
		return nil, fmt.Errorf("certpdf: %w", err)
	}
	return buf.Bytes(), nil
}

func check(c Certificate) error {
	var missing []string
	for _, f := range []struct{ name, v string }{
		{"holder", c.Holder}, {"course", c.Course}, {"code", c.Code}, {"verify URL", c.VerifyURL},
	} {
		if strings.TrimSpace(f.v) == "" {
			missing = append(missing, f.name)
		}
	}
	if c.IssuedOn.IsZero() { // also the creation date, without which fpdf writes the clock's
		missing = append(missing, "issue date")
	}
	if len(missing) > 0 {
		return fmt.Errorf("certpdf: no %s", strings.Join(missing, ", "))
	}
	if len(c.Signatories) > MaxSignatories {
		return fmt.Errorf("certpdf: %d signatories, at most %d fit", len(c.Signatories), MaxSignatories)
	}
	return nil
}

// dateLine is one labelled date in the corner.
type dateLine struct{ label, value string }

func dateLines(c Certificate) ([]dateLine, error) {
	var lines []dateLine
	for _, d := range []struct {
		label string
		t     time.Time
	}{
		{c.Labels.CompletedOn, c.CompletedOn}, {c.Labels.IssuedOn, c.IssuedOn}, {c.Labels.ExpiresOn, c.ExpiresOn},
	} {
		if d.t.IsZero() {
			continue
		}
		v, err := FormatDate(d.t, c.Language)
		if err != nil {
			return nil, err
		}
		lines = append(lines, dateLine{d.label, v})
	}
	return lines, nil
}

const sans = "go"

// newCleaner returns what makes a caller's string printable in the embedded font: composed
// (NFC, so a name typed as "i" + combining accent prints as "í", which the font has), runs
// of white space and control characters made one space, and a character the font lacks
// (or one beyond the Basic Multilingual Plane, which fpdf's width tables do not reach)
// shown as U+FFFD rather than as nothing.
func newCleaner() (func(string) string, error) {
	font, err := sfnt.Parse(goregular.TTF)
	if err != nil {
		return nil, fmt.Errorf("certpdf: font: %w", err)
	}
	var buf sfnt.Buffer
	return func(s string) string {
		s = norm.NFC.String(s)
		var b strings.Builder
		space := false
		for _, r := range s {
			if unicode.IsSpace(r) || unicode.IsControl(r) {
				space = b.Len() > 0
				continue
			}
			if space {
				b.WriteByte(' ')
				space = false
			}
			if g, err := font.GlyphIndex(&buf, r); r > 0xFFFF || err != nil || g == 0 {
				r = unicode.ReplacementChar
			}
			b.WriteRune(r)
		}
		return b.String()
	}, nil
}

type drawer struct {
	pdf   *fpdf.Fpdf
	clean func(string) string
}

func (d *drawer) color(c rgb) { d.pdf.SetTextColor(c.r, c.g, c.b) }

func (d *drawer) frame() {
	p := d.pdf
	p.SetDrawColor(navy.r, navy.g, navy.b)
	p.SetLineWidth(0.9)
	p.Rect(8, 8, pageW-16, pageH-16, "D")
	p.SetDrawColor(gold.r, gold.g, gold.b)
	p.SetLineWidth(0.3)
	p.Rect(11, 11, pageW-22, pageH-22, "D")
}

func (d *drawer) body(c Certificate) {
	d.color(navy)
	d.text(c.School, left, 21, contentW, 9, fitting{"B", 14, 14, 9, 1}, "C")
	d.text(c.Labels.Title, left, 31, contentW, 14, fitting{"B", 28, 28, 18, 1}, "C")
	p := d.pdf
	p.SetDrawColor(gold.r, gold.g, gold.b)
	p.SetLineWidth(0.5)
	p.Line(pageW/2-30, 48, pageW/2+30, 48)

	d.color(muted)
	d.text(c.Labels.Certifies, left, 52, contentW, 6, fitting{"I", 13, 13, 9, 1}, "C")
	d.color(ink)
	d.text(c.Holder, left, 59, contentW, 22, fitting{"B", 32, 23, 14, 2}, "C")
	d.color(muted)
	d.text(c.Labels.Completed, left, 84, contentW, 6, fitting{"I", 13, 13, 9, 1}, "C")
	d.color(navy)
	d.text(c.Course, left+10, 91, contentW-20, 21, fitting{"B", 21, 17, 11, 3}, "C")
	if c.Hours > 0 && c.Labels.Hours != "" {
		d.color(muted)
		hours := strings.Replace(c.Labels.Hours, "%d", strconv.Itoa(c.Hours), 1)
		d.text(hours, left, 114, contentW, 6, fitting{"", 12, 12, 9, 1}, "C")
	}
}

// signatories puts up to three signature lines side by side, each with a name and a title.
func (d *drawer) signatories(ss []Signatory) {
	if len(ss) == 0 {
		return
	}
	col := contentW / MaxSignatories
	if len(ss) < MaxSignatories {
		col = min(contentW/float64(len(ss)), 90)
	}
	x0 := left + (contentW-col*float64(len(ss)))/2
	p := d.pdf
	for i, s := range ss {
		x := x0 + col*float64(i)
		p.SetDrawColor(ink.r, ink.g, ink.b)
		p.SetLineWidth(0.3)
		p.Line(x+8, 143, x+col-8, 143)
		d.color(ink)
		y := d.text(s.Name, x+3, 145, col-6, 7.5, fitting{"B", 11, 9, 7.5, 2}, "CT")
		d.color(muted)
		d.text(s.Title, x+3, max(y, 150)+0.5, col-6, 8, fitting{"", 9, 9, 6.5, 2}, "CT")
	}
}

// qrSize is the printed QR code's side: at 150 dpi and above a version-4 code (a URL of
// 50–60 characters) has modules of 0.9 mm, well over what a phone needs.
const qrSize = 30.0

// verification prints the QR code in the bottom-left corner with the code and the URL
// beside it.
func (d *drawer) verification(c Certificate, bits [][]bool) {
	const x, y = 22.0, 165.0
	d.qr(bits, x, y, qrSize)
	module := qrSize / float64(len(bits))
	tx := x + qrSize + max(5, 4*module) // the quiet zone a reader needs
	tw := 150 - tx
	d.color(muted)
	d.text(c.Labels.Code, tx, y, tw, 4, fitting{"", 8, 8, 6, 1}, "L")
	d.color(ink)
	d.text(c.Code, tx, y+4, tw, 7, fitting{"B", 14, 14, 8, 1}, "L")
	d.color(muted)
	d.text(c.Labels.Verify, tx, y+14, tw, 4, fitting{"", 8, 8, 6, 1}, "L")
	d.color(ink)
	d.text(c.VerifyURL, tx, y+18, tw, 10, fitting{"", 8, 8, 6, 3}, "LT")
}

// qr draws the code's dark modules as one filled path of row runs: one path keeps a
// renderer from leaving hairline seams between neighbouring squares.
func (d *drawer) qr(bits [][]bool, x, y, size float64) {
	p := d.pdf
	m := size / float64(len(bits))
	for row, line := range bits {
		for col := 0; col < len(line); {
			if !line[col] {
				col++
				continue
			}
			end := col
			for end < len(line) && line[end] {
				end++
			}
			x0, x1 := x+float64(col)*m, x+float64(end)*m
			y0, y1 := y+float64(row)*m, y+float64(row+1)*m
			p.MoveTo(x0, y0)
			p.LineTo(x1, y0)
			p.LineTo(x1, y1)
			p.LineTo(x0, y1)
			p.ClosePath()
			col = end
		}
	}
	p.SetFillColor(0, 0, 0)
	p.DrawPath("F")
}

// dates stacks the labelled dates in the bottom-right corner, right-aligned.
func (d *drawer) dates(lines []dateLine) {
	const x, w = 160.0, right - 160.0
	y := 165.0
	for _, l := range lines {
		d.color(muted)
		d.text(l.label, x, y, w, 4, fitting{"", 8, 8, 6, 1}, "R")
		d.color(ink)
		d.text(l.value, x, y+4, w, 5.5, fitting{"", 11, 11, 8, 1}, "R")
		y += 10.5
	}
}

// fitting is how a text may shrink to fit its box: from size down to oneLine on one line,
// then down to smallest on up to lines lines.
type fitting struct {
	style                   string
	size, oneLine, smallest float64
	lines                   int
}

// text prints s, cleaned, in the box (x, y, w, h) at the largest size the fitting allows,
// and says where its last line ends.
// align is fpdf's "L", "C" or "R", and the lines are centred in the box's height unless
// align ends in "T" (for top), where they start at its top.
func (d *drawer) text(s string, x, y, w, h float64, f fitting, align string) (bottom float64) {
	s = d.clean(s)
	if s == "" {
		return y
	}
	size, lines := d.fit(s, w, h, f)
	lh := size * ptToMM * lineFactor
	top := y + (h-lh*float64(len(lines)))/2
	a, atTop := strings.CutSuffix(align, "T")
	if atTop {
		top = y
	}
	for i, l := range lines {
		d.pdf.SetXY(x, top+lh*float64(i))
		d.pdf.CellFormat(w, lh, l, "", 0, a, false, 0, "")
	}
	return top + lh*float64(len(lines))
}

func (d *drawer) fit(s string, w, h float64, f fitting) (float64, []string) {
	p := d.pdf
	fits := func(size float64, n int) ([]string, bool) {
		p.SetFont(sans, f.style, size)
		lines := p.SplitText(s, w)
		return lines, len(lines) <= n && float64(len(lines))*size*ptToMM*lineFactor <= h+0.01
	}
	for size := f.size; size >= f.oneLine; size -= 0.5 {
		if lines, ok := fits(size, 1); ok {
			return size, lines
		}
	}
	for size := f.oneLine; size >= f.smallest; size -= 0.5 {
		if lines, ok := fits(size, f.lines); ok {
			return size, balance(p, s, w, lines)
		}
	}
	// Longer than any certificate should carry: keep what fits and say it was cut.
	lines, _ := fits(f.smallest, f.lines)
	n := max(1, min(f.lines, int(h/(f.smallest*ptToMM*lineFactor))))
	if len(lines) > n {
		last := []rune(lines[n-1])
		for len(last) > 0 && p.GetStringWidth(string(last)+"…") > w {
			last = last[:len(last)-1]
		}
		lines = append(lines[:n-1], strings.TrimRight(string(last), " ")+"…")
	}
	return f.smallest, lines
}

// balance rewraps lines, wrapped at width w, at the narrowest width that keeps their
// number, so that a name on two lines is two even lines rather than a full one and a word.
func balance(p *fpdf.Fpdf, s string, w float64, lines []string) []string {
	for narrower := w - 2; len(lines) > 1 && narrower > w/2; narrower -= 2 {
		l := p.SplitText(s, narrower)
		if len(l) != len(lines) {
			break
		}
		lines = l
	}
	return lines
}
