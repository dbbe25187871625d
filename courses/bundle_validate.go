package courses

import (
	"strings"
	"unicode/utf8"
)

// validate checks the whole tree and builds the course when all is well.
func (t *bundleTree) validate() (Bundle, []BundleError) {
	errs := bundleErrorList(t.errs)
	spec := parseCourseYAML(t.files[courseFile], &errs)

	// Which top-level folders are modules. When course.yaml cannot be read,
	// every folder is taken for one, so that the lessons are still checked.
	modules := map[string]bool{}
	if spec.parsed {
		for _, m := range spec.modules {
			if m.folder == "" || modules[m.folder] {
				continue
			}
			modules[m.folder] = true
			if !t.dirs[m.folder] {
				errs.at(m.node, "bundle.module_folder_missing", map[string]any{"Folder": m.folder})
			}
		}
	} else {
		for d := range t.dirs {
			if !strings.Contains(d, "/") && d != imagesFolder {
				modules[d] = true
			}
		}
	}

	// Every file and folder must be something the course uses.
	reported := map[string]bool{}
	unexpected := func(p, key string, args map[string]any) {
		if !reported[p] {
			reported[p] = true
			errs.add(p, 0, key, args)
		}
	}
	for _, p := range t.strange {
		unexpected(p, "bundle.unexpected_file", nil)
	}
	for d := range t.dirs {
		top, rest, nested := strings.Cut(d, "/")
		switch {
		case !nested && top != imagesFolder && !modules[top]:
			unexpected(top, "bundle.folder_unlisted", map[string]any{"Folder": top})
		case nested && (top == imagesFolder || modules[top]):
			unexpected(top+"/"+strings.SplitN(rest, "/", 2)[0], "bundle.unexpected_file", nil)
		}
	}
	var images []Image
	lessonFiles := map[string][]string{} // module folder -> lesson file names
	quizFiles := map[string][]string{}   // module folder -> GIFT file names
	for _, p := range SortKeys(t.files) {
		parts := strings.Split(p, "/")
		switch {
		case p == courseFile:
		case len(parts) == 1:
			unexpected(p, "bundle.unexpected_file", nil)
		case len(parts) > 2:
			// Reported with its folder above, unless that folder is not listed
			// at all, which was reported instead.
			if parts[0] == imagesFolder || modules[parts[0]] {
				unexpected(parts[0]+"/"+parts[1], "bundle.unexpected_file", nil)
			}
		case parts[0] == imagesFolder:
			if img, ok := checkBundleImage(p, parts[1], t.files[p], &errs); ok {
				images = append(images, img)
			}
		case modules[parts[0]] && quizFilePattern.MatchString(parts[1]):
			quizFiles[parts[0]] = append(quizFiles[parts[0]], parts[1])
		case modules[parts[0]]:
			lessonFiles[parts[0]] = append(lessonFiles[parts[0]], parts[1])
		}
	}

	// Lessons, module by module.
	course := spec.course
	var questions map[string][]BankQuestion
	for _, m := range spec.modules {
		if !t.dirs[m.folder] {
			continue
		}
		module := Module{Key: m.folder, Titles: m.titles}
		module.Lessons = readLessons(t, m.folder, lessonFiles[m.folder], spec, &errs)
		if quiz, qs, ok := readQuiz(t, m.folder, quizFiles[m.folder], spec, m.quiz, len(module.Lessons), &errs); ok {
			module.Quizzes = []Quiz{quiz}
			if questions == nil {
				questions = map[string][]BankQuestion{}
			}
			questions[m.folder] = qs
		}
		course.Modules = append(course.Modules, module)
		delete(lessonFiles, m.folder)
	}
	// Folders read as modules only because course.yaml was unreadable.
	for _, folder := range SortKeys(lessonFiles) {
		readLessons(t, folder, lessonFiles[folder], spec, &errs)
	}

	if len(errs) > 0 {
		return Bundle{}, sortBundleErrors(errs)
	}
	return Bundle{Course: course, Images: images, Questions: questions, Certificate: spec.certificate}, nil
}

// checkBundleImage checks one file in images/.
func checkBundleImage(p, name string, f *bundleFile, errs *bundleErrorList) (Image, bool) {
	if !ValidImageName(name) {
		errs.add(p, 0, "bundle.image_name_invalid", map[string]any{"Name": name})
		return Image{}, false
	}
	// No Args: the upload page shows CheckImage's keys as they are, so the
	// messages must not need any.
	if f.tooLarge {
		errs.add(p, 0, keyImageTooLarge, nil)
		return Image{}, false
	}
	ct, key := CheckImage(f.data)
	if key != "" {
		errs.add(p, 0, key, nil)
		return Image{}, false
	}
	return Image{Name: name, ContentType: ct, Data: f.data}, true
}

