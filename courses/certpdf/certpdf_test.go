package certpdf_test

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/image/font/gofont/gobold"
	"golang.org/x/image/font/gofont/goitalic"
	"golang.org/x/image/font/gofont/goregular"
	"golang.org/x/image/font/sfnt"

	"github.com/aula-school/aula/courses/certpdf"
	"github.com/aula-school/aula/courses/certpdf/pdftest"
)

var spanish = certpdf.Labels{
	Title:       "Certificado de finalización",
	Certifies:   "certifica que",
	Completed:   "completó el curso",
	Hours:       "%d horas",
	CompletedOn: "Fecha de finalización",
	IssuedOn:    "Fecha de emisión",
	ExpiresOn:   "Válido hasta",
	Code:        "Código",
	Verify:      "Verifique en",
}

func sample() certpdf.Certificate {
	return certpdf.Certificate{
		School:      "Escuela Regional de Seguridad Ciudadana",
		Holder:      "María José Peña Conceição",
		Course:      "Mediación comunitaria y prevención de la violencia",
		Hours:       40,
		CompletedOn: time.Date(2026, 12, 1, 17, 30, 0, 0, time.UTC),
		IssuedOn:    time.Date(2026, 12, 2, 9, 0, 0, 0, time.UTC),
		ExpiresOn:   time.Date(2028, 12, 2, 0, 0, 0, 0, time.UTC),
		Code:        "7KQ2-9DXM-4RTV",
		VerifyURL:   "https://aula.example/verify/7KQ29DXM4RTV",
		Signatories: []certpdf.Signatory{
			{Name: "Lucía Fernández Ibáñez", Title: "Directora académica"},
			{Name: "João Gonçalves", Title: "Coordinador de formación en convivencia"},
		},
		Labels:   spanish,
		Language: "es-419",
	}
}

func render(t testing.TB, c certpdf.Certificate) []byte {
	t.Helper()
	pdf, err := certpdf.Render(c)
	if err != nil {
		t.Fatalf("Render: %v", err)
	}
	if dir := os.Getenv("CERTPDF_KEEP"); dir != "" { // to look at them: CERTPDF_KEEP=/tmp go test …
		if err := os.WriteFile(filepath.Join(dir, strings.ReplaceAll(t.Name(), "/", "_")+".pdf"), pdf, 0o644); err != nil {
			t.Log(err)
		}
	}
	return pdf
}

func TestRenderIsDeterministic(t *testing.T) {
	a, b := render(t, sample()), render(t, sample())
	if !bytes.Equal(a, b) {
		t.Fatalf("two renders of one certificate differ (%d and %d bytes)", len(a), len(b))
	}
	other := sample()
	other.Holder = "Mario José Peña Conceição"
	if bytes.Equal(a, render(t, other)) {
		t.Fatal("another holder gave the same bytes")
	}
}

func TestRenderTextIsExtractable(t *testing.T) {
	c := sample()
	text := oneSpace(pdftest.Text(t, render(t, c)))
	for _, want := range []string{
		c.Holder, c.Course, c.Code, c.School, c.VerifyURL, "Certificado de finalización", "40 horas",
		"1 de diciembre de 2026", "2 de diciembre de 2026", "2 de diciembre de 2028",
		"Lucía Fernández Ibáñez", "João Gonçalves",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("text lacks %q:\n%s", want, text)
		}
	}
}

func TestRenderSetsMetadata(t *testing.T) {
	info := pdftest.Info(t, render(t, sample()))
	for k, want := range map[string]string{
		"Title":   "Certificado de finalización – María José Peña Conceição",
		"Subject": "Mediación comunitaria y prevención de la violencia",
		"Author":  "Escuela Regional de Seguridad Ciudadana",
		"Pages":   "1",
	} {
		if info[k] != want {
			t.Errorf("%s = %q, want %q", k, info[k], want)
		}
	}
	if !strings.Contains(info["Page size"], "841.89 x 595.28") {
		t.Errorf("page size %q, want A4 landscape", info["Page size"])
	}
}

func TestRenderQRCodeGivesVerifyURL(t *testing.T) {
	c := sample()
	if got := pdftest.QR(t, render(t, c)); got != c.VerifyURL {
		t.Fatalf("QR code reads %q, want %q", got, c.VerifyURL)
	}
}

func TestRenderLongTextStaysOnOnePage(t *testing.T) {
	c := sample()
	c.Holder = "María de los Ángeles Guadalupe Concepción Fernández-Villaseñor de la Santísima Trinidad Peña Conceição e Albuquerque"
	c.Course = strings.Repeat("Prevención situacional del delito, policía orientada a la comunidad y gestión de la convivencia en espacios públicos urbanos ", 3)
	c.Signatories = append(c.Signatories, certpdf.Signatory{
		Name:  "Maximiliano Bartolomé Echeverría Zuloaga de Irigoyen",
		Title: "Subsecretario de Prevención del Delito y Participación Ciudadana del Ministerio de Seguridad",
	})
	c.VerifyURL = "https://aula.example/verify/" + strings.Repeat("7KQ29DXM4RTV", 6)
	pdf := render(t, c)
	if info := pdftest.Info(t, pdf); info["Pages"] != "1" {
		t.Fatalf("%s pages, want 1", info["Pages"])
	}
	text := oneSpace(pdftest.Text(t, pdf))
	if !strings.Contains(text, "Fernández-Villaseñor") {
		t.Errorf("the long name is not all there:\n%s", text)
	}
	if got := pdftest.QR(t, pdf); got != c.VerifyURL {
		t.Errorf("QR code reads %q, want %q", got, c.VerifyURL)
	}
}

