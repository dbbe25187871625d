// Package catalog embeds the school's bundled curriculum: one folder per course, each a
// course bundle (course.yaml and Markdown lessons) that `aula demo` loads through the
// same importer instructors use.
package catalog

import "embed"

// FS holds one folder per course.
//
//go:embed *
var FS embed.FS
