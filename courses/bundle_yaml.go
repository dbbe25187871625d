package courses

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"
)

// courseSpec is what course.yaml says, as far as it could be understood.
type courseSpec struct {
	parsed    bool // course.yaml exists and is YAML; otherwise nothing else is known
	course    Course
	languages map[string]bool // the languages the course has translations for
	// languagesKnown is false when translations is missing or malformed: then
	// the languages of lessons and module titles are not checked, rather than
	// each reported as unknown.
	languagesKnown bool
	modules        []moduleSpec
	// certificate is the certificate: block, nil when there is none.
	certificate *CertificateSettings
}

type moduleSpec struct {
	folder string
	node   *yaml.Node // the folder's value, for lines
	titles map[string]string
	quiz   *quizSpec // the quiz: block, when there is one
}

// bundleTitleProblem maps ValidateTitle's answer to the bundle's keys.
func bundleTitleProblem(title string) (string, map[string]any) {
	switch ValidateTitle(title) {
	case "":
		return "", nil
	case "error.title.too_long":
		return "bundle.title_too_long", map[string]any{"Max": MaxTitleLength}
	default:
		return "bundle.title_required", nil
	}
}

// parseCourseYAML reads course.yaml as a node tree rather than into a struct,
// so that every problem can be reported with its line.
func parseCourseYAML(f *bundleFile, errs *bundleErrorList) courseSpec {
	spec := courseSpec{languages: map[string]bool{}}
	if f == nil {
		errs.add(courseFile, 0, "bundle.missing_course_yaml", nil)
		return spec
	}
	if f.tooLarge {
		errs.add(courseFile, 0, "bundle.course_yaml_too_large", map[string]any{"Max": bundleMiB(MaxCourseYAMLBytes)})
		return spec
	}
	if line := firstInvalidUTF8Line(f.data); line > 0 {
		errs.add(courseFile, line, "bundle.not_utf8", nil)
		return spec
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(f.data, &doc); err != nil {
		line, detail := yamlErrorLine(err)
		errs.add(courseFile, line, "bundle.yaml_syntax", map[string]any{"Detail": detail})
		return spec
	}
	root := &yaml.Node{Kind: yaml.MappingNode, Line: 1} // an empty file lacks everything
	if len(doc.Content) > 0 {
		root = doc.Content[0]
	}
	if root.Kind != yaml.MappingNode {
		errs.at(root, "bundle.field_invalid", map[string]any{"Field": courseFile})
		return spec
	}
	spec.parsed = true
	c := &spec.course
	c.Texts = map[string]CourseText{}

	fields := mappingFields(root, []string{"slug", "default_language", "audiences", "level", "hours", "translations", "modules", "certificate"}, errs)

	if n := requiredScalar(root, fields, "slug", errs); n != nil {
		c.Slug = n.Value
		if !ValidSlug(c.Slug) {
			errs.at(n, "bundle.slug_invalid", map[string]any{"Slug": c.Slug})
		}
	}
	if n := requiredScalar(root, fields, "default_language", errs); n != nil {
		c.DefaultLanguage = n.Value
		if !ValidLanguage(c.DefaultLanguage) {
			errs.at(n, "bundle.language_invalid", map[string]any{"Language": n.Value})
		}
	}
	if n := fields["audiences"]; n == nil {
		errs.at(root, "bundle.audiences_required", nil)
	} else if n.Kind != yaml.SequenceNode {
		errs.at(n, "bundle.field_invalid", map[string]any{"Field": "audiences"})
	} else if len(n.Content) == 0 {
		errs.at(n, "bundle.audiences_required", nil)
	} else {
		var list []string
		for _, a := range n.Content {
			if a.Kind != yaml.ScalarNode || !Audience(a.Value).Valid() {
				errs.at(a, "bundle.audiences_invalid", map[string]any{"Audience": a.Value})
				continue
			}
			list = append(list, a.Value)
		}
		c.Audiences = SortedAudiences(list)
	}
	if n := requiredScalar(root, fields, "level", errs); n != nil {
		c.Level = Level(n.Value)
		if !c.Level.Valid() {
			errs.at(n, "bundle.level_invalid", map[string]any{"Level": n.Value})
		}
	}
	if n := requiredScalar(root, fields, "hours", errs); n != nil {
		var h int
		if n.ShortTag() != "!!int" || n.Decode(&h) != nil || h < 1 || h > MaxHours {
			errs.at(n, "bundle.hours_invalid", map[string]any{"Max": MaxHours})
		}
		c.Hours = h
	}

	if n := fields["translations"]; n == nil {
		errs.at(root, "bundle.field_required", map[string]any{"Field": "translations"})
	} else if n.Kind != yaml.MappingNode {
		errs.at(n, "bundle.field_invalid", map[string]any{"Field": "translations"})
	} else {
		spec.languagesKnown = true
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			if !ValidLanguage(k.Value) {
				errs.at(k, "bundle.language_invalid", map[string]any{"Language": k.Value})
				continue
			}
			if spec.languages[k.Value] {
				errs.at(k, "bundle.field_duplicate", map[string]any{"Field": k.Value})
				continue
			}
			spec.languages[k.Value] = true
			c.Texts[k.Value] = parseTranslation(k, v, errs)
		}
		if ValidLanguage(c.DefaultLanguage) && !spec.languages[c.DefaultLanguage] {
			errs.at(n, "bundle.default_translation_missing", map[string]any{"Language": c.DefaultLanguage})
		}
	}

	if n := fields["certificate"]; n != nil {
		spec.certificate = parseCertificateBlock(n, errs)
	}

	if n := fields["modules"]; n == nil {
		errs.at(root, "bundle.modules_required", nil)
	} else if n.Kind != yaml.SequenceNode {
		errs.at(n, "bundle.field_invalid", map[string]any{"Field": "modules"})
	} else if len(n.Content) == 0 {
		errs.at(n, "bundle.modules_required", nil)
	} else {
		folders := map[string]bool{}
		for _, item := range n.Content {
			if m, ok := parseModule(item, spec.languages, spec.languagesKnown, folders, errs); ok {
				spec.modules = append(spec.modules, m)
			}
		}
	}
	return spec
}

