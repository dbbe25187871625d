package courses

import (
	"archive/zip"
	"bytes"
	"fmt"
	"io"
	"sort"
	"strings"

	"go.yaml.in/yaml/v3"
)

// WriteBundle lays a course out as files: path -> content, the layout
// ReadBundle reads. It refuses only what would make unsafe or ambiguous paths;
// the content itself was validated when it was entered.
func WriteBundle(b Bundle) (map[string][]byte, error) {
	c := b.Course
	files := map[string][]byte{}
	if !ValidSlug(c.Slug) {
		return nil, fmt.Errorf("%w: slug %q", ErrInvalid, c.Slug)
	}
	yml, err := courseYAML(c, b.Certificate)
	if err != nil {
		return nil, err
	}
	files[courseFile] = yml
	langs, err := writeOrder(c.Texts, c.DefaultLanguage)
	if err != nil {
		return nil, err
	}
	for _, m := range c.Modules {
		if !moduleFolderPattern.MatchString(m.Key) || m.Key == imagesFolder {
			return nil, fmt.Errorf("%w: module key %q", ErrInvalid, m.Key)
		}
		switch {
		case len(m.Quizzes) > 1:
			return nil, fmt.Errorf("%w: module %s has %d quizzes; files hold one", ErrInvalid, m.Key, len(m.Quizzes))
		case len(m.Quizzes) == 1:
			for p, data := range quizFiles(m.Key, b.Questions[m.Key], langs) {
				files[p] = data
			}
		case len(b.Questions[m.Key]) > 0:
			return nil, fmt.Errorf("%w: module %s has questions and no quiz", ErrInvalid, m.Key)
		}
		for i, l := range m.Lessons {
			for lang, text := range l.Texts {
				name := fmt.Sprintf("%02d-%s.%s.md", i+1, l.Key, lang)
				p := m.Key + "/" + name
				if !lessonNamePattern.MatchString(name) {
					return nil, fmt.Errorf("%w: lesson file %q", ErrInvalid, p)
				}
				if _, dup := files[p]; dup {
					return nil, fmt.Errorf("%w: %s twice", ErrInvalid, p)
				}
				files[p] = lessonFile(text)
			}
		}
	}
	for _, img := range b.Images {
		if !ValidImageName(img.Name) {
			return nil, fmt.Errorf("%w: image name %q", ErrInvalid, img.Name)
		}
		p := imagesFolder + "/" + img.Name
		if _, dup := files[p]; dup {
			return nil, fmt.Errorf("%w: %s twice", ErrInvalid, p)
		}
		files[p] = img.Data
	}
	return files, nil
}

// lessonFile writes "# Title", a blank line and the body. A line break in a
// title would end the heading, so it becomes a space.
func lessonFile(t LessonText) []byte {
	title := strings.NewReplacer("\r\n", " ", "\n", " ", "\r", " ").Replace(strings.TrimSpace(t.Title))
	var b bytes.Buffer
	b.WriteString("# " + title + "\n")
	if body := trimLessonBody(t.Body); body != "" {
		b.WriteString("\n" + body + "\n")
	}
	return b.Bytes()
}

// courseYAML writes course.yaml with its keys in the documented order, so that
// exported files look like the ones instructors write by hand.
func courseYAML(c Course, cert *CertificateSettings) ([]byte, error) {
	str := func(s string) *yaml.Node { return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: s} }
	quoted := func(s string) *yaml.Node {
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: s, Style: yaml.DoubleQuotedStyle}
	}
	mapping := func(kv ...*yaml.Node) *yaml.Node { return &yaml.Node{Kind: yaml.MappingNode, Content: kv} }

	audiences := &yaml.Node{Kind: yaml.SequenceNode, Style: yaml.FlowStyle}
	for _, a := range Audiences {
		for _, x := range c.Audiences {
			if a == x {
				audiences.Content = append(audiences.Content, str(string(a)))
				break
			}
		}
	}
	langs, err := writeOrder(c.Texts, c.DefaultLanguage)
	if err != nil {
		return nil, err
	}
	translations := mapping()
	for _, lang := range langs {
		t := c.Texts[lang]
		translations.Content = append(translations.Content, str(lang),
			mapping(str("title"), quoted(t.Title), str("summary"), quoted(t.Summary)))
	}
	modules := &yaml.Node{Kind: yaml.SequenceNode}
	for _, m := range c.Modules {
		mlangs, err := writeOrder(m.Titles, c.DefaultLanguage)
		if err != nil {
			return nil, err
		}
		titles := mapping()
		for _, lang := range mlangs {
			titles.Content = append(titles.Content, str(lang), quoted(m.Titles[lang]))
		}
		module := mapping(str("folder"), str(m.Key), str("titles"), titles)
		if len(m.Quizzes) > 0 {
			// Files want a title in every language of the course; a quiz made on the web may
			// have only the default language's, which trainees of the others read anyway.
			q := m.Quizzes[0]
			titles := make(map[string]string, len(langs))
			for _, lang := range langs {
				titles[lang], _ = Pick(q.Titles, lang, c.DefaultLanguage)
			}
			q.Titles = titles
			module.Content = append(module.Content, str("quiz"), quizYAML(q, langs))
		}
		modules.Content = append(modules.Content, module)
	}
	root := mapping(
		str("slug"), str(c.Slug),
		str("default_language"), str(c.DefaultLanguage),
		str("audiences"), audiences,
		str("level"), str(string(c.Level)),
		str("hours"), &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!int", Value: fmt.Sprint(c.Hours)},
		str("translations"), translations,
	)
	// The certificate's rules before the modules, which are long.
	if block := certificateYAML(cert); block != nil {
		root.Content = append(root.Content, str("certificate"), block)
	}
	root.Content = append(root.Content, str("modules"), modules)
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(root); err != nil {
		return nil, err
	}
	if err := enc.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// writeOrder lists a text map's languages, the default first (as instructors
// write them) and the others in Aula's order.
func writeOrder[V any](texts map[string]V, def string) ([]string, error) {
	for lang := range texts {
		if !ValidLanguage(lang) {
			return nil, fmt.Errorf("%w: language %q", ErrInvalid, lang)
		}
	}
	var langs []string
	if bundleHas(texts, def) {
		langs = append(langs, def)
	}
	for _, lang := range Languages {
		if lang != def && bundleHas(texts, lang) {
			langs = append(langs, lang)
		}
	}
	return langs, nil
}

// WriteBundleZip writes the bundle's files as a zip, course.yaml first and the
// rest in path order, so that the same course always gives the same bytes.
func WriteBundleZip(b Bundle, w io.Writer) error {
	files, err := WriteBundle(b)
	if err != nil {
		return err
	}
	paths := SortKeys(files)
	sort.SliceStable(paths, func(i, j int) bool { return paths[i] == courseFile && paths[j] != courseFile })
	zw := zip.NewWriter(w)
	for _, p := range paths {
		method := zip.Deflate
		if strings.HasPrefix(p, imagesFolder+"/") {
			method = zip.Store // already compressed
		}
		fw, err := zw.CreateHeader(&zip.FileHeader{Name: p, Method: method})
		if err != nil {
			return err
		}
		if _, err := fw.Write(files[p]); err != nil {
			return err
		}
	}
	return zw.Close()
}
