package courses

import (
	"reflect"
	"strings"
	"testing"
	"testing/fstest"
)

func TestReadBundleReportsYAMLSyntaxErrorsAtTheirLine(t *testing.T) {
	tests := []struct {
		name string
		yaml string
		line int
		key  string
	}{
		{"tab indentation", "slug: a\ntranslations:\n\tes: {}\n", 3, "bundle.yaml_syntax"},
		{"unclosed quote", "slug: a\nlevel: intermediate\nhours: \"10\nmodules: []\n", 3, "bundle.yaml_syntax"},
		{"mapping inside a value", "slug: a\nlevel: x: y\n", 2, "bundle.yaml_syntax"},
		{"a list, not fields", "- slug\n- level\n", 1, "bundle.field_invalid"},
		{"not UTF-8", "slug: a\nlevel: \xff\n", 2, "bundle.not_utf8"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fsys := fixtureFS(t)
			fsys["course.yaml"] = &fstest.MapFile{Data: []byte(tt.yaml)}
			_, errs := ReadBundle(fsys)
			if len(errs) != 1 || errs[0].File != "course.yaml" || errs[0].Line != tt.line || errs[0].Key != tt.key {
				t.Fatalf("errors %v, want one %s at line %d", errs, tt.key, tt.line)
			}
			if tt.key == "bundle.yaml_syntax" && errs[0].Args["Detail"] == "" {
				t.Error("no detail from the parser")
			}
		})
	}
}

func TestReadBundleReportsMissingAndMalformedFields(t *testing.T) {
	tests := []struct {
		name, yaml  string
		withLessons bool // the fixture's folders and images, so that only course.yaml is wrong
		want        []BundleError
	}{
		{"empty file", "", false, []BundleError{
			{File: "course.yaml", Line: 1, Key: "bundle.field_required", Args: map[string]any{"Field": "slug"}},
			{File: "course.yaml", Line: 1, Key: "bundle.field_required", Args: map[string]any{"Field": "default_language"}},
			{File: "course.yaml", Line: 1, Key: "bundle.audiences_required"},
			{File: "course.yaml", Line: 1, Key: "bundle.field_required", Args: map[string]any{"Field": "level"}},
			{File: "course.yaml", Line: 1, Key: "bundle.field_required", Args: map[string]any{"Field": "hours"}},
			{File: "course.yaml", Line: 1, Key: "bundle.field_required", Args: map[string]any{"Field": "translations"}},
			{File: "course.yaml", Line: 1, Key: "bundle.modules_required"},
		}},
		{"wrong shapes and repeats", strings.Join([]string{
			"slug: [a, b]",
			"default_language: en",
			"audiences: police",
			"level: introductory",
			"hours: ten",
			"hours: 10",
			"translations:",
			"  es: {title: Hola}",
			"  es: {title: Hola otra vez}",
			"modules: []",
		}, "\n"), false, []BundleError{
			{File: "course.yaml", Line: 1, Key: "bundle.field_invalid", Args: map[string]any{"Field": "slug"}},
			{File: "course.yaml", Line: 3, Key: "bundle.field_invalid", Args: map[string]any{"Field": "audiences"}},
			{File: "course.yaml", Line: 5, Key: "bundle.hours_invalid", Args: map[string]any{"Max": MaxHours}},
			{File: "course.yaml", Line: 6, Key: "bundle.field_duplicate", Args: map[string]any{"Field": "hours"}},
			{File: "course.yaml", Line: 8, Key: "bundle.default_translation_missing", Args: map[string]any{"Language": "en"}},
			{File: "course.yaml", Line: 9, Key: "bundle.field_duplicate", Args: map[string]any{"Field": "es"}},
			{File: "course.yaml", Line: 10, Key: "bundle.modules_required"},
		}},
		{"translations and module titles", strings.Join([]string{
			"slug: three-languages",
			"default_language: es",
			"audiences: [police]",
			"level: advanced",
			"hours: 3",
			"translations:",
			`  es: {title: "Uno", summary: "` + strings.Repeat("a", MaxSummaryLength+1) + `"}`,
			`  en: {summary: "No title"}`,
			`  pt: "Um curso"`,
			"modules:",
			"  - folder: 01-first-steps",
			`    titles: {es: "Primeros pasos", en: "First steps", pt: "Primeiros passos", de: "Erste Schritte"}`,
			"  - folder: 02-going-further",
			"  - 03-just-a-string",
		}, "\n"), true, []BundleError{
			{File: "course.yaml", Line: 7, Key: "bundle.summary_too_long", Args: map[string]any{"Max": MaxSummaryLength}},
			{File: "course.yaml", Line: 8, Key: "bundle.title_required"},
			{File: "course.yaml", Line: 9, Key: "bundle.field_invalid", Args: map[string]any{"Field": "pt"}},
			{File: "course.yaml", Line: 12, Key: "bundle.language_invalid", Args: map[string]any{"Language": "de"}},
			{File: "course.yaml", Line: 13, Key: "bundle.module_title_missing", Args: map[string]any{"Folder": "02-going-further", "Language": "es"}},
			{File: "course.yaml", Line: 13, Key: "bundle.module_title_missing", Args: map[string]any{"Folder": "02-going-further", "Language": "en"}},
			{File: "course.yaml", Line: 13, Key: "bundle.module_title_missing", Args: map[string]any{"Folder": "02-going-further", "Language": "pt"}},
			{File: "course.yaml", Line: 14, Key: "bundle.field_invalid", Args: map[string]any{"Field": "modules"}},
		}},
		{"anchors and aliases are not followed", strings.Join([]string{
			"slug: &s three-languages",
			"default_language: es",
			"audiences: [police]",
			"level: *s",
			"hours: 3",
			"translations: {es: {title: Uno}, en: {title: One}, pt: {title: Um}}",
			"<<: {modules: []}",
			"modules:",
			"  - folder: 01-first-steps",
			"    titles: {es: Uno, en: One, pt: Um}",
			"  - folder: 02-going-further",
			"    titles: {es: Dos, en: Two, pt: Dois}",
		}, "\n"), true, []BundleError{
			{File: "course.yaml", Line: 4, Key: "bundle.field_invalid", Args: map[string]any{"Field": "level"}},
			{File: "course.yaml", Line: 7, Key: "bundle.unknown_field", Args: map[string]any{"Field": "<<"}},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fsys := fstest.MapFS{}
			if tt.withLessons {
				fsys = fixtureFS(t)
			}
			fsys["course.yaml"] = &fstest.MapFile{Data: []byte(tt.yaml)}
			_, errs := ReadBundle(fsys)
			if !reflect.DeepEqual(errs, tt.want) {
				t.Errorf("errors:\n%s\nwant:\n%s", problemList(errs), problemList(tt.want))
			}
		})
	}
}
