package courses

import (
	"bytes"
	"encoding/binary"
	"image"
	"regexp"
	"strings"

	// Registered so that image.DecodeConfig recognises the formats Aula serves.
	_ "image/gif"
	_ "image/jpeg"
	_ "image/png"

	_ "golang.org/x/image/webp"
)

// Image is a picture a course shows in its lessons.
type Image struct {
	Name        string
	ContentType string
	Data        []byte
	Size        int // bytes: what a list of images shows when it leaves Data out
}

// MaxImageBytes bounds one image: lessons are read on slow connections, and
// larger pictures are almost always unresized camera files.
const MaxImageBytes = 2 << 20

// An image's pixels, bounded: a few hundred bytes of PNG can say 65,535 × 65,535, which
// every phone that opens the lesson would try to decode into 16 GiB of memory.
const (
	MaxImageSide   = 8192
	MaxImagePixels = 40_000_000
)

// Keys of what is wrong with an image, shared by CheckImage and the bundle reader.
const (
	keyImageInvalid    = "bundle.image_invalid"
	keyImageTooLarge   = "bundle.image_too_large"
	keyImageDimensions = "bundle.image_dimensions"
)

// imageTypes maps the format names image.DecodeConfig reports to what Aula serves.
// Another package may register more decoders (BMP, TIFF…); those stay refused.
var imageTypes = map[string]string{
	"png":  "image/png",
	"jpeg": "image/jpeg",
	"gif":  "image/gif",
	"webp": "image/webp",
}

// CheckImage decides by content (never by name) whether data is an image Aula
// serves: PNG, JPEG, GIF or WebP, at most MaxImageBytes, MaxImageSide pixels a
// side and MaxImagePixels in all. It returns the content type, or the
// translation key of what is wrong ("bundle.image_invalid",
// "bundle.image_too_large", "bundle.image_dimensions"). SVG is never accepted:
// it can carry script, and it would run with the school's origin.
func CheckImage(data []byte) (contentType string, errKey string) {
	if len(data) > MaxImageBytes {
		return "", keyImageTooLarge
	}
	if bytes.HasPrefix(data, []byte("RIFF")) && !isWebP(data) {
		return "", keyImageInvalid
	}
	// Decoding the header, not only sniffing the magic bytes, refuses files
	// that merely start like an image (an HTML page behind a PNG signature);
	// the pixels themselves are never decoded.
	cfg, format, err := image.DecodeConfig(bytes.NewReader(data))
	if err != nil || cfg.Width <= 0 || cfg.Height <= 0 {
		return "", keyImageInvalid
	}
	ct, ok := imageTypes[format]
	if !ok {
		return "", keyImageInvalid
	}
	if cfg.Width > MaxImageSide || cfg.Height > MaxImageSide || int64(cfg.Width)*int64(cfg.Height) > MaxImagePixels {
		return "", keyImageDimensions
	}
	return ct, ""
}

// isWebP checks the RIFF container and its first chunk, which the WebP decoder
// does not: it reads a truncated file's header happily.
func isWebP(data []byte) bool {
	if len(data) < 20 || string(data[0:4]) != "RIFF" || string(data[8:12]) != "WEBP" {
		return false
	}
	// The RIFF size counts everything after its own 8 bytes; a file shorter
	// than it says is truncated.
	if size := binary.LittleEndian.Uint32(data[4:8]); uint64(size)+8 > uint64(len(data)) {
		return false
	}
	switch string(data[12:16]) {
	case "VP8 ", "VP8L", "VP8X":
		return true
	}
	return false
}

var imageNamePattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$`)

// imageExtensions are the endings an image file in a bundle may have. The name
// only has to look like an image to people browsing the folder; CheckImage
// decides by content what it really is.
var imageExtensions = []string{".png", ".jpg", ".jpeg", ".gif", ".webp"}

// ValidImageName reports whether name can name an image in a bundle and in
// URLs: no folders, no leading dot, an image extension.
func ValidImageName(name string) bool {
	if !imageNamePattern.MatchString(name) {
		return false
	}
	lower := strings.ToLower(name)
	for _, ext := range imageExtensions {
		if strings.HasSuffix(lower, ext) && len(lower) > len(ext) {
			return true
		}
	}
	return false
}