var yamlLinePattern = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

// yamlErrorLine takes the line out of yaml.v3's message, which has no typed
// error for syntax problems.
func yamlErrorLine(err error) (int, string) {
	msg := err.Error()
	if m := yamlLinePattern.FindStringSubmatch(msg); m != nil {
		var line int
		fmt.Sscan(m[1], &line)
		return line, m[2]
	}
	return 0, strings.TrimPrefix(msg, "yaml: ")
}

// mappingFields returns a mapping's values by key, reporting keys that are
// unknown or repeated. Aliases and merge keys are not followed: course.yaml
// has no use for them, and expanding them is how YAML bombs work.
func mappingFields(n *yaml.Node, known []string, errs *bundleErrorList) map[string]*yaml.Node {
	fields := map[string]*yaml.Node{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		switch {
		case k.Kind != yaml.ScalarNode || !slices.Contains(known, k.Value):
			errs.at(k, "bundle.unknown_field", map[string]any{"Field": k.Value})
		case fields[k.Value] != nil:
			errs.at(k, "bundle.field_duplicate", map[string]any{"Field": k.Value})
		default:
			fields[k.Value] = v
		}
	}
	return fields
}

// requiredScalar returns the field's node when it is present and a single value.
func requiredScalar(parent *yaml.Node, fields map[string]*yaml.Node, name string, errs *bundleErrorList) *yaml.Node {
	n := fields[name]
	switch {
	case n == nil || (n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null"):
		errs.at(bundleOr(n, parent), "bundle.field_required", map[string]any{"Field": name})
		return nil
	case n.Kind != yaml.ScalarNode:
		errs.at(n, "bundle.field_invalid", map[string]any{"Field": name})
		return nil
	}
	return n
}

func bundleOr(n, parent *yaml.Node) *yaml.Node {
	if n != nil {
		return n
	}
	return parent
}

// parseTranslation reads one language's title and summary.
func parseTranslation(k, v *yaml.Node, errs *bundleErrorList) CourseText {
	if v.Kind != yaml.MappingNode {
		errs.at(v, "bundle.field_invalid", map[string]any{"Field": k.Value})
		return CourseText{}
	}
	fields := mappingFields(v, []string{"title", "summary"}, errs)
	var text CourseText
	if n := fields["title"]; n == nil || n.Kind != yaml.ScalarNode {
		errs.at(bundleOr(n, k), "bundle.title_required", nil)
	} else {
		text.Title = strings.TrimSpace(n.Value)
		if key, args := bundleTitleProblem(text.Title); key != "" {
			errs.at(n, key, args)
		}
	}
	if n := fields["summary"]; n != nil {
		if n.Kind != yaml.ScalarNode {
			errs.at(n, "bundle.field_invalid", map[string]any{"Field": "summary"})
		} else {
			text.Summary = strings.TrimSpace(n.Value)
			if utf8.RuneCountInString(text.Summary) > MaxSummaryLength {
				errs.at(n, "bundle.summary_too_long", map[string]any{"Max": MaxSummaryLength})
			}
		}
	}
	return text
}

// parseModule reads one item of modules; ok is false when it has no usable folder.
func parseModule(item *yaml.Node, languages map[string]bool, known bool, folders map[string]bool, errs *bundleErrorList) (moduleSpec, bool) {
	if item.Kind != yaml.MappingNode {
		errs.at(item, "bundle.field_invalid", map[string]any{"Field": "modules"})
		return moduleSpec{}, false
	}
	fields := mappingFields(item, []string{"folder", "titles", "quiz"}, errs)
	n := requiredScalar(item, fields, "folder", errs)
	if n == nil {
		return moduleSpec{}, false
	}
	m := moduleSpec{folder: n.Value, node: n, titles: map[string]string{}}
	switch {
	case !moduleFolderPattern.MatchString(m.folder) || len(m.folder) > 100 || m.folder == imagesFolder:
		errs.at(n, "bundle.module_folder_invalid", map[string]any{"Folder": m.folder})
		return moduleSpec{}, false
	case folders[m.folder]:
		errs.at(n, "bundle.module_folder_duplicate", map[string]any{"Folder": m.folder})
		return moduleSpec{}, false
	}
	folders[m.folder] = true
	if n := fields["quiz"]; n != nil {
		m.quiz = parseQuizBlock(m.folder, n, languages, known, errs)
	}

	titles := fields["titles"]
	if titles == nil {
		titles = &yaml.Node{Kind: yaml.MappingNode, Line: item.Line}
	} else if titles.Kind != yaml.MappingNode {
		errs.at(titles, "bundle.field_invalid", map[string]any{"Field": "titles"})
		return m, true
	}
	m.titles = parseTitles(titles, languages, known, errs)
	for _, lang := range Languages {
		if known && languages[lang] && !bundleHas(m.titles, lang) {
			errs.at(titles, "bundle.module_title_missing", map[string]any{"Folder": m.folder, "Language": lang})
		}
	}
	return m, true
}

// parseTitles reads a mapping of language to title, reporting languages the course does
// not have and bad titles; the caller says which languages are missing.
func parseTitles(n *yaml.Node, languages map[string]bool, known bool, errs *bundleErrorList) map[string]string {
	titles := map[string]string{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		switch {
		case !ValidLanguage(k.Value):
			errs.at(k, "bundle.language_invalid", map[string]any{"Language": k.Value})
			continue
		case known && !languages[k.Value]:
			errs.at(k, "bundle.language_unknown", map[string]any{"Language": k.Value})
			continue
		case bundleHas(titles, k.Value):
			errs.at(k, "bundle.field_duplicate", map[string]any{"Field": k.Value})
			continue
		case v.Kind != yaml.ScalarNode:
			errs.at(v, "bundle.field_invalid", map[string]any{"Field": k.Value})
			continue
		}
		title := strings.TrimSpace(v.Value)
		if key, args := bundleTitleProblem(title); key != "" {
			errs.at(v, key, args)
		}
		titles[k.Value] = title
	}
	return titles
}

func bundleHas[V any](m map[string]V, k string) bool {
	_, ok := m[k]
	return ok
}
