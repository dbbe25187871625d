// Package static embeds Aula's CSS and JavaScript and serves them under URLs that
// carry a hash of their content, so that browsers may cache them for a year.
package static

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strings"
)

//go:embed css js
var files embed.FS

// Assets maps each file to its content-hashed URL.
type Assets struct {
	urls    map[string]string // "css/aula.css" -> "/static/css/aula.3f2a9c1b.css"
	content map[string]asset  // "css/aula.3f2a9c1b.css" -> content
}

type asset struct {
	body []byte
	typ  string
}

// Load hashes every embedded file.
func Load() (*Assets, error) {
	a := &Assets{urls: map[string]string{}, content: map[string]asset{}}
	err := fs.WalkDir(files, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := files.ReadFile(p)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(b)
		ext := path.Ext(p)
		hashed := strings.TrimSuffix(p, ext) + "." + hex.EncodeToString(sum[:])[:12] + ext
		a.urls[p] = "/static/" + hashed
		a.content[hashed] = asset{body: b, typ: mime.TypeByExtension(ext)}
		return nil
	})
	return a, err
}

// URL returns the hashed URL of name, or "" when there is no such file.
func (a *Assets) URL(name string) string { return a.urls[name] }

// Serve writes the file named by a hashed path (without "/static/"); false when unknown.
func (a *Assets) Serve(w http.ResponseWriter, hashed string) bool {
	f, ok := a.content[strings.TrimPrefix(hashed, "/")]
	if !ok {
		return false
	}
	h := w.Header()
	h.Set("Content-Type", f.typ)
	h.Set("Cache-Control", "public, max-age=31536000, immutable")
	_, _ = w.Write(f.body)
	return true
}