// Text longer than any box can hold at the smallest size is cut, visibly, not spilled.
func TestRenderCutsAbsurdTextOnOnePage(t *testing.T) {
	c := sample()
	c.Holder = strings.Repeat("Peña Conceição ", 40)
	c.Course = strings.Repeat("Convivência ", 100)
	c.School = strings.Repeat("Escuela ", 60)
	c.Signatories = []certpdf.Signatory{{Name: strings.Repeat("Ibáñez ", 30), Title: strings.Repeat("Directora ", 40)}}
	pdf := render(t, c)
	if info := pdftest.Info(t, pdf); info["Pages"] != "1" {
		t.Fatalf("%s pages, want 1", info["Pages"])
	}
	if text := pdftest.Text(t, pdf); strings.Count(text, "…") < 4 {
		t.Errorf("want the holder, course, school and signatory cut with …:\n%s", text)
	}
}

func TestRenderRefusesWhatIsNotACertificate(t *testing.T) {
	for name, change := range map[string]func(*certpdf.Certificate){
		"no holder":          func(c *certpdf.Certificate) { c.Holder = " " },
		"no code":            func(c *certpdf.Certificate) { c.Code = "" },
		"no issue date":      func(c *certpdf.Certificate) { c.IssuedOn = time.Time{} },
		"no verify URL":      func(c *certpdf.Certificate) { c.VerifyURL = "" },
		"four signatories":   func(c *certpdf.Certificate) { c.Signatories = make([]certpdf.Signatory, 4) },
		"French dates":       func(c *certpdf.Certificate) { c.Language = "fr" },
		"not a language tag": func(c *certpdf.Certificate) { c.Language = "es_ES!" },
	} {
		t.Run(name, func(t *testing.T) {
			c := sample()
			change(&c)
			if _, err := certpdf.Render(c); err == nil {
				t.Fatal("rendered")
			}
		})
	}
}

func TestRenderComposesDecomposedAccents(t *testing.T) {
	c := sample()
	c.Holder = "Mari\u0301a Jose\u0301 Pen\u0303a Conceic\u0327a\u0303o" // as some keyboards send it
	if text := pdftest.Text(t, render(t, c)); !strings.Contains(text, "María José Peña Conceição") {
		t.Fatalf("text lacks the composed name:\n%s", text)
	}
}

func TestRenderWithoutSignatoriesOrExpiry(t *testing.T) {
	c := sample()
	c.Signatories = nil
	c.ExpiresOn = time.Time{}
	text := pdftest.Text(t, render(t, c))
	if strings.Contains(text, "Válido hasta") {
		t.Errorf("an expiry label without an expiry:\n%s", text)
	}
}

func TestRenderWritesDatesInTheDocumentsLanguage(t *testing.T) {
	for lang, want := range map[string]string{
		"en": "1 December 2026", "pt-BR": "1 de dezembro de 2026", "es": "1 de diciembre de 2026",
	} {
		c := sample()
		c.Language = lang
		if text := pdftest.Text(t, render(t, c)); !strings.Contains(text, want) {
			t.Errorf("%s: text lacks %q:\n%s", lang, want, text)
		}
	}
}

func TestFormatDate(t *testing.T) {
	day := time.Date(2026, 12, 1, 23, 0, 0, 0, time.UTC)
	march := time.Date(2027, 3, 15, 0, 0, 0, 0, time.UTC)
	for _, tt := range []struct {
		lang string
		t    time.Time
		want string
	}{
		{"es", day, "1 de diciembre de 2026"},
		{"es-419", day, "1 de diciembre de 2026"},
		{"es-MX", march, "15 de marzo de 2027"},
		{"en", day, "1 December 2026"},
		{"en-US", march, "15 March 2027"},
		{"pt", day, "1 de dezembro de 2026"},
		{"pt-BR", march, "15 de março de 2027"},
		// the date in the time's own location, not in UTC
		{"es", time.Date(2026, 12, 1, 21, 0, 0, 0, time.FixedZone("UTC-5", -5*3600)), "1 de diciembre de 2026"},
	} {
		got, err := certpdf.FormatDate(tt.t, tt.lang)
		if err != nil || got != tt.want {
			t.Errorf("FormatDate(%v, %q) = %q, %v; want %q", tt.t, tt.lang, got, err, tt.want)
		}
	}
	for _, lang := range []string{"fr", "de-CH", "", "x!"} {
		if got, err := certpdf.FormatDate(day, lang); err == nil {
			t.Errorf("FormatDate(%q) = %q, want an error", lang, got)
		}
	}
}

// The embedded fonts must have every letter of Spanish and Portuguese names, and the rest of
// Latin-1 and Latin Extended-A besides.
func TestFontsCoverLatin(t *testing.T) {
	for name, ttf := range map[string][]byte{"regular": goregular.TTF, "bold": gobold.TTF, "italic": goitalic.TTF} {
		f, err := sfnt.Parse(ttf)
		if err != nil {
			t.Fatal(err)
		}
		var buf sfnt.Buffer
		for r := rune(0x20); r <= 0x17F; r++ {
			if r >= 0x7F && r < 0xA0 {
				continue
			}
			if g, err := f.GlyphIndex(&buf, r); err != nil || g == 0 {
				t.Errorf("%s has no %q (%U)", name, r, r)
			}
		}
	}
}

func BenchmarkRender(b *testing.B) {
	c := sample()
	var size int
	for b.Loop() {
		pdf, err := certpdf.Render(c)
		if err != nil {
			b.Fatal(err)
		}
		size = len(pdf)
	}
	b.ReportMetric(float64(size), "bytes/pdf")
}

func oneSpace(s string) string { return strings.Join(strings.Fields(s), " ") }
