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
)

// Image is a picture a course shows in its lessons.
type Image struct {
	Name        string
	ContentType string
	Data        []byte
}

// MaxImageBytes bounds one image: lessons are read on slow connections, and
// larger pictures are almost always unresized camera files.
const MaxImageBytes = 2 << 20

// Keys of what is wrong with an image, shared by CheckImage and the bundle reader.
const (
	keyImageInvalid  = "bundle.image_invalid"
	keyImageTooLarge = "bundle.image_too_large"
)

// imageTypes maps the format names image.DecodeConfig reports to what Aula serves.
// Another package may register more decoders (BMP, TIFF…); those stay refused.
var imageTypes = map[string]string{
	"png":  "image/png",
	"jpeg": "image/jpeg",
	"gif":  "image/gif",
}

// CheckImage decides by content (never by name) whether data is an image Aula
// serves: PNG, JPEG, GIF or WebP, at most MaxImageBytes. It returns the content
// type, or the translation key of what is wrong ("bundle.image_invalid",
// "bundle.image_too_large"). SVG is never accepted: it can carry script, and
// it would run with the school's origin.
func CheckImage(data []byte) (contentType string, errKey string) {
	if len(data) > MaxImageBytes {
		return "", keyImageTooLarge
	}
	if isWebP(data) {
		return "image/webp", ""
	}
	// Decoding the header, not only sniffing the magic bytes, refuses files
	// that merely start like an image (an HTML page behind a PNG signature).
	cfg, format, err := image.DecodeConfig(bytes.NewReader(data))
	if err != nil || cfg.Width <= 0 || cfg.Height <= 0 {
		return "", keyImageInvalid
	}
	ct, ok := imageTypes[format]
	if !ok {
		return "", keyImageInvalid
	}
	return ct, ""
}

// isWebP checks the RIFF container and its first chunk: the standard library
// has no WebP decoder, and golang.org/x/image is not a dependency.
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
