// Package templates embeds Aula's HTML templates and its translation files.
package templates

import "embed"

// FS holds layouts/, partials/, pages/ (one file per page), email/ (the emails' two layouts)
// and locales/ (es, en, pt).
//
//go:embed layouts partials pages locales email
var FS embed.FS