// readLessons checks the files of one module folder and returns its lessons in key order.
func readLessons(t *bundleTree, folder string, names []string, spec courseSpec, errs *bundleErrorList) []Lesson {
	texts := map[string]map[string]LessonText{} // lesson key -> language -> text
	for _, name := range names {
		p := folder + "/" + name
		m := lessonNamePattern.FindStringSubmatch(name)
		if m == nil {
			errs.add(p, 0, "bundle.lesson_name_invalid", map[string]any{"Name": name})
			continue
		}
		key, lang := m[1], m[3]
		if spec.languagesKnown && !spec.languages[lang] {
			errs.add(p, 0, "bundle.language_unknown", map[string]any{"Language": lang})
		}
		text, ok := parseLesson(p, t.files[p], errs)
		if !ok {
			continue
		}
		if texts[key] == nil {
			texts[key] = map[string]LessonText{}
		}
		texts[key][lang] = text
	}
	if len(names) == 0 {
		errs.add(folder, 0, "bundle.module_empty", map[string]any{"Folder": folder})
	}
	var lessons []Lesson
	def := spec.course.DefaultLanguage
	seen := map[string]string{} // lesson key -> the numbered name that has it
	for _, key := range SortKeys(texts) {
		short := key[strings.IndexByte(key, '-')+1:] // "01-what-is" → "what-is"
		if other, dup := seen[short]; dup {
			errs.add(folder+"/"+key+"."+def+".md", 0, "bundle.lesson_key_duplicate", map[string]any{"Name": short, "Other": other})
			continue
		}
		seen[short] = key
		// Trainees fall back to the default language, so it must be there.
		// A file that exists but is broken has been reported already.
		if spec.languages[def] {
			if _, ok := texts[key][def]; !ok && t.files[folder+"/"+key+"."+def+".md"] == nil {
				errs.add(folder+"/"+key+"."+def+".md", 0, "bundle.lesson_default_missing", map[string]any{"Language": def})
			}
		}
		lessons = append(lessons, Lesson{Key: short, Texts: texts[key]})
	}
	return lessons
}

// parseLesson reads "# Title", then the Markdown body. Windows line endings and
// a byte-order mark, which editors add unasked, are dropped.
func parseLesson(p string, f *bundleFile, errs *bundleErrorList) (LessonText, bool) {
	ok := true
	if f.tooLarge {
		errs.add(p, 0, "bundle.lesson_too_long", map[string]any{"Max": MaxLessonLength})
		return LessonText{}, false
	}
	src := f.data
	if line := firstInvalidUTF8Line(src); line > 0 {
		errs.add(p, line, "bundle.not_utf8", nil)
		ok = false
	}
	s := strings.TrimPrefix(string(src), utf8ByteOrderMark)
	s = strings.ReplaceAll(s, "\r\n", "\n")
	first, rest, _ := strings.Cut(s, "\n")
	title, isHeading := lessonHeading(first)
	if !isHeading {
		errs.add(p, 1, "bundle.lesson_heading_missing", nil)
		ok = false
	} else if key, args := bundleTitleProblem(title); key != "" {
		errs.add(p, 1, key, args)
		ok = false
	}
	body := trimLessonBody(rest)
	if len(body) > MaxLessonLength {
		errs.add(p, 0, "bundle.lesson_too_long", map[string]any{"Max": MaxLessonLength})
		ok = false
	}
	return LessonText{Title: title, Body: body}, ok
}

// lessonHeading returns the title of a level-one ATX heading ("# Title").
func lessonHeading(line string) (string, bool) {
	rest, ok := strings.CutPrefix(line, "#")
	if !ok || (rest != "" && rest[0] != ' ' && rest[0] != '\t') {
		return "", false
	}
	return strings.TrimSpace(rest), true
}

// trimLessonBody drops whole blank lines at the start (keeping the indentation
// of the first line with text, which means something in Markdown) and all
// trailing white space.
func trimLessonBody(s string) string {
	for {
		line, rest, found := strings.Cut(s, "\n")
		if !found || strings.TrimSpace(line) != "" {
			break
		}
		s = rest
	}
	if strings.TrimSpace(s) == "" {
		return ""
	}
	return strings.TrimRight(s, " \t\r\n")
}

// firstInvalidUTF8Line returns the line of the first byte that is not UTF-8, or 0.
func firstInvalidUTF8Line(b []byte) int {
	if utf8.Valid(b) {
		return 0
	}
	line := 1
	for len(b) > 0 {
		r, size := utf8.DecodeRune(b)
		if r == utf8.RuneError && size <= 1 {
			return line
		}
		if r == '\n' {
			line++
		}
		b = b[size:]
	}
	return line
}
