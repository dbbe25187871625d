package courses

import (
	"bytes"
	"encoding/binary"
	"hash/crc32"
	"image"
	"image/color"
	"image/gif"
	"image/jpeg"
	"image/png"
	"testing"
)

func tinyImage() image.Image {
	img := image.NewRGBA(image.Rect(0, 0, 3, 2))
	img.Set(1, 1, color.RGBA{200, 30, 30, 255})
	return img
}

func tinyPNG(t *testing.T) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := png.Encode(&buf, tinyImage()); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func tinyJPEG(t *testing.T) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, tinyImage(), nil); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func tinyGIF(t *testing.T) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := gif.Encode(&buf, tinyImage(), nil); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// tinyWebP is a 1×1 lossless WebP, the smallest well-formed one.
var tinyWebP = []byte("RIFF\x1a\x00\x00\x00WEBPVP8L\x0d\x00\x00\x00\x2f\x00\x00\x00\x10\x07\x10\x11\x11\x88\x88\xfe\x07\x00")

func TestCheckImageAcceptsTheFormatsAulaServes(t *testing.T) {
	tests := []struct {
		name string
		data []byte
		want string
	}{
		{"png", tinyPNG(t), "image/png"},
		{"jpeg", tinyJPEG(t), "image/jpeg"},
		{"gif", tinyGIF(t), "image/gif"},
		{"webp", tinyWebP, "image/webp"},
		{"png at the size limit", append(tinyPNG(t), make([]byte, MaxImageBytes-len(tinyPNG(t)))...), "image/png"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ct, key := CheckImage(tt.data)
			if ct != tt.want || key != "" {
				t.Errorf("CheckImage = %q, %q; want %q", ct, key, tt.want)
			}
		})
	}
}

func TestCheckImageRefusesWhatCouldRunOrIsNotAnImage(t *testing.T) {
	png := tinyPNG(t)
	tests := []struct {
		name string
		data []byte
		want string
	}{
		{"svg with script", []byte(`<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>`), "bundle.image_invalid"},
		{"svg with an xml declaration", []byte(`<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"/>`), "bundle.image_invalid"},
		{"html meant to be called .png", []byte("<!DOCTYPE html><html><script>alert(1)</script></html>"), "bundle.image_invalid"},
		{"html behind a png signature", append(append([]byte{}, png[:8]...), "<html><script>alert(1)</script>"...), "bundle.image_invalid"},
		{"truncated png", png[:20], "bundle.image_invalid"},
		{"webp shorter than its header says", tinyWebP[:len(tinyWebP)-4], "bundle.image_invalid"},
		{"riff that is not webp", append([]byte("RIFF\x04\x00\x00\x00WAVE"), make([]byte, 8)...), "bundle.image_invalid"},
		{"empty", nil, "bundle.image_invalid"},
		{"text", []byte("just some notes"), "bundle.image_invalid"},
		{"too large", append(tinyPNG(t), make([]byte, MaxImageBytes)...), "bundle.image_too_large"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ct, key := CheckImage(tt.data)
			if ct != "" || key != tt.want {
				t.Errorf("CheckImage = %q, %q; want %q", ct, key, tt.want)
			}
		})
	}
}

func TestValidImageNameAllowsPlainFileNamesOnly(t *testing.T) {
	tests := map[string]bool{
		"map.png":           true,
		"Photo_2024-05.JPG": true,
		"a.jpeg":            true,
		"b.gif":             true,
		"c.webp":            true,
		"v1.2.png":          true,
		".png":              false,
		".hidden.png":       false,
		"../x.png":          false,
		"dir/x.png":         false,
		`dir\x.png`:         false,
		"with space.png":    false,
		"notes.txt":         false,
		"drawing.svg":       false,
		"png":               false,
		"":                  false,
		"mapa-ñ.png":        false,
	}
	long := "a" + string(bytes.Repeat([]byte("b"), 95)) + ".png" // 100 characters
	tests[long] = true
	tests["a"+long] = false
	for name, want := range tests {
		if got := ValidImageName(name); got != want {
			t.Errorf("ValidImageName(%q) = %v, want %v", name, got, want)
		}
	}
}

// pngHeader is the signature and IHDR chunk of a w × h PNG, padded to a few hundred bytes:
// all image.DecodeConfig reads, and all an attacker needs to send.
func pngHeader(w, h uint32) []byte {
	ihdr := make([]byte, 13)
	binary.BigEndian.PutUint32(ihdr[0:], w)
	binary.BigEndian.PutUint32(ihdr[4:], h)
	ihdr[8], ihdr[9] = 8, 6 // 8-bit RGBA
	var b bytes.Buffer
	b.WriteString("\x89PNG\r\n\x1a\n")
	_ = binary.Write(&b, binary.BigEndian, uint32(len(ihdr)))
	chunk := append([]byte("IHDR"), ihdr...)
	b.Write(chunk)
	_ = binary.Write(&b, binary.BigEndian, crc32.ChecksumIEEE(chunk))
	b.Write(make([]byte, 300))
	return b.Bytes()
}

// webpHeader is an extended (VP8X) WebP header saying w × h.
func webpHeader(w, h uint32) []byte {
	chunk := make([]byte, 10)
	chunk[4], chunk[5], chunk[6] = byte(w-1), byte((w-1)>>8), byte((w-1)>>16)
	chunk[7], chunk[8], chunk[9] = byte(h-1), byte((h-1)>>8), byte((h-1)>>16)
	var b bytes.Buffer
	b.WriteString("RIFF")
	_ = binary.Write(&b, binary.LittleEndian, uint32(4+8+len(chunk)))
	b.WriteString("WEBPVP8X")
	_ = binary.Write(&b, binary.LittleEndian, uint32(len(chunk)))
	b.Write(chunk)
	return b.Bytes()
}

func TestCheckImageRefusesTooManyPixelsFromTheHeaderAlone(t *testing.T) {
	tests := []struct {
		name string
		data []byte
		want string
	}{
		{"png of 65,535 × 65,535", pngHeader(65535, 65535), "bundle.image_dimensions"},
		{"png one pixel too wide", pngHeader(MaxImageSide+1, 1), "bundle.image_dimensions"},
		{"png one pixel too tall", pngHeader(1, MaxImageSide+1), "bundle.image_dimensions"},
		{"png of 8,000 × 8,000: 64 megapixels", pngHeader(8000, 8000), "bundle.image_dimensions"},
		{"png at the limits", pngHeader(MaxImageSide, MaxImagePixels/MaxImageSide), ""},
		{"webp of 16,384 × 16,384", webpHeader(16384, 16384), "bundle.image_dimensions"},
		{"webp of 4,000 × 3,000", webpHeader(4000, 3000), ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if len(tt.data) > 400 {
				t.Fatalf("the header is %d bytes", len(tt.data))
			}
			_, key := CheckImage(tt.data)
			if key != tt.want {
				t.Errorf("CheckImage = %q, want %q", key, tt.want)
			}
		})
	}
}
