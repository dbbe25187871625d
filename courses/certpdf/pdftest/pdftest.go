// Package pdftest reads PDFs back in tests, with Debian's poppler-utils (pdftotext, pdfinfo,
// pdftoppm), which `make test` installs: what a reader would see, not what the writer meant.
package pdftest

import (
	"bufio"
	"bytes"
	"image"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/makiuchi-d/gozxing"
	"github.com/makiuchi-d/gozxing/qrcode"
)

// Text is the text of every page of pdf as pdftotext extracts it, in reading order.
func Text(t testing.TB, pdf []byte) string {
	t.Helper()
	return string(run(t, pdf, "pdftotext", "-enc", "UTF-8", "{in}", "-"))
}

// Info is what pdfinfo says about pdf ("Pages", "Title", "Page size" …). It fails the test
// when pdfinfo finds the file broken, or complains about it.
func Info(t testing.TB, pdf []byte) map[string]string {
	t.Helper()
	info := map[string]string{}
	sc := bufio.NewScanner(bytes.NewReader(run(t, pdf, "pdfinfo", "{in}")))
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), ":")
		if ok {
			info[k] = strings.TrimSpace(v)
		}
	}
	return info
}

// Page renders page 1 of pdf at dpi dots per inch.
func Page(t testing.TB, pdf []byte, dpi int) image.Image {
	t.Helper()
	b := run(t, pdf, "pdftoppm", "-png", "-r", strconv.Itoa(dpi), "-f", "1", "-l", "1", "-singlefile", "{in}")
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("pdftoppm: %v", err)
	}
	return img
}

// QR is the text of the QR code on page 1 of pdf, rendered at 150 dpi, the resolution of a
// modest printer or a phone photograph.
func QR(t testing.TB, pdf []byte) string {
	t.Helper()
	bmp, err := gozxing.NewBinaryBitmapFromImage(Page(t, pdf, 150))
	if err != nil {
		t.Fatalf("QR: %v", err)
	}
	res, err := qrcode.NewQRCodeReader().Decode(bmp, map[gozxing.DecodeHintType]any{
		gozxing.DecodeHintType_TRY_HARDER: true,
	})
	if err != nil {
		t.Fatalf("QR: no code found: %v", err)
	}
	return res.GetText()
}

// run runs a poppler tool with pdf in a file named by the argument "{in}" and returns its
// standard output; anything on standard error fails the test, as poppler reports the
// damage it works around there.
func run(t testing.TB, pdf []byte, tool string, args ...string) []byte {
	t.Helper()
	if _, err := exec.LookPath(tool); err != nil {
		t.Fatalf("no %s: `make test` installs Debian's poppler-utils", tool)
	}
	in := filepath.Join(t.TempDir(), "in.pdf")
	if err := os.WriteFile(in, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	for i, a := range args {
		if a == "{in}" {
			args[i] = in
		}
	}
	var stdout, stderr bytes.Buffer
	cmd := exec.Command(tool, args...)
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil || stderr.Len() > 0 {
		t.Fatalf("%s: %v: %s", tool, err, stderr.String())
	}
	return stdout.Bytes()
}
